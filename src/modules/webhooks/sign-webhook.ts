import { createHmac, randomBytes } from 'node:crypto';

/**
 * Signing for outbound webhooks (CONTRACT §7). Two schemes on the same bytes:
 * - `X-Tablesync-Signature`: hex HMAC-SHA256 of the raw body, keyed with the full secret string
 *   (`whsec_…` included), so a receiver needs nothing but the secret and the body.
 * - Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`), signed over
 *   `${id}.${timestamp}.${body}` with the base64-decoded part after `whsec_`, so off-the-shelf verifiers
 *   (the `standardwebhooks` / Svix libraries) work unchanged.
 * The body is stringified exactly once and that string is what gets sent; re-serialising would change bytes.
 */

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface BuildDeliveryInput {
  /** `msg_…`; stable across retries of one message, so receivers can dedupe on it. */
  messageId: string;
  event: string;
  /** When the event happened; part of the body, so it does not change between attempts. */
  createdAt: Date;
  data: Record<string, unknown>;
  /** `whsec_` + base64 key, as made by {@link generateWebhookSecret}. */
  secret: string;
  /** Signing time (the timestamp headers). @defaultValue `new Date()` */
  now?: Date;
}

export interface WebhookBody {
  id: string;
  event: string;
  created_at: string;
  data: Record<string, unknown>;
}

export interface SignedDelivery {
  /** The exact bytes to send; the signatures cover this string. */
  body: string;
  headers: Record<string, string>;
}

/** `whsec_` + base64 of 24 random bytes (Standard Webhooks recommends 24–64 bytes). */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString('base64');
}

/** Hex HMAC-SHA256 of the raw body, keyed with the whole secret string. */
export function tablesyncSignature(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

/** `v1,<base64>` per the Standard Webhooks spec. */
export function standardWebhookSignature(id: string, timestampSec: number, body: string, secret: string): string {
  const mac = createHmac('sha256', standardWebhookKey(secret)).update(`${id}.${timestampSec}.${body}`, 'utf8');
  return `v1,${mac.digest('base64')}`;
}

export function buildDelivery(input: BuildDeliveryInput): SignedDelivery {
  return signDelivery({ ...input, body: webhookBody(input) });
}

/** The body of a message's deliveries: the same bytes for every endpoint and every attempt. */
export function webhookBody(input: Pick<BuildDeliveryInput, 'messageId' | 'event' | 'createdAt' | 'data'>): string {
  const payload: WebhookBody = { id: input.messageId, event: input.event, created_at: input.createdAt.toISOString(), data: input.data };
  return JSON.stringify(payload);
}

/** Signs a body made by {@link webhookBody} for one endpoint (its secret) at one time. */
export function signDelivery(input: Omit<BuildDeliveryInput, 'createdAt' | 'data'> & { body: string }): SignedDelivery {
  const { messageId, event, secret, body } = input;
  // Fail closed: a bad secret is a configuration error, never an unsigned delivery.
  standardWebhookKey(secret);
  const timestamp = Math.floor((input.now ?? new Date()).getTime() / 1000);
  return {
    body,
    headers: {
      'Content-Type': 'application/json',
      'X-Tablesync-Signature': tablesyncSignature(body, secret),
      'X-Tablesync-Event': event,
      'X-Tablesync-Delivery': messageId,
      'X-Tablesync-Timestamp': String(timestamp),
      'webhook-id': messageId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': standardWebhookSignature(messageId, timestamp, body, secret),
    },
  };
}

function standardWebhookKey(secret: string): Buffer {
  if (typeof secret !== 'string' || !secret.startsWith(SECRET_PREFIX)) {
    throw new Error('Webhook secret must start with "whsec_".');
  }
  const encoded = secret.slice(SECRET_PREFIX.length);
  // Buffer.from(…, 'base64') silently skips junk, so check the alphabet first.
  if (!BASE64.test(encoded)) throw new Error('Webhook secret is not valid base64 after "whsec_".');
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) throw new Error('Webhook secret is empty.');
  return key;
}
