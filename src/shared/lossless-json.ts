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
  return losslessParse(text, null, parseNumber);
}

/** JSON.stringify that also accepts bigint and LosslessNumber values. */
export function stringifyJson(value: unknown, space?: number | string): string {
  const out = losslessStringify(value, undefined, space);
  if (out === undefined) throw new TypeError('Value cannot be serialised as JSON');
  return out;
}
