/**
 * The OpenAPI 3.1 document of every public route (`GET /api/v1/openapi`, rendered at `/docs`).
 *
 * Built from the surfaces' operation declarations (src/surfaces/surfaces.ts), the same ones the routers are
 * mounted from, so a documented scope, body or idempotency key is the one the route enforces. Request
 * bodies and query parameters are the ajv schema objects the routes validate with (src/surfaces/http/schemas),
 * converted by ./json-schema. Error responses come from each operation's error codes and ERROR_CATALOG.
 * test/api/openapi.test.ts validates the document and checks it against the declarations and the app.
 */
import { BOOKING_STATUS_COMMAND_SCHEMA, RESERVATION_COMMAND_SCHEMA, SALE_COMMAND_SCHEMA } from '../../../modules/commands';
import type { WebhookEvent } from '../../../modules/outbox';
import { ERROR_CATALOG, type ErrorCode } from '../../../platform/app-error';
import type { Operation, Surface } from '../operation';
import { availabilityResponseSchema } from '../schemas/availability.schema';
import { bookedSchema, bookingDetailSchema, bookingSchema } from '../schemas/booking.schema';
import { ERROR_ENVELOPE_SCHEMA } from '../schemas/common.schema';
import { emailDetailSchema, emailSchema } from '../schemas/guests.schema';
import { customerDetailSchema, customerSchema } from '../schemas/customer.schema';
import { CURSOR_PARAM, LIMIT_PARAM } from '../schemas/pagination.schema';
import {
  catalogTemplateSchema, inboundEventDetailSchema, inboundEventSchema, locationSchema, mappingTestResultSchema,
  mappingVersionSchema, partnerCreatedSchema, partnerFromTemplateSchema, partnerSchema,
} from '../schemas/partner.schema';
import { saleItemResponseSchema, saleResponseSchema } from '../schemas/sale.schema';
import { API_SCOPES, type ApiScope } from '../schemas/venue.schema';
import {
  createdWebhookResponseSchema, webhookAttemptResponseSchema, webhookDeliveryResponseSchema, webhookResponseSchema,
} from '../schemas/webhook.schema';
import { ERROR_MESSAGES } from './examples';
import { queryParameters, toOpenApiSchema, type JsonSchema } from './json-schema';
import {
  apiKeyCreatedResponseSchema, healthResponseSchema, partnerAckResponseSchema, readinessResponseSchema,
  serviceResponseSchema, tableResponseSchema, venueEventResponseSchema, venueResponseSchema,
} from './response-schemas';

import { publicReviewSchema, reviewSchema } from '../schemas/review.schema';

type Schema = object;

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
  ['BookedBooking', bookedSchema],
  ['BookingDetail', bookingDetailSchema],
  ['Customer', customerSchema],
  ['CustomerDetail', customerDetailSchema],
  ['Sale', saleResponseSchema],
  ['SaleItem', saleItemResponseSchema],
  ['Review', reviewSchema],
  ['PublicReview', publicReviewSchema],
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
  ['ReservationCommand', RESERVATION_COMMAND_SCHEMA],
  ['InboundEvent', inboundEventSchema],
  ['InboundEventDetail', inboundEventDetailSchema],
  ['PartnerAck', partnerAckResponseSchema],
  ['Health', healthResponseSchema],
  ['Email', emailSchema],
  ['EmailDetail', emailDetailSchema],
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
  'booking.requested': bookingSchema,
  'booking.approved': bookingSchema,
  'booking.declined': bookingSchema,
  'booking.expired': bookingSchema,
  'review.posted': reviewSchema,
  'sale.matched': saleResponseSchema,
};

const SCOPE_TEXT: Record<ApiScope, string> = {
  'venue:read': 'Read the venue profile, services and events.',
  'venue:write': 'Change the venue settings and services (CONTRACT "Venue settings").',
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
  channel_id: 'A booking channel id (`chn_…`).',
  key_id: 'A channel key id (`chk_…`).',
  token: 'The token of an invite link (the last part of its `invite_url`), or of a guest\'s manage link (the last part of its `manage_url`).',
  slug: 'The venue\'s slug (its public name in URLs).',
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
    '- **Channel keys** (`/api/v1`, `Authorization: Bearer ts_live_…` of a booking channel): one key for many venues; each call names its venue (`venue_id` or the `Tablesync-Venue` header). The `channelKey` security scheme says what it may do.',
    '- **Admin API** (`/admin/v1`): `Authorization: Bearer $ADMIN_TOKEN`; off (404) while the server has no token.',
    '- **Partner ingestion** (`/partners/…`): POS vendors post native payloads, signed per partner.',
    '- **Public widget API** (`/api/v1/public`): no credentials; for a venue\'s own website and its guests. Limited per client IP and route (`X-RateLimit-*`, 429 `rate_limited` with `Retry-After`); CORS: any origin reads, writes from the venue\'s `allowed_origins`.',
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
  // A channel key: on an operation closed to channels, or at a venue that has not granted it; naming no venue.
  if (op.auth === 'apiKey') codes.push('scope_violation');
  if (op.channels) codes.push('validation_error');
  if (op.auth === 'admin') codes.push('unauthorized', 'admin_api_disabled');
  if (op.auth === 'session') codes.push('not_signed_in');
  if (op.auth === 'guest') codes.push('rate_limited');
  if (op.auth === 'guest' && op.path.includes(':slug')) codes.push('not_found');
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
      return [
        { apiKey: op.scope ? [op.scope] : [] },
        { session: op.scope ? [op.scope] : [] },
        ...(op.channels ? [{ channelKey: [] }] : []),
      ];
    case 'admin':
      return [{ adminToken: [] }, { session: [] }];
    case 'session':
      return [{ session: [] }];
    case 'partner':
      return [{ partnerSignature: [] }, { standardWebhooks: [] }, { partnerBasic: [] }];
    case 'public':
    case 'guest':
      // The public widget API needs no credentials (CONTRACT §10): no security scheme.
      return [];
  }
}

function buildOperation(op: Operation, components: Components): Record<string, unknown> {
  const query = op.query?.schema;
  const body = op.body?.schema;
  const parameters: unknown[] = pathParamNames(op.path).map((name) => ({
    name,
    in: 'path',
    required: true,
    description: PATH_PARAM_TEXT[name] ?? name,
    schema: { type: 'string', minLength: 1 },
  }));
  if (query) parameters.push(...components.queryParameters(query));
  if (op.channels) parameters.push({ $ref: '#/components/parameters/ChannelVenue' }, { $ref: '#/components/parameters/ChannelVenueHeader' });
  if (op.idempotency) parameters.push({ $ref: '#/components/parameters/IdempotencyKey' });

  const rateLimited = op.auth === 'apiKey' || op.auth === 'guest';
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
  if (body) {
    out.requestBody = {
      required: true,
      content: {
        'application/json': { schema: components.use(body), ...(op.bodyExample !== undefined ? { example: op.bodyExample } : {}) },
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

/** Each operation with its path as served: the surface's prefix joined to the operation's own. */
export function servedOperations(surfaces: readonly Surface[]): Operation[] {
  return surfaces.flatMap((s) => s.operations.map((op) => ({ ...op, path: `${s.prefix}${op.path}` })));
}

/** The whole document of these surfaces. Pure: the same output for the same code, so it is built once and cached. */
export function buildOpenApiDocument(surfaces: readonly Surface[]): Record<string, unknown> {
  const operations = servedOperations(surfaces);
  const components = new Components();
  for (const [name, schema] of NAMED_SCHEMAS) components.name(name, schema);

  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const item = (paths[openApiPath(op.path)] ??= {});
    if (item[op.method]) throw new Error(`Duplicate operation ${op.method.toUpperCase()} ${op.path}`);
    item[op.method] = buildOperation(op, components);
  }
  const webhooks = buildWebhooks(components);
  components.finish();

  const tags = [...new Set(operations.map((op) => op.tag))].map((name) => ({ name }));
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
        ChannelVenue: {
          name: 'venue_id',
          in: 'query',
          required: false,
          description: 'Channel keys only (and required for them, or the `Tablesync-Venue` header): the venue this call acts at.',
          schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$', examples: ['ven_0mhv2k1q3a8x4n2p7r9t1c'] },
        },
        ChannelVenueHeader: {
          name: 'Tablesync-Venue',
          in: 'header',
          required: false,
          description: 'Channel keys only: the venue this call acts at (instead of `venue_id`; both must agree).',
          schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$', examples: ['ven_0mhv2k1q3a8x4n2p7r9t1c'] },
        },
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
        channelKey: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'ts_live_…',
          description:
            "A booking channel's key (a concierge, a corporate booker, an AI assistant acting for many venues), issued by " +
            '`POST /admin/v1/channels/:id/api-keys`. Its own rules, not scopes:\n\n' +
            '- **Every call names its venue** with the `venue_id` query parameter or the `Tablesync-Venue` header; none is 400 ' +
            '`validation_error`, a venue that has not granted the channel (or withdrew it: at once) is 403 `scope_violation`.\n' +
            '- It may read the venue, its services, events and availability, and list, read, make, move and cancel **its own** ' +
            "bookings (another's is 404). Operations that accept it list `channelKey` in their security; every other route " +
            'answers it 403 `scope_violation`.\n' +
            "- Its bookings carry `source: \"channel:<name>\"` and are bound by the venue's rules (party size, booking window, " +
            '`max_instant_party_size` and services\' `requires_approval` make requests); at a venue that granted `can_book: false` ' +
            'each is a request. It cannot approve, decline or seat; it sees its guests\' names only and no sales.\n' +
            '- No plan gating; its own rate limit (per key, all venues together).',
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
