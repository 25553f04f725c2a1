import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clover } from '../../adapters/clover';
import { loyverse } from '../../adapters/loyverse';
import { revo } from '../../adapters/revo';
import { toast } from '../../adapters/toast';
import { zettle } from '../../adapters/zettle';
import type { PartnerAdapter, SignatureInput } from '../../adapters/types';
import { signFor } from '../helpers/sign';
import { resolveVerifier } from '../../src/modules/partners/edge/signature-schemes';
import { DEFAULT_MAPPINGS_DIR } from '../../src/modules/partners/mapping/fixture-runner';

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

describe('revo-hmac (Revo XEF X-Revo-Hmac-SHA256)', () => {
  const SECRET = 'revo-webhook-secret-key';
  const body = fixture('revo', 'order.closed--closed-with-items');
  const now = new Date();
  const verify = verifierOf('revo-hmac', revo);
  const sign = (b: Buffer = body, secret = SECRET) => signFor('revo-hmac', { secret, rawBody: b }, revo);

  it('signs base64(HMAC-SHA256(secret, raw body)) in X-Revo-Hmac-SHA256, computed independently; hex is accepted too', () => {
    const mac = createHmac('sha256', SECRET).update(body).digest();
    expect(sign()).toEqual({ 'x-revo-hmac-sha256': mac.toString('base64') });
    expect(verify({ rawBody: body, secret: SECRET, now, headers: { 'x-revo-hmac-sha256': mac.toString('base64') } })).toEqual({ ok: true });
    expect(verify({ rawBody: body, secret: SECRET, now, headers: { 'x-revo-hmac-sha256': mac.toString('hex') } })).toEqual({ ok: true });
  });

  it('refuses a missing signature, a wrong secret, a tampered body, a wrong length and no secret', () => {
    const good = sign()['x-revo-hmac-sha256']!;
    expect(verify({ rawBody: body, secret: SECRET, now, headers: {} })).toEqual({ ok: false, code: 'missing_signature' });
    expect(verify({ rawBody: body, secret: SECRET, now, headers: { 'x-revo-hmac-sha256': sign(body, 'other')['x-revo-hmac-sha256']! } }))
      .toEqual({ ok: false, code: 'invalid_signature' });
    const tampered = Buffer.from(body.toString('utf8').replace('"total" : "26.95"', '"total" : "2.95"'));
    expect(tampered.equals(body)).toBe(false);
    expect(verify({ rawBody: tampered, secret: SECRET, now, headers: { 'x-revo-hmac-sha256': good } })).toEqual({ ok: false, code: 'invalid_signature' });
    const hex = Buffer.from(good, 'base64').toString('hex');
    for (const wrong of [good.slice(0, 40), `${good}AA`, hex.slice(0, 62), `${hex}00`, 'not a mac']) {
      expect(verify({ rawBody: body, secret: SECRET, now, headers: { 'x-revo-hmac-sha256': wrong } })).toEqual({ ok: false, code: 'invalid_signature' });
    }
    expect(verify({ rawBody: body, secret: '', now, headers: { 'x-revo-hmac-sha256': good } })).toEqual({ ok: false, code: 'invalid_signature' });
  });

  it('parses the body by its bytes: JSON, or a form with `data` as a JSON string (what some accounts send)', () => {
    const json = revo.parse(body) as { tenant: string; event: string; data: { id: number } };
    expect(json).toMatchObject({ tenant: 'latasqueta', event: 'order.closed', data: { id: 298 } });
    const form = Buffer.from(new URLSearchParams({ tenant: 'latasqueta', event: 'order.closed', data: '{"id":298,"table_id":12,"total":"26.95","guests":4}' }).toString());
    expect(revo.parse(form)).toEqual({ tenant: 'latasqueta', event: 'order.closed', data: { id: 298, table_id: 12, total: '26.95', guests: 4 } });
    expect(() => revo.parse(Buffer.from('tenant=x'))).toThrow(/event/);
    expect(() => revo.parse(Buffer.from(''))).toThrow();
  });

  it('adds exact integer <field>Minor beside each decimal string, comma decimals included', () => {
    const out = revo.normalise({ event: 'order.closed', data: { total: '26.95', taxAmount: '0,10', orderContents: [{ itemPrice: '8.50', total: '-4.40' }], guests: 4 } }) as {
      data: Record<string, unknown> & { orderContents: Record<string, unknown>[] };
    };
    expect(out.data).toMatchObject({ total: '26.95', totalMinor: 2695, taxAmountMinor: 10, guests: 4 });
    expect(out.data).not.toHaveProperty('guestsMinor');
    expect(out.data.orderContents[0]).toMatchObject({ itemPriceMinor: 850, totalMinor: -440 });
  });
});

describe('loyverse-hmac (Loyverse X-Loyverse-Signature)', () => {
  const SECRET = 'loyverse-oauth-client-secret';
  const body = fixture('loyverse', 'receipts.update--closed-with-items');
  const now = new Date();
  const verify = verifierOf('loyverse-hmac', loyverse);
  const sign = (b: Buffer = body, secret = SECRET) => signFor('loyverse-hmac', { secret, rawBody: b }, loyverse);

  it('signs base64(HMAC-SHA1(client secret, raw body)), computed independently; hex is accepted too', () => {
    const mac = createHmac('sha1', SECRET).update(body).digest();
    expect(sign()).toEqual({ 'x-loyverse-signature': mac.toString('base64') });
    expect(verify({ rawBody: body, secret: SECRET, now, headers: { 'x-loyverse-signature': mac.toString('base64') } })).toEqual({ ok: true });
    expect(verify({ rawBody: body, secret: SECRET, now, headers: { 'x-loyverse-signature': mac.toString('hex') } })).toEqual({ ok: true });
  });

  it('refuses a missing signature, a wrong secret, a tampered body, a wrong length (a SHA-256 MAC too) and no secret', () => {
    const good = sign()['x-loyverse-signature']!;
    expect(verify({ rawBody: body, secret: SECRET, now, headers: {} })).toEqual({ ok: false, code: 'missing_signature' });
    expect(verify({ rawBody: body, secret: SECRET, now, headers: { 'x-loyverse-signature': sign(body, 'other')['x-loyverse-signature']! } }))
      .toEqual({ ok: false, code: 'invalid_signature' });
    const tampered = Buffer.from(body.toString('utf8').replace('"total_money": 37.75', '"total_money": 3.75'));
    expect(tampered.equals(body)).toBe(false);
    expect(verify({ rawBody: tampered, secret: SECRET, now, headers: { 'x-loyverse-signature': good } })).toEqual({ ok: false, code: 'invalid_signature' });
    const sha256 = createHmac('sha256', SECRET).update(body).digest();
    for (const wrong of [good.slice(0, 20), `${good}AA`, sha256.toString('base64'), sha256.toString('hex'), 'zz'.repeat(20)]) {
      expect(verify({ rawBody: body, secret: SECRET, now, headers: { 'x-loyverse-signature': wrong } })).toEqual({ ok: false, code: 'invalid_signature' });
    }
    expect(verify({ rawBody: body, secret: '', now, headers: { 'x-loyverse-signature': good } })).toEqual({ ok: false, code: 'invalid_signature' });
  });

  it('adds exact integer <field>Minor beside decimal amounts (no float rounding)', () => {
    const out = loyverse.normalise({ receipts: [{ total_money: 1.005, tip: 0.1, line_items: [{ price: 4.35, quantity: 3 }] }] }) as {
      receipts: (Record<string, unknown> & { line_items: Record<string, unknown>[] })[];
    };
    // 4.35 * 100 is 434.99999999999994 in floating point; the decimal shift gives 435.
    expect(out.receipts[0]).toMatchObject({ total_moneyMinor: 101, tipMinor: 10 });
    expect(out.receipts[0]!.line_items[0]).toMatchObject({ priceMinor: 435, quantity: 3 });
    expect(out.receipts[0]!.line_items[0]).not.toHaveProperty('quantityMinor');
  });
});
