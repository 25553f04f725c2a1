import {
  getUnsafeNumberReason,
  isInteger,
  isSafeNumber,
  parse as losslessParse,
  stringify as losslessStringify,
  UnsafeNumberReason,
} from 'lossless-json';

/**
 * Numbers JS can hold exactly become numbers. Integers beyond 2^53 (Lightspeed K-Series
 * businessLocationId, e.g. 9765040300495493) become decimal strings with every digit, so
 * JSONata, ajv and the database see the id the POS sent. Floats that merely lose trailing
 * precision stay numbers (money arrives with two or three decimals); overflow/underflow
 * (1e400) stays a string instead of turning into Infinity or 0.
 */
function parseNumber(text: string): number | string {
  if (isInteger(text)) return isSafeNumber(text) ? Number(text) : text;
  const reason = getUnsafeNumberReason(text);
  return reason === undefined || reason === UnsafeNumberReason.truncate_float ? Number(text) : text;
}

/**
 * Parses JSON without losing digits (see parseNumber). Throws SyntaxError on invalid JSON.
 * A key repeated with different values is rejected too (lossless-json's default): in a signed
 * payload two readers could otherwise disagree on which value counts.
 */
export function parseJsonLossless(text: string): unknown {
  if (isPlainJson(text)) return JSON.parse(text);
  // The lossless parser recurses per level: bound the depth before it runs.
  assertJsonDepth(text);
  return losslessParse(text, null, parseNumber);
}

/**
 * How deep any JSON body may nest (objects and arrays). Real payloads nest a dozen levels at most;
 * without a bound, recursive readers (the lossless parser, canonical JSON, JSON.stringify) run out of
 * stack on a hostile one and answer 500.
 */
export const MAX_JSON_DEPTH = 64;

/** Valid JSON may still be refused for nesting deeper than MAX_JSON_DEPTH; a SyntaxError, as bad JSON is. */
export class JsonTooDeepError extends SyntaxError {
  constructor(readonly maxDepth = MAX_JSON_DEPTH) {
    super(`JSON nests deeper than ${maxDepth} levels`);
    this.name = 'JsonTooDeepError';
  }
}

/**
 * Throws JsonTooDeepError when the text opens more than `max` containers at once. One pass that skips
 * strings; works on any text whose structural characters are ASCII (also UTF-8 bytes read as latin1).
 */
export function assertJsonDepth(text: string, max = MAX_JSON_DEPTH): void {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === QUOTE) break;
        if (d === BACKSLASH) i++;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > max) throw new JsonTooDeepError(max);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** Integers of up to 15 digits are exact in a double; 16 may not be. */
const MAX_PLAIN_DIGITS = 15;

/**
 * The fast path: true when JSON.parse yields exactly what the lossless parse would, which is when no
 * number needs care (no run of more than 15 digits, no exponent) and no object repeats a key (compared
 * as written; a key with an escape goes the slow way). One pass over the text, several times cheaper
 * than the lossless parser on a typical POS payload. Invalid JSON may pass: JSON.parse then throws the
 * SyntaxError, as the lossless parser would. Nesting beyond MAX_JSON_DEPTH throws JsonTooDeepError.
 */
function isPlainJson(text: string): boolean {
  // Per open container: the keys seen so far (object) or null (array).
  const open: (Set<string> | null)[] = [];
  let expectKey = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let end = i + 1;
      let escaped = false;
      while (end < n) {
        const d = text.charCodeAt(end);
        if (d === QUOTE) break;
        if (d === BACKSLASH) {
          escaped = true;
          end++;
        }
        end++;
      }
      if (expectKey) {
        const keys = open[open.length - 1];
        if (escaped || !keys) return false;
        const key = text.slice(i + 1, end);
        if (keys.has(key)) return false;
        keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c >= DIGIT_0 && c <= DIGIT_9) {
      let end = i + 1;
      while (end < n && text.charCodeAt(end) >= DIGIT_0 && text.charCodeAt(end) <= DIGIT_9) end++;
      if (end - i > MAX_PLAIN_DIGITS) return false;
      const next = text[end];
      if (next === 'e' || next === 'E') return false;
      i = end - 1;
    } else if (c === 0x7b /* { */) {
      if (open.push(new Set()) > MAX_JSON_DEPTH) throw new JsonTooDeepError();
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      if (open.push(null) > MAX_JSON_DEPTH) throw new JsonTooDeepError();
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      open.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = open.length > 0 && open[open.length - 1] !== null;
    }
  }
  return true;
}

/** JSON.stringify that also accepts bigint and LosslessNumber values. */
export function stringifyJson(value: unknown, space?: number | string): string {
  const out = losslessStringify(value, undefined, space);
  if (out === undefined) throw new TypeError('Value cannot be serialised as JSON');
  return out;
}
