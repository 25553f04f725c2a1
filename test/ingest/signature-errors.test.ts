import { adapters } from '../../adapters';
import { STANDARD_SCHEMES } from '../../src/modules/partners/edge/signature-schemes';
import { createTestPartner, signedPost } from '../helpers/partner';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';

describe('signature errors that help', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const post = (partner: string, headers: Record<string, string> = {}) =>
    t.http.post(`/partners/${partner}/events/sale.updated`).set('Content-Type', 'application/json').set(headers).send('{"a":1}');

  it('missing_signature names the header the scheme reads (the default, or the partner\'s own)', async () => {
    const plain = await createTestPartner(t);
    const res = await post(plain.name);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'missing_signature', details: { header: 'x-signature', scheme: 'hmac-sha256-hex' } });
    expect(res.body.error.message).toMatch(/x-signature/);

    const own = await createTestPartner(t, { header: 'X-Till-Signature' });
    expect((await post(own.name)).body.error.details.header).toBe('x-till-signature');
  });

  it('says so when a likely signature header was sent under another name', async () => {
    const p = await createTestPartner(t);
    const res = await post(p.name, { 'X-Hub-Signature-256': 'sha256=abc' });
    expect(res.body.error.code).toBe('missing_signature');
    expect(res.body.error.message).toMatch(/x-hub-signature-256/);
    expect(res.body.error.message).toMatch(/signature\.header/);
    expect(res.body.error.details.sent).toEqual(['x-hub-signature-256']);
  });

  it('for standard-webhooks names every header it needs, and which are missing', async () => {
    const p = await createTestPartner(t, { scheme: 'standard-webhooks', secret: `whsec_${Buffer.from(uniq('k')).toString('base64')}` });
    const none = await post(p.name);
    expect(none.body.error.details).toMatchObject({
      header: 'webhook-signature',
      headers: ['webhook-signature', 'webhook-id', 'webhook-timestamp'],
    });
    const partial = await post(p.name, { 'webhook-id': 'msg_1', 'webhook-signature': 'v1,abc' });
    expect(partial.body.error.details.missing).toEqual(['webhook-timestamp']);
    expect(partial.body.error.message).toMatch(/webhook-timestamp/);
  });

  it('an adapter\'s own scheme names its own default header (Square)', async () => {
    const p = await createTestPartner(t, { adapter: 'square', scheme: 'square-hmac' });
    const res = await post(p.name);
    expect(res.body.error.details).toMatchObject({ header: 'x-square-hmacsha256-signature', scheme: 'square-hmac' });
  });

  it('invalid_signature names the scheme, never the secret or the expected signature', async () => {
    const p = await createTestPartner(t);
    const res = await signedPost(t, p, 'sale.updated', '{"a":1}', { secret: 'not-the-secret' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_signature', details: { scheme: 'hmac-sha256-hex', header: 'x-signature' } });
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(p.secret);
    expect(text).not.toMatch(/[0-9a-f]{64}/);
  });

  it('a partner body with an unknown adapter or scheme is 400 listing the valid ones (POST and PATCH)', async () => {
    const badAdapter = await t.admin('post', '/admin/v1/partners').send({ name: uniq('pos'), adapter: 'toastx', signature: { scheme: 'hmac-sha256-hex' } });
    expect(badAdapter.status).toBe(400);
    expect(badAdapter.body.error).toMatchObject({ code: 'validation_error', details: { field: 'adapter', valid: Object.keys(adapters) } });

    const badScheme = await t.admin('post', '/admin/v1/partners').send({ name: uniq('pos'), adapter: 'square', signature: { scheme: 'hmac-md5' } });
    expect(badScheme.status).toBe(400);
    expect(badScheme.body.error.details).toMatchObject({ field: 'signature.scheme', valid: [...Object.keys(STANDARD_SCHEMES), 'square-hmac'] });
    expect(badScheme.body.error.message).toMatch(/square-hmac/);

    const p = await createTestPartner(t);
    const patched = await t.admin('patch', `/admin/v1/partners/${p.name}`).send({ signature: { scheme: 'square-hmac' } });
    expect(patched.status).toBe(400);
    expect(patched.body.error.details.valid).toEqual(Object.keys(STANDARD_SCHEMES));
  });
});
