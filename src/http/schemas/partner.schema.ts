import type { FromSchema } from 'json-schema-to-ts';
/**
 * Admin partner hub schemas (CONTRACT §3): the request bodies the routes validate with ajv, and the
 * response objects, both feeding the OpenAPI document.
 */
import { PAGINATION_QUERY_PROPERTIES } from './pagination.schema';

const TIMESTAMP = { type: 'string', format: 'date-time', example: '2026-05-01T18:00:00.000Z' } as const;
const PARTNER_NAME = { type: 'string', pattern: '^[a-z0-9-]+$', minLength: 1, maxLength: 64, example: 'lightspeed' } as const;
const ADAPTER = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  description: 'Adapter registered in adapters/index.ts (`generic`, `square`, `lightspeed`, …).',
  example: 'generic',
} as const;
const SCHEME = {
  type: 'string',
  minLength: 1,
  maxLength: 32,
  description:
    '`hmac-sha256-hex`, `hmac-sha256-base64`, `standard-webhooks`, `token`, `basic`, or a scheme the adapter brings (`square-hmac`).',
  example: 'hmac-sha256-hex',
} as const;
const HEADER = {
  type: ['string', 'null'],
  pattern: '^[A-Za-z0-9-]+$',
  maxLength: 128,
  description: "Header carrying the signature; null for the scheme's default.",
  example: 'X-Signature',
} as const;
const SECRET = {
  type: 'string',
  minLength: 1,
  maxLength: 512,
  description: 'Shared secret (`user:password` for `basic`). Never returned.',
} as const;
const ACK = { type: 'string', enum: ['queued', 'processed'] } as const;
const CONFLICT = { type: 'string', enum: ['reject', 'queue'] } as const;
const EVENT_STATUS = { type: 'string', enum: ['queued', 'processing', 'processed', 'ignored', 'failed'] } as const;

export const createPartnerSchema = {
  $id: 'CreatePartner',
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: PARTNER_NAME,
    template: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description:
        'A catalog template name (`GET /admin/v1/catalog`): the partner gets its adapter, signature scheme and header, ack and conflict modes, and its mappings as their first versions. Without a template, `signature.scheme` is required.',
      example: 'toast',
    },
    // No ajv defaults here (validation fills them in): a template's own settings must win when omitted.
    adapter: { ...ADAPTER, description: `${ADAPTER.description} Default \`generic\`; not with \`template\`.` },
    signature: {
      type: 'object',
      additionalProperties: false,
      description: 'Required without `template` (then `scheme` is required too); with one, each field overrides it.',
      properties: {
        scheme: SCHEME,
        header: HEADER,
        secret: { ...SECRET, description: `${SECRET.description} Generated and returned once when omitted.` },
      },
    },
    ack: { ...ACK, description: "Default `queued` (or the template's)." },
    conflict: { ...CONFLICT, description: "Default `reject` (or the template's)." },
    enabled: { type: 'boolean', default: true },
    send_confirmation: { type: 'boolean', description: 'Guests of reservations from this partner get our confirmation email (§12); false when the platform sends its own. Default true.' },
  },
} as const;
export type CreatePartnerBody = FromSchema<typeof createPartnerSchema>;

export const updatePartnerSchema = {
  $id: 'UpdatePartner',
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    adapter: ADAPTER,
    signature: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: { scheme: SCHEME, header: HEADER, secret: SECRET },
    },
    rotate_secret: {
      type: 'boolean',
      description: 'Generate a new secret; the response carries it this once.',
    },
    ack: ACK,
    conflict: CONFLICT,
    enabled: { type: 'boolean' },
    send_confirmation: { type: 'boolean', description: 'Guests of reservations from this partner get our confirmation email (§12); false when the platform sends its own. Default true.' },
  },
} as const;
export type UpdatePartnerBody = FromSchema<typeof updatePartnerSchema>;

/** `tables` on a location link: the POS's own table ids → the venue's table numbers. */
const TABLE_ALIASES = {
  type: 'object',
  description:
    "The POS's own table ids (GUIDs, names such as \"Bar 3\") mapped to the venue's table numbers; a sale's table_number is " +
    'looked up here first, then compared with the table numbers as text (trimmed, case-insensitive). Given, it replaces the ' +
    'map (`{}` clears it); left out, the map is kept.',
  maxProperties: 1000,
  additionalProperties: { type: ['string', 'integer'], minLength: 1, maxLength: 32 },
  example: { '7d3d2a0e-5b7c-4b8a-9f61-3c2b1a0d9e8f': '12', 'Bar 3': '21' },
} as const;

export const putLocationSchema = {
  $id: 'PutPartnerLocation',
  type: 'object',
  additionalProperties: false,
  required: ['venue_id'],
  properties: {
    venue_id: { type: 'string', minLength: 1, maxLength: 40, example: 'ven_0mhv2k1q3a8x4n2p7r9t1c' },
    enabled: { type: 'boolean', default: true },
    tables: TABLE_ALIASES,
  },
} as const;
export type PutLocationBody = FromSchema<typeof putLocationSchema>;

export const putMappingSchema = {
  $id: 'PutMapping',
  type: 'object',
  additionalProperties: false,
  required: ['expression'],
  properties: {
    expression: { type: 'string', minLength: 1, maxLength: 1_000_000, description: 'A JSONata expression.' },
  },
} as const;
export type PutMappingBody = FromSchema<typeof putMappingSchema>;

export const testMappingSchema = {
  $id: 'TestMapping',
  type: 'object',
  additionalProperties: false,
  required: ['payload'],
  properties: {
    payload: {
      description:
        'The native payload. A string is taken as the raw body text (keeps integers beyond 2^53 exact); any other JSON value is serialised.',
    },
    expression: {
      type: 'string',
      minLength: 1,
      maxLength: 1_000_000,
      description: "A JSONata expression to try; the event type's live mapping when omitted.",
    },
  },
} as const;
export type TestMappingBody = FromSchema<typeof testMappingSchema>;

export const listPartnerEventsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { status: EVENT_STATUS, ...PAGINATION_QUERY_PROPERTIES },
} as const;
export type ListPartnerEventsQuery = FromSchema<typeof listPartnerEventsQuerySchema>;

// ---------------------------------------------------------------------------------------------
// Responses

/** A partner's (or template's) signature as shown: the scheme and the header it reads, never a secret. */
const SIGNATURE_VIEW = {
  type: 'object',
  required: ['scheme', 'header'],
  properties: { scheme: SCHEME, header: HEADER },
} as const;

export const partnerSchema = {
  type: 'object',
  required: ['id', 'name', 'adapter', 'signature', 'ack', 'conflict', 'enabled', 'created_at', 'updated_at'],
  properties: {
    id: { type: 'string', example: 'ptn_0mhv2k1q3a8x4n2p7r9t1c' },
    name: PARTNER_NAME,
    adapter: ADAPTER,
    signature: SIGNATURE_VIEW,
    ack: ACK,
    conflict: CONFLICT,
    enabled: { type: 'boolean' },
    send_confirmation: { type: 'boolean', description: 'Reservations from this partner get our confirmation email (§12).' },
    secret_set: {
      type: 'boolean',
      description: 'False for a partner installed from mappings/ until a secret is set or rotated (it stays disabled until then).',
    },
    created_at: TIMESTAMP,
    updated_at: TIMESTAMP,
  },
} as const;

export const partnerCreatedSchema = {
  type: 'object',
  required: [...partnerSchema.required],
  properties: {
    ...partnerSchema.properties,
    secret: { type: 'string', description: 'Only when it was generated (create, or PATCH with rotate_secret): shown this once.' },
  },
} as const;

export const partnerFromTemplateSchema = {
  type: 'object',
  required: [...partnerSchema.required],
  properties: {
    ...partnerCreatedSchema.properties,
    template: { type: 'string', description: 'Only when made from a template: its name.', example: 'toast' },
    mappings: {
      type: 'array',
      description: "The template's mappings, stored as the partner's first versions.",
      items: {
        type: 'object',
        required: ['event_type', 'version'],
        properties: { event_type: { type: 'string', example: 'order_updated' }, version: { type: 'integer', example: 1 } },
      },
    },
  },
} as const;

export const catalogTemplateSchema = {
  type: 'object',
  required: ['name', 'kind', 'vendor', 'adapter', 'signature', 'ack', 'conflict', 'event_types', 'docs'],
  properties: {
    name: { ...PARTNER_NAME, example: 'toast', description: 'The template name to pass as `template`.' },
    kind: { type: 'string', enum: ['pos', 'reservations'] },
    vendor: { type: 'string', example: 'Toast' },
    adapter: ADAPTER,
    signature: SIGNATURE_VIEW,
    ack: ACK,
    conflict: CONFLICT,
    event_types: { type: 'array', items: { type: 'string' }, description: 'Event types it has a mapping for (`*`: fallback).' },
    docs: { type: 'array', items: { type: 'string', format: 'uri' }, description: "The vendor's public webhook documentation." },
  },
} as const;

export const locationSchema = {
  type: 'object',
  required: ['id', 'partner', 'location_id', 'venue_id', 'enabled', 'tables', 'created_at', 'updated_at'],
  properties: {
    id: { type: 'string', example: 'loc_0mhv2k1q3a8x4n2p7r9t1c' },
    partner: PARTNER_NAME,
    location_id: { type: 'string', description: "The POS's own location id, every digit kept.", example: '9765040300495493' },
    venue_id: { type: 'string' },
    enabled: { type: 'boolean' },
    tables: { ...TABLE_ALIASES, additionalProperties: { type: 'string' } },
    created_at: TIMESTAMP,
    updated_at: TIMESTAMP,
  },
} as const;

export const mappingVersionSchema = {
  type: 'object',
  required: ['event_type', 'version', 'expression', 'source', 'created_at'],
  properties: {
    event_type: { type: 'string', example: 'sale.updated' },
    version: { type: 'integer', minimum: 1, example: 3 },
    expression: { type: 'string' },
    source: { type: 'string', enum: ['api', 'file'] },
    created_at: TIMESTAMP,
  },
} as const;

export const mappingTestResultSchema = {
  type: 'object',
  required: ['output', 'errors'],
  properties: {
    output: { type: 'array', items: { type: 'object' }, description: 'The canonical commands the mapping yields.' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'path', 'message'],
        properties: { index: { type: 'integer' }, path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;

export const inboundEventSchema = {
  type: 'object',
  required: ['id', 'partner', 'event_type', 'status', 'reason', 'sale_id', 'attempts', 'received_at', 'processed_at'],
  properties: {
    id: { type: 'string', example: 'evt_0mhv2k1q3a8x4n2p7r9t1c' },
    partner: PARTNER_NAME,
    event_type: { type: 'string', example: 'sale.updated' },
    status: EVENT_STATUS,
    reason: { type: ['string', 'null'], example: 'unknown location 1234' },
    sale_id: { type: ['string', 'null'], description: "The POS's sale id." },
    attempts: { type: 'integer', minimum: 0 },
    received_at: TIMESTAMP,
    processed_at: { ...TIMESTAMP, type: ['string', 'null'] },
  },
} as const;

export const inboundEventDetailSchema = {
  type: 'object',
  required: [...inboundEventSchema.required, 'raw_payload', 'mapping_version', 'output', 'errors', 'outcome'],
  properties: {
    ...inboundEventSchema.properties,
    raw_payload: { type: ['string', 'null'], description: 'The body exactly as received.' },
    mapping_version: { type: ['integer', 'null'] },
    output: { description: 'What the mapping returned (null before it ran).' },
    errors: { type: 'array', items: { type: 'object' }, description: 'Mapping or schema errors that failed the event.' },
    outcome: {
      type: ['array', 'null'],
      description: 'What each command did, once applied (null before): the venue, the Tablesync sale and booking written, the match or why none.',
      items: {
        type: 'object',
        required: ['type', 'result', 'venue_id', 'sale', 'booking', 'match', 'unmatched_reason', 'reason'],
        properties: {
          type: { type: 'string', enum: ['sale', 'booking_status'] },
          result: { type: 'string', enum: ['applied', 'ignored', 'failed'] },
          venue_id: { type: ['string', 'null'] },
          sale: { type: ['string', 'null'], example: 'sl_0mhv2k1q3a8x4n2p7r9t1c' },
          booking: { type: ['string', 'null'], example: 'bk_0mhv2k1q3a8x4n2p7r9t1c' },
          match: { type: ['string', 'null'], enum: ['booking_id', 'table_time', 'manual', null] },
          unmatched_reason: { type: ['string', 'null'], example: 'no booking at table 12 between 18:30 and 21:00 on 2026-05-01' },
          reason: { type: ['string', 'null'], description: 'Why the command was ignored or failed.' },
        },
      },
    },
  },
} as const;
