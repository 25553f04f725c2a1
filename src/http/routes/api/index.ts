import { availabilityOperations } from './availability.routes';
import { bookingOperations } from './bookings.routes';
import { customerOperations } from './customers.routes';
import { saleOperations } from './sales.routes';
import { venueOperations } from './venue.routes';
import { webhookOperations } from './webhooks.routes';

/**
 * `/api/v1`: the booking API for integrators, every operation scoped to the caller's venue. One line per
 * resource. (`GET /api/v1/openapi`, public, is declared beside the surfaces it documents: src/http/surfaces.ts.)
 */
export const integratorApiOperations = [
  ...venueOperations,
  ...availabilityOperations,
  ...bookingOperations,
  ...customerOperations,
  ...saleOperations,
  ...webhookOperations,
];
