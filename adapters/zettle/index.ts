import { createHmac, timingSafeEqual } from 'node:crypto';
import { isRecord, parseJsonBody, type PartnerAdapter, type SignatureSigner, type SignatureVerifier } from '../types';

/**
 * Zettle (PayPal) Pusher API webhooks. See README.md. The event's `payload` is a JSON document inside a
 * JSON string; normalise parses it (losslessly) so mappings see an object. Money is already in minor units.
 * Signature: `X-iZettle-Signature` = hex(HMAC-SHA256(signingKey, `<timestamp>.<payload>`)) with the
 * message's own `timestamp` and `payload` fields (pusher-api/user-guides/create-subscriptions.md).
 */

export const ZETTLE_SIGNATURE_HEADER = 'x-izettle-signature';

/** `<timestamp>.<payload>` from the message; a non-string payload (the TestMessage's) as compact JSON. */
function signedContent(rawBody: Buffer | string): string | null {
  try {
    const body = parseJsonBody(Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody, 'utf8'));
    if (!isRecord(body)) return null;
    const timestamp = typeof body.timestamp === 'string' ? body.timestamp : '';
    const payload = typeof body.payload === 'string' ? body.payload : JSON.stringify(body.payload ?? null);
    return `${timestamp}.${payload}`;
  } catch {
    return null;
  }
}

const zettleHmac = (key: string, content: string) => createHmac('sha256', key).update(content, 'utf8').digest();

const verifyZettle: SignatureVerifier = ({ rawBody, headers, secret, header }) => {
  const value = headers[(header || ZETTLE_SIGNATURE_HEADER).toLowerCase()]?.trim();
  if (!value) return { ok: false, code: 'missing_signature' };
  const content = signedContent(rawBody);
  if (!secret || content === null || !/^[0-9a-f]{64}$/i.test(value)) return { ok: false, code: 'invalid_signature' };
  const given = Buffer.from(value, 'hex');
  const expected = zettleHmac(secret, content);
  return given.length === expected.length && timingSafeEqual(given, expected) ? { ok: true } : { ok: false, code: 'invalid_signature' };
};

const signZettle: SignatureSigner = ({ secret, rawBody, header }) => {
  const content = signedContent(rawBody);
  if (content === null) throw new Error('zettle-hmac signs the message fields: the body is not a JSON object');
  return { [(header || ZETTLE_SIGNATURE_HEADER).toLowerCase()]: zettleHmac(secret, content).toString('hex') };
};

export const zettle = {
  name: 'zettle',
  signatureSchemes: { 'zettle-hmac': verifyZettle },
  signatureSigners: { 'zettle-hmac': signZettle },
  parse: (rawBody: Buffer) => parseJsonBody(rawBody),
  // The JSON string inside the JSON, parsed losslessly; a payload that is not JSON stays a string.
  normalise: (body: unknown) => {
    if (!isRecord(body) || typeof body.payload !== 'string') return body;
    try {
      return { ...body, payload: parseJsonBody(Buffer.from(body.payload, 'utf8')) };
    } catch {
      return body;
    }
  },
} satisfies PartnerAdapter;
