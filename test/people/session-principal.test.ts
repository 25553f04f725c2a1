import { createVenue } from '../helpers/fixtures';
import { createUser, expectError, PASSWORD, signIn } from '../helpers/people';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';

/**
 * Sessions end in the same Principal as keys (src/surfaces/http/principal.ts) and go through the one access check
 * and the declared operations' chains (src/surfaces/http/mount-operations.ts).
 */
describe('a session as a Principal', () => {
  let t: TestApp;
  let venueId: string;
  beforeAll(async () => {
    t = await startTestApp();
    venueId = (await createVenue(t)).id;
  });
  afterAll(() => t.stop());

  it("keeps Idempotency-Key per signed-in user: a repeat replays, another user's same key is their own", async () => {
    const host = await createUser(t, venueId, 'host');
    const s = await signIn(t.composed.app!, host.email);
    const key = uniq('idem');
    const booking = { date: '2031-05-06', time: '19:00', party_size: 2, customer_name: 'Ada Lovelace' };
    const first = await s.agent.post('/api/v1/bookings').set('X-CSRF-Token', s.csrf).set('Idempotency-Key', key).send(booking);
    expect(first.status).toBe(201);
    const again = await s.agent.post('/api/v1/bookings').set('X-CSRF-Token', s.csrf).set('Idempotency-Key', key).send(booking);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);

    const other = await signIn(t.composed.app!, (await createUser(t, venueId, 'manager')).email);
    const theirs = await other.agent.post('/api/v1/bookings').set('X-CSRF-Token', other.csrf).set('Idempotency-Key', key).send(booking);
    expect(theirs.status).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.body.id).not.toBe(first.body.id);
  });

  it('refuses the wrong caller kind (403 forbidden) before it asks a write for its CSRF token', async () => {
    const owner = await createUser(t, venueId, 'owner');
    const venueUser = await signIn(t.composed.app!, owner.email);
    expectError(await venueUser.agent.post('/admin/v1/venues').send({ name: 'x' }), 403, 'forbidden');

    const email = `${uniq('ops')}@example.com`;
    expect((await t.admin('post', '/admin/v1/operators').send({ email, name: 'Ops', password: PASSWORD })).status).toBe(201);
    const operator = await signIn(t.composed.app!, email);
    expectError(await operator.agent.post('/api/v1/customers').send({ name: 'Ada' }), 403, 'forbidden');
    // An operator may still read their own session (auth `session`).
    expect((await operator.agent.get('/api/v1/session')).body.user.role).toBe('operator');
  });

  it('reads sign-in bodies with the session routes’ small limit (16 KiB): larger is 413 before any password check', async () => {
    const res = await t.http.post('/api/v1/session').send({ email: 'a@example.com', password: 'x'.repeat(17 * 1024) });
    expectError(res, 413, 'payload_too_large');
    expect(res.body.error.details).toEqual({ limit_bytes: 16 * 1024 });
  });
});
