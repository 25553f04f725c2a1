/**
 * The OpenAPI 3.1 document of every public route (`GET /api/v1/openapi`, rendered at `/docs`).
 *
 * OPERATIONS below is the one table of what the app serves. Request bodies and query parameters are the
 * ajv schema objects the routes validate with (src/http/schemas), converted by ./json-schema, so
 * documentation and validation cannot drift. Error responses come from each operation's error codes and
 * ERROR_CATALOG. test/api/openapi.test.ts validates the document and checks it against the routes the app
 * actually serves, both ways.
 */
import type { StaffScope } from '../../modules/people';
import type { WebhookEvent } from '../../outbound/outbox';
import { PEOPLE_OPERATIONS } from './people-operations';
import { BOOKING_STATUS_COMMAND_SCHEMA, SALE_COMMAND_SCHEMA } from '../../mapping/canonical-commands';
import { ERROR_CATALOG, type ErrorCode } from '../../shared/app-error';
import { availabilityQuerySchema, availabilityResponseSchema } from '../schemas/availability.schema';
import {
  bookingDetailSchema, bookingSchema, createBookingSchema, listBookingsQuerySchema, updateBookingSchema,
} from '../schemas/booking.schema';
import { ERROR_ENVELOPE_SCHEMA } from '../schemas/common.schema';
import { customerDetailSchema, customerSchema, listCustomersQuerySchema, upsertCustomerSchema } from '../schemas/customer.schema';
import { CURSOR_PARAM, LIMIT_PARAM, PAGINATION_QUERY_PROPERTIES, listEnvelopeSchema } from '../schemas/pagination.schema';
import { commandSchemasResponseSchema } from '../routes/admin/schemas.routes';
import { venueListQuerySchema } from '../routes/api/venue.routes';
import {
  catalogTemplateSchema, createPartnerSchema, inboundEventDetailSchema, partnerFromTemplateSchema, inboundEventSchema, listPartnerEventsQuerySchema, locationSchema,
  mappingTestResultSchema, mappingVersionSchema, partnerCreatedSchema, partnerSchema, putLocationSchema, putMappingSchema,
  testMappingSchema, updatePartnerSchema,
} from '../schemas/partner.schema';
import { listSalesQuerySchema, matchSaleSchema, saleCandidatesResponseSchema, saleItemResponseSchema, saleResponseSchema } from '../schemas/sale.schema';
import { API_SCOPES, createApiKeySchema, createVenueSchema, type ApiScope } from '../schemas/venue.schema';
import {
  createdWebhookResponseSchema, createWebhookSchema, listDeliveriesQuerySchema, listWebhooksQuerySchema,
  updateWebhookSchema, webhookAttemptResponseSchema, webhookDeliveryResponseSchema, webhookResponseSchema,
} from '../schemas/webhook.schema';
import {
  BOOKING_EXAMPLE, CREATE_BOOKING_EXAMPLE, CREATE_VENUE_EXAMPLE, CUSTOMER_EXAMPLE, ERROR_MESSAGES, SALE_EXAMPLE,
  VENUE_EXAMPLE, WEBHOOK_EXAMPLE,
} from './examples';
import { queryParameters, toOpenApiSchema, type JsonSchema } from './json-schema';
import {
  apiKeyCreatedResponseSchema, healthResponseSchema, partnerAckResponseSchema, readinessResponseSchema,
  serviceResponseSchema, tableResponseSchema, venueEventResponseSchema, venueResponseSchema,
} from './response-schemas';

// ---------------------------------------------------------------------------------------------------------
// The operations table

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/**
 * Who may call: an integrator's API key (or a staff session, with its role's scopes), the platform's admin
 * token (or an operator's session), a POS (signed body), a staff session only, anyone.
 */
type Auth = 'apiKey' | 'admin' | 'partner' | 'session' | 'public';
type Schema = object;

interface Success {
  status: number;
  description: string;
  /** A schema object (a named component is referenced, others are inlined); omitted: no body. */
  schema?: Schema;
  /** @defaultValue 'application/json' */
  contentType?: string;
  example?: unknown;
}

export interface Operation {
  /** Unique; client generators name methods after it. */
  id: string;
  method: Method;
  /** Express syntax, as mounted (`/api/v1/sales/:id`). */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  auth: Auth;
  /** The scope the route requires (CONTRACT §6; §8 adds staff-only scopes). */
  scope?: ApiScope | StaffScope;
  /** The route's ajv query schema; its properties become the query parameters. */
  query?: Schema;
  /** The route's ajv body schema (JSON). */
  body?: Schema;
  bodyExample?: unknown;
  /** Accepts `Idempotency-Key` (CONTRACT §6). */
  idempotencyKey?: boolean;
  responses: Success[];
  /** Codes this route can answer with beyond those its auth and body imply. */
  errors?: ErrorCode[];
}

const list = (item: Schema) => listEnvelopeSchema(item as Record<string, unknown>);

/** `GET /admin/v1/partners` compiles this same shape inline (page parameters only). */
const pageOnlyQuerySchema = { type: 'object', additionalProperties: false, properties: { ...PAGINATION_QUERY_PROPERTIES } } as const;

export const OPERATIONS: readonly Operation[] = [
  // --- Operations -------------------------------------------------------------------------------------
  {
    id: 'getHealth', method: 'get', path: '/healthz', tag: 'Operations', auth: 'public',
    summary: 'Liveness: 200 while the process runs',
    responses: [{ status: 200, description: 'Alive.', schema: healthResponseSchema, example: { status: 'ok' } }],
  },
  {
    id: 'getReadiness', method: 'get', path: '/readyz', tag: 'Operations', auth: 'public',
    summary: 'Readiness: 200 when MySQL and Redis answer, else 503',
    responses: [
      { status: 200, description: 'Ready.', schema: readinessResponseSchema, example: { status: 'ready', checks: { mysql: 'ok', redis: 'ok' } } },
      { status: 503, description: 'A dependency is down.', schema: readinessResponseSchema, example: { status: 'unavailable', checks: { mysql: 'ok', redis: 'down' } } },
    ],
  },
  {
    id: 'getMetrics', method: 'get', path: '/metrics', tag: 'Operations', auth: 'public',
    summary: 'Prometheus metrics (text exposition format)',
    responses: [{ status: 200, description: 'Metrics.', contentType: 'text/plain', schema: { type: 'string' } }],
  },
  {
    id: 'getDocs', method: 'get', path: '/docs', tag: 'Operations', auth: 'public',
    summary: 'This reference as a web page (Swagger UI)',
    responses: [{ status: 200, description: 'HTML page.', contentType: 'text/html', schema: { type: 'string' } }],
  },
  {
    id: 'getOpenApiDocument', method: 'get', path: '/api/v1/openapi', tag: 'Operations', auth: 'public',
    summary: 'This OpenAPI 3.1 document',
    responses: [{ status: 200, description: 'The document.', schema: { type: 'object' } }],
  },

  // --- Booking API: venue --------------------------------------------------------------------------------
  {
    id: 'getVenue', method: 'get', path: '/api/v1/venue', tag: 'Venue', auth: 'apiKey', scope: 'venue:read',
    summary: "The key's venue: profile, areas and tables, services, events",
    responses: [{ status: 200, description: 'The venue.', schema: venueResponseSchema, example: VENUE_EXAMPLE }],
  },
  {
    id: 'listServices', method: 'get', path: '/api/v1/services', tag: 'Venue', auth: 'apiKey', scope: 'venue:read',
    summary: "The venue's services (opening hours and slot grids)", query: venueListQuerySchema,
    responses: [{ status: 200, description: 'Services.', schema: list(serviceResponseSchema) }],
  },
  {
    id: 'listEvents', method: 'get', path: '/api/v1/events', tag: 'Venue', auth: 'apiKey', scope: 'venue:read',
    summary: 'Upcoming events with their capacity and places remaining', query: venueListQuerySchema,
    responses: [{ status: 200, description: 'Events.', schema: list(venueEventResponseSchema) }],
  },
  {
    id: 'getAvailability', method: 'get', path: '/api/v1/availability', tag: 'Availability', auth: 'apiKey',
    scope: 'bookings:read', summary: 'Bookable slots for a party on a date',
    query: availabilityQuerySchema,
    responses: [{
      status: 200, description: 'Every slot of the day.', schema: availabilityResponseSchema,
      example: { date: '2026-05-01', party_size: 2, slots: [{ time: '19:00', available: true, service_id: 'svc_0mhv2k1q3a8x4n2p7r9t1c' }] },
    }],
  },

  // --- Booking API: bookings -------------------------------------------------------------------------------
  {
    id: 'listBookings', method: 'get', path: '/api/v1/bookings', tag: 'Bookings', auth: 'apiKey', scope: 'bookings:read',
    summary: 'List bookings', description: 'Ordered by date, time and id.',
    query: listBookingsQuerySchema,
    responses: [{ status: 200, description: 'A page of bookings.', schema: list(bookingSchema), example: { data: [BOOKING_EXAMPLE], next_cursor: null } }],
  },
  {
    id: 'createBooking', method: 'post', path: '/api/v1/bookings', tag: 'Bookings', auth: 'apiKey', scope: 'bookings:write',
    summary: 'Create a booking',
    description:
      'Checks availability atomically: two requests never both get the last table. The customer is found by email or ' +
      'phone, or created. Send an `Idempotency-Key` to retry safely.',
    body: createBookingSchema, bodyExample: CREATE_BOOKING_EXAMPLE, idempotencyKey: true,
    responses: [{ status: 201, description: 'Created.', schema: bookingSchema, example: BOOKING_EXAMPLE }],
    errors: ['slot_unavailable', 'not_found', 'idempotency_key_reused', 'idempotency_in_progress'],
  },
  {
    id: 'getBooking', method: 'get', path: '/api/v1/bookings/:id', tag: 'Bookings', auth: 'apiKey', scope: 'bookings:read',
    summary: 'A booking with its sales and spend',
    responses: [{
      status: 200, description: 'The booking.', schema: bookingDetailSchema,
      example: { ...BOOKING_EXAMPLE, sales: [SALE_EXAMPLE], spend: { total: 4250, currency: 'GBP', count: 1 } },
    }],
    errors: ['not_found'],
  },
  {
    id: 'updateBooking', method: 'patch', path: '/api/v1/bookings/:id', tag: 'Bookings', auth: 'apiKey', scope: 'bookings:write',
    summary: 'Change status, move, or edit a booking',
    description: 'Statuses: pending → confirmed → seated → completed; cancelled and no_show end a booking.',
    body: updateBookingSchema, bodyExample: { status: 'seated' },
    responses: [{ status: 200, description: 'The updated booking.', schema: bookingSchema, example: { ...BOOKING_EXAMPLE, status: 'seated', version: 2 } }],
    errors: ['not_found', 'invalid_transition', 'slot_unavailable', 'booking_not_movable'],
  },

  // --- Booking API: customers ------------------------------------------------------------------------------
  {
    id: 'listCustomers', method: 'get', path: '/api/v1/customers', tag: 'Customers', auth: 'apiKey', scope: 'customers:read',
    summary: 'List or search customers', query: listCustomersQuerySchema,
    responses: [{ status: 200, description: 'A page of customers.', schema: list(customerSchema), example: { data: [CUSTOMER_EXAMPLE], next_cursor: null } }],
  },
  {
    id: 'upsertCustomer', method: 'post', path: '/api/v1/customers', tag: 'Customers', auth: 'apiKey', scope: 'customers:write',
    summary: 'Create a customer, or update the one with this email or phone',
    description: 'Matched by email (case-insensitive) or phone (E.164). Send an `Idempotency-Key` to retry safely.',
    body: upsertCustomerSchema, bodyExample: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+44 7911 123456' },
    idempotencyKey: true,
    responses: [
      { status: 201, description: 'Created.', schema: customerSchema, example: CUSTOMER_EXAMPLE },
      { status: 200, description: 'An existing customer was updated.', schema: customerSchema, example: CUSTOMER_EXAMPLE },
    ],
    errors: ['idempotency_key_reused', 'idempotency_in_progress'],
  },
  {
    id: 'getCustomer', method: 'get', path: '/api/v1/customers/:id', tag: 'Customers', auth: 'apiKey', scope: 'customers:read',
    summary: 'A customer with booking history and spend',
    responses: [{ status: 200, description: 'The customer.', schema: customerDetailSchema, example: { ...CUSTOMER_EXAMPLE, bookings: [BOOKING_EXAMPLE] } }],
    errors: ['not_found'],
  },

  // --- Booking API: sales ----------------------------------------------------------------------------------
  {
    id: 'listSales', method: 'get', path: '/api/v1/sales', tag: 'Sales', auth: 'apiKey', scope: 'sales:read',
    summary: 'List POS sales',
    description: "Newest first by the sale's time (opened_at, else closed_at, else when it was received).",
    query: listSalesQuerySchema,
    responses: [{ status: 200, description: 'A page of sales.', schema: list(saleResponseSchema), example: { data: [SALE_EXAMPLE], next_cursor: null } }],
  },
  {
    id: 'getSale', method: 'get', path: '/api/v1/sales/:id', tag: 'Sales', auth: 'apiKey', scope: 'sales:read',
    summary: 'A sale with its items',
    responses: [{ status: 200, description: 'The sale.', schema: saleResponseSchema, example: SALE_EXAMPLE }],
    errors: ['not_found'],
  },
  {
    id: 'listSaleCandidates', method: 'get', path: '/api/v1/sales/:id/candidates', tag: 'Sales', auth: 'apiKey', scope: 'sales:read',
    summary: 'The bookings a sale could belong to, best first',
    description:
      "The venue's bookings holding a table whose time (start − 30 min to end + 2 h) holds the sale's time, ranked by table, " +
      'status (the seated booking at that time first), time and covers, each with its reasons: one click from a manual match.',
    responses: [{
      status: 200, description: 'The candidates.', schema: saleCandidatesResponseSchema(bookingSchema),
      example: { data: [{ booking: BOOKING_EXAMPLE, score: 90, reasons: ['at table 12, as the sale', 'seated', "the sale's time 19:40 is within the booking (19:00–20:30)"] }] },
    }],
    errors: ['not_found'],
  },
  {
    id: 'matchSale', method: 'patch', path: '/api/v1/sales/:id', tag: 'Sales', auth: 'apiKey', scope: 'sales:write',
    summary: 'Link a sale to a booking by hand, or unlink it',
    description:
      'Sets `match: "manual"`, raises `version` and sends `sale.recorded`. `booking_id: null` removes the link (`match: null`); ' +
      'the automatic rule may then match the sale again. A booking that is not this venue\'s is 404. Repeating a request changes nothing.',
    body: matchSaleSchema, bodyExample: { booking_id: 'TS-7K3M9Q' },
    responses: [{ status: 200, description: 'The sale.', schema: saleResponseSchema, example: { ...SALE_EXAMPLE, match: 'manual', version: 3 } }],
    errors: ['not_found'],
  },

  // --- Booking API: webhooks -------------------------------------------------------------------------------
  {
    id: 'listWebhooks', method: 'get', path: '/api/v1/webhooks', tag: 'Webhooks', auth: 'apiKey', scope: 'webhooks:read',
    summary: "The venue's webhook endpoints", query: listWebhooksQuerySchema,
    responses: [{ status: 200, description: 'A page of webhooks.', schema: list(webhookResponseSchema), example: { data: [WEBHOOK_EXAMPLE], next_cursor: null } }],
  },
  {
    id: 'createWebhook', method: 'post', path: '/api/v1/webhooks', tag: 'Webhooks', auth: 'apiKey', scope: 'webhooks:write',
    summary: 'Subscribe an endpoint to events',
    description: 'The response carries the signing `secret`, shown this once. `["*"]` subscribes to every event.',
    body: createWebhookSchema, bodyExample: { url: 'https://example.com/hooks/tablesync', events: ['booking.created', 'sale.recorded'] },
    responses: [{
      status: 201, description: 'Created.', schema: createdWebhookResponseSchema,
      example: { ...WEBHOOK_EXAMPLE, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    }],
    errors: ['invalid_webhook_url'],
  },
  {
    id: 'getWebhook', method: 'get', path: '/api/v1/webhooks/:id', tag: 'Webhooks', auth: 'apiKey', scope: 'webhooks:read',
    summary: 'A webhook endpoint',
    responses: [{ status: 200, description: 'The webhook.', schema: webhookResponseSchema, example: WEBHOOK_EXAMPLE }],
    errors: ['not_found'],
  },
  {
    id: 'updateWebhook', method: 'patch', path: '/api/v1/webhooks/:id', tag: 'Webhooks', auth: 'apiKey', scope: 'webhooks:write',
    summary: 'Change the URL or events, or re-enable an endpoint',
    body: updateWebhookSchema, bodyExample: { enabled: true },
    responses: [{ status: 200, description: 'The webhook.', schema: webhookResponseSchema, example: WEBHOOK_EXAMPLE }],
    errors: ['not_found', 'invalid_webhook_url'],
  },
  {
    id: 'deleteWebhook', method: 'delete', path: '/api/v1/webhooks/:id', tag: 'Webhooks', auth: 'apiKey', scope: 'webhooks:write',
    summary: 'Delete a webhook endpoint',
    responses: [{ status: 204, description: 'Deleted; nothing more is delivered to it.' }],
    errors: ['not_found'],
  },
  {
    id: 'listWebhookDeliveries', method: 'get', path: '/api/v1/webhooks/:id/deliveries', tag: 'Webhooks', auth: 'apiKey',
    scope: 'webhooks:read', summary: 'Deliveries to an endpoint, with every attempt', query: listDeliveriesQuerySchema,
    responses: [{ status: 200, description: 'A page of deliveries, newest first.', schema: list(webhookDeliveryResponseSchema) }],
    errors: ['not_found'],
  },

  // --- Partner ingestion -----------------------------------------------------------------------------------
  ...(['events', 'webhooks/callback'] as const).map((kind): Operation => ({
    id: kind === 'events' ? 'receivePartnerEvent' : 'receivePartnerCallback',
    method: 'post',
    path: `/partners/:partner/${kind}/:event_type`,
    tag: 'Partner ingestion',
    auth: 'partner',
    summary: kind === 'events' ? 'A POS pushes one native event' : 'A POS webhook callback (same handling, for vendors that need this URL shape)',
    description:
      'The body is the POS\'s native payload (up to 1 MiB); the signature covers its raw bytes. `webhooks.test_notification` ' +
      'with a valid signature is answered `{"status": "ok"}` and nothing is stored. Otherwise the payload is stored and queued: ' +
      'ack `queued` answers once it is durably queued; ack `processed` waits up to 10 s for the worker. An unknown location or ' +
      'a mapping that yields nothing makes the event `ignored`, still answered 200.',
    responses: [
      {
        status: 200, description: 'Verified test notification, queued event, or processed/ignored event (ack `processed`).',
        schema: partnerAckResponseSchema, example: { status: 'accepted', event_id: 'evt_0mhv2k1q3a8x4n2p7r9t1c' },
      },
      {
        status: 202, description: 'ack `processed`: still running after 10 s; it will finish.',
        schema: partnerAckResponseSchema, example: { status: 'processing', event_id: 'evt_0mhv2k1q3a8x4n2p7r9t1c' },
      },
    ],
    errors: [
      'unknown_partner', 'missing_signature', 'invalid_signature', 'invalid_payload', 'validation_error', 'payload_too_large',
      'sale_in_progress', 'processing_failed', 'unavailable',
    ],
  })),

  // --- Admin API -------------------------------------------------------------------------------------------
  {
    id: 'adminCreateVenue', method: 'post', path: '/admin/v1/venues', tag: 'Admin: venues', auth: 'admin',
    summary: 'Create a venue with its areas, tables, services and events',
    body: createVenueSchema, bodyExample: CREATE_VENUE_EXAMPLE,
    responses: [{ status: 201, description: 'Created, with ids for every part.', schema: venueResponseSchema, example: VENUE_EXAMPLE }],
    errors: ['conflict'],
  },
  {
    id: 'adminGetVenue', method: 'get', path: '/admin/v1/venues/:venue_id', tag: 'Admin: venues', auth: 'admin',
    summary: 'A venue', responses: [{ status: 200, description: 'The venue.', schema: venueResponseSchema, example: VENUE_EXAMPLE }],
    errors: ['not_found'],
  },
  {
    id: 'adminCreateApiKey', method: 'post', path: '/admin/v1/venues/:venue_id/api-keys', tag: 'Admin: venues', auth: 'admin',
    summary: 'Issue an API key for a venue',
    description: 'The `key` (`ts_live_…`) is shown this once and stored only as a hash.',
    body: createApiKeySchema, bodyExample: { name: 'Website widget', scopes: ['venue:read', 'bookings:read', 'bookings:write'], rate_limit_per_minute: 60 },
    responses: [{
      status: 201, description: 'Created.', schema: apiKeyCreatedResponseSchema,
      example: { id: 'key_0mhv2k1q3a8x4n2p7r9t1c', key: 'ts_live_4fJ8kQ2mZp9xW3vR7tY1uB6nC0aS5dE', name: 'Website widget', scopes: ['venue:read', 'bookings:read', 'bookings:write'] },
    }],
    errors: ['not_found'],
  },
  {
    id: 'adminRevokeApiKey', method: 'delete', path: '/admin/v1/api-keys/:id', tag: 'Admin: venues', auth: 'admin',
    summary: 'Revoke an API key (it stops working at once)',
    responses: [{ status: 204, description: 'Revoked.' }], errors: ['not_found'],
  },
  {
    id: 'adminCreatePartner', method: 'post', path: '/admin/v1/partners', tag: 'Admin: partners', auth: 'admin',
    summary: 'Register a POS partner (or make one from a catalog template)',
    description: 'Where `signature.secret` is not given one is generated and returned this once. Secrets are encrypted at rest and never returned afterwards. With `template` (a name from `GET /admin/v1/catalog`) the partner takes that template\'s adapter, signature, ack and conflict modes, and its mappings become the partner\'s first versions; an unknown template is 400 `validation_error` with `details.valid`.',
    body: createPartnerSchema, bodyExample: { name: 'toast-eu', template: 'toast' },
    responses: [{ status: 201, description: 'Created (with `template` and `mappings` when made from a template).', schema: partnerFromTemplateSchema }],
    errors: ['conflict'],
  },
  {
    id: 'adminListCatalog', method: 'get', path: '/admin/v1/catalog', tag: 'Admin: partners', auth: 'admin',
    summary: 'The partner catalog: ready templates for POS systems and booking platforms',
    responses: [{ status: 200, description: 'Every template (one page).', schema: list(catalogTemplateSchema) }],
  },
  {
    id: 'adminListPartners', method: 'get', path: '/admin/v1/partners', tag: 'Admin: partners', auth: 'admin',
    summary: 'All partners, by name', query: pageOnlyQuerySchema, responses: [{ status: 200, description: 'Partners.', schema: list(partnerSchema) }],
  },
  {
    id: 'adminGetPartner', method: 'get', path: '/admin/v1/partners/:name', tag: 'Admin: partners', auth: 'admin',
    summary: 'A partner', responses: [{ status: 200, description: 'The partner.', schema: partnerSchema }], errors: ['not_found'],
  },
  {
    id: 'adminUpdatePartner', method: 'patch', path: '/admin/v1/partners/:name', tag: 'Admin: partners', auth: 'admin',
    summary: 'Change a partner (adapter, signature, ack, conflict mode, enabled)', body: updatePartnerSchema,
    responses: [{ status: 200, description: 'The partner.', schema: partnerSchema }], errors: ['not_found'],
  },
  {
    id: 'adminPutLocation', method: 'put', path: '/admin/v1/partners/:name/locations/:location_id', tag: 'Admin: partners',
    auth: 'admin', summary: "Link the POS's location id to a venue (the integration)",
    body: putLocationSchema, bodyExample: { venue_id: 'ven_0mhv2k1q3a8x4n2p7r9t1c', enabled: true },
    responses: [{ status: 200, description: 'The integration (created or changed).', schema: locationSchema }],
    errors: ['not_found'],
  },
  {
    id: 'adminListLocations', method: 'get', path: '/admin/v1/partners/:name/locations', tag: 'Admin: partners', auth: 'admin',
    summary: "The partner's location links", responses: [{ status: 200, description: 'All of them (one page).', schema: list(locationSchema) }],
    errors: ['not_found'],
  },
  {
    id: 'adminListMappings', method: 'get', path: '/admin/v1/partners/:name/mappings', tag: 'Admin: mappings', auth: 'admin',
    summary: 'The live mapping version of each event type', responses: [{ status: 200, description: 'Live mappings.', schema: list(mappingVersionSchema) }],
    errors: ['not_found'],
  },
  {
    id: 'adminPutMapping', method: 'put', path: '/admin/v1/partners/:name/mappings/:event_type', tag: 'Admin: mappings', auth: 'admin',
    summary: 'Publish a new JSONata mapping version for an event type (`*`: the fallback)',
    body: putMappingSchema, bodyExample: { expression: '{"type": "sale", "location_id": location.id, "sale_id": id, "status": "closed", "total": total, "currency": "GBP"}' },
    responses: [{ status: 201, description: 'The new live version.', schema: mappingVersionSchema }],
    errors: ['not_found', 'invalid_mapping'],
  },
  {
    id: 'adminTestMapping', method: 'post', path: '/admin/v1/partners/:name/mappings/:event_type/test', tag: 'Admin: mappings',
    auth: 'admin', summary: 'Dry-run a mapping on a payload (nothing is stored)',
    body: testMappingSchema, bodyExample: { payload: { id: 'A-1', location: { id: 'L1' }, total: 4250 } },
    responses: [{ status: 200, description: 'The canonical commands and their schema errors.', schema: mappingTestResultSchema }],
    errors: ['not_found', 'invalid_mapping', 'mapping_failed'],
  },
  {
    id: 'adminGetCommandSchemas', method: 'get', path: '/admin/v1/schemas/commands', tag: 'Admin: mappings', auth: 'admin',
    summary: 'The JSON Schemas of the canonical commands a mapping yields (also under components: SaleCommand, BookingStatusCommand)',
    responses: [{ status: 200, description: 'Each command type\'s JSON Schema.', schema: commandSchemasResponseSchema }],
  },
  {
    id: 'adminListPartnerEvents', method: 'get', path: '/admin/v1/partners/:name/events', tag: 'Admin: events', auth: 'admin',
    summary: "The partner's event log, newest first", query: listPartnerEventsQuerySchema,
    responses: [{ status: 200, description: 'A page of events.', schema: list(inboundEventSchema) }], errors: ['not_found'],
  },
  {
    id: 'adminGetEvent', method: 'get', path: '/admin/v1/events/:id', tag: 'Admin: events', auth: 'admin',
    summary: 'An event with its raw payload and mapping output',
    responses: [{ status: 200, description: 'The event.', schema: inboundEventDetailSchema }], errors: ['not_found'],
  },
  {
    id: 'adminReplayEvent', method: 'post', path: '/admin/v1/events/:id/replay', tag: 'Admin: events', auth: 'admin',
    summary: 'Process the stored raw payload again with the live mapping',
    responses: [{ status: 202, description: 'Queued again.', schema: partnerAckResponseSchema, example: { status: 'accepted', event_id: 'evt_0mhv2k1q3a8x4n2p7r9t1c' } }],
    errors: ['not_found', 'conflict', 'unavailable'],
  },
  ...PEOPLE_OPERATIONS,
];

// ---------------------------------------------------------------------------------------------------------
// Named schemas (components) and shared parts

/** Schemas written once under components.schemas and referenced wherever the same object is used. */
const NAMED_SCHEMAS: readonly (readonly [string, Schema])[] = [
  ['Error', ERROR_ENVELOPE_SCHEMA],
  ['Venue', venueResponseSchema],
  ['Table', tableResponseSchema],
  ['Service', serviceResponseSchema],
  ['VenueEvent', venueEventResponseSchema],
  ['Availability', availabilityResponseSchema],
  ['Booking', bookingSchema],
  ['BookingDetail', bookingDetailSchema],
  ['Customer', customerSchema],
  ['CustomerDetail', customerDetailSchema],
  ['Sale', saleResponseSchema],
  ['SaleItem', saleItemResponseSchema],
  ['Webhook', webhookResponseSchema],
  ['WebhookCreated', createdWebhookResponseSchema],
  ['WebhookDelivery', webhookDeliveryResponseSchema],
  ['WebhookDeliveryAttempt', webhookAttemptResponseSchema],
  ['ApiKeyCreated', apiKeyCreatedResponseSchema],
  ['Partner', partnerSchema],
  ['PartnerCreated', partnerCreatedSchema],
  ['PartnerFromTemplate', partnerFromTemplateSchema],
  ['CatalogTemplate', catalogTemplateSchema],
  ['PartnerLocation', locationSchema],
  ['MappingVersion', mappingVersionSchema],
  ['MappingTestResult', mappingTestResultSchema],
  // The schemas the pipeline validates mapping output with (canonical-commands.ts), as they are.
  ['SaleCommand', SALE_COMMAND_SCHEMA],
  ['BookingStatusCommand', BOOKING_STATUS_COMMAND_SCHEMA],
  ['InboundEvent', inboundEventSchema],
  ['InboundEventDetail', inboundEventDetailSchema],
  ['PartnerAck', partnerAckResponseSchema],
  ['Health', healthResponseSchema],
  ['Readiness', readinessResponseSchema],
];

/** The `data` of each outbound webhook event (CONTRACT §7): the resource as the API shows it. */
const OUTBOUND_EVENT_DATA: Record<WebhookEvent, Schema> = {
  'booking.created': bookingSchema,
  'booking.updated': bookingSchema,
  'booking.cancelled': bookingSchema,
  'customer.created': customerSchema,
  'customer.updated': customerSchema,
  'sale.recorded': saleResponseSchema,
};

const SCOPE_TEXT: Record<ApiScope, string> = {
  'venue:read': 'Read the venue profile, services and events.',
  'bookings:read': 'Read bookings and availability.',
  'bookings:write': 'Create and change bookings.',
  'customers:read': 'Read customers.',
  'customers:write': 'Create and update customers.',
  'sales:read': 'Read POS sales.',
  'sales:write': 'Match sales to bookings by hand.',
  'webhooks:read': 'Read webhook endpoints and deliveries.',
  'webhooks:write': 'Create, change and delete webhook endpoints.',
};

const PATH_PARAM_TEXT: Record<string, string> = {
  id: 'The resource id (a booking also by its reference).',
  venue_id: 'A venue id (`ven_…`).',
  name: 'The partner name (`[a-z0-9-]+`).',
  partner: 'The partner name (`[a-z0-9-]+`), as registered.',
  event_type: "The POS's event type, e.g. `sale.closed`; `*` is the partner's fallback mapping.",
  location_id: "The POS's own location id (kept digit for digit, even beyond 2^53).",
  token: 'The token of an invite link (the last part of its `invite_url`).',
};

const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': { $ref: '#/components/headers/RateLimitLimit' },
  'X-RateLimit-Remaining': { $ref: '#/components/headers/RateLimitRemaining' },
  'X-RateLimit-Reset': { $ref: '#/components/headers/RateLimitReset' },
};

function description(): string {
  const codes = (Object.keys(ERROR_CATALOG) as ErrorCode[])
    .map((code) => `| \`${code}\` | ${ERROR_CATALOG[code].status} |`)
    .join('\n');
  return [
    'Tablesync: a booking diary with a POS integration hub.',
    '',
    '- **Booking API** (`/api/v1`): `Authorization: Bearer ts_live_…`. A key belongs to one venue and sees only it; another venue\'s resource is 404. Each operation names the scope it needs. Every response carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (unix seconds); over the limit is 429 `rate_limited` with `Retry-After`.',
    '- **Admin API** (`/admin/v1`): `Authorization: Bearer $ADMIN_TOKEN`; off (404) while the server has no token.',
    '- **Partner ingestion** (`/partners/…`): POS vendors post native payloads, signed per partner.',
    '- **Outbound webhooks**: see `webhooks` (signed with `X-Tablesync-Signature`, hex HMAC-SHA256 of the raw body).',
    '',
    'JSON in and out, snake_case fields, timestamps ISO 8601 UTC, booking `date`/`time` venue-local. Money is an integer in minor units with an ISO 4217 `currency`.',
    'Lists are `{"data": [...], "next_cursor": "…" | null}`; pass `next_cursor` back as `cursor`, `limit` 1–200 (default 50).',
    '',
    'Errors are `{"error": {"code", "message", "details"}}`; the code is the contract:',
    '',
    '| code | HTTP |',
    '|---|---|',
    codes,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// Builder

const openApiPath = (expressPath: string) => expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const pathParamNames = (expressPath: string) => [...expressPath.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);

class Components {
  readonly schemas: Record<string, JsonSchema> = {};
  private readonly byObject = new Map<object, string>();
  private readonly byId = new Map<string, string>();
  private readonly pending: [string, Schema][] = [];

  name(name: string, schema: Schema): string {
    const existing = this.byObject.get(schema);
    if (existing) return existing;
    if (this.pending.some(([n]) => n === name)) throw new Error(`Two schemas named ${name} in the OpenAPI document`);
    const ref = `#/components/schemas/${name}`;
    this.byObject.set(schema, ref);
    const id = (schema as { $id?: unknown }).$id;
    if (typeof id === 'string') this.byId.set(id, ref);
    this.pending.push([name, schema]);
    return ref;
  }

  /** A `$ref` for a named (or `$id`-carrying) schema, else the schema converted inline. */
  use(schema: Schema): JsonSchema {
    const ref = this.byObject.get(schema);
    if (ref) return { $ref: ref };
    const id = (schema as { $id?: unknown }).$id;
    if (typeof id === 'string') return { $ref: this.name(id, schema) };
    return this.convert(schema);
  }

  convert(schema: Schema, basePointer?: string): JsonSchema {
    return toOpenApiSchema(schema, { basePointer, idRefs: this.byId, refFor: (s) => this.byObject.get(s) });
  }

  queryParameters(schema: Schema): unknown[] {
    const props = (schema as { properties?: Record<string, unknown> }).properties ?? {};
    const params = queryParameters(schema, { idRefs: this.byId, refFor: (s) => this.byObject.get(s) });
    return params.map((p) => {
      if (p.name === 'limit' && props.limit === LIMIT_PARAM) return { $ref: '#/components/parameters/Limit' };
      if (p.name === 'cursor' && props.cursor === CURSOR_PARAM) return { $ref: '#/components/parameters/Cursor' };
      return p;
    });
  }

  /** Converts every named schema; ones named while converting (a `$ref` by `$id`) are converted too. */
  finish(): void {
    for (let i = 0; i < this.pending.length; i++) {
      const [name, schema] = this.pending[i]!;
      this.schemas[name] = this.convert(schema, `#/components/schemas/${name}`);
    }
  }
}

function errorResponses(codes: ErrorCode[], rateLimited: boolean): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const entry = ERROR_CATALOG[code] as { status: number } | undefined;
    if (!entry) continue; // a code this build's catalog does not have
    byStatus.set(entry.status, [...(byStatus.get(entry.status) ?? []), code]);
  }
  const out: Record<string, unknown> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const headers: Record<string, unknown> = {};
    if (rateLimited && status !== 401) Object.assign(headers, RATE_LIMIT_HEADERS);
    if (list.includes('rate_limited') || list.includes('sale_in_progress') || list.includes('idempotency_in_progress')) {
      headers['Retry-After'] = { $ref: '#/components/headers/RetryAfter' };
    }
    out[String(status)] = {
      description: `Error: ${list.map((c) => `\`${c}\``).join(', ')}.`,
      ...(Object.keys(headers).length ? { headers } : {}),
      content: {
        'application/json': {
          schema: {
            allOf: [
              { $ref: '#/components/schemas/Error' },
              { type: 'object', properties: { error: { type: 'object', properties: { code: { enum: list } } } } },
            ],
          },
          examples: Object.fromEntries(
            list.map((code) => [code, {
              summary: code,
              value: { error: { code, message: ERROR_MESSAGES[code] ?? 'See the code.', details: null } },
            }]),
          ),
        },
      },
    };
  }
  return out;
}

/** The error codes an operation can answer with: its own, plus those its auth, input and the server imply. */
function errorCodesOf(op: Operation): ErrorCode[] {
  const codes: ErrorCode[] = [];
  if (op.auth === 'apiKey') codes.push('invalid_api_key', 'plan_upgrade_required', 'rate_limited');
  if (op.auth === 'apiKey' && op.scope) codes.push('insufficient_scope');
  if (op.auth === 'admin') codes.push('unauthorized', 'admin_api_disabled');
  if (op.auth === 'session') codes.push('not_signed_in');
  // A write made with the session cookie needs its CSRF token.
  if ((op.auth === 'apiKey' || op.auth === 'session' || op.auth === 'admin') && op.method !== 'get') codes.push('csrf_failed');
  if (op.query) codes.push('validation_error');
  if (op.body) codes.push('invalid_json', 'validation_error', 'payload_too_large', 'unsupported_media_type');
  codes.push(...(op.errors ?? []), 'internal_error');
  return codes;
}

function securityOf(op: Operation): Record<string, string[]>[] {
  switch (op.auth) {
    case 'apiKey':
      // For non-OAuth schemes OpenAPI 3.1 lets the array list the roles (here: scopes) the operation needs.
      return [{ apiKey: op.scope ? [op.scope] : [] }, { session: op.scope ? [op.scope] : [] }];
    case 'admin':
      return [{ adminToken: [] }, { session: [] }];
    case 'session':
      return [{ session: [] }];
    case 'partner':
      return [{ partnerSignature: [] }, { standardWebhooks: [] }, { partnerBasic: [] }];
    case 'public':
      return [];
  }
}

function buildOperation(op: Operation, components: Components): Record<string, unknown> {
  const parameters: unknown[] = pathParamNames(op.path).map((name) => ({
    name,
    in: 'path',
    required: true,
    description: PATH_PARAM_TEXT[name] ?? name,
    schema: { type: 'string', minLength: 1 },
  }));
  if (op.query) parameters.push(...components.queryParameters(op.query));
  if (op.idempotencyKey) parameters.push({ $ref: '#/components/parameters/IdempotencyKey' });

  const rateLimited = op.auth === 'apiKey';
  const responses: Record<string, unknown> = {};
  for (const r of op.responses) {
    const contentType = r.contentType ?? 'application/json';
    responses[String(r.status)] = {
      description: r.description,
      ...(rateLimited ? { headers: RATE_LIMIT_HEADERS } : {}),
      ...(r.schema
        ? { content: { [contentType]: { schema: components.use(r.schema), ...(r.example !== undefined ? { example: r.example } : {}) } } }
        : {}),
    };
  }
  Object.assign(responses, errorResponses(errorCodesOf(op), rateLimited));

  const scopeLine = op.scope ? `\n\nRequires scope \`${op.scope}\`.` : '';
  const out: Record<string, unknown> = {
    operationId: op.id,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description || scopeLine ? { description: `${op.description ?? op.summary}${scopeLine}` } : {}),
    security: securityOf(op),
    ...(op.scope ? { 'x-required-scopes': [op.scope] } : {}),
    ...(parameters.length ? { parameters } : {}),
  };
  if (op.body) {
    out.requestBody = {
      required: true,
      content: {
        'application/json': { schema: components.use(op.body), ...(op.bodyExample !== undefined ? { example: op.bodyExample } : {}) },
      },
    };
  } else if (op.auth === 'partner') {
    out.requestBody = {
      required: true,
      description: "The POS's native payload, as it sends it. Parsed losslessly (big integer ids keep every digit).",
      content: { 'application/json': { schema: {} }, '*/*': { schema: {} } },
    };
  }
  out.responses = responses;
  return out;
}

/** Outbound webhooks (CONTRACT §7) as OpenAPI 3.1 `webhooks`: what a subscriber's endpoint receives. */
function buildWebhooks(components: Components): Record<string, unknown> {
  const headers = [
    ['X-Tablesync-Signature', 'Hex HMAC-SHA256 of the raw body with the endpoint\'s secret.'],
    ['X-Tablesync-Event', 'The event name.'],
    ['X-Tablesync-Delivery', 'The delivery id; the same on every retry of it.'],
    ['X-Tablesync-Timestamp', 'Unix seconds when this attempt was signed.'],
  ].map(([name, text]) => ({ name, in: 'header', required: true, description: text, schema: { type: 'string' } }));
  return Object.fromEntries(
    Object.entries(OUTBOUND_EVENT_DATA).map(([event, data]) => [event, {
      post: {
        operationId: `webhook_${event.replace('.', '_')}`,
        tags: ['Webhooks'],
        summary: `\`${event}\` delivered to a subscribed endpoint`,
        description: 'Answer 2xx within 10 s. Anything else is retried with exponential backoff and jitter (at least 8 attempts over at least 24 h). Deduplicate on `id`.',
        parameters: headers,
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['id', 'event', 'created_at', 'data'],
                properties: {
                  id: { type: 'string', pattern: '^msg_', examples: ['msg_0mhv2k1q3a8x4n2p7r9t1c'] },
                  event: { type: 'string', const: event },
                  created_at: { type: 'string', format: 'date-time' },
                  data: components.use(data),
                },
              },
            },
          },
        },
        responses: { '2XX': { description: 'Received.' }, default: { description: 'Not received: retried later.' } },
      },
    }]),
  );
}

/** The whole document. Pure: the same output for the same code, so it is built once and cached. */
export function buildOpenApiDocument(): Record<string, unknown> {
  const components = new Components();
  for (const [name, schema] of NAMED_SCHEMAS) components.name(name, schema);

  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const item = (paths[openApiPath(op.path)] ??= {});
    if (item[op.method]) throw new Error(`Duplicate operation ${op.method.toUpperCase()} ${op.path}`);
    item[op.method] = buildOperation(op, components);
  }
  const webhooks = buildWebhooks(components);
  components.finish();

  const tags = [...new Set(OPERATIONS.map((op) => op.tag))].map((name) => ({ name }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tablesync API',
      version: '1.0.0',
      summary: 'Booking API, partner ingestion, admin API and outbound webhooks.',
      description: description(),
    },
    servers: [{ url: '/', description: 'This server' }],
    tags,
    paths,
    webhooks,
    components: {
      schemas: components.schemas,
      parameters: {
        Limit: { name: 'limit', in: 'query', required: false, description: LIMIT_PARAM.description, schema: components.convert(omitDescription(LIMIT_PARAM)) },
        Cursor: { name: 'cursor', in: 'query', required: false, description: CURSOR_PARAM.description, schema: components.convert(omitDescription(CURSOR_PARAM)) },
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Makes a POST safe to retry: a repeat with the same key and body returns the first response; the same key with another body is 422 `idempotency_key_reused`; while the first is in flight, 409 `idempotency_in_progress`.',
          schema: { type: 'string', minLength: 1, maxLength: 255, examples: ['3f0c5a0e-6d1b-4f7e-9a51-2f7c1f0d8b11'] },
        },
      },
      headers: {
        RateLimitLimit: { description: "Requests allowed per minute for this key.", schema: { type: 'integer' } },
        RateLimitRemaining: { description: 'Requests left in the current window.', schema: { type: 'integer' } },
        RateLimitReset: { description: 'When the window resets, in unix seconds.', schema: { type: 'integer' } },
        RetryAfter: { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
      },
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'ts_live_…',
          description:
            "A venue's API key, issued by the admin API. Scopes:\n\n" +
            API_SCOPES.map((s) => `- \`${s}\`: ${SCOPE_TEXT[s]}`).join('\n'),
        },
        adminToken: { type: 'http', scheme: 'bearer', description: 'The platform operator token (`ADMIN_TOKEN`).' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'ts_session',
          description:
            'A staff session from `POST /api/v1/session`. A venue user works on /api/v1 with the scopes of their role (host, manager, owner); ' +
            'an operator on /admin/v1. State-changing requests also need the `X-CSRF-Token` header from `GET /api/v1/session`.',
        },
        partnerSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Signature',
          description:
            "Per partner (its `signature.scheme`): `hmac-sha256-hex` (hex HMAC-SHA256 of the raw body, optional `sha256=` prefix), " +
            '`hmac-sha256-base64`, or `token` (a static secret). The header is the partner\'s `signature.header`, `X-Signature` by default. ' +
            'Adapters may add their own schemes (e.g. Square signs the notification URL plus the body).',
        },
        standardWebhooks: {
          type: 'apiKey',
          in: 'header',
          name: 'webhook-signature',
          description: 'Scheme `standard-webhooks`: `webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64>` over `id.timestamp.body`, 5-minute tolerance.',
        },
        partnerBasic: { type: 'http', scheme: 'basic', description: 'Scheme `basic`: HTTP Basic credentials.' },
      },
    },
  };
}

function omitDescription<T extends { description?: string }>(schema: T): Omit<T, 'description'> {
  const { description: _description, ...rest } = schema;
  return rest;
}
