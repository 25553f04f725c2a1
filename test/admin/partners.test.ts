import { Partner } from '../../src/platform/db/entities';
import { compose, type Composed } from '../../src/composition-root';
import { loadConfig } from '../../src/platform/config';
import { createLogger } from '../../src/platform/logger';
import { createVenue } from '../helpers/fixtures';
import { createTestPartner, signedPost, type TestPartner } from '../helpers/partner';
import { startTestApp, testEnv, uniq, type TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';
import supertest from 'supertest';

describe('admin API: partners (CONTRACT §3)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const stored = (name: string) => t.composed.deps.dataSource.manager.findOneByOrFail(Partner, { name });

  it('creates a partner with defaults and shows a generated secret this once, sealed at rest', async () => {
    const name = uniq('pos');
    const res = await t.admin('post', '/admin/v1/partners').send({ name, signature: { scheme: 'hmac-sha256-hex' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^ptn_/),
      name,
      adapter: 'generic',
      signature: { scheme: 'hmac-sha256-hex', header: null },
      ack: 'queued',
      conflict: 'reject',
      enabled: true,
      secret: expect.stringMatching(/^[A-Za-z0-9_-]{40,}$/),
    });
    const secret = res.body.secret as string;
    expect(res.body.signature.secret).toBe(secret);
    const row = await stored(name);
    expect(row.secretEncrypted).not.toContain(secret);
    expect(t.composed.deps.secretBox.decrypt(row.secretEncrypted)).toBe(secret);

    const get = await t.admin('get', `/admin/v1/partners/${name}`);
    expect(get.status).toBe(200);
    expect(get.body).not.toHaveProperty('secret');
    expect(JSON.stringify(get.body)).not.toContain(secret);
    const list = await t.admin('get', '/admin/v1/partners?limit=200');
    expect(JSON.stringify(list.body)).not.toContain(secret);
  });

  it('keeps a given secret unseen, and generates secrets in the shape each scheme needs', async () => {
    const given = await t.admin('post', '/admin/v1/partners').send({ name: uniq('pos'), signature: { scheme: 'token', header: 'X-Clover-Auth', secret: 'clover-secret' } });
    expect(given.status).toBe(201);
    expect(given.body).not.toHaveProperty('secret');
    expect(given.body.signature).toEqual({ scheme: 'token', header: 'X-Clover-Auth' });

    const basic = await t.admin('post', '/admin/v1/partners').send({ name: uniq('pos'), adapter: 'lightspeed', signature: { scheme: 'basic' } });
    expect(basic.body.secret).toMatch(/^[^:]+:.+$/);
    const sw = await t.admin('post', '/admin/v1/partners').send({ name: uniq('pos'), signature: { scheme: 'standard-webhooks' } });
    expect(sw.body.secret).toMatch(/^whsec_/);
    const square = await t.admin('post', '/admin/v1/partners').send({ name: uniq('pos'), adapter: 'square', signature: { scheme: 'square-hmac' }, ack: 'processed', conflict: 'queue' });
    expect(square.status).toBe(201);
    expect(square.body).toMatchObject({ adapter: 'square', ack: 'processed', conflict: 'queue' });
  });

  it.each([
    [{ name: 'Bad_Name', signature: { scheme: 'hmac-sha256-hex' } }, 'name'],
    [{ name: 'ok-name' }, 'signature'],
    [{ name: 'ok-name', signature: { scheme: 'hmac-sha256-hex' }, ack: 'later' }, 'ack'],
    [{ name: 'ok-name', signature: { scheme: 'hmac-sha256-hex' }, conflict: 'merge' }, 'conflict'],
    [{ name: 'ok-name', signature: { scheme: 'hmac-sha256-hex', secret: '' } }, 'signature.secret'],
    [{ name: 'ok-name', adapter: 'toast-v0', signature: { scheme: 'hmac-sha256-hex' } }, 'adapter'],
    [{ name: 'ok-name', signature: { scheme: 'rot13' } }, 'signature.scheme'],
    [{ name: 'ok-name', signature: { scheme: 'square-hmac' } }, 'signature.scheme'],
    [{ name: 'ok-name', signature: { scheme: 'basic', secret: 'no-colon' } }, 'signature.secret'],
    [{ name: 'ok-name', signature: { scheme: 'hmac-sha256-hex' }, extra: 1 }, 'extra'],
  ])('refuses %j with 400 validation_error on %s, creating nothing', async (body, field) => {
    const res = await t.admin('post', '/admin/v1/partners').send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
    expect(res.body.error.details.field).toBe(field);
    expect(await t.composed.deps.dataSource.manager.countBy(Partner, { name: 'ok-name' })).toBe(0);
  });

  it('refuses a second partner of the same name with 409 conflict', async () => {
    const name = uniq('pos');
    expect((await t.admin('post', '/admin/v1/partners').send({ name, signature: { scheme: 'token' } })).status).toBe(201);
    const again = await t.admin('post', '/admin/v1/partners').send({ name, signature: { scheme: 'token' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
  });

  it('lists partners in pages and answers 404 for an unknown one', async () => {
    for (let i = 0; i < 3; i++) await createTestPartner(t);
    const first = await t.admin('get', '/admin/v1/partners?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await t.admin('get', `/admin/v1/partners?limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body.data[0].name > first.body.data[1].name).toBe(true);
    expect((await t.admin('get', '/admin/v1/partners?limit=0')).status).toBe(400);
    const missing = await t.admin('get', '/admin/v1/partners/no-such-partner');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('changes ack, conflict and enabled, and rotates the secret (shown once) with immediate effect', async () => {
    const p = await createTestPartner(t);
    expect((await signedPost(t, p, 'webhooks.test_notification', '{}')).status).toBe(200);

    const rotated = await t.admin('patch', `/admin/v1/partners/${p.name}`).send({ rotate_secret: true, ack: 'processed', conflict: 'queue' });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ ack: 'processed', conflict: 'queue', secret: expect.any(String) });
    expect(rotated.body.secret).not.toBe(p.secret);
    // The old secret stops working at once, the new one works.
    expect((await signedPost(t, p, 'webhooks.test_notification', '{}')).body.error.code).toBe('invalid_signature');
    const fresh: TestPartner = { ...p, secret: rotated.body.secret };
    expect((await signedPost(t, fresh, 'webhooks.test_notification', '{}')).status).toBe(200);

    const set = await t.admin('patch', `/admin/v1/partners/${p.name}`).send({ signature: { secret: 'chosen-secret' } });
    expect(set.body).not.toHaveProperty('secret');
    expect((await signedPost(t, { ...p, secret: 'chosen-secret' }, 'webhooks.test_notification', '{}')).status).toBe(200);

    const off = await t.admin('patch', `/admin/v1/partners/${p.name}`).send({ enabled: false });
    expect(off.body.enabled).toBe(false);
    expect((await signedPost(t, { ...p, secret: 'chosen-secret' }, 'webhooks.test_notification', '{}')).body.error.code).toBe('unknown_partner');
  });

  it('changes the signature scheme, keeping the secret when it still fits', async () => {
    const p = await createTestPartner(t, { secret: 'shared-secret-1' });
    const res = await t.admin('patch', `/admin/v1/partners/${p.name}`).send({ signature: { scheme: 'hmac-sha256-base64', header: 'X-Pos-Signature' } });
    expect(res.status).toBe(200);
    expect(res.body.signature).toEqual({ scheme: 'hmac-sha256-base64', header: 'X-Pos-Signature' });
    const now: TestPartner = { ...p, scheme: 'hmac-sha256-base64', header: 'X-Pos-Signature' };
    expect((await signedPost(t, now, 'webhooks.test_notification', '{}')).status).toBe(200);
    // A basic secret must be "user:password".
    const bad = await t.admin('patch', `/admin/v1/partners/${p.name}`).send({ signature: { scheme: 'basic' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.field).toBe('signature.secret');
    expect((await t.admin('patch', `/admin/v1/partners/${p.name}`).send({})).status).toBe(400);
    expect((await t.admin('patch', `/admin/v1/partners/${p.name}`).send({ rotate_secret: true, signature: { secret: 'x' } })).status).toBe(400);
    expect((await t.admin('patch', '/admin/v1/partners/no-such-partner').send({ enabled: true })).status).toBe(404);
  });

  it('creating a partner makes it usable at once, even right after it was asked for while unknown', async () => {
    const name = uniq('pos');
    const ghost: TestPartner = { name, secret: 'known-secret', adapter: 'generic', scheme: 'hmac-sha256-hex' };
    expect((await signedPost(t, ghost, 'webhooks.test_notification', '{}')).body.error.code).toBe('unknown_partner');
    await t.admin('post', '/admin/v1/partners').send({ name, signature: { scheme: 'hmac-sha256-hex', secret: 'known-secret' } });
    expect((await signedPost(t, ghost, 'webhooks.test_notification', '{}')).status).toBe(200);
  });

  describe('in another process', () => {
    let other: Composed;
    let otherHttp: TestApp['http'];
    beforeAll(async () => {
      // Same database and Redis prefix, its own memory: as a second API process behind the load balancer.
      const config = loadConfig(testEnv({ REDIS_PREFIX: t.config.redisPrefix, ROLE: 'api' }));
      other = await compose(config, { logger: createLogger('silent') });
      otherHttp = supertest(other.app!);
    });
    afterAll(() => other.stop());

    it('sees a rotated secret and a disabled partner without waiting for the cache to expire', async () => {
      const p = await createTestPartner(t);
      const viaOther = (partner: TestPartner) => signedPost({ ...t, http: otherHttp }, partner, 'webhooks.test_notification', '{}');
      expect((await viaOther(p)).status).toBe(200); // now cached over there

      const rotated = await t.admin('patch', `/admin/v1/partners/${p.name}`).send({ rotate_secret: true });
      const fresh = { ...p, secret: rotated.body.secret as string };
      // Pub/sub, not the 30 s TTL: well under a second.
      await waitFor(async () => (await viaOther(p)).status === 400 && (await viaOther(fresh)).status === 200, {
        what: 'the other process to take the new secret',
        timeoutMs: 3000,
      });

      await t.admin('patch', `/admin/v1/partners/${p.name}`).send({ enabled: false });
      await waitFor(async () => (await viaOther(fresh)).body.error?.code === 'unknown_partner', {
        what: 'the other process to see the partner disabled',
        timeoutMs: 3000,
      });
    });
  });

  it('links POS locations to venues: PUT creates or updates, every digit kept', async () => {
    const p = await createTestPartner(t);
    const v1 = await createVenue(t);
    const v2 = await createVenue(t);
    const location = '9765040300495493123';
    const put = await t.admin('put', `/admin/v1/partners/${p.name}/locations/${location}`).send({ venue_id: v1.id });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: expect.stringMatching(/^loc_/), partner: p.name, location_id: location, venue_id: v1.id, enabled: true });
    const moved = await t.admin('put', `/admin/v1/partners/${p.name}/locations/${location}`).send({ venue_id: v2.id, enabled: false });
    expect(moved.body).toMatchObject({ id: put.body.id, venue_id: v2.id, enabled: false });
    const list = await t.admin('get', `/admin/v1/partners/${p.name}/locations`);
    expect(list.body).toEqual({ data: [expect.objectContaining({ location_id: location, venue_id: v2.id })], next_cursor: null });

    expect((await t.admin('put', `/admin/v1/partners/${p.name}/locations/x`).send({ venue_id: 'ven_nope' })).status).toBe(404);
    const bad = await t.admin('put', `/admin/v1/partners/${p.name}/locations/x`).send({ venue: v1.id });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.field).toBe('venue_id');
    expect((await t.admin('put', `/admin/v1/partners/no-such-partner/locations/x`).send({ venue_id: v1.id })).status).toBe(404);
  });

  it('requires the admin token', async () => {
    expect((await t.http.get('/admin/v1/partners')).status).toBe(401);
    expect((await t.http.post('/admin/v1/partners').set('Authorization', 'Bearer wrong').send({})).status).toBe(401);
  });
});
