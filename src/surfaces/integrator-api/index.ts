import { analyticsOperations } from './analytics.routes';
import { availabilityOperations } from './availability.routes';
import { bookingOperations } from './bookings.routes';
import { customerOperations } from './customers.routes';
import { emailOperations } from './emails.routes';
import { peopleOperations } from './people.routes';
import { reviewOperations } from './reviews.routes';
import { saleOperations } from './sales.routes';
import { sessionOperations } from './session.routes';
import { streamOperations } from './stream.routes';
import { venueOperations } from './venue.routes';
import { webhookOperations } from './webhooks.routes';

/**
 * `/api/v1`: the booking API for integrators and venue staff (a key or a session), every operation scoped
 * to the caller's venue, and signing in. One line per resource. (`GET /api/v1/openapi`, public, is declared
 * beside the surfaces it documents: src/surfaces/surfaces.ts.)
 */
export const integratorApiOperations = [
  ...venueOperations,
  ...availabilityOperations,
  ...bookingOperations,
  ...customerOperations,
  ...saleOperations,
  ...analyticsOperations,
  ...webhookOperations,
  ...streamOperations,
  ...sessionOperations,
  ...peopleOperations,
  ...emailOperations,
  ...reviewOperations,
];
