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
  currency: string;
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

export type CanonicalCommand = SaleCommand | BookingStatusCommand;

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
  required: ['type', 'location_id', 'sale_id', 'status', 'total', 'currency'],
  properties: {
    type: { type: 'string', const: 'sale' },
    location_id: id(128),
    sale_id: id(128),
    status: { type: 'string', enum: ['open', 'closed', 'void', 'refunded'] },
    total: money,
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    version: optionalId(64),
    booking_id: optionalId(128),
    table_number: optionalId(32),
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
    table_number: optionalId(32),
    at: optionalTimestamp,
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv, ['date-time']);

const VALIDATORS: Readonly<Record<CanonicalCommand['type'], ValidateFunction>> = {
  sale: ajv.compile(SALE_COMMAND_SCHEMA),
  booking_status: ajv.compile(BOOKING_STATUS_COMMAND_SCHEMA),
};

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
      return params.pattern === NOT_BLANK ? 'must not be blank' : (error.message ?? 'is invalid');
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
