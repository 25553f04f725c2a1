import { Webhook } from 'standardwebhooks';
import { square } from '../../adapters/square';
import type { SignatureInput } from '../../adapters/types';
import { signFor } from '../helpers/sign';
import {
  DEFAULT_SIGNATURE_HEADERS,
  resolveVerifier,
  STANDARD_SCHEMES,
  type StandardScheme,
} from '../../src/modules/partners/edge/signature-schemes';

const NOW = new Date('2026-05-01T20:00:00.000Z');
const BODY = Buffer.from('{"sale":{"id":"D-1001","total":8400},"location_id":9765040300495493}');
const URL = 'https://hub.tablesync.example/partners/acme/events/sale.updated';

const SECRETS: Record<StandardScheme, string> = {
  'hmac-sha256-hex': 'shh-hex-secret',
  'hmac-sha256-base64': 'shh-base64-secret',
  'standard-webhooks': 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  token: 'clover-verification-code-123',
  basic: 'lightspeed:correct horse battery staple',
};

function verify(scheme: string, overrides: Partial<SignatureInput> & { headers: Record<string, string> }) {
  const verifier = resolveVerifier(scheme, square);
  if (!verifier) throw new Error(`no verifier for ${scheme}`);
  return verifier({ rawBody: BODY, url: URL, secret: SECRETS[scheme as StandardScheme] ?? '', now: NOW, ...overrides });
}

function signed(scheme: StandardScheme, extra: { secret?: string; header?: string; body?: Buffer } = {}) {
  return signFor(scheme, {
    secret: extra.secret ?? SECRETS[scheme],
    rawBody: extra.body ?? BODY,
    url: URL,
    header: extra.header,
    now: NOW,
    id: 'msg_2w8hQk3XcV1',
  });
}

const ALL = Object.keys(STANDARD_SCHEMES) as StandardScheme[];

describe.each(ALL)('signature scheme %s', (scheme) => {
  it('accepts a request signed with the partner secret', () => {
    expect(verify(scheme, { headers: signed(scheme) })).toEqual({ ok: true });
  });

  it('rejects a request without the signature header as missing_signature', () => {
    expect(verify(scheme, { headers: {} })).toEqual({ ok: false, code: 'missing_signature' });
  });

  it('rejects a signature made with another secret', () => {
    const secret = scheme === 'standard-webhooks' ? 'whsec_dGhpcyBpcyBhbm90aGVyIGtleSBlbnRpcmVseQ==' : 'someone:else';
    expect(verify(scheme, { headers: signed(scheme, { secret }) })).toEqual({ ok: false, code: 'invalid_signature' });
  });

  it('fails closed when the partner has no secret', () => {
    expect(verify(scheme, { headers: signed(scheme), secret: '' })).toEqual({ ok: false, code: 'invalid_signature' });
  });

  it('rejects garbage and wrong-length values without throwing', () => {
    const name = scheme === 'standard-webhooks' ? 'webhook-signature' : DEFAULT_SIGNATURE_HEADERS[scheme];
    for (const value of ['x', 'abc', 'v1,', 'Basic', 'Bearer', 'sha256=', '%%%%', 'v1,AAAA', 'ffff', 'Basic Zm9v', '\u0000']) {
      const headers = { ...signed(scheme), [name]: value };
      expect(verify(scheme, { headers })).toEqual({ ok: false, code: 'invalid_signature' });
    }
  });

  it('accepts a custom header name configured on the partner', () => {
    const header = scheme === 'standard-webhooks' ? 'svix-signature' : 'x-pos-auth';
    expect(verify(scheme, { headers: signed(scheme, { header }), header })).toEqual({ ok: true });
    expect(verify(scheme, { headers: signed(scheme), header })).toEqual({ ok: false, code: 'missing_signature' });
  });
});

describe.each(['hmac-sha256-hex', 'hmac-sha256-base64', 'standard-webhooks'] as const)('%s over the raw bytes', (scheme) => {
  it('rejects a tampered body', () => {
    const headers = signed(scheme);
    const tampered = Buffer.from(BODY.toString().replace('8400', '8401'));
    expect(verify(scheme, { headers, rawBody: tampered })).toEqual({ ok: false, code: 'invalid_signature' });
  });

  it('rejects a re-serialised body (whitespace matters)', () => {
    const headers = signed(scheme);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(BODY.toString()), null, 1));
    expect(verify(scheme, { headers, rawBody: reserialised })).toEqual({ ok: false, code: 'invalid_signature' });
  });
});

describe('hmac-sha256-hex', () => {
  it('accepts the GitHub-style sha256= prefix and upper-case hex', () => {
    const hex = signed('hmac-sha256-hex')['x-signature'];
    expect(verify('hmac-sha256-hex', { headers: { 'x-signature': `sha256=${hex}` } })).toEqual({ ok: true });
    expect(verify('hmac-sha256-hex', { headers: { 'x-signature': hex.toUpperCase() } })).toEqual({ ok: true });
  });

  it('rejects a signature one hex digit short or long', () => {
    const hex = signed('hmac-sha256-hex')['x-signature'];
    for (const value of [hex.slice(1), `${hex}0`, `sha1=${hex}`]) {
      expect(verify('hmac-sha256-hex', { headers: { 'x-signature': value } })).toEqual({ ok: false, code: 'invalid_signature' });
    }
  });
});

describe('hmac-sha256-base64', () => {
  it('rejects a truncated digest', () => {
    const b64 = signed('hmac-sha256-base64')['x-signature'];
    expect(verify('hmac-sha256-base64', { headers: { 'x-signature': b64.slice(0, 20) } })).toEqual({
      ok: false,
      code: 'invalid_signature',
    });
  });
});

describe('standard-webhooks', () => {
  const headers = () => signed('standard-webhooks');
  const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

  it('reproduces the Standard Webhooks published test vector', () => {
    // standard-webhooks/standard-webhooks libraries/javascript/src/webhook.test.ts, "sign function works"
    const vector = {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    const input = {
      rawBody: Buffer.from('{"test": 2432232314}'),
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      now: new Date(1614265330 * 1000),
    };
    expect(verify('standard-webhooks', { headers: vector, ...input })).toEqual({ ok: true });
    expect(
      signFor('standard-webhooks', { ...input, id: vector['webhook-id'] })['webhook-signature'],
    ).toBe(vector['webhook-signature']);
  });

  it('interoperates with the reference library both ways', () => {
    const wh = new Webhook(SECRETS['standard-webhooks']);
    const now = new Date();
    const ours = signFor('standard-webhooks', { secret: SECRETS['standard-webhooks'], rawBody: BODY, now });
    expect(() => wh.verify(BODY.toString(), ours)).not.toThrow();
    const theirs = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': wh.sign('msg_1', now, BODY.toString()),
    };
    expect(verify('standard-webhooks', { headers: theirs, now })).toEqual({ ok: true });
  });

  it('accepts a bare secret as raw bytes and as the base64 key the reference library uses', () => {
    const bare = 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const now = new Date();
    const reference = {
      'webhook-id': 'msg_2',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(bare).sign('msg_2', now, BODY.toString()),
    };
    expect(verify('standard-webhooks', { headers: reference, secret: bare, now })).toEqual({ ok: true });
    const raw = signFor('standard-webhooks', { secret: 'free text secret', rawBody: BODY, now });
    expect(verify('standard-webhooks', { headers: raw, secret: 'free text secret', now })).toEqual({ ok: true });
  });

  it('accepts timestamps within five minutes either way', () => {
    expect(verify('standard-webhooks', { headers: headers(), now: at(299) })).toEqual({ ok: true });
    expect(verify('standard-webhooks', { headers: headers(), now: at(-299) })).toEqual({ ok: true });
  });

  it('rejects a stale timestamp', () => {
    expect(verify('standard-webhooks', { headers: headers(), now: at(301) })).toEqual({ ok: false, code: 'invalid_signature' });
  });

  it('rejects a timestamp from the future', () => {
    expect(verify('standard-webhooks', { headers: headers(), now: at(-301) })).toEqual({ ok: false, code: 'invalid_signature' });
  });

  it('rejects a non-numeric timestamp', () => {
    const h = { ...headers(), 'webhook-timestamp': '2026-05-01T20:00:00Z' };
    expect(verify('standard-webhooks', { headers: h })).toEqual({ ok: false, code: 'invalid_signature' });
  });

  it('rejects a signature moved to another message id (id is signed)', () => {
    const h = { ...headers(), 'webhook-id': 'msg_other' };
    expect(verify('standard-webhooks', { headers: h })).toEqual({ ok: false, code: 'invalid_signature' });
  });

  it('accepts any of several signatures during secret rotation', () => {
    const good = headers()['webhook-signature'];
    const rotated = `v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,abc ${good} v1a,xyz`;
    expect(verify('standard-webhooks', { headers: { ...headers(), 'webhook-signature': rotated } })).toEqual({ ok: true });
  });

  it('rejects when none of several signatures matches', () => {
    const bad = 'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v1,dGVzdA==';
    expect(verify('standard-webhooks', { headers: { ...headers(), 'webhook-signature': bad } })).toEqual({
      ok: false,
      code: 'invalid_signature',
    });
  });

  it('treats a missing id or timestamp as missing_signature', () => {
    const { 'webhook-id': _id, ...noId } = headers();
    const { 'webhook-timestamp': _ts, ...noTs } = headers();
    expect(verify('standard-webhooks', { headers: noId })).toEqual({ ok: false, code: 'missing_signature' });
    expect(verify('standard-webhooks', { headers: noTs })).toEqual({ ok: false, code: 'missing_signature' });
  });

  it('fails closed on a whsec_ secret that decodes to nothing', () => {
    expect(verify('standard-webhooks', { headers: headers(), secret: 'whsec_' })).toEqual({ ok: false, code: 'invalid_signature' });
  });
});

describe('token', () => {
  it('accepts the bare secret and the Bearer form', () => {
    expect(verify('token', { headers: { authorization: `Bearer ${SECRETS.token}` } })).toEqual({ ok: true });
    expect(verify('token', { headers: { authorization: SECRETS.token } })).toEqual({ ok: true });
    expect(verify('token', { headers: { 'x-clover-auth': SECRETS.token }, header: 'X-Clover-Auth' })).toEqual({ ok: true });
  });

  it('rejects a prefix or extension of the secret', () => {
    for (const value of [SECRETS.token.slice(0, -1), `${SECRETS.token}4`, `Basic ${SECRETS.token}`]) {
      expect(verify('token', { headers: { authorization: value } })).toEqual({ ok: false, code: 'invalid_signature' });
    }
  });
});

describe('basic', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  it('rejects a wrong password and a wrong user', () => {
    for (const creds of ['lightspeed:wrong', 'other:correct horse battery staple', 'lightspeed']) {
      expect(verify('basic', { headers: { authorization: `Basic ${b64(creds)}` } })).toEqual({
        ok: false,
        code: 'invalid_signature',
      });
    }
  });

  it('rejects another auth scheme in the header', () => {
    expect(verify('basic', { headers: { authorization: `Bearer ${b64(SECRETS.basic)}` } })).toEqual({
      ok: false,
      code: 'invalid_signature',
    });
  });

  it('fails closed when the configured secret is not user:password', () => {
    expect(verify('basic', { headers: { authorization: `Basic ${b64('nocolon')}` }, secret: 'nocolon' })).toEqual({
      ok: false,
      code: 'invalid_signature',
    });
  });
});

describe('square-hmac (adapter scheme)', () => {
  const SQUARE_KEY = 'asdf1234-square-signature-key';
  const sign = (url = URL, body: Buffer = BODY) => signFor('square-hmac', { secret: SQUARE_KEY, rawBody: body, url }, square);
  const check = (headers: Record<string, string>, extra: Partial<SignatureInput> = {}) =>
    verify('square-hmac', { headers, secret: SQUARE_KEY, ...extra });

  it('is found through the adapter, not among the standard schemes', () => {
    expect(resolveVerifier('square-hmac')).toBeUndefined();
    expect(resolveVerifier('square-hmac', square)).toEqual(expect.any(Function));
    expect(resolveVerifier('no-such-scheme', square)).toBeUndefined();
    expect(resolveVerifier('toString', square)).toBeUndefined();
  });

  it('accepts base64 HMAC-SHA256 of notification URL + body', () => {
    expect(check(sign())).toEqual({ ok: true });
  });

  it('rejects the right body signed for another URL', () => {
    expect(check(sign('https://evil.example/hook'))).toEqual({ ok: false, code: 'invalid_signature' });
  });

  it('rejects a tampered body', () => {
    expect(check(sign(), { rawBody: Buffer.from(`${BODY.toString()} `) })).toEqual({ ok: false, code: 'invalid_signature' });
  });

  it('rejects missing header, wrong key, garbage, and no configured key', () => {
    expect(check({})).toEqual({ ok: false, code: 'missing_signature' });
    expect(check(sign(), { secret: 'other-key' })).toEqual({ ok: false, code: 'invalid_signature' });
    expect(check({ 'x-square-hmacsha256-signature': 'not base64!' })).toEqual({ ok: false, code: 'invalid_signature' });
    expect(check({ 'x-square-hmacsha256-signature': 'AAAA' })).toEqual({ ok: false, code: 'invalid_signature' });
    expect(check(sign(), { secret: '' })).toEqual({ ok: false, code: 'invalid_signature' });
    expect(check(sign(), { url: '' })).toEqual({ ok: false, code: 'invalid_signature' });
  });
});

describe('resolveVerifier', () => {
  it('never throws, even on a body that is not a Buffer', () => {
    const headers = {
      ...signed('standard-webhooks'),
      ...signed('hmac-sha256-hex'),
      authorization: `Basic ${Buffer.from('a:b').toString('base64')}`,
      'x-square-hmacsha256-signature': 'AAAA',
    };
    for (const scheme of [...ALL, 'square-hmac']) {
      const verifier = resolveVerifier(scheme, square)!;
      const input = { rawBody: undefined as unknown as Buffer, headers, url: URL, secret: 'a:c', now: NOW };
      expect(verifier(input)).toEqual({ ok: false, code: 'invalid_signature' });
    }
  });

  it('returns undefined for an unknown scheme so the caller refuses the request', () => {
    expect(resolveVerifier('md5')).toBeUndefined();
    expect(resolveVerifier('__proto__')).toBeUndefined();
  });
});
