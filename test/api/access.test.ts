import { DateTime } from 'luxon';
import { createApiKey, createVenue, type CreatedVenue } from '../helpers/fixtures';
import { startTestApp, type TestApp } from '../helpers/test-app';

const TZ = 'Europe/London';
const day = (days: number): string => DateTime.now().setZone(TZ).plus({ days }).toISODate()!;

type Method = 'get' | 'post' | 'patch';

/** Every booking-API route of this feature with the scope it needs. */
const ROUTES: [Method, string, string][] = [
  ['get', '/venue', 'venue:read'],
  ['get', '/services', 'venue:read'],
  ['get', '/events', 'venue:read'],
  ['get', `/availability?date=${day(5)}&party_size=2`, 'bookings:read'],
  ['get', '/bookings', 'bookings:read'],
  ['get', '/bookings/bk_x', 'bookings:read'],
  ['post', '/bookings', 'bookings:write'],
  ['patch', '/bookings/bk_x', 'bookings:write'],
  ['get', '/customers', 'customers:read'],
  ['post', '/customers', 'customers:write'],
  ['get', '/customers/cus_x', 'customers:read'],
];

describe('booking API: access', () => {
  let t: TestApp;
  let venue: CreatedVenue;
  let key: string;
  const call = (method: Method, path: string, k?: string) => {
    const req = t.http[method](`/api/v1${path}`);
    if (k !== undefined) req.set('Authorization', `Bearer ${k}`);
    return method === 'get' ? req : req.send({});
  };

  beforeAll(async () => {
    t = await startTestApp();
    venue = await createVenue(t);
    key = await createApiKey(t, venue.id);
  });
  afterAll(() => t.stop());

  describe('API keys', () => {
    it.each(ROUTES)('%s %s: 401 invalid_api_key without a key, with a malformed or an unknown one', async (method, path) => {
      for (const headers of [{}, { Authorization: 'Basic abc' }, { Authorization: 'Bearer ts_live_unknown' }]) {
        const req = t.http[method](`/api/v1${path}`).set(headers);
        const res = await req;
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('invalid_api_key');
      }
    });

    it('refuses a revoked key at once', async () => {
      const created = await t.admin('post', `/admin/v1/venues/${venue.id}/api-keys`).send({ name: 'soon gone', scopes: ['venue:read'] });
      expect((await call('get', '/venue', created.body.key)).status).toBe(200);
      await t.admin('delete', `/admin/v1/api-keys/${created.body.id}`).expect(204);
      const res = await call('get', '/venue', created.body.key);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_api_key');
    });
    it('refuses a revoked key at once in another process too (lookups are cached while key changes are heard)', async () => {
      const other = await startTestApp({ ROLE: 'api', REDIS_PREFIX: t.config.redisPrefix });
      try {
        const created = await t.admin('post', `/admin/v1/venues/${venue.id}/api-keys`).send({ name: 'elsewhere', scopes: ['venue:read'] });
        const get = () => other.http.get('/api/v1/venue').set('Authorization', `Bearer ${created.body.key}`);
        for (let i = 0; i < 3; i++) expect((await get()).status).toBe(200);
        await t.admin('delete', `/admin/v1/api-keys/${created.body.id}`).expect(204);
        const res = await get();
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('invalid_api_key');
      } finally {
        await other.stop();
      }
    });
  });

  describe('scopes', () => {
    it.each(ROUTES)('%s %s: 403 insufficient_scope naming %s; that scope alone lets it through', async (method, path, scope) => {
      const everythingElse = await createApiKey(t, venue.id, ['venue:read', 'bookings:read', 'bookings:write', 'customers:read', 'customers:write'].filter((s) => s !== scope));
      const denied = await call(method, path, everythingElse);
      expect(denied.status).toBe(403);
      expect(denied.body.error).toMatchObject({ code: 'insufficient_scope', details: { required_scope: scope } });
      expect(denied.body.error.message).toContain(scope);
      const allowed = await call(method, path, await createApiKey(t, venue.id, [scope]));
      expect(allowed.status).not.toBe(403);
      expect(allowed.status).not.toBe(401);
    });
  });

  describe('plans', () => {
    it('answers 403 plan_upgrade_required with a hint for a venue on the starter plan', async () => {
      const starter = await createVenue(t, { plan: 'starter' });
      const starterKey = await createApiKey(t, starter.id);
      for (const [method, path] of ROUTES) {
        const res = await call(method, path, starterKey);
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('plan_upgrade_required');
        expect(res.body.error.details).toMatchObject({ plan: 'starter', required_plans: ['business', 'pro'] });
        expect(res.body.error.details.upgrade_hint).toEqual(expect.stringContaining('business'));
      }
    });
  });

  describe('the order of refusals (the chain each declared operation mounts)', () => {
    const malformed = (path: string, k?: string) => {
      const req = t.http.post(`/api/v1${path}`).set('Content-Type', 'application/json');
      if (k !== undefined) req.set('Authorization', `Bearer ${k}`);
      return req.send('{"date": ');
    };

    it('authenticates, then gates the plan, then reads the body, then checks the scope', async () => {
      expect((await malformed('/bookings')).body.error.code).toBe('invalid_api_key');
      const starter = await createVenue(t, { plan: 'starter' });
      expect((await malformed('/bookings', await createApiKey(t, starter.id))).body.error.code).toBe('plan_upgrade_required');
      const readOnly = await createApiKey(t, venue.id, ['bookings:read']);
      expect((await malformed('/bookings', readOnly)).body.error.code).toBe('invalid_json');
      const denied = await call('post', '/bookings', readOnly);
      expect(denied.body.error).toMatchObject({ code: 'insufficient_scope', details: { required_scope: 'bookings:write' } });
    });

    it('puts unknown paths under /api/v1 behind the same key check, rate limit and plan before their 404', async () => {
      expect((await t.http.get('/api/v1/no-such-route')).body.error.code).toBe('invalid_api_key');
      const starter = await createVenue(t, { plan: 'starter' });
      expect((await call('get', '/no-such-route', await createApiKey(t, starter.id))).body.error.code).toBe('plan_upgrade_required');
      const res = await call('get', '/no-such-route', key);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      expect(res.headers['x-ratelimit-limit']).toBeDefined();
      // A method the path does not serve is the same 404, after the same checks.
      expect((await t.http.put('/api/v1/bookings')).body.error.code).toBe('invalid_api_key');
      expect((await call('patch', '/bookings', key)).status).toBe(404);
      // The admin API's unknown paths stay behind the admin token.
      expect((await t.http.get('/admin/v1/no-such-route')).body.error.code).toBe('unauthorized');
      expect((await t.admin('get', '/admin/v1/no-such-route')).status).toBe(404);
    });
  });

  describe('rate limits', () => {
    it('puts X-RateLimit-* headers on successes, client errors and refusals alike', async () => {
      const ownKey = await createApiKey(t, venue.id, ['venue:read', 'bookings:read'], 100);
      const responses = [
        await call('get', '/venue', ownKey), // 200
        await call('get', '/bookings?limit=0', ownKey), // 400
        await call('get', '/bookings/bk_missing', ownKey), // 404
        await call('post', '/customers', ownKey), // 403
      ];
      expect(responses.map((r) => r.status)).toEqual([200, 400, 404, 403]);
      responses.forEach((res, i) => {
        expect(res.headers['x-ratelimit-limit']).toBe('100');
        expect(Number(res.headers['x-ratelimit-remaining'])).toBe(99 - i);
        expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
      });
    });

    it('answers 429 rate_limited with Retry-After once a key spends its limit', async () => {
      const smallKey = await createApiKey(t, venue.id, ['venue:read'], 3);
      for (let i = 0; i < 3; i++) expect((await call('get', '/venue', smallKey)).status).toBe(200);
      const res = await call('get', '/venue', smallKey);
      expect(res.status).toBe(429);
      expect(res.body.error.code).toBe('rate_limited');
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(res.headers['x-ratelimit-remaining']).toBe('0');
      // Another key of the same venue has its own budget.
      expect((await call('get', '/venue', key)).status).toBe(200);
    });
  });

  describe('tenancy: a key sees only its own venue', () => {
    let other: CreatedVenue;
    let otherKey: string;
    let theirs: { booking: any; customer: any };
    const otherCall = (method: Method, path: string, body?: object) => {
      const req = t.http[method](`/api/v1${path}`).set('Authorization', `Bearer ${otherKey}`);
      return body ? req.send(body) : req;
    };

    beforeAll(async () => {
      other = await createVenue(t);
      otherKey = await createApiKey(t, other.id);
      const booking = await t.http.post('/api/v1/bookings').set('Authorization', `Bearer ${key}`).send({
        date: day(6), time: '19:00', party_size: 2, customer_name: 'Private Person', email: 'private@example.com',
      });
      expect(booking.status).toBe(201);
      theirs = { booking: booking.body, customer: booking.body.customer };
    });

    it.each([
      ['GET /bookings/:id by id', 'get', () => `/bookings/${theirs.booking.id}`],
      ['GET /bookings/:id by reference', 'get', () => `/bookings/${theirs.booking.reference}`],
      ['PATCH /bookings/:id', 'patch', () => `/bookings/${theirs.booking.id}`],
      ['GET /customers/:id', 'get', () => `/customers/${theirs.customer.id}`],
    ] as const)('%s of another venue → 404 not_found, nothing changed', async (_name, method, path) => {
      const res = await otherCall(method, path(), method === 'patch' ? { status: 'cancelled' } : undefined);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      const [row] = (await t.composed.deps.dataSource.query('SELECT status, version FROM bookings WHERE id = ?', [theirs.booking.id])) as any[];
      expect(row).toEqual({ status: 'confirmed', version: 1 });
    });

    it('lists and searches only its own bookings and customers', async () => {
      expect((await otherCall('get', '/bookings')).body.data).toEqual([]);
      expect((await otherCall('get', `/bookings?customer_id=${theirs.customer.id}`)).body.data).toEqual([]);
      expect((await otherCall('get', '/customers?q=Private')).body.data).toEqual([]);
      expect((await otherCall('get', '/customers')).body.data).toEqual([]);
    });

    it('shows its own venue, services and events, never the other\'s', async () => {
      expect((await otherCall('get', '/venue')).body.id).toBe(other.id);
      expect((await otherCall('get', '/services')).body.data.map((s: any) => s.id)).toEqual(other.json.services.map((s: any) => s.id));
      expect((await otherCall('get', '/events')).body.data).toEqual([]);
    });

    it('treats the other venue\'s service, table and customer details as unknown', async () => {
      const avail = await otherCall('get', `/availability?date=${day(6)}&party_size=2&service_id=${venue.json.services[0].id}`);
      expect(avail.status).toBe(400);
      expect(avail.body.error.details.field).toBe('service_id');
      const booking = await otherCall('post', '/bookings', {
        date: day(6), time: '19:00', party_size: 2, customer_name: 'X', table_id: venue.json.areas[0].tables[0].id,
      });
      expect(booking.status).toBe(404);
      expect(booking.body.error).toMatchObject({ code: 'not_found', details: { field: 'table_id' } });
      // The same email is a new customer here: customers belong to one venue.
      const customer = await otherCall('post', '/customers', { name: 'Private Person', email: 'private@example.com' });
      expect(customer.status).toBe(201);
      expect(customer.body.id).not.toBe(theirs.customer.id);
    });
  });
});
