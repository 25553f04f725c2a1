/**
 * Text from outside made safe to store (ARCHITECTURE §E: one place per concern).
 *
 * - Lone UTF-16 surrogates ("\ud800" in a JSON body, or half an emoji cut by a mapping's `$substring`)
 *   are not text: MariaDB's JSON check refuses them and utf8mb4 cannot hold them. `wellFormed` replaces
 *   each with U+FFFD, in every string and key of a value; it is applied where outside values come in
 *   (mapping output, API and admin bodies), so every column written from them is safe.
 * - Free-text columns have sizes; `fitColumn` cuts a value to its column (TEXT counts bytes, VARCHAR
 *   characters) so an oversize reason is stored shortened instead of failing the write.
 */

// ES2024 string methods (Node 20 has them; the project's lib is ES2022).
declare global {
  interface String {
    isWellFormed(): boolean;
    toWellFormed(): string;
  }
}

/** The string with each lone surrogate replaced by U+FFFD (the same string when there is none). */
export function storableText(text: string): string {
  return text.isWellFormed() ? text : text.toWellFormed();
}

/**
 * The JSON-like value with every string and object key well-formed. Returns the value itself when
 * nothing needed a change (the usual case: no copy); otherwise a copy of the containers on the way.
 */
export function wellFormed<T>(value: T): T {
  return fix(value) as T;
}

function fix(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item = value[i] as unknown;
      const fixed = fix(item);
      if (fixed !== item) (copy ??= value.slice())[i] = fixed;
    }
    return copy ?? value;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    let copy: Record<string, unknown> | null = null;
    for (const key of Object.keys(record)) {
      const item = record[key];
      const fixed = fix(item);
      const safeKey = storableText(key);
      if (fixed === item && safeKey === key) continue;
      if (!copy) copy = { ...record };
      if (safeKey !== key) delete copy[key];
      copy[safeKey] = fixed;
    }
    return copy ?? value;
  }
  return value;
}

/**
 * Sizes of the free-text columns that hold reasons and errors (migrations/): `bytes` for TEXT (UTF-8
 * bytes), `chars` for VARCHAR (characters).
 */
export const TEXT_COLUMNS = {
  'inbound_events.reason': { bytes: 65_535 },
  'webhooks.disabled_reason': { chars: 500 },
  'webhook_deliveries.last_error': { chars: 1000 },
  'webhook_delivery_attempts.error': { chars: 1000 },
  'webhook_delivery_attempts.response_body': { bytes: 65_535 },
  'emails.last_error': { chars: 1000 },
  'email_attempts.response': { chars: 1000 },
} as const satisfies Record<string, { bytes: number } | { chars: number }>;

export type TextColumn = keyof typeof TEXT_COLUMNS;

const TRUNCATED = '… (truncated)';
const encoder = new TextEncoder();

/** The text cut to fit its column, ending in "… (truncated)" when cut, and well-formed. */
export function fitColumn(column: TextColumn, text: string): string;
export function fitColumn(column: TextColumn, text: string | null): string | null;
export function fitColumn(column: TextColumn, text: string | null): string | null {
  if (text === null) return null;
  const safe = storableText(text);
  const size: { bytes?: number; chars?: number } = TEXT_COLUMNS[column];
  if (size.chars !== undefined) {
    if (safe.length <= size.chars) return safe;
    let cut = size.chars - TRUNCATED.length;
    // Never split a surrogate pair.
    if (isHighSurrogate(safe.charCodeAt(cut - 1))) cut--;
    return safe.slice(0, cut) + TRUNCATED;
  }
  const bytes = size.bytes!;
  // A UTF-8 character is at most 3 bytes per UTF-16 unit: short strings fit without counting.
  if (safe.length * 3 <= bytes || Buffer.byteLength(safe, 'utf8') <= bytes) return safe;
  // encodeInto writes whole characters only; `read` says how many UTF-16 units fitted.
  const room = new Uint8Array(bytes - Buffer.byteLength(TRUNCATED, 'utf8'));
  const { read } = encoder.encodeInto(safe, room);
  return safe.slice(0, read) + TRUNCATED;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
