import { createHmac, timingSafeEqual } from 'node:crypto';
import { toMinorUnits } from '../lightspeed';
import { isRecord, parseJsonBody, type PartnerAdapter, type SignatureSigner, type SignatureVerifier } from '../types';

/**
 * Loyverse webhooks (`receipts.update`: `{merchant_id, type, created_at, receipts: [...]}`, full
 * receipts). See README.md. Signature (webhooks made by an OAuth 2.0 app only): `X-Loyverse-Signature`
 * = base64(HMAC-SHA1(the app's client secret, raw body)); hex of the same MAC is accepted too.
 * Money is decimal major units as JSON numbers (`total_money: 23.5`): normalise adds exact integer
 * `<field>Minor` beside each amount.
 */

export const LOYVERSE_SIGNATURE_HEADER = 'x-loyverse-signature';

const loyverseHmac = (secret: string, rawBody: Buffer | string) => createHmac('sha1', secret).update(rawBody).digest();

/** base64 or hex of a 20-byte SHA-1 MAC; anything else, other lengths included, is null. */
function decodeMac(value: string): Buffer | null {
  if (/^[0-9a-f]{40}$/i.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/]{27}=$/.test(value)) return Buffer.from(value, 'base64');
  return null;
}

const verifyLoyverse: SignatureVerifier = ({ rawBody, headers, secret, header }) => {
  const value = headers[(header || LOYVERSE_SIGNATURE_HEADER).toLowerCase()]?.trim();
  if (!value) return { ok: false, code: 'missing_signature' };
  const given = decodeMac(value);
  if (!secret || !given) return { ok: false, code: 'invalid_signature' };
  const expected = loyverseHmac(secret, rawBody);
  return given.length === expected.length && timingSafeEqual(given, expected) ? { ok: true } : { ok: false, code: 'invalid_signature' };
};

const signLoyverse: SignatureSigner = ({ secret, rawBody, header }) => ({
  [(header || LOYVERSE_SIGNATURE_HEADER).toLowerCase()]: loyverseHmac(secret, rawBody).toString('base64'),
});

/** Receipt, line item, modifier, tax, discount and payment amounts (Loyverse API v1.0 Receipt). */
const MONEY = new Set([
  'total_money', 'total_tax', 'total_discount', 'tip', 'surcharge', 'price', 'gross_total_money', 'cost', 'cost_total',
  'money_amount', 'money_amount_with_tax',
]);

/** Adds `<field>Minor` beside each amount, recursively. */
function withMinor(value: unknown, exponent: number): unknown {
  if (Array.isArray(value)) return value.map((v) => withMinor(v, exponent));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    out[key] = withMinor(field, exponent);
    if (MONEY.has(key)) {
      const minor = toMinorUnits(field, exponent);
      if (minor !== undefined) out[`${key}Minor`] = minor;
    }
  }
  return out;
}

export const loyverse = {
  name: 'loyverse',
  signatureSchemes: { 'loyverse-hmac': verifyLoyverse },
  signatureSigners: { 'loyverse-hmac': signLoyverse },
  parse: (rawBody: Buffer) => parseJsonBody(rawBody),
  // Receipts carry no currency (the merchant's): two decimals, as for most of Loyverse's currencies.
  normalise: (body: unknown) =>
    isRecord(body) && Array.isArray(body.receipts) ? { ...body, receipts: withMinor(body.receipts, 2) } : body,
} satisfies PartnerAdapter;
