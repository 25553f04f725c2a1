import { clientBucket, publicRateLimit } from '../../src/surfaces/http/middleware/public-rate-limit';
import type { AppError } from '../../src/platform/app-error';
import { expectError } from '../helpers/people';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { guestEnv, guestVenue } from './guest-helpers';

/** CONTRACT §10, §15: per client IP and route pattern + method, a sliding window in Redis shared by every process. */
describe('the public API\'s per-IP limit', () => {
  describe('without TRUST_PROXY', () => {
    let t: TestApp;
    let other: TestApp;
    beforeAll(async () => {
      t = await startTestApp(guestEnv({ PUBLIC_RATE_LIMIT_PER_MINUTE: '3' }));
      // A second process on the same Redis prefix: the window is shared.
      other = await startTestApp(guestEnv({ PUBLIC_RATE_LIMIT_PER_MINUTE: '3', REDIS_PREFIX: t.config.redisPrefix, ROLE: 'api' }));
    });
    afterAll(async () => {
      await other?.stop();
      await t?.stop();
    });

    it('counts per route pattern and method across processes: X-RateLimit-* on each answer, then 429 rate_limited with Retry-After', async () => {
      const a = await guestVenue(t);
      const b = await guestVenue(t);
      const config = (app: TestApp, slug: string) => app.http.get(`/api/v1/public/venues/${slug}/config`);
      const r1 = await config(t, a.slug).expect(200);
      expect(r1.headers['x-ratelimit-limit']).toBe('3');
      expect(r1.headers['x-ratelimit-remaining']).toBe('2');
      const reset = Number(r1.headers['x-ratelimit-reset']);
      expect(reset).toBeGreaterThan(Date.now() / 1000);
      expect(reset).toBeLessThanOrEqual(Date.now() / 1000 + 61);
      // Another venue's slug is the same route pattern; another process is the same window.
      expect((await config(other, b.slug).expect(200)).headers['x-ratelimit-remaining']).toBe('1');
      expect((await config(t, a.slug).expect(200)).headers['x-ratelimit-remaining']).toBe('0');
      const limited = await config(other, a.slug);
      expectError(limited, 429, 'rate_limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(limited.headers['x-ratelimit-remaining']).toBe('0');
      expect(limited.headers['access-control-allow-origin']).toBe('*');
      // Another route, or another method on a route, has its own window.
      expect((await t.http.get('/api/v1/public/tiers')).status).toBe(200);
      expect((await t.http.get(`/api/v1/public/venues/${a.slug}/reviews`)).status).toBe(200);
      // Without TRUST_PROXY an X-Forwarded-For is not believed: still the same client.
      expectError(await config(t, a.slug).set('X-Forwarded-For', '203.0.113.9'), 429, 'rate_limited');
    });
  });

  describe('the window', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(guestEnv({ ROLE: 'api' }));
    });
    afterAll(() => t?.stop());

    it('slides: each request ages out on its own, not all at a window boundary (a 3 s window, 3 requests)', async () => {
      const deps = t.composed.deps;
      const limiter = publicRateLimit({ redis: deps.redis, keyPrefix: `${deps.keyPrefix}:slide${Date.now()}`, perMinute: 3, logger: deps.logger, windowMs: 3000 }, 'get', '/slide');
      const call = async (): Promise<string> => {
        const headers: Record<string, string> = {};
        try {
          await limiter({ ip: '198.51.100.7' } as never, { setHeader: (k: string, v: string) => { headers[k] = v; } } as never, () => undefined);
          return `ok ${headers['X-RateLimit-Remaining']}`;
        } catch (err) {
          return `${(err as AppError).code} ${headers['X-RateLimit-Remaining']}`;
        }
      };
      const t0 = Date.now();
      const until = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, t0 + ms - Date.now())));
      expect([await call(), await call()]).toEqual(['ok 2', 'ok 1']);
      await until(1500);
      expect([await call(), await call()]).toEqual(['ok 0', 'rate_limited 0']);
      // At 3.3 s the first two have aged out, the third (1.5 s) has not: two more, not three. A fixed window
      // (however aligned) lets in a whole limit again once it turns over; a refused request is not recorded.
      await until(3300);
      expect([await call(), await call(), await call()]).toEqual(['ok 1', 'ok 0', 'rate_limited 0']);
      expect(Date.now() - t0).toBeLessThan(4400); // still inside the third request's window, else this proved nothing
      // Once the third ages out too (at 4.5 s), one more.
      await until(4700);
      expect(await call()).toBe('ok 0');
    });
  });

  describe('with TRUST_PROXY=loopback', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(guestEnv({ PUBLIC_RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: 'loopback' }));
    });
    afterAll(() => t.stop());

    it('counts the client named by X-Forwarded-For from the trusted proxy', async () => {
      const v = await guestVenue(t);
      const from = (ip: string) => t.http.get(`/api/v1/public/venues/${v.slug}/config`).set('X-Forwarded-For', ip);
      await from('198.51.100.1').expect(200);
      await from('198.51.100.1').expect(200);
      expectError(await from('198.51.100.1'), 429, 'rate_limited');
      await from('198.51.100.2').expect(200);
      // The right-most untrusted address counts: a client cannot pick its own by prepending one.
      expectError(await from('10.9.9.9, 198.51.100.1'), 429, 'rate_limited');
      // An IPv6 client counts by its /64.
      await from('2001:db8:1:2::1').expect(200);
      await from('2001:db8:1:2:ffff::2').expect(200);
      expectError(await from('2001:db8:1:2::3'), 429, 'rate_limited');
    });
  });

  it('reads IPv4, IPv4-mapped and IPv6 clients', () => {
    expect(clientBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(clientBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientBucket('2001:0db8:0001:0002:0003:0004:0005:0006')).toBe('2001:db8:1:2::/64');
    expect(clientBucket('::1')).toBe('0:0:0:0::/64');
  });
});
