import { createHmac, timingSafeEqual } from 'node:crypto';
import { toMinorUnits } from '../lightspeed';
import { InvalidPayloadError, isRecord, parseJsonBody, type PartnerAdapter, type SignatureSigner, type SignatureVerifier } from '../types';

/**
 * Revo XEF webhooks (`{tenant, event, data}`). See README.md.
 * Signature: `X-Revo-Hmac-SHA256` = HMAC-SHA256(webhook secret key, raw body) (api.revo.works, Xef
 * Webhooks). Revo does not say how the digest is encoded: base64 (as Shopify's header of the same
 * name) is what we send, hex is accepted too. The body is JSON, though receivers report Revo labels
 * it (and some accounts send it) as application/x-www-form-urlencoded: parse decides by the bytes.
 * Money is decimal strings ("1.15", or "1,15" on comma-decimal accounts): normalise adds exact
 * integer `<field>Minor` beside each amount.
 */

export const REVO_SIGNATURE_HEADER = 'x-revo-hmac-sha256';

const revoHmac = (secret: string, rawBody: Buffer | string) => createHmac('sha256', secret).update(rawBody).digest();

/** base64 (what we send) or hex of a 32-byte MAC; anything else, other lengths included, is null. */
function decodeMac(value: string): Buffer | null {
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/]{43}=$/.test(value)) return Buffer.from(value, 'base64');
  return null;
}

const verifyRevo: SignatureVerifier = ({ rawBody, headers, secret, header }) => {
  const value = headers[(header || REVO_SIGNATURE_HEADER).toLowerCase()]?.trim();
  if (!value) return { ok: false, code: 'missing_signature' };
  const given = decodeMac(value);
  if (!secret || !given) return { ok: false, code: 'invalid_signature' };
  const expected = revoHmac(secret, rawBody);
  return given.length === expected.length && timingSafeEqual(given, expected) ? { ok: true } : { ok: false, code: 'invalid_signature' };
};

const signRevo: SignatureSigner = ({ secret, rawBody, header }) => ({
  [(header || REVO_SIGNATURE_HEADER).toLowerCase()]: revoHmac(secret, rawBody).toString('base64'),
});

/** `tenant=…&event=…&data=<JSON>` → `{tenant, event, data}`, `data` parsed losslessly when it is JSON. */
function parseForm(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) out[key] = value;
  if (typeof out.data === 'string' && /^\s*[[{]/.test(out.data)) {
    out.data = parseJsonBody(Buffer.from(out.data, 'utf8'));
  }
  if (typeof out.event !== 'string') throw new InvalidPayloadError('Body is neither JSON nor a form with an "event" field');
  return out;
}

function parseRevo(rawBody: Buffer): unknown {
  const text = rawBody.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('{') || text.startsWith('[') || text === '') return parseJsonBody(rawBody);
  return parseForm(text);
}

/** Order, content, invoice and payment amounts (api.revo.works, Xef Webhooks, Order). */
const MONEY = new Set([
  'orderDiscountAmount', 'sum', 'discountAmount', 'subtotal', 'taxAmount', 'total', 'alreadyPaid', 'gratuity',
  'itemPrice', 'extrasAmount', 'priceWithExtrasIndividual', 'price', 'tipAmount', 'payAmount', 'totalCollected', 'change',
]);

/** "1.15" → 115; "1,15" (comma-decimal accounts) too; numbers by their shortest decimal form. */
function minorOf(value: unknown): number | undefined {
  const text = typeof value === 'string' ? value.trim().replace(/^([+-]?\d+),(\d+)$/, '$1.$2') : value;
  return toMinorUnits(text, 2);
}

/** Adds `<field>Minor` beside each amount, recursively (contents, modifiers, invoices, payments). */
function withMinor(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withMinor);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    out[key] = withMinor(field);
    if (MONEY.has(key)) {
      const minor = minorOf(field);
      if (minor !== undefined) out[`${key}Minor`] = minor;
    }
  }
  return out;
}

export const revo = {
  name: 'revo',
  signatureSchemes: { 'revo-hmac': verifyRevo },
  signatureSigners: { 'revo-hmac': signRevo },
  parse: parseRevo,
  // Revo XEF trades in euros (and other two-decimal currencies): cents.
  normalise: (body: unknown) => (isRecord(body) && isRecord(body.data) ? { ...body, data: withMinor(body.data) } : body),
} satisfies PartnerAdapter;
