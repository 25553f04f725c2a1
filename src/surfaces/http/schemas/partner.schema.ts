import type { FromSchema } from 'json-schema-to-ts';
/**
 * Admin partner hub schemas (CONTRACT §3): the request bodies the routes validate with ajv, and the
 * response objects, both feeding the OpenAPI document.
 */
import { INBOUND_EVENT_STATUSES } from '../../../modules/partners';
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
const EVENT_STATUS = { type: 'string', enum: INBOUND_EVENT_STATUSES } as const;

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
  description: 'Exactly one of `payload`, `event_id`, `fixture` is the input.',
  properties: {
    payload: {
      description:
        'The native payload. A string is taken as the raw body text (keeps integers beyond 2^53 exact); any other JSON value is serialised.',
    },
    event_id: { type: 'string', minLength: 1, maxLength: 40, description: "A stored event of the partner: its raw payload as received." },
    fixture: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: "A fixture of the partner's catalog template, by name (`GET /admin/v1/partners/:name/fixtures`).",
    },
    expression: {
      type: 'string',
      minLength: 1,
      maxLength: 1_000_000,
      description: "A JSONata expression to try; the event type's live mapping when omitted.",
    },
  },
} as const;
export const testMappingQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    inline_errors: {
      type: 'boolean',
      default: false,
      description:
        'For an editor that evaluates as one types: `invalid_payload`, `invalid_mapping` and `mapping_failed` are answered 200 with ' +
        'the same `{code, message, details}` under `error` (and empty `output`, `errors`, `matches`) instead of 4xx.',
    },
  },
} as const;
export type TestMappingQuery = FromSchema<typeof testMappingQuerySchema>;

export type TestMappingBody = FromSchema<typeof testMappingSchema>;

/** The event log's filters (CONTRACT §13), shared by the list and replay-many. */
const EVENT_FILTER_PROPERTIES = {
  status: EVENT_STATUS,
  event_type: { type: 'string', minLength: 1, maxLength: 128, example: 'order_updated' },
  since: { ...TIMESTAMP, description: 'Received at or after this instant.' },
  until: { ...TIMESTAMP, description: 'Received at or before this instant.' },
  sale_id: { type: 'string', minLength: 1, maxLength: 128, description: "The POS's own sale id." },
} as const;

export const listPartnerEventsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { ...EVENT_FILTER_PROPERTIES, ...PAGINATION_QUERY_PROPERTIES },
} as const;
export type ListPartnerEventsQuery = FromSchema<typeof listPartnerEventsQuerySchema>;

export const replayEventsSchema = {
  $id: 'ReplayPartnerEvents',
  type: 'object',
  additionalProperties: false,
  description: 'Which events to replay; every field narrows the set, none: all of the partner\'s finished events.',
  properties: EVENT_FILTER_PROPERTIES,
} as const;
export type ReplayEventsBody = FromSchema<typeof replayEventsSchema>;

export const replayEventsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { dry_run: { type: 'boolean', default: false, description: 'Count only: answers 200 `{would_replay}` and replays nothing.' } },
} as const;
export type ReplayEventsQuery = FromSchema<typeof replayEventsQuerySchema>;

export const replayEventsResultSchema = {
  type: 'object',
  required: ['replayed', 'skipped'],
  properties: {
    replayed: { type: 'integer', minimum: 0, description: 'Events queued again, under their own ids.' },
    skipped: { type: 'integer', minimum: 0, description: 'Events of the filter in flight (queued or processing): not replayed.' },
  },
} as const;

export const replayEventsDryRunSchema = {
  type: 'object',
  required: ['would_replay'],
  properties: {
    would_replay: { type: 'integer', minimum: 0 },
    would_skip: { type: 'integer', minimum: 0, description: 'In flight now: a replay would skip them.' },
  },
} as const;

export const partnerStatsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    since: { ...TIMESTAMP, description: 'Default: 24 hours before `until`.' },
    until: { ...TIMESTAMP, description: 'Default: now.' },
  },
} as const;
export type PartnerStatsQuery = FromSchema<typeof partnerStatsQuerySchema>;

const COUNT = { type: 'integer', minimum: 0 } as const;
export const partnerStatsSchema = {
  type: 'object',
  required: ['partner', 'received', 'queued', 'processing', 'processed', 'ignored', 'failed'],
  properties: {
    partner: PARTNER_NAME,
    received: { ...COUNT, description: 'Events received in the window (every status).' },
    queued: COUNT,
    processing: COUNT,
    processed: COUNT,
    ignored: COUNT,
    failed: COUNT,
  },
} as const;

export const partnerStatsResponseSchema = {
  type: 'object',
  required: ['since', 'until', 'data', 'next_cursor'],
  properties: {
    since: TIMESTAMP,
    until: TIMESTAMP,
    data: { type: 'array', items: partnerStatsSchema, description: 'One entry per partner (zeros included), by name.' },
    next_cursor: { type: 'null' },
  },
} as const;

export const fixtureSchema = {
  type: 'object',
  required: ['name', 'event_type', 'case', 'payload', 'expected'],
  properties: {
    name: { type: 'string', example: 'order_updated--closed-with-items', description: 'Pass as `fixture` to the dry run.' },
    event_type: { type: 'string', example: 'order_updated' },
    case: { type: 'string', example: 'closed-with-items' },
    payload: { type: 'string', description: 'The native payload, byte for byte as the vendor documents it.' },
    expected: { description: 'The canonical commands the template mapping yields for it (null when there is no expected file).' },
  },
} as const;

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
    template: { type: ['string', 'null'], description: 'The catalog template it was made from, else null.', example: 'toast' },
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
    template: { type: ['string', 'null'], description: 'The template it was made from (null without one).', example: 'toast' },
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

const COMMAND_PREVIEW = {
  type: 'object',
  required: ['index', 'type', 'location_id', 'venue_id', 'result', 'reason', 'sale', 'booking', 'match', 'unmatched_reason'],
  properties: {
    index: { type: 'integer', description: "The command's index in `output`." },
    type: { type: 'string', example: 'sale' },
    location_id: { type: ['string', 'null'] },
    venue_id: { type: ['string', 'null'], description: 'The venue the location resolves to (null: unknown location, disabled integration).' },
    result: { type: 'string', enum: ['applied', 'ignored', 'failed'], description: 'What applying it would do now.' },
    reason: { type: ['string', 'null'], description: 'Why it would be ignored or fail.' },
    sale: { type: ['string', 'null'], description: 'The stored sale it would update (`sl_…`); null for a new one.' },
    booking: { type: ['object', 'null'], description: 'The booking it would match (the booking view), or null.' },
    match: { type: ['string', 'null'], enum: ['booking_id', 'table_time', 'manual', null] },
    unmatched_reason: { type: ['string', 'null'], example: 'no booking at table 12 between 18:30 and 21:00 on 2026-05-01' },
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
    matches: {
      type: 'array',
      items: COMMAND_PREVIEW,
      description: 'A read-only dry run of the matcher for the valid commands: the venue, the sale it would update, the booking it would match or why none.',
    },
    mapping_version: { type: ['integer', 'null'], description: 'The live version run (null when `expression` was given).' },
    input: { type: 'string', enum: ['payload', 'event', 'fixture'], description: 'Which input ran.' },
    error: {
      type: 'object',
      description: 'Only with `?inline_errors=true`: the error the request would otherwise have answered with (4xx).',
      required: ['code', 'message', 'details'],
      properties: { code: { type: 'string', enum: ['invalid_payload', 'invalid_mapping', 'mapping_failed'] }, message: { type: 'string' }, details: {} },
    },
  },
} as const;

export const mappingVersionHistorySchema = {
  type: 'object',
  required: [...['event_type', 'version', 'expression', 'source', 'created_at'], 'live'],
  properties: {
    event_type: { type: 'string', example: 'sale.updated' },
    version: { type: 'integer', minimum: 1, example: 3 },
    expression: { type: 'string' },
    source: { type: 'string', enum: ['api', 'file'] },
    created_at: TIMESTAMP,
    live: { type: 'boolean', description: 'Whether this is the live version.' },
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
    headers: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'The request headers as received (lower-case names); signatures, secrets and credentials masked (`[masked, N characters]`). `{}` for events older than this field.',
    },
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
