import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * The canonical commands a mapping yields (CONTRACT §5), as strict JSON Schemas (draft-07).
 * Money is an integer in minor units. `total` is what the guest was charged including tax and
 * service charges, excluding the tip (which goes in `tip`). Optional fields may also be `null`,
 * read as absent: mappings often pass vendor nulls through.
 * Ids arrive as strings or integers; ids beyond 2^53 are strings (lossless parsing), so
 * consumers should compare them with `String(id)`.
 */

export type Id = string | number;

export interface SaleItem {
  name: string;
  quantity: number;
  total: number;
  unit_price?: number | null;
  sku?: string | null;
  category?: string | null;
}

export interface SalePayment {
  method: string;
  amount: number;
  tip?: number | null;
}

export type SaleStatus = 'open' | 'closed' | 'void' | 'refunded';

export interface SaleCommand {
  type: 'sale';
  location_id: Id;
  sale_id: Id;
  status: SaleStatus;
  total: number;
  /** ISO 4217; default: the venue's. Another currency than the venue's fails the event. */
  currency?: string | null;
  /**
   * The payload's own version or update time, for ordering late updates: an integer (a version
   * counter or epoch milliseconds) or a string that sorts (ISO 8601 UTC).
   */
  version?: Id | null;
  booking_id?: Id | null;
  table_number?: Id | null;
  covers?: number | null;
  opened_at?: string | null;
  closed_at?: string | null;
  subtotal?: number | null;
  tax?: number | null;
  tip?: number | null;
  discount?: number | null;
  items?: SaleItem[];
  payments?: SalePayment[];
}

export type BookingStatusValue = 'seated' | 'completed' | 'cancelled' | 'no_show';

export interface BookingStatusCommand {
  type: 'booking_status';
  location_id: Id;
  status: BookingStatusValue;
  booking_id?: Id | null;
  table_number?: Id | null;
  at?: string | null;
}

export type ReservationStatusValue = 'booked' | 'confirmed' | 'cancelled' | 'seated' | 'completed' | 'no_show';

export interface ReservationGuest {
  name?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
  phone?: string | null;
}

/** A booking platform's reservation (CONTRACT §12): upserted as a booking by (partner, reservation_id). */
export interface ReservationCommand {
  type: 'reservation';
  location_id: Id;
  reservation_id: Id;
  status: ReservationStatusValue;
  /** Venue-local `YYYY-MM-DD` and `HH:MM`. */
  date: string;
  time: string;
  party_size: number;
  /** The sitting's length; default: the service's. */
  duration_minutes?: number | null;
  /** Orders late updates: an older one than the stored is ignored. */
  updated_at?: string | null;
  guest: ReservationGuest;
  notes?: string | null;
  /** The platform's table: the location's table aliases, then the venue's table numbers. */
  table_number?: Id | null;
}

export type CanonicalCommand = SaleCommand | BookingStatusCommand | ReservationCommand;

export interface CommandError {
  /** Position of the command in the mapping output (0 for a single object). */
  index: number;
  /** JSON Pointer inside that command ('' for the command itself). */
  path: string;
  message: string;
}

export interface ValidatedCommands {
  /** The valid commands. When `errors` is not empty the event fails as a whole. */
  commands: CanonicalCommand[];
  errors: CommandError[];
}

const SAFE = Number.MAX_SAFE_INTEGER;
// Union types rather than anyOf keep ajv's complaints to one line per field.
const money = { type: 'integer', minimum: -SAFE, maximum: SAFE } as const;
const optionalMoney = { type: ['integer', 'null'], minimum: -SAFE, maximum: SAFE } as const;
/** Not blank: a string of spaces is as absent as an empty one (ids are trimmed before they are stored). */
const NOT_BLANK = '\\S';
const id = (maxLength: number) =>
  ({ type: ['string', 'integer'], minLength: 1, maxLength, pattern: NOT_BLANK, minimum: -SAFE, maximum: SAFE }) as const;
const optionalId = (maxLength: number) =>
  ({ type: ['string', 'integer', 'null'], minLength: 1, maxLength, pattern: NOT_BLANK, minimum: -SAFE, maximum: SAFE }) as const;
const optionalTimestamp = { type: ['string', 'null'], format: 'date-time' } as const;
const optionalString = (maxLength: number) => ({ type: ['string', 'null'], maxLength }) as const;

export const SALE_COMMAND_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://tablesync.dev/schemas/sale-command.json',
  title: 'sale',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'location_id', 'sale_id', 'status', 'total'],
  properties: {
    type: { type: 'string', const: 'sale' },
    location_id: id(128),
    sale_id: id(128),
    status: { type: 'string', enum: ['open', 'closed', 'void', 'refunded'] },
    total: money,
    currency: { type: ['string', 'null'], pattern: '^[A-Z]{3}$' },
    version: optionalId(64),
    booking_id: optionalId(128),
    table_number: optionalId(128),
    covers: { type: ['integer', 'null'], minimum: 0, maximum: 10000 },
    opened_at: optionalTimestamp,
    closed_at: optionalTimestamp,
    subtotal: optionalMoney,
    tax: optionalMoney,
    tip: optionalMoney,
    discount: optionalMoney,
    items: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'quantity', 'total'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 255, pattern: NOT_BLANK },
          quantity: { type: 'number' },
          total: money,
          unit_price: optionalMoney,
          sku: optionalString(128),
          category: optionalString(128),
        },
      },
    },
    payments: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['method', 'amount'],
        properties: {
          method: { type: 'string', minLength: 1, maxLength: 64, pattern: NOT_BLANK },
          amount: money,
          tip: optionalMoney,
        },
      },
    },
  },
} as const;

export const BOOKING_STATUS_COMMAND_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://tablesync.dev/schemas/booking-status-command.json',
  title: 'booking_status',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'location_id', 'status'],
  properties: {
    type: { type: 'string', const: 'booking_status' },
    location_id: id(128),
    status: { type: 'string', enum: ['seated', 'completed', 'cancelled', 'no_show'] },
    booking_id: optionalId(128),
    table_number: optionalId(128),
    at: optionalTimestamp,
  },
} as const;

/** The largest party a reservation may name (a private hire of a whole venue); more is a mapping or data error. */
export const MAX_RESERVATION_PARTY = 1000;

export const RESERVATION_COMMAND_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://tablesync.dev/schemas/reservation-command.json',
  title: 'reservation',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'location_id', 'reservation_id', 'status', 'date', 'time', 'party_size', 'guest'],
  properties: {
    type: { type: 'string', const: 'reservation' },
    location_id: id(128),
    reservation_id: id(128),
    status: { type: 'string', enum: ['booked', 'confirmed', 'cancelled', 'seated', 'completed', 'no_show'] },
    date: { type: 'string', format: 'date' },
    time: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' },
    party_size: { type: 'integer', minimum: 1, maximum: MAX_RESERVATION_PARTY },
    duration_minutes: { type: ['integer', 'null'], minimum: 5, maximum: 1440 },
    updated_at: optionalTimestamp,
    guest: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name: optionalString(200),
        first_name: optionalString(100),
        last_name: optionalString(100),
        email: optionalString(320),
        phone: optionalString(40),
      },
    },
    notes: optionalString(2000),
    table_number: optionalId(128),
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv, ['date-time', 'date']);

const VALIDATORS: Readonly<Record<CanonicalCommand['type'], ValidateFunction>> = {
  sale: ajv.compile(SALE_COMMAND_SCHEMA),
  booking_status: ajv.compile(BOOKING_STATUS_COMMAND_SCHEMA),
  reservation: ajv.compile(RESERVATION_COMMAND_SCHEMA),
};

/**
 * The id a command is ordered by (CONTRACT §4): the per-sale lock of its partner is taken on it, so events
 * naming the same sale — or the same reservation — are processed one after the other. Null: none.
 */
export function commandLockKey(command: { type?: unknown; sale_id?: unknown; reservation_id?: unknown }): string | null {
  const value = command.type === 'sale' ? command.sale_id : command.type === 'reservation' ? command.reservation_id : undefined;
  if (typeof value === 'string') return value.length > 0 && (value.length <= 128 || [...value].length <= 128) ? value : null;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return null;
}

/** The command fields that hold a lock key (sale-id-mapping.ts keeps them in its slice). */
export const LOCK_KEY_FIELDS: Readonly<Record<string, string>> = { sale: 'sale_id', reservation: 'reservation_id' };

const COMMAND_TYPES = Object.keys(VALIDATORS);

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      return `must be ${String(params.type).split(',').join(' or ')}`;
    case 'additionalProperties':
      return `must NOT have additional property "${String(params.additionalProperty)}"`;
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case 'pattern':
      if (params.pattern === NOT_BLANK) return 'must not be blank';
      return error.instancePath === '/time' ? 'must be a time HH:MM (00:00–23:59)' : (error.message ?? 'is invalid');
    default:
      return error.message ?? 'is invalid';
  }
}

function validateOne(value: unknown, index: number): { command?: CanonicalCommand; errors: CommandError[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { errors: [{ index, path: '', message: 'must be an object (a canonical command)' }] };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(VALIDATORS, type)) {
    return {
      errors: [{ index, path: '/type', message: `must be one of ${COMMAND_TYPES.map((t) => `"${t}"`).join(', ')}` }],
    };
  }
  const validate = VALIDATORS[type as CanonicalCommand['type']];
  if (validate(value)) return { command: value as CanonicalCommand, errors: [] };
  return { errors: (validate.errors ?? []).map((e) => ({ index, path: e.instancePath, message: describe(e) })) };
}

/**
 * Validates a mapping's output: one command, an array of them, or nothing (undefined / null /
 * `[]`, which means the event is ignored). `null` entries inside an array are skipped, so
 * `[sale, condition ? booking_status : null]` works.
 */
export function validateCommands(output: unknown): ValidatedCommands {
  if (output === undefined || output === null) return { commands: [], errors: [] };
  const list = Array.isArray(output) ? output : [output];
  const commands: CanonicalCommand[] = [];
  const errors: CommandError[] = [];
  list.forEach((value, index) => {
    if (value === null || value === undefined) return;
    const result = validateOne(value, index);
    if (result.command) commands.push(result.command);
    errors.push(...result.errors);
  });
  return { commands, errors };
}
