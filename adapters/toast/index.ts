import { createHmac, timingSafeEqual } from 'node:crypto';
import { exponentOf, toMinorUnits } from '../lightspeed';
import { isRecord, parseJsonBody, type PartnerAdapter, type SignatureSigner, type SignatureVerifier } from '../types';

/**
 * Toast webhooks (orders webhook, `order_updated`). See README.md.
 * Signature: `Toast-Signature` = base64(HMAC-SHA256(secret, raw body + the message's `timestamp`)),
 * https://doc.toasttab.com/doc/devguide/apiMessageSigning.html. Amounts are decimal dollars
 * (`totalAmount: 21.6`); normalise adds integer `<field>Minor` beside each so mappings stay exact.
 */

export const TOAST_SIGNATURE_HEADER = 'toast-signature';
/**
 * Toast resends a failed message after 5 and then 10 more minutes with the same body (and so the same
 * `timestamp`), so the window must cover about 15 minutes plus delivery; older messages are replays.
 */
export const TOAST_TOLERANCE_MS = 60 * 60 * 1000;
/** A sender's clock slightly ahead of ours. */
export const TOAST_FUTURE_SKEW_MS = 5 * 60 * 1000;

/** The top-level `timestamp` string of the message, read from the raw bytes' JSON; null when absent. */
function messageTimestamp(rawBody: Buffer | string): string | null {
  try {
    const body = parseJsonBody(Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody, 'utf8'));
    return isRecord(body) && typeof body.timestamp === 'string' ? body.timestamp : null;
  } catch {
    return null;
  }
}

function toastHmac(secret: string, rawBody: Buffer | string, timestamp: string): Buffer {
  return createHmac('sha256', secret).update(rawBody).update(timestamp, 'utf8').digest();
}

/** base64 (Toast's) or hex of a 32-byte MAC; anything else, including other lengths, is null. */
function decodeMac(value: string): Buffer | null {
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/]{43}=$/.test(value)) return Buffer.from(value, 'base64');
  if (/^[A-Za-z0-9_-]{43}$/.test(value)) return Buffer.from(value, 'base64url');
  return null;
}

const verifyToast: SignatureVerifier = ({ rawBody, headers, secret, header, now }) => {
  const value = headers[(header || TOAST_SIGNATURE_HEADER).toLowerCase()]?.trim();
  if (!value) return { ok: false, code: 'missing_signature' };
  if (!secret) return { ok: false, code: 'invalid_signature' };
  const given = decodeMac(value);
  const timestamp = messageTimestamp(rawBody);
  if (!given || timestamp === null) return { ok: false, code: 'invalid_signature' };
  const at = Date.parse(timestamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  const age = now.getTime() - at;
  if (!Number.isFinite(at) || age > TOAST_TOLERANCE_MS || age < -TOAST_FUTURE_SKEW_MS) {
    return { ok: false, code: 'invalid_signature' };
  }
  const expected = toastHmac(secret, rawBody, timestamp);
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? { ok: true }
    : { ok: false, code: 'invalid_signature' };
};

const signToast: SignatureSigner = ({ secret, rawBody, header }) => {
  const timestamp = messageTimestamp(rawBody);
  if (timestamp === null) throw new Error('toast-hmac signs the message timestamp: the body has no "timestamp"');
  return { [(header || TOAST_SIGNATURE_HEADER).toLowerCase()]: toastHmac(secret, rawBody, timestamp).toString('base64') };
};

const ORDER_MONEY = ['amount', 'totalAmount', 'taxAmount', 'tipAmount', 'refundAmount', 'tipRefundAmount'];
const SELECTION_MONEY = ['price', 'preDiscountPrice', 'receiptLinePrice', 'tax'];

/** Adds `<field>Minor` beside each decimal amount, recursively (checks, selections, payments, refunds). */
function withMinor(value: unknown, exponent: number): unknown {
  if (Array.isArray(value)) return value.map((v) => withMinor(v, exponent));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  const money = value.entityType === 'MenuItemSelection' ? SELECTION_MONEY : ORDER_MONEY;
  for (const [key, field] of Object.entries(value)) {
    out[key] = withMinor(field, exponent);
    if (money.includes(key)) {
      const minor = toMinorUnits(field, exponent);
      if (minor !== undefined) out[`${key}Minor`] = minor;
    }
  }
  return out;
}

export const toast = {
  name: 'toast',
  signatureSchemes: { 'toast-hmac': verifyToast },
  signatureSigners: { 'toast-hmac': signToast },
  parse: (rawBody: Buffer) => parseJsonBody(rawBody),
  // Toast orders carry no currency (the restaurant's): cents for USD, GBP, EUR and CAD alike.
  normalise: (body: unknown) =>
    isRecord(body) && isRecord(body.details) ? { ...body, details: withMinor(body.details, exponentOf('USD')) } : body,
} satisfies PartnerAdapter;
