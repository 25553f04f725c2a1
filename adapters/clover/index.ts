import { createHash, timingSafeEqual } from 'node:crypto';
import { isRecord, parseJsonBody, type PartnerAdapter, type SignatureSigner, type SignatureVerifier } from '../types';

/**
 * Clover webhooks (https://docs.clover.com/docs/webhooks). See README.md. Notifications only: each
 * carries object ids (`O:<orderId>`), never an order. Every message has `X-Clover-Auth: <auth code>`,
 * except the one-off verification POST `{"verificationCode": "<uuid>"}`, sent before the app has an auth
 * code; that exact body is accepted unsigned (it is stored and ignored; it carries nothing else).
 */

export const CLOVER_AUTH_HEADER = 'x-clover-auth';

function isVerificationRequest(rawBody: Buffer): boolean {
  try {
    const body = parseJsonBody(rawBody);
    return isRecord(body) && Object.keys(body).length === 1 && typeof body.verificationCode === 'string' &&
      /^[0-9a-f-]{36}$/i.test(body.verificationCode);
  } catch {
    return false;
  }
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

const verifyClover: SignatureVerifier = ({ rawBody, headers, secret, header }) => {
  const value = headers[(header || CLOVER_AUTH_HEADER).toLowerCase()]?.trim();
  if (!value) return isVerificationRequest(rawBody) ? { ok: true } : { ok: false, code: 'missing_signature' };
  if (!secret) return { ok: false, code: 'invalid_signature' };
  return timingSafeEqual(digest(value), digest(secret)) ? { ok: true } : { ok: false, code: 'invalid_signature' };
};

const signClover: SignatureSigner = ({ secret, header }) => ({ [(header || CLOVER_AUTH_HEADER).toLowerCase()]: secret });

export const clover = {
  name: 'clover',
  signatureSchemes: { 'clover-auth': verifyClover },
  signatureSigners: { 'clover-auth': signClover },
  parse: (rawBody: Buffer) => parseJsonBody(rawBody),
} satisfies PartnerAdapter;
