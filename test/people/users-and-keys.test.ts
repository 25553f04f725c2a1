import { createApiKey, createVenue } from '../helpers/fixtures';
import { createUser, expectError, PASSWORD, sessionCookieOf, signIn } from '../helpers/people';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';
import { People } from '../../src/modules/people';

const tokenOf = (inviteUrl: string) => inviteUrl.split('/').pop()!;

describe('people, invites and API keys (CONTRACT §8)', () => {
  let t: TestApp;
  let venueId: string;
  beforeAll(async () => {
    t = await startTestApp({ PUBLIC_URL: 'https://venues.example.com' });
    venueId = (await createVenue(t)).id;
  });
  afterAll(() => t.stop());

  describe('invites', () => {
    it('creates a user without a password with an invite link (shown once) that signs them in once', async () => {
      const email = `${uniq('invited')}@example.com`;
      const made = await t.admin('post', `/admin/v1/venues/${venueId}/users`).send({ email, name: 'Invited Person', role: 'manager' });
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({ email, name: 'Invited Person', role: 'manager' });
      expect(made.body.invite_url).toMatch(/^https:\/\/venues\.example\.com\/app\/invite\/[A-Za-z0-9_-]{40,}$/);
      const token = tokenOf(made.body.invite_url);

      // Not signed in yet: no password to sign in with.
      expectError(await t.http.post('/api/v1/session').send({ email, password: PASSWORD }), 401, 'invalid_credentials');
      expect((await t.http.get(`/api/v1/invites/${token}`)).body).toMatchObject({ email, name: 'Invited Person', role: 'manager' });

      expectError(await t.http.post(`/api/v1/invites/${token}`).send({ password: 'short' }), 400, 'validation_error');
      const accepted = await t.http.post(`/api/v1/invites/${token}`).send({ password: PASSWORD });
      expect(accepted.status).toBe(200);
      expect(accepted.body.user).toMatchObject({ email, role: 'manager', venue_id: venueId });
      const cookie = sessionCookieOf(accepted.headers['set-cookie']);
      expect((await t.http.get('/api/v1/session').set('Cookie', cookie)).body.user.email).toBe(email);

      expectError(await t.http.post(`/api/v1/invites/${token}`).send({ password: 'another good password' }), 410, 'invite_expired');
      expectError(await t.http.get(`/api/v1/invites/${token}`), 410, 'invite_expired');
      expect((await t.http.post('/api/v1/session').send({ email, password: PASSWORD })).status).toBe(200);
    });

    it('refuses an expired invite with 410 invite_expired, and an unknown one', async () => {
      const email = `${uniq('late')}@example.com`;
      const made = await t.admin('post', `/admin/v1/venues/${venueId}/users`).send({ email, name: 'Late', role: 'host' });
      await t.composed.deps.dataSource.query('UPDATE invites SET expires_at = ? WHERE user_id = ?', [new Date(Date.now() - 1000), made.body.id]);
      expectError(await t.http.post(`/api/v1/invites/${tokenOf(made.body.invite_url)}`).send({ password: PASSWORD }), 410, 'invite_expired');
      expectError(await t.http.post('/api/v1/invites/no-such-token').send({ password: PASSWORD }), 410, 'invite_expired');
    });

    it('makes invites last 7 days', async () => {
      const made = await t.admin('post', `/admin/v1/venues/${venueId}/users`).send({ email: `${uniq('week')}@example.com`, name: 'Week', role: 'host' });
      const rows = (await t.composed.deps.dataSource.query('SELECT expires_at, created_at FROM invites WHERE user_id = ?', [made.body.id])) as { expires_at: Date; created_at: Date }[];
      expect(rows[0]!.expires_at.getTime() - rows[0]!.created_at.getTime()).toBe(7 * 24 * 3600 * 1000);
    });
  });

  describe('admin creation', () => {
    it('refuses passwords under 10 characters, a duplicate email and an unknown venue', async () => {
      const email = `${uniq('short')}@example.com`;
      const short = await t.admin('post', `/admin/v1/venues/${venueId}/users`).send({ email, name: 'S', role: 'host', password: '123456789' });
      expectError(short, 400, 'validation_error');
      expect(short.body.error.details.field).toBe('password');
      expectError(await t.admin('post', '/admin/v1/operators').send({ email, name: 'S', password: 'short' }), 400, 'validation_error');
      expect((await t.admin('post', `/admin/v1/venues/${venueId}/users`).send({ email, name: 'S', role: 'host', password: '1234567890' })).status).toBe(201);
      expectError(await t.admin('post', `/admin/v1/venues/${venueId}/users`).send({ email: email.toUpperCase(), name: 'S', role: 'host' }), 409, 'conflict');
      expectError(await t.admin('post', '/admin/v1/venues/ven_nope/users').send({ email: `${uniq('x')}@example.com`, name: 'S', role: 'host' }), 404, 'not_found');
      expectError(await t.admin('post', `/admin/v1/venues/${venueId}/users`).send({ email: 'not-an-email', name: 'S', role: 'host' }), 400, 'validation_error');
      expectError(await t.admin('post', `/admin/v1/venues/${venueId}/users`).send({ email: `${uniq('x')}@example.com`, name: 'S', role: 'chef' }), 400, 'validation_error');
    });

    it('stores only an argon2id hash of the password', async () => {
      const u = await createUser(t, venueId, 'host');
      const rows = (await t.composed.deps.dataSource.query('SELECT password_hash FROM users WHERE id = ?', [u.id])) as { password_hash: string }[];
      expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$/);
      expect(rows[0]!.password_hash).not.toContain(PASSWORD);
    });
  });

  describe('/api/v1/users (owners)', () => {
    it('lists, invites, changes and removes people; a removed user’s session ends at once and they cannot sign in', async () => {
      const owner = await createUser(t, venueId, 'owner');
      const s = await signIn(t.composed.app!, owner.email);
      const list = await s.agent.get('/api/v1/users');
      expect(list.status).toBe(200);
      expect(list.body.data.map((u: any) => u.id)).toContain(owner.id);
      expect(list.body.next_cursor === null || typeof list.body.next_cursor === 'string').toBe(true);

      const invited = await s.agent.post('/api/v1/users').set('X-CSRF-Token', s.csrf).send({ email: `${uniq('new')}@example.com`, name: 'New Host', role: 'host' });
      expect(invited.status).toBe(201);
      expect(invited.body.invite_url).toContain('/app/invite/');
      expect(invited.body.status).toBe('invited');

      const host = await createUser(t, venueId, 'host');
      const hostSession = await signIn(t.composed.app!, host.email);
      expectError(await hostSession.agent.get('/api/v1/users'), 403, 'insufficient_scope');
      expectError(await hostSession.agent.delete(`/api/v1/users/${owner.id}`).set('X-CSRF-Token', hostSession.csrf), 403, 'insufficient_scope');

      const patched = await s.agent.patch(`/api/v1/users/${host.id}`).set('X-CSRF-Token', s.csrf).send({ role: 'manager' });
      expect(patched.body).toMatchObject({ id: host.id, role: 'manager' });
      // The role applies to the open session at once: a manager may read webhooks.
      expect((await hostSession.agent.get('/api/v1/webhooks')).status).toBe(200);

      const removed = await s.agent.delete(`/api/v1/users/${host.id}`).set('X-CSRF-Token', s.csrf);
      expect(removed.status).toBe(204);
      expectError(await hostSession.agent.get('/api/v1/venue'), 401, 'not_signed_in');
      expectError(await t.http.post('/api/v1/session').send({ email: host.email, password: PASSWORD }), 401, 'invalid_credentials');
      expectError(await s.agent.delete(`/api/v1/users/${host.id}`).set('X-CSRF-Token', s.csrf), 404, 'not_found');
    });

    it("keeps users of other venues out of reach (404) and the venue's last owner in place (409)", async () => {
      const lone = (await createVenue(t)).id;
      const owner = await createUser(t, lone, 'owner');
      const s = await signIn(t.composed.app!, owner.email);
      const stranger = await createUser(t, venueId, 'host');
      expectError(await s.agent.patch(`/api/v1/users/${stranger.id}`).set('X-CSRF-Token', s.csrf).send({ name: 'X' }), 404, 'not_found');
      expectError(await s.agent.delete(`/api/v1/users/${stranger.id}`).set('X-CSRF-Token', s.csrf), 404, 'not_found');
      expectError(await s.agent.delete(`/api/v1/users/${owner.id}`).set('X-CSRF-Token', s.csrf), 409, 'conflict');
      expectError(await s.agent.patch(`/api/v1/users/${owner.id}`).set('X-CSRF-Token', s.csrf).send({ role: 'host' }), 409, 'conflict');
      expect((await s.agent.get('/api/v1/session')).body.user.role).toBe('owner');
    });

    it('is not open to bearer keys (they hold no users:manage scope)', async () => {
      const key = await createApiKey(t, venueId);
      expectError(await t.http.get('/api/v1/users').set('Authorization', `Bearer ${key}`), 403, 'insufficient_scope');
    });
  });

  describe('/api/v1/api-keys', () => {
    it('lets an owner create (key shown once) and revoke keys; a revoked key stops at once; managers may only list', async () => {
      const owner = await createUser(t, venueId, 'owner');
      const s = await signIn(t.composed.app!, owner.email);
      const made = await s.agent.post('/api/v1/api-keys').set('X-CSRF-Token', s.csrf).send({ name: 'Till bridge', scopes: ['venue:read', 'sales:read'] });
      expect(made.status).toBe(201);
      expect(made.body.key).toMatch(/^ts_live_/);
      expect((await t.http.get('/api/v1/venue').set('Authorization', `Bearer ${made.body.key}`)).status).toBe(200);

      const manager = await createUser(t, venueId, 'manager');
      const m = await signIn(t.composed.app!, manager.email);
      const listed = await m.agent.get('/api/v1/api-keys');
      expect(listed.status).toBe(200);
      const entry = listed.body.data.find((k: any) => k.id === made.body.id);
      expect(entry).toMatchObject({ name: 'Till bridge', scopes: ['venue:read', 'sales:read'], revoked_at: null });
      expect(JSON.stringify(listed.body)).not.toContain(made.body.key);
      expectError(await m.agent.post('/api/v1/api-keys').set('X-CSRF-Token', m.csrf).send({ name: 'x', scopes: [] }), 403, 'insufficient_scope');
      expectError(await m.agent.delete(`/api/v1/api-keys/${made.body.id}`).set('X-CSRF-Token', m.csrf), 403, 'insufficient_scope');
      const host = await signIn(t.composed.app!, (await createUser(t, venueId, 'host')).email);
      expectError(await host.agent.get('/api/v1/api-keys'), 403, 'insufficient_scope');

      expect((await s.agent.delete(`/api/v1/api-keys/${made.body.id}`).set('X-CSRF-Token', s.csrf)).status).toBe(204);
      expectError(await t.http.get('/api/v1/venue').set('Authorization', `Bearer ${made.body.key}`), 401, 'invalid_api_key');
      expect((await s.agent.get('/api/v1/api-keys')).body.data.find((k: any) => k.id === made.body.id).revoked_at).not.toBeNull();
    });

    it("cannot revoke another venue's key (404) or grant scopes outside §6 (400)", async () => {
      const other = (await createVenue(t)).id;
      const theirs = await t.admin('post', `/admin/v1/venues/${other}/api-keys`).send({ name: 'theirs', scopes: ['venue:read'] });
      const s = await signIn(t.composed.app!, (await createUser(t, venueId, 'owner')).email);
      expectError(await s.agent.delete(`/api/v1/api-keys/${theirs.body.id}`).set('X-CSRF-Token', s.csrf), 404, 'not_found');
      expect((await t.http.get('/api/v1/venue').set('Authorization', `Bearer ${theirs.body.key}`)).status).toBe(200);
      expectError(await s.agent.post('/api/v1/api-keys').set('X-CSRF-Token', s.csrf).send({ name: 'x', scopes: ['users:manage'] }), 400, 'validation_error');
    });
  });

  it("keeps a session's user between requests (no database read each time); a role change made in another process applies at once", async () => {
    const shared = { REDIS_PREFIX: `${process.env.TEST_REDIS_PREFIX}-${uniq('role')}` };
    const a = await startTestApp({ ...shared, ROLE: 'api' });
    const b = await startTestApp({ ...shared, ROLE: 'api' });
    const findById = jest.spyOn(People.prototype, 'findById');
    try {
      const owner = await createUser(a, venueId, 'owner');
      const host = await createUser(a, venueId, 'host');
      const ownerOnA = await signIn(a.composed.app!, owner.email);
      const hostOnA = await signIn(a.composed.app!, host.email);
      // Once b hears of user changes, its requests read the user once, not once per request.
      await waitFor(async () => {
        const before = findById.mock.calls.length;
        expect((await b.http.get('/api/v1/venue').set('Cookie', hostOnA.cookie)).status).toBe(200);
        return findById.mock.calls.length === before;
      }, { what: 'a request served with the kept user', timeoutMs: 5_000 });
      expectError(await b.http.get('/api/v1/webhooks').set('Cookie', hostOnA.cookie), 403, 'insufficient_scope');

      expect((await ownerOnA.agent.patch(`/api/v1/users/${host.id}`).set('X-CSRF-Token', ownerOnA.csrf).send({ role: 'manager' })).status).toBe(200);
      // Well within the kept user's 10 s: b dropped it when a announced the change.
      await waitFor(async () => (await b.http.get('/api/v1/webhooks').set('Cookie', hostOnA.cookie)).status === 200, { what: 'the manager role on b', timeoutMs: 2_000, intervalMs: 20 });
      expect((await b.http.get('/api/v1/session').set('Cookie', hostOnA.cookie)).body.user.role).toBe('manager');
    } finally {
      findById.mockRestore();
      await a.stop();
      await b.stop();
    }
  });

  it('ends sessions at once in every process: sign-out and removal seen by another API process', async () => {
    // Two API processes sharing the database and Redis.
    const shared = { REDIS_PREFIX: `${process.env.TEST_REDIS_PREFIX}-${uniq('two')}` };
    const a = await startTestApp({ ...shared, ROLE: 'api' });
    const b = await startTestApp({ ...shared, ROLE: 'api' });
    try {
      const owner = await createUser(a, venueId, 'owner');
      const host = await createUser(a, venueId, 'host');
      const ownerOnA = await signIn(a.composed.app!, owner.email);
      const hostOnA = await signIn(a.composed.app!, host.email);
      expect((await b.http.get('/api/v1/venue').set('Cookie', hostOnA.cookie)).status).toBe(200);
      expect((await ownerOnA.agent.delete(`/api/v1/users/${host.id}`).set('X-CSRF-Token', ownerOnA.csrf)).status).toBe(204);
      expectError(await b.http.get('/api/v1/venue').set('Cookie', hostOnA.cookie), 401, 'not_signed_in');

      expect((await b.http.get('/api/v1/session').set('Cookie', ownerOnA.cookie)).status).toBe(200);
      expect((await ownerOnA.agent.delete('/api/v1/session').set('X-CSRF-Token', ownerOnA.csrf)).status).toBe(204);
      expectError(await b.http.get('/api/v1/session').set('Cookie', ownerOnA.cookie), 401, 'not_signed_in');
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
