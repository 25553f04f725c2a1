import { Cluster } from 'ioredis';
import { queuePrefix } from '../../src/platform/jobs/queues';
import { SaleLock } from '../../src/modules/partners/edge/sale-lock';
import { createVenue } from '../helpers/fixtures';
import {
  createTestPartner,
  linkLocation,
  putMapping,
  SALE_MAPPING,
  saleEvent,
  signedPost,
  startHubApp,
  waitForEvent,
  type HubApp,
} from '../helpers/partner';
import { startRedisCluster, type RedisClusterHandle } from '../helpers/redis-cluster';
import { startTestApp, uniq } from '../helpers/test-app';

describe('Redis Cluster (CONTRACT §14)', () => {
  let cluster: RedisClusterHandle;
  let t: HubApp;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    t = await startHubApp({ REDIS_URL: cluster.url });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await cluster?.stop();
  });

  it('runs on redis+cluster://: ingest, queue, worker, ack "processed" and the partner cache', async () => {
    expect(t.config.redis.cluster).toBe(true);
    t.startWorker();
    const venueId = (await createVenue(t)).id;
    const partner = await createTestPartner(t, { ack: 'processed' });
    await putMapping(t, partner.name, 'sale.updated', SALE_MAPPING);
    await linkLocation(t, partner.name, 'loc-1', venueId);
    const res = await signedPost(t, partner, 'sale.updated', saleEvent({ id: uniq('S') }));
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('processed');
    expect((await waitForEvent(t, res.body.event_id)).status).toBe('processed');

    // The job is stored under the queue's hash-tagged prefix.
    const probe = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
    try {
      const tag = queuePrefix(t.config.redisPrefix, 'inbound-events');
      expect(await probe.exists(`${tag}:inbound-events:${res.body.event_id as string}`)).toBe(1);
    } finally {
      probe.disconnect();
    }
  });

  it('refuses a key revoked through one process in another at once, every time (the cache\'s change version, not pub/sub)', async () => {
    // On a cluster, PUBLISH answered before the cluster bus carried the message to the node of the other
    // process's subscriber: this loop served a revoked key within a few tries (SPUBLISH too, under load).
    const other = await startTestApp({ ROLE: 'api', REDIS_URL: cluster.url, REDIS_PREFIX: t.config.redisPrefix });
    try {
      const venueId = (await createVenue(t)).id;
      for (let i = 0; i < 40; i++) {
        const created = await t.admin('post', `/admin/v1/venues/${venueId}/api-keys`).send({ name: `revoked ${i}`, scopes: ['venue:read'] }).expect(201);
        const get = () => other.http.get('/api/v1/venue').set('Authorization', `Bearer ${created.body.key as string}`);
        for (let j = 0; j < 2; j++) expect((await get()).status).toBe(200);
        await t.admin('delete', `/admin/v1/api-keys/${created.body.id as string}`).expect(204);
        expect((await get()).status).toBe(401);
      }
    } finally {
      await other.stop();
    }
  });

  it('takes several sales of one partner in one script, and releases those of several partners together', async () => {
    const locks = new SaleLock(t.composed.deps.redis, t.config.redisPrefix, 10_000);
    const sales = Array.from({ length: 20 }, () => uniq('S'));
    expect(await locks.arrive('pos-a', sales, 'evt_1', 'reject')).toBe('acquired');
    expect(await locks.arrive('pos-a', [sales[3]!, uniq('S')], 'evt_2', 'queue')).toBe('waiting');
    expect(await locks.arrive('pos-b', sales, 'evt_3', 'reject')).toBe('acquired');
    const heads = await locks.releaseMany([
      { partner: 'pos-a', saleIds: sales, owner: 'evt_1' },
      { partner: 'pos-b', saleIds: sales, owner: 'evt_3' },
    ]);
    expect(heads).toEqual([['evt_2'], []]);
    expect(await locks.claim('pos-a', [sales[3]!], 'evt_2')).toEqual({ claimed: true });
  });
});
