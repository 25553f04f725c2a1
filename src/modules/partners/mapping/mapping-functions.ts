import { isLosslessNumber } from 'lossless-json';
import { currencyExponent } from '../../../platform/currency';
import { parseJsonLossless } from '../../../platform/lossless-json';

/**
 * The functions mappings have beside JSONata's own (CONTRACT §5), defined once: evaluate-mapping.ts
 * registers every one on each JSONata instance it builds, and the direct reader (direct-mapping.ts) calls
 * the same implementations, so both give the same result. Each is pure, and its work is linear in its
 * argument (bounded below), so the direct reader may run it in-process.
 *
 * Conventions, as JSONata's own functions: an absent argument (or `null`) yields nothing, so the field is
 * left out; a value that cannot be read throws a MappingFunctionError naming the function and the value
 * (the event fails with that reason). An empty string is not a value: `field ? $minor(field)` skips it.
 */

/** Thrown by a mapping function; JSONata adds `position` and `token` on its way out. */
export class MappingFunctionError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'MappingFunctionError';
  }
}

/** Longest text $minor and $instant read: longer is not an amount or a time (and bounds the work). */
const MAX_SCALAR_TEXT = 100;

function shown(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' || (typeof value === 'object' && value !== null) ? JSON.stringify(value) : String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

// ---- $json(text) ----------------------------------------------------------------------------------

/** `$json(text)`: a JSON string inside the payload (Zettle's `payload` field), parsed losslessly. */
export function json(text: unknown): unknown {
  if (text === undefined || text === null) return undefined;
  if (typeof text !== 'string') throw new MappingFunctionError('M0101', `$json: expects a string of JSON, got ${typeof text} ${shown(text)}`);
  try {
    return parseJsonLossless(text);
  } catch (err) {
    throw new MappingFunctionError('M0101', `$json: the text is not valid JSON (${(err as Error).message}): ${shown(text)}`);
  }
}

// ---- $minor(amount, currency?) --------------------------------------------------------------------

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,6}))?$/;
const MAX_SAFE_DIGITS = 16;

/** The value's shortest decimal text: numbers by JavaScript's shortest round-trip form. */
function decimalText(amount: unknown): string | null {
  if (typeof amount === 'number') return Number.isFinite(amount) ? String(amount) : null;
  if (typeof amount === 'bigint') return amount.toString();
  if (isLosslessNumber(amount)) return (amount as { value: string }).value;
  if (typeof amount === 'string') return amount.trim();
  return null;
}

/**
 * `$minor(amount, currency?)`: a decimal amount (a number, a decimal string, a lossless number) in minor
 * units by the currency's ISO 4217 exponent (2 without a currency). Exact: computed in decimal on the
 * value's shortest decimal form, rounded half-even to the exponent. `$minor("19.99")` = 1999,
 * `$minor(0.1 + 0.2)` = 30, `$minor(5, "JPY")` = 5, `$minor("1.005", "KWD")` = 1005.
 */
export function minor(amount: unknown, currency?: unknown): number | undefined {
  if (amount === undefined || amount === null) return undefined;
  const exponent = currencyExponent(currency);
  if (exponent === undefined) throw new MappingFunctionError('M0102', `$minor: unknown currency ${shown(currency)} (an ISO 4217 code such as "GBP")`);
  const text = decimalText(amount);
  const match = text !== null && text.length <= MAX_SCALAR_TEXT ? DECIMAL.exec(text) : null;
  const [, sign, whole = '', fraction = '', exp = '0'] = match ?? [];
  if (!match || whole.length + fraction.length === 0) {
    throw new MappingFunctionError('M0102', `$minor: not a decimal amount: ${shown(amount)}`);
  }
  const digits = (whole + fraction).replace(/^0+/, '');
  // value = digits × 10^shift minor units
  const shift = Number(exp) - fraction.length + exponent;
  let units: bigint;
  if (digits === '') units = 0n;
  else if (shift >= 0) {
    if (digits.length + shift > MAX_SAFE_DIGITS) throw outOfRange(amount);
    units = BigInt(digits) * 10n ** BigInt(shift);
  } else if (-shift > digits.length) {
    units = 0n; // below a tenth of a minor unit
  } else {
    const divisor = 10n ** BigInt(-shift);
    const n = BigInt(digits);
    units = n / divisor;
    const twice = (n % divisor) * 2n;
    if (twice > divisor || (twice === divisor && units % 2n === 1n)) units += 1n;
  }
  if (units > BigInt(Number.MAX_SAFE_INTEGER)) throw outOfRange(amount);
  const result = Number(units);
  return sign === '-' && result !== 0 ? -result : result;
}

function outOfRange(amount: unknown): MappingFunctionError {
  return new MappingFunctionError('M0102', `$minor: ${shown(amount)} is beyond the largest exact amount (2^53 - 1 minor units)`);
}

// ---- $instant(value) ------------------------------------------------------------------------------

/** Below this an epoch number is seconds (10^11 s is the year 5138; 10^11 ms is March 1973). */
const SECONDS_BELOW = 1e11;
const EPOCH_TEXT = /^[+-]?\d+(?:\.\d+)?$/;
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;
const MIN_MS = Date.parse('0001-01-01T00:00:00Z');
const MAX_YEAR = 9999;

function invalidInstant(value: unknown, why: string): MappingFunctionError {
  return new MappingFunctionError('M0103', `$instant: ${why}: ${shown(value)}`);
}

function fromIso(text: string, value: unknown): number {
  const m = ISO.exec(text);
  if (!m) throw invalidInstant(value, 'not an epoch time or an ISO 8601 date-time with an offset (Z, +0000 or +00:00)');
  const [, y, mo, d, h, mi, s = '0', frac = '', zulu, sign, oh = '0', om = '0'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const offsetMinutes = zulu ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  // Not Date.UTC: it reads years 0–99 as 1900–1999.
  const check = new Date(0);
  check.setUTCFullYear(year, month - 1, day);
  check.setUTCHours(hour, minute, second, Number(frac.padEnd(3, '0').slice(0, 3)));
  const local = check.getTime();
  // Date.UTC rolls over (Feb 30 → Mar 2); a field out of range is an invalid time, not another one.
  if (
    year < 1 ||
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second ||
    Number(oh) > 23 ||
    Number(om) > 59
  ) {
    throw invalidInstant(value, 'not a valid date-time');
  }
  return local - offsetMinutes * 60_000;
}

/**
 * `$instant(value)`: a point in time as ISO 8601 UTC with milliseconds (`2024-05-01T18:30:00.000Z`), from
 * epoch seconds or milliseconds (numbers or digit strings below 10^11 are seconds, others milliseconds)
 * or an ISO 8601 date-time with an offset written `Z`, `+0000`, `+00:00` or `+00` (any offset, converted).
 * A time without an offset is refused: the mapping cannot know the till's time zone.
 */
export function instant(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  let ms: number;
  const text = typeof value === 'string' ? value.trim() : isLosslessNumber(value) ? (value as { value: string }).value : null;
  if (typeof value === 'number' || (text !== null && EPOCH_TEXT.test(text))) {
    const n = typeof value === 'number' ? value : Number(text);
    if (!Number.isFinite(n)) throw invalidInstant(value, 'not a finite number');
    ms = Math.round(Math.abs(n) < SECONDS_BELOW ? n * 1000 : n);
  } else if (text !== null && text.length > 0 && text.length <= MAX_SCALAR_TEXT) {
    ms = fromIso(text, value);
  } else if (typeof value === 'string') {
    throw invalidInstant(value, text === '' ? 'empty text is not a time' : 'not a time');
  } else {
    throw invalidInstant(value, `expects a number or a string, got ${typeof value}`);
  }
  const date = new Date(ms);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() > MAX_YEAR || ms < MIN_MS) {
    throw invalidInstant(value, 'out of range (years 0001 to 9999)');
  }
  return date.toISOString();
}

/** Every mapping function by its JSONata name (`$json` is `json`). */
export const MAPPING_FUNCTIONS: Readonly<Record<string, (...args: unknown[]) => unknown>> = Object.freeze({
  json: (text: unknown) => json(text),
  minor: (amount: unknown, currency?: unknown) => minor(amount, currency),
  instant: (value: unknown) => instant(value),
});
