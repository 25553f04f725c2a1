import express from 'express';
import supertest from 'supertest';
import { clearSessionCookies, setSessionCookies } from '../../src/surfaces/http/session-auth';
import { People } from '../../src/modules/people';
import { PasswordHasher } from '../../src/modules/people/passwords';
import { createApiKey, createVenue, venueBody } from '../helpers/fixtures';
import { createUser, expectError, PASSWORD, sessionCookieOf, signIn } from '../helpers/people';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';

describe('sessions (CONTRACT §8)', () => {
  let t: TestApp;
  let venueId: string;
  beforeAll(async () => {
    t = await startTestApp();
    venueId = (await createVenue(t)).id;
  });
  afterAll(() => t.stop());

  it('signs in with a cookie that is HttpOnly, SameSite=Lax, server-side; GET /session shows the user and a CSRF token', async () => {
    const owner = await createUser(t, venueId, 'owner');
    const res = await t.http.post('/api/v1/session').send({ email: owner.email.toUpperCase(), password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: owner.id, email: owner.email, name: 'A owner', role: 'owner', venue_id: venueId });
    const cookieLine = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('ts_session='))!;
    expect(cookieLine).toMatch(/HttpOnly/);
    expect(cookieLine).toMatch(/SameSite=Lax/);
    expect(cookieLine).not.toMatch(/Secure/);
    const cookie = sessionCookieOf(res.headers['set-cookie']);

    const me = await t.http.get('/api/v1/session').set('Cookie', cookie);
    expect(me.status).toBe(200);
    expect(me.body.user).toEqual(expect.objectContaining({ id: owner.id, email: owner.email, name: 'A owner', role: 'owner', venue_id: venueId }));
    expect(typeof me.body.csrf_token).toBe('string');
    expect(me.body.csrf_token.length).toBeGreaterThan(20);
  });

  it('answers 401 not_signed_in without a session or with an unknown cookie', async () => {
    expectError(await t.http.get('/api/v1/session'), 401, 'not_signed_in');
    expectError(await t.http.get('/api/v1/session').set('Cookie', 'ts_session=forged'), 401, 'not_signed_in');
  });

  it('marks the cookie Secure when NODE_ENV=production', async () => {
    const app = express();
    app.get('/in', (_req, res) => { setSessionCookies(res, 'tok', true); res.end(); });
    app.get('/out', (_req, res) => { clearSessionCookies(res, true); res.end(); });
    for (const path of ['/in', '/out']) {
      const lines = (await supertest(app).get(path)).headers['set-cookie'] as unknown as string[];
      const line = lines.find((c) => c.startsWith('ts_session='))!;
      expect(line).toMatch(/; Secure/);
      expect(line).toMatch(/HttpOnly/);
    }
    expect(t.config.nodeEnv).not.toBe('production');
  });

  it('gives the same 401 for a wrong password and an unknown email', async () => {
    const host = await createUser(t, venueId, 'host');
    const wrong = await t.http.post('/api/v1/session').send({ email: host.email, password: 'not the password' });
    const unknown = await t.http.post('/api/v1/session').send({ email: `${uniq('nobody')}@example.com`, password: 'not the password' });
    expectError(wrong, 401, 'invalid_credentials');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('spends a password verification on an unknown email too (similar timing)', async () => {
    // A measurable cost, so skipping the hash for unknown emails would show.
    const people = new People({
      dataSource: t.composed.deps.dataSource, redis: t.composed.deps.redis, keyPrefix: t.composed.deps.keyPrefix,
      publicUrl: t.config.publicUrl, passwordCost: { memoryKib: 16384, iterations: 2 }, logger: t.composed.deps.logger,
    });
    const email = `${uniq('timed')}@example.com`;
    await people.create({ venueId, email, name: 'Timed', role: 'host', password: PASSWORD });
    // Counted, not timed (a loaded machine makes timings noisy): an unknown email spends exactly the one
    // argon2 verification a wrong password does (the real one, against the dummy hash).
    const verify = jest.spyOn(PasswordHasher.prototype, 'verify');
    try {
      const verifications = async (e: string) => {
        verify.mockClear();
        await expect(people.checkCredentials(e, 'wrong password!')).rejects.toMatchObject({ code: 'invalid_credentials' });
        return verify.mock.calls.length;
      };
      expect(await verifications(email)).toBe(1);
      expect(await verifications(`${uniq('nobody')}@example.com`)).toBe(1);
    } finally {
      verify.mockRestore();
    }
  });

  it('rotates the session at sign-in: a new token each time, the one the browser had before ends', async () => {
    const manager = await createUser(t, venueId, 'manager');
    const first = await signIn(t.composed.app!, manager.email);
    const again = await first.agent.post('/api/v1/session').send({ email: manager.email, password: PASSWORD });
    expect(again.status).toBe(200);
    const second = sessionCookieOf(again.headers['set-cookie']);
    expect(second).not.toBe(first.cookie);
    expectError(await t.http.get('/api/v1/session').set('Cookie', first.cookie), 401, 'not_signed_in');
    expect((await t.http.get('/api/v1/session').set('Cookie', second)).status).toBe(200);
  });

  it('signs out with DELETE /session (CSRF token required): the session ends at once', async () => {
    const host = await createUser(t, venueId, 'host');
    const s = await signIn(t.composed.app!, host.email);
    expectError(await s.agent.delete('/api/v1/session'), 403, 'csrf_failed');
    expectError(await s.agent.delete('/api/v1/session').set('X-CSRF-Token', 'wrong'), 403, 'csrf_failed');
    expect((await s.agent.get('/api/v1/session')).status).toBe(200);
    const out = await s.agent.delete('/api/v1/session').set('X-CSRF-Token', s.csrf);
    expect(out.status).toBe(204);
    expectError(await t.http.get('/api/v1/session').set('Cookie', s.cookie), 401, 'not_signed_in');
    expectError(await t.http.get('/api/v1/bookings').set('Cookie', s.cookie), 401, 'not_signed_in');
  });

  it('limits failed sign-ins per email: the 11th failure within 15 minutes is the first 429, and the right password is refused too', async () => {
    const owner = await createUser(t, venueId, 'owner');
    for (let i = 1; i <= 10; i++) {
      expectError(await t.http.post('/api/v1/session').send({ email: owner.email, password: `wrong password ${i}` }), 401, 'invalid_credentials');
    }
    const limited = await t.http.post('/api/v1/session').send({ email: owner.email, password: 'wrong password 11' });
    expectError(limited, 429, 'rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const right = await t.http.post('/api/v1/session').send({ email: owner.email, password: PASSWORD });
    expectError(right, 429, 'rate_limited');
    expect(right.headers['set-cookie']).toBeUndefined();
    // Another email is not affected.
    const other = await createUser(t, venueId, 'owner');
    expect((await t.http.post('/api/v1/session').send({ email: other.email, password: PASSWORD })).status).toBe(200);
  });

  it('refuses a body without email or password with 400 validation_error', async () => {
    expectError(await t.http.post('/api/v1/session').send({ email: 'a@example.com' }), 400, 'validation_error');
  });

  describe('a venue session on /api/v1 works as a key of that venue, with the role’s scopes', () => {
    it('lets a host read and book but not write customers; CSRF guards writes; nothing changes without it', async () => {
      const host = await createUser(t, venueId, 'host');
      const s = await signIn(t.composed.app!, host.email);
      expect((await s.agent.get('/api/v1/venue')).body.id).toBe(venueId);
      expect((await s.agent.get('/api/v1/bookings')).status).toBe(200);
      expectError(await s.agent.post('/api/v1/customers').set('X-CSRF-Token', s.csrf).send({ name: 'Ada' }), 403, 'insufficient_scope');
      expectError(await s.agent.get('/api/v1/webhooks'), 403, 'insufficient_scope');

      const booking = { date: '2031-03-04', time: '19:00', party_size: 2, customer_name: 'Ada Lovelace' };
      expectError(await s.agent.post('/api/v1/bookings').send(booking), 403, 'csrf_failed');
      expect((await s.agent.get('/api/v1/bookings?date=2031-03-04')).body.data).toEqual([]);
      const made = await s.agent.post('/api/v1/bookings').set('X-CSRF-Token', s.csrf).send(booking);
      expect(made.status).toBe(201);
      expect((await s.agent.get('/api/v1/bookings?date=2031-03-04')).body.data).toHaveLength(1);
    });

    it('needs no CSRF token for a bearer key, even with a cookie beside it', async () => {
      const key = await createApiKey(t, venueId);
      const res = await t.http.post('/api/v1/customers').set('Authorization', `Bearer ${key}`).set('Cookie', 'ts_session=whatever').send({ name: 'Key Customer' });
      expect(res.status).toBe(201);
    });

    it('works on the starter plan, where a key gets 403 plan_upgrade_required', async () => {
      const starter = (await createVenue(t, { plan: 'starter' })).id;
      const key = await createApiKey(t, starter);
      expectError(await t.http.get('/api/v1/venue').set('Authorization', `Bearer ${key}`), 403, 'plan_upgrade_required');
      const manager = await createUser(t, starter, 'manager');
      const s = await signIn(t.composed.app!, manager.email);
      expect((await s.agent.get('/api/v1/venue')).status).toBe(200);
    });

    it("never shows another venue's data", async () => {
      const other = (await createVenue(t)).id;
      const key = await createApiKey(t, other);
      const made = await t.http.post('/api/v1/customers').set('Authorization', `Bearer ${key}`).send({ name: 'Elsewhere' });
      const host = await createUser(t, venueId, 'host');
      const s = await signIn(t.composed.app!, host.email);
      expectError(await s.agent.get(`/api/v1/customers/${made.body.id}`), 404, 'not_found');
    });
  });

  describe('/admin/v1 with a session', () => {
    it("answers a venue user's session with 403 forbidden", async () => {
      const owner = await createUser(t, venueId, 'owner');
      const s = await signIn(t.composed.app!, owner.email);
      expectError(await s.agent.get('/admin/v1/partners'), 403, 'forbidden');
    });

    it("lets an operator's session use every admin route (CSRF on writes), also while ADMIN_TOKEN is unset", async () => {
      const email = `${uniq('ops')}@example.com`;
      const made = await t.admin('post', '/admin/v1/operators').send({ email, name: 'Ops', password: PASSWORD });
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({ email, name: 'Ops', role: 'operator', venue_id: null });
      const noToken = await startTestApp({ ADMIN_TOKEN: '' });
      try {
        expectError(await noToken.http.get('/admin/v1/partners'), 404, 'admin_api_disabled');
        const s = await signIn(noToken.composed.app!, email);
        expect(s.body.user.role).toBe('operator');
        expect((await s.agent.get('/admin/v1/partners')).status).toBe(200);
        const venue = venueBody();
        expectError(await s.agent.post('/admin/v1/venues').send(venue), 403, 'csrf_failed');
        expect((await s.agent.post('/admin/v1/venues').set('X-CSRF-Token', s.csrf).send(venue)).status).toBe(201);
        // Operators have no venue: /api/v1 is not theirs.
        expectError(await s.agent.get('/api/v1/venue'), 403, 'forbidden');
      } finally {
        await noToken.stop();
      }
    });
  });
});
