/**
 * The partner hub's response schemas (CONTRACT §3, §13): what the presenters render, and what the OpenAPI
 * document publishes; with the fragments the request schemas (src/surfaces/http/schemas/partner.schema.ts) share.
 */
import type { View } from '../../platform/json-schema';
import { INBOUND_EVENT_STATUSES } from './pipeline/event-statuses';

export const PARTNER_TIMESTAMP = { type: 'string', format: 'date-time', example: '2026-05-01T18:00:00.000Z' } as const;
export const PARTNER_NAME = { type: 'string', pattern: '^[a-z0-9-]+$', minLength: 1, maxLength: 64, example: 'lightspeed' } as const;
export const ADAPTER = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  description: 'Adapter registered in adapters/index.ts (`generic`, `square`, `lightspeed`, …).',
  example: 'generic',
} as const;
export const SCHEME = {
  type: 'string',
  minLength: 1,
  maxLength: 32,
  description:
    '`hmac-sha256-hex`, `hmac-sha256-base64`, `standard-webhooks`, `token`, `basic`, or a scheme the adapter brings (`square-hmac`).',
  example: 'hmac-sha256-hex',
} as const;
export const HEADER = {
  type: ['string', 'null'],
  pattern: '^[A-Za-z0-9-]+$',
  maxLength: 128,
  description: "Header carrying the signature; null for the scheme's default.",
  example: 'X-Signature',
} as const;
export const ACK = { type: 'string', enum: ['queued', 'processed'] } as const;
export const CONFLICT = { type: 'string', enum: ['reject', 'queue'] } as const;
export const EVENT_STATUS = { type: 'string', enum: INBOUND_EVENT_STATUSES } as const;
export const TABLE_ALIASES = {
  type: 'object',
  description:
    "The POS's own table ids (GUIDs, names such as \"Bar 3\") mapped to the venue's table numbers; a sale's table_number is " +
    'looked up here first, then compared with the table numbers as text (trimmed, case-insensitive). Given, it replaces the ' +
    'map (`{}` clears it); left out, the map is kept.',
  maxProperties: 1000,
  additionalProperties: { type: ['string', 'integer'], minLength: 1, maxLength: 32 },
  example: { '7d3d2a0e-5b7c-4b8a-9f61-3c2b1a0d9e8f': '12', 'Bar 3': '21' },
} as const;

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
    created_at: PARTNER_TIMESTAMP,
    updated_at: PARTNER_TIMESTAMP,
  },
} as const;

export const partnerCreatedSchema = {
  type: 'object',
  required: [...partnerSchema.required],
  properties: {
    ...partnerSchema.properties,
    signature: {
      ...SIGNATURE_VIEW,
      properties: { ...SIGNATURE_VIEW.properties, secret: { type: 'string', description: 'As `secret`, where a caller who sent one would look for it.' } },
    },
    secret: { type: 'string', description: 'Only when it was generated (create, or PATCH with rotate_secret): shown this once.' },
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
    created_at: PARTNER_TIMESTAMP,
    updated_at: PARTNER_TIMESTAMP,
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
    created_at: PARTNER_TIMESTAMP,
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
    received_at: PARTNER_TIMESTAMP,
    processed_at: { ...PARTNER_TIMESTAMP, type: ['string', 'null'] },
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

export type PartnerView = View<typeof partnerSchema>;
export type PartnerCreatedView = View<typeof partnerCreatedSchema>;
export type CatalogTemplateView = View<typeof catalogTemplateSchema>;
export type LocationView = View<typeof locationSchema>;
export type MappingView = View<typeof mappingVersionSchema>;
export type InboundEventView = View<typeof inboundEventSchema>;
export type InboundEventDetailView = View<typeof inboundEventDetailSchema>;
