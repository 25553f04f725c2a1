import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseJsonBody, type PartnerAdapter, type SignatureSigner, type SignatureVerifier } from '../types';

/** https://developer.squareup.com/docs/webhooks/step3validate */
export const SQUARE_SIGNATURE_HEADER = 'x-square-hmacsha256-signature';

/** Square signs notification URL + raw body with the subscription's signature key, base64. */
function squareHmac(key: string, url: string, rawBody: Buffer | string): Buffer {
  return createHmac('sha256', key).update(url, 'utf8').update(rawBody).digest();
}

const verifySquare: SignatureVerifier = ({ rawBody, headers, url, secret, header }) => {
  const value = headers[(header || SQUARE_SIGNATURE_HEADER).toLowerCase()]?.trim();
  if (!value) return { ok: false, code: 'missing_signature' };
  // No secret or no URL: nothing the POS could have signed; fail closed.
  if (!secret || !url || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return { ok: false, code: 'invalid_signature' };
  const given = Buffer.from(value, 'base64');
  const expected = squareHmac(secret, url, rawBody);
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? { ok: true }
    : { ok: false, code: 'invalid_signature' };
};

const signSquare: SignatureSigner = ({ secret, url, rawBody, header }) => {
  if (!url) throw new Error('square-hmac signs the notification URL: pass url');
  return { [(header || SQUARE_SIGNATURE_HEADER).toLowerCase()]: squareHmac(secret, url, rawBody).toString('base64') };
};

/**
 * Square webhooks (`order.updated`, `payment.updated`, …). Bodies are plain JSON; money is already
 * `{amount, currency}` in minor units, so there is nothing to normalise. See README.md.
 */
export const square = {
  name: 'square',
  signatureSchemes: { 'square-hmac': verifySquare },
  signatureHeaders: { 'square-hmac': SQUARE_SIGNATURE_HEADER.toLowerCase() },
  signatureSigners: { 'square-hmac': signSquare },
  parse: (rawBody: Buffer) => parseJsonBody(rawBody),
} satisfies PartnerAdapter;
