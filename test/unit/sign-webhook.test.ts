import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { buildDelivery, generateWebhookSecret } from '../../src/modules/webhooks/sign-webhook';

/** What an integrator writes from the docs: HMAC the raw bytes with the secret, compare in constant time. */
function verifyTablesync(rawBody: string, signature: string, secret: string): boolean {
  const expected = Buffer.from(createHmac('sha256', secret).update(rawBody).digest('hex'));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

const input = () => ({
  messageId: 'msg_0000000001abcdefabcdef',
  event: 'booking.created',
  createdAt: new Date('2026-05-01T18:00:00.000Z'),
  data: { id: 'bk_1', party_size: 4, notes: 'window seat, café ☕' },
  secret: generateWebhookSecret(),
});

describe('generateWebhookSecret', () => {
  it('is whsec_ + base64 of 24 random bytes', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(24);
    expect(generateWebhookSecret()).not.toBe(secret);
  });
});

describe('buildDelivery', () => {
  it('sends the contract body shape, stringified once', () => {
    const { body, headers } = buildDelivery(input());
    expect(JSON.parse(body)).toEqual({
      id: 'msg_0000000001abcdefabcdef',
      event: 'booking.created',
      created_at: '2026-05-01T18:00:00.000Z',
      data: { id: 'bk_1', party_size: 4, notes: 'window seat, café ☕' },
    });
    expect(headers['Content-Type']).toBe('application/json');
    expect(headers['X-Tablesync-Event']).toBe('booking.created');
    expect(headers['X-Tablesync-Delivery']).toBe('msg_0000000001abcdefabcdef');
    expect(headers['webhook-id']).toBe('msg_0000000001abcdefabcdef');
  });

  it('stamps both timestamp headers with the signing time in unix seconds', () => {
    const { headers } = buildDelivery({ ...input(), now: new Date('2026-05-02T00:00:01.999Z') });
    const expected = String(Date.UTC(2026, 4, 2, 0, 0, 1));
    expect(headers['X-Tablesync-Timestamp']).toBe(expected.slice(0, -3));
    expect(headers['webhook-timestamp']).toBe(expected.slice(0, -3));
  });

  it('signs the exact body bytes with hex HMAC-SHA256 keyed by the full secret', () => {
    const args = input();
    const { body, headers } = buildDelivery(args);
    expect(headers['X-Tablesync-Signature']).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyTablesync(body, headers['X-Tablesync-Signature'], args.secret)).toBe(true);
    // Bytes as received over the wire (UTF-8) give the same answer.
    expect(verifyTablesync(Buffer.from(body, 'utf8').toString('utf8'), headers['X-Tablesync-Signature'], args.secret)).toBe(true);
  });

  it('is accepted by the standardwebhooks verifier', () => {
    const args = input();
    const { body, headers } = buildDelivery(args);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(args.secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('rejects a tampered body under both schemes', () => {
    const args = input();
    const { body, headers } = buildDelivery(args);
    const tampered = body.replace('"party_size":4', '"party_size":40');
    expect(tampered).not.toBe(body);
    expect(verifyTablesync(tampered, headers['X-Tablesync-Signature'], args.secret)).toBe(false);
    expect(() => new Webhook(args.secret).verify(tampered, headers)).toThrow();
  });

  it('rejects a signature made with another secret', () => {
    const args = input();
    const { body, headers } = buildDelivery(args);
    const other = generateWebhookSecret();
    expect(verifyTablesync(body, headers['X-Tablesync-Signature'], other)).toBe(false);
    expect(() => new Webhook(other).verify(body, headers)).toThrow();
  });

  it('refuses to sign without a well-formed secret (fail closed)', () => {
    for (const secret of ['', 'plain-secret', 'whsec_', 'whsec_not base64!']) {
      expect(() => buildDelivery({ ...input(), secret })).toThrow(/secret/i);
    }
  });
});
