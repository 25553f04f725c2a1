import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { PartnerAdapter, SignatureInput, SignatureResult, SignatureVerifier } from '../../../../adapters/types';

/**
 * Signature schemes a partner row may name (CONTRACT §4). Every verifier works on the raw bytes,
 * compares in constant time with lengths checked first, never throws on odd input, and fails
 * closed when the partner has no secret (ARCHITECTURE §E.6, §F).
 */

export type StandardScheme = 'hmac-sha256-hex' | 'hmac-sha256-base64' | 'standard-webhooks' | 'token' | 'basic';

/** Header each scheme reads when the partner row names none (lower-case). */
export const DEFAULT_SIGNATURE_HEADERS: Readonly<Record<StandardScheme, string>> = Object.freeze({
  'hmac-sha256-hex': 'x-signature',
  'hmac-sha256-base64': 'x-signature',
  'standard-webhooks': 'webhook-signature',
  token: 'authorization',
  basic: 'authorization',
});

/** Standard Webhooks: "5 minutes" either way (standard-webhooks spec, replay protection). */
export const STANDARD_WEBHOOKS_TOLERANCE_SECONDS = 5 * 60;

const OK: SignatureResult = { ok: true };
const MISSING: SignatureResult = { ok: false, code: 'missing_signature' };
const INVALID: SignatureResult = { ok: false, code: 'invalid_signature' };

const HEX_SHA256 = /^[0-9a-f]{64}$/i;
const BASE64 = /^(?:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+)$/;

/** Constant-time equality of two byte strings; unequal lengths are simply unequal. */
export function safeEqualBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Constant-time equality for secrets of any length: compares SHA-256 digests, so no length leaks. */
export function safeEqualStrings(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}

/** Strict base64/base64url decode; null on anything else. */
export function decodeBase64(value: string): Buffer | null {
  if (!BASE64.test(value)) return null;
  return Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64');
}

function headerValue(input: SignatureInput, fallback: string): string | undefined {
  const name = (input.header || fallback).toLowerCase();
  const value = input.headers[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function hmacSha256(key: string | Buffer, ...parts: (string | Buffer)[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

const hmacSha256Hex: SignatureVerifier = (input) => {
  const value = headerValue(input, DEFAULT_SIGNATURE_HEADERS['hmac-sha256-hex']);
  if (value === undefined) return MISSING;
  if (!input.secret) return INVALID;
  // GitHub-style senders prefix the digest with "sha256=".
  const hex = value.replace(/^sha256=/i, '');
  if (!HEX_SHA256.test(hex)) return INVALID;
  return safeEqualBytes(Buffer.from(hex, 'hex'), hmacSha256(input.secret, input.rawBody)) ? OK : INVALID;
};

const hmacSha256Base64: SignatureVerifier = (input) => {
  const value = headerValue(input, DEFAULT_SIGNATURE_HEADERS['hmac-sha256-base64']);
  if (value === undefined) return MISSING;
  if (!input.secret) return INVALID;
  const given = decodeBase64(value.replace(/^sha256=/i, ''));
  if (given === null) return INVALID;
  return safeEqualBytes(given, hmacSha256(input.secret, input.rawBody)) ? OK : INVALID;
};

/**
 * Signing keys for a Standard Webhooks secret. `whsec_<base64>` is the spec's format and is
 * decoded. A bare secret is tried both as its UTF-8 bytes (a free-text secret) and, when it is
 * base64, decoded (what the reference libraries do with an unprefixed key). Both keys derive from
 * the secret, so accepting either gives an attacker nothing.
 */
export function standardWebhooksKeys(secret: string): Buffer[] {
  if (!secret) return [];
  if (secret.startsWith('whsec_')) {
    const key = decodeBase64(secret.slice('whsec_'.length));
    return key && key.length > 0 ? [key] : [];
  }
  const keys: Buffer[] = [Buffer.from(secret, 'utf8')];
  const decoded = decodeBase64(secret);
  if (decoded && decoded.length > 0) keys.push(decoded);
  return keys;
}

/**
 * Header names for a Standard Webhooks message. The partner's header names the signature header;
 * the id and timestamp headers share its prefix, so `svix-signature` also reads `svix-id` and
 * `svix-timestamp` (Svix-branded senders).
 */
export function standardWebhooksHeaderNames(header?: string): { id: string; timestamp: string; signature: string } {
  const signature = (header || DEFAULT_SIGNATURE_HEADERS['standard-webhooks']).toLowerCase();
  const prefix = signature.endsWith('-signature') ? signature.slice(0, -'signature'.length) : 'webhook-';
  return { id: `${prefix}id`, timestamp: `${prefix}timestamp`, signature };
}

const standardWebhooks: SignatureVerifier = (input) => {
  const names = standardWebhooksHeaderNames(input.header);
  const id = input.headers[names.id]?.trim();
  const timestamp = input.headers[names.timestamp]?.trim();
  const signatures = input.headers[names.signature]?.trim();
  if (!id || !timestamp || !signatures) return MISSING;
  const keys = standardWebhooksKeys(input.secret);
  if (keys.length === 0) return INVALID;
  if (!/^\d{1,12}$/.test(timestamp)) return INVALID;
  const skew = Math.abs(Math.floor(input.now.getTime() / 1000) - Number(timestamp));
  if (skew > STANDARD_WEBHOOKS_TOLERANCE_SECONDS) return INVALID;

  const expected = keys.map((key) => hmacSha256(key, `${id}.${timestamp}.`, input.rawBody));
  // Several space-separated "v1,<base64>" entries while a secret is being rotated; other
  // versions (v1a = asymmetric) are skipped, as the spec says.
  const entries = signatures.split(/\s+/).slice(0, 20);
  for (const entry of entries) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    const given = decodeBase64(entry.slice(comma + 1));
    if (given === null) continue;
    if (expected.some((mac) => safeEqualBytes(given, mac))) return OK;
  }
  return INVALID;
};

/** A static secret in a header (Clover's X-Clover-Auth), bare or as `Bearer <secret>`. */
const token: SignatureVerifier = (input) => {
  const value = headerValue(input, DEFAULT_SIGNATURE_HEADERS.token);
  if (value === undefined) return MISSING;
  if (!input.secret) return INVALID;
  const given = value.replace(/^Bearer\s+/i, '');
  return safeEqualStrings(given, input.secret) ? OK : INVALID;
};

/** HTTP Basic (RFC 7617); the partner secret is `user:password`. */
const basic: SignatureVerifier = (input) => {
  const value = headerValue(input, DEFAULT_SIGNATURE_HEADERS.basic);
  if (value === undefined) return MISSING;
  if (!input.secret || !input.secret.includes(':')) return INVALID;
  const match = /^Basic\s+([A-Za-z0-9+/]+={0,2})$/i.exec(value);
  if (!match) return INVALID;
  const credentials = Buffer.from(match[1], 'base64').toString('utf8');
  return safeEqualStrings(credentials, input.secret) ? OK : INVALID;
};

/**
 * Verifiers must never throw: a non-Buffer body or a missing field from a careless caller is
 * still a refused request (invalid_signature), not a 500.
 */
function neverThrows(verifier: SignatureVerifier): SignatureVerifier {
  return (input) => {
    try {
      return verifier(input);
    } catch {
      return INVALID;
    }
  };
}

export const STANDARD_SCHEMES: Readonly<Record<StandardScheme, SignatureVerifier>> = Object.freeze({
  'hmac-sha256-hex': neverThrows(hmacSha256Hex),
  'hmac-sha256-base64': neverThrows(hmacSha256Base64),
  'standard-webhooks': neverThrows(standardWebhooks),
  token: neverThrows(token),
  basic: neverThrows(basic),
});

export function isStandardScheme(scheme: string): scheme is StandardScheme {
  return Object.prototype.hasOwnProperty.call(STANDARD_SCHEMES, scheme);
}

/**
 * The verifier for a partner's scheme: a standard one, else one the partner's adapter brings.
 * `undefined` means the partner row is misconfigured; callers must refuse the request.
 */
export function resolveVerifier(scheme: string, adapter?: PartnerAdapter): SignatureVerifier | undefined {
  if (isStandardScheme(scheme)) return STANDARD_SCHEMES[scheme];
  const own = adapter?.signatureSchemes;
  return own && Object.prototype.hasOwnProperty.call(own, scheme) ? neverThrows(own[scheme]) : undefined;
}

/**
 * The headers a scheme reads, signature header first (lower-case): the partner's header, else the scheme's
 * default (an adapter's own scheme names its default in `signatureHeaders`); standard-webhooks also reads
 * the id and timestamp headers. For error details only: never a secret or a signature.
 */
export function signatureHeadersOf(scheme: string, header?: string | null, adapter?: PartnerAdapter): string[] {
  if (scheme === 'standard-webhooks') {
    const names = standardWebhooksHeaderNames(header ?? undefined);
    return [names.signature, names.id, names.timestamp];
  }
  const fallback = isStandardScheme(scheme) ? DEFAULT_SIGNATURE_HEADERS[scheme] : adapter?.signatureHeaders?.[scheme];
  const name = header || fallback;
  return name ? [name.toLowerCase()] : [];
}

/** Header names that look like a signature or credentials (a partner's header set to the wrong name). */
const LIKELY_SIGNATURE_HEADER = /signature|hmac|sig$|auth|token|webhook-/i;

/**
 * Why a request counts as unsigned, for `missing_signature`: the headers the scheme reads (`header`, the
 * signature header, plus `headers` when it reads several) and the likely signature headers that were sent
 * instead, named in the message so a misnamed header is found at once.
 */
export function describeMissingSignature(
  scheme: string,
  header: string | null | undefined,
  adapter: PartnerAdapter | undefined,
  sent: Readonly<Record<string, string>>,
): { message: string; details: Record<string, unknown> } {
  const expected = signatureHeadersOf(scheme, header, adapter);
  const absent = expected.filter((name) => !sent[name]?.trim());
  const others = Object.keys(sent).filter((name) => LIKELY_SIGNATURE_HEADER.test(name) && !expected.includes(name)).sort();
  const wanted = absent.length ? absent : expected;
  let message = wanted.length
    ? `The request carries no ${wanted.join(', ')} header${wanted.length > 1 ? 's' : ''} (the ${scheme} scheme reads ${expected.join(', ')}).`
    : 'The request carries no signature.';
  if (others.length) {
    message += ` It does carry ${others.join(', ')}: if that is the signature, set the partner's signature.header to it.`;
  }
  const details: Record<string, unknown> = { header: expected[0] ?? null, scheme };
  if (expected.length > 1) details.headers = expected;
  if (absent.length && absent.length < expected.length) details.missing = absent;
  if (others.length) details.sent = others;
  return { message, details };
}

/** Every scheme name usable with this adapter (for boot-time checks of partner rows). */
export function knownSchemes(adapter?: PartnerAdapter): string[] {
  return [...Object.keys(STANDARD_SCHEMES), ...Object.keys(adapter?.signatureSchemes ?? {})];
}
