import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clover } from '../../adapters/clover';
import { toast } from '../../adapters/toast';
import { zettle } from '../../adapters/zettle';
import type { PartnerAdapter, SignatureInput } from '../../adapters/types';
import { signFor } from '../../src/ingest/sign-request';
import { resolveVerifier } from '../../src/ingest/signature-schemes';
import { DEFAULT_MAPPINGS_DIR } from '../../src/mapping/fixture-runner';

/** The catalog vendors' own signature schemes (adapters/<vendor>): each vendor's documented algorithm. */

const fixture = (vendor: string, name: string) => readFileSync(join(DEFAULT_MAPPINGS_DIR, vendor, 'fixtures', `${name}.json`));

function verifierOf(scheme: string, adapter: PartnerAdapter) {
  const verifier = resolveVerifier(scheme, adapter);
  if (!verifier) throw new Error(`no verifier for ${scheme}`);
  return (input: Partial<SignatureInput> & { rawBody: Buffer; secret: string; now: Date; headers: Record<string, string> }) =>
    verifier({ url: 'https://hub.example/partners/x/events/y', ...input });
}

describe('toast-hmac (Toast message signing)', () => {
  const SECRET = 'toast-subscription-secret';
  const body = fixture('toast', 'order_updated--closed-with-items');
  const timestamp = (JSON.parse(body.toString('utf8')) as { timestamp: string }).timestamp;
  const now = new Date(new Date(timestamp.replace('+0000', 'Z')).getTime() + 60_000);
  const verify = verifierOf('toast-hmac', toast);
  const sign = (b: Buffer = body, secret = SECRET) => signFor('toast-hmac', { secret, rawBody: b }, toast);

  it('signs base64(HMAC-SHA256(secret, body + timestamp)) in Toast-Signature, computed independently', () => {
    const expected = createHmac('sha256', SECRET).update(Buffer.concat([body, Buffer.from(timestamp)])).digest('base64');
    expect(sign()).toEqual({ 'toast-signature': expected });
    expect(verify({ rawBody: body, secret: SECRET, now, headers: { 'toast-signature': expected } })).toEqual({ ok: true });
    // Hex of the same MAC is accepted too.
    const hex = Buffer.from(expected, 'base64').toString('hex');
    expect(verify({ rawBody: body, secret: SECRET, now, headers: { 'toast-signature': hex } })).toEqual({ ok: true });
  });

  it('refuses a missing signature, a wrong secret, a tampered body, a wrong length and no secret', () => {
    const good = sign()['toast-signature']!;
    expect(verify({ rawBody: body, secret: SECRET, now, headers: {} })).toEqual({ ok: false, code: 'missing_signature' });
    expect(verify({ rawBody: body, secret: SECRET, now, headers: { 'toast-signature': sign(body, 'other')['toast-signature']! } }))
      .toEqual({ ok: false, code: 'invalid_signature' });
    const tampered = Buffer.from(body.toString('utf8').replace('"Burger"', '"Burgers"'));
    expect(verify({ rawBody: tampered, secret: SECRET, now, headers: { 'toast-signature': good } })).toEqual({ ok: false, code: 'invalid_signature' });
    for (const wrong of [good.slice(0, 40), `${good}AA`, 'abc', Buffer.alloc(31).toString('hex')]) {
      expect(verify({ rawBody: body, secret: SECRET, now, headers: { 'toast-signature': wrong } })).toEqual({ ok: false, code: 'invalid_signature' });
    }
    expect(verify({ rawBody: body, secret: '', now, headers: { 'toast-signature': good } })).toEqual({ ok: false, code: 'invalid_signature' });
  });

  it('signs the timestamp: changing it breaks the signature, and a stale or future one is refused', () => {
    const good = sign()['toast-signature']!;
    const moved = Buffer.from(body.toString('utf8').replace(timestamp, timestamp.replace('20:05', '20:06')));
    expect(verify({ rawBody: moved, secret: SECRET, now, headers: { 'toast-signature': good } })).toEqual({ ok: false, code: 'invalid_signature' });
    const later = (ms: number) => new Date(now.getTime() + ms);
    // Toast's retries (5 and 10 minutes later) still verify; a replay hours later does not.
    expect(verify({ rawBody: body, secret: SECRET, now: later(15 * 60_000), headers: { 'toast-signature': good } })).toEqual({ ok: true });
    expect(verify({ rawBody: body, secret: SECRET, now: later(2 * 3600_000), headers: { 'toast-signature': good } })).toEqual({ ok: false, code: 'invalid_signature' });
    expect(verify({ rawBody: body, secret: SECRET, now: later(-10 * 60_000), headers: { 'toast-signature': good } })).toEqual({ ok: false, code: 'invalid_signature' });
    const noTimestamp = Buffer.from('{"eventType":"order_updated"}');
    expect(verify({ rawBody: noTimestamp, secret: SECRET, now, headers: { 'toast-signature': good } })).toEqual({ ok: false, code: 'invalid_signature' });
  });
});

describe('zettle-hmac (Zettle Pusher API)', () => {
  const KEY = 'zLzClQLQN8yfH8aEjONeXzgJRAHR0zpD7RonFCpizujCUCectBlln0vFArTbLPYa';
  const body = fixture('zettle', 'PurchaseCreated--closed-with-items');
  const message = JSON.parse(body.toString('utf8')) as { timestamp: string; payload: string };
  const now = new Date();
  const verify = verifierOf('zettle-hmac', zettle);
  const sign = (b: Buffer = body, secret = KEY) => signFor('zettle-hmac', { secret, rawBody: b }, zettle);

  it('signs hex(HMAC-SHA256(signingKey, "<timestamp>.<payload>")) in X-iZettle-Signature, computed independently', () => {
    const expected = createHmac('sha256', KEY).update(`${message.timestamp}.${message.payload}`).digest('hex');
    expect(sign()).toEqual({ 'x-izettle-signature': expected });
    expect(verify({ rawBody: body, secret: KEY, now, headers: { 'x-izettle-signature': expected } })).toEqual({ ok: true });
  });

  it('refuses a missing signature, a wrong key, a tampered payload, a wrong length and no secret', () => {
    const good = sign()['x-izettle-signature']!;
    expect(verify({ rawBody: body, secret: KEY, now, headers: {} })).toEqual({ ok: false, code: 'missing_signature' });
    expect(verify({ rawBody: body, secret: KEY, now, headers: { 'x-izettle-signature': sign(body, 'other')['x-izettle-signature']! } }))
      .toEqual({ ok: false, code: 'invalid_signature' });
    const tampered = Buffer.from(body.toString('utf8').replace('\\"amount\\":4250', '\\"amount\\":425'));
    expect(tampered.equals(body)).toBe(false);
    expect(verify({ rawBody: tampered, secret: KEY, now, headers: { 'x-izettle-signature': good } })).toEqual({ ok: false, code: 'invalid_signature' });
    const moved = Buffer.from(body.toString('utf8').replace(message.timestamp, '2026-05-01T20:05:13.312Z'));
    expect(verify({ rawBody: moved, secret: KEY, now, headers: { 'x-izettle-signature': good } })).toEqual({ ok: false, code: 'invalid_signature' });
    for (const wrong of [good.slice(0, 62), `${good}00`, 'zz'.repeat(32)]) {
      expect(verify({ rawBody: body, secret: KEY, now, headers: { 'x-izettle-signature': wrong } })).toEqual({ ok: false, code: 'invalid_signature' });
    }
    expect(verify({ rawBody: body, secret: '', now, headers: { 'x-izettle-signature': good } })).toEqual({ ok: false, code: 'invalid_signature' });
  });
});

describe('clover-auth (X-Clover-Auth)', () => {
  const CODE = '0307e264-b33a-4913-88aa-37b10014a0b8';
  const body = fixture('clover', 'webhook--update-notification-ignored');
  const verification = fixture('clover', 'webhook--verification-code-ignored');
  const now = new Date();
  const verify = verifierOf('clover-auth', clover);

  it('accepts the auth code, refuses a missing or wrong one, and lets only the bare verification POST through unsigned', () => {
    expect(signFor('clover-auth', { secret: CODE, rawBody: body }, clover)).toEqual({ 'x-clover-auth': CODE });
    expect(verify({ rawBody: body, secret: CODE, now, headers: { 'x-clover-auth': CODE } })).toEqual({ ok: true });
    expect(verify({ rawBody: body, secret: CODE, now, headers: {} })).toEqual({ ok: false, code: 'missing_signature' });
    expect(verify({ rawBody: body, secret: CODE, now, headers: { 'x-clover-auth': `${CODE}x` } })).toEqual({ ok: false, code: 'invalid_signature' });
    expect(verify({ rawBody: body, secret: '', now, headers: { 'x-clover-auth': CODE } })).toEqual({ ok: false, code: 'invalid_signature' });
    expect(verify({ rawBody: verification, secret: CODE, now, headers: {} })).toEqual({ ok: true });
    const smuggled = Buffer.from('{"verificationCode":"ce7643c1-83ea-4218-abe6-da876c9c7a0a","merchants":{}}');
    expect(verify({ rawBody: smuggled, secret: CODE, now, headers: {} })).toEqual({ ok: false, code: 'missing_signature' });
  });
});
