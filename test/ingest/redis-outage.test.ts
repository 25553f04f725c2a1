import type { ChildProcess } from 'node:child_process';
import { createVenue } from '../helpers/fixtures';
import {
  createTestPartner,
  linkLocation,
  putMapping,
  SALE_MAPPING,
  saleEvent,
  signedPost,
  startHubApp,
  type HubApp,
  type TestPartner,
} from '../helpers/partner';
import { freePort, startRedis, stopRedis } from '../helpers/private-redis';
import { uniq } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';

describe('partner ingestion: Redis down (CONTRACT §4)', () => {
  let port: number;
  let redis: ChildProcess;
  let t: HubApp;
  let partner: TestPartner;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    t = await startHubApp({ REDIS_URL: `redis://127.0.0.1:${port}` });
    const venueId = (await createVenue(t)).id;
    partner = await createTestPartner(t);
    await putMapping(t, partner.name, 'sale.updated', SALE_MAPPING);
    await linkLocation(t, partner.name, 'loc-1', venueId);
  });
  afterAll(async () => {
    await t.stop();
    await stopRedis(redis);
  });

  it('answers 503 unavailable, never 200, while the event cannot be queued; and 200 again once Redis is back', async () => {
    const before = await signedPost(t, partner, 'sale.updated', saleEvent({ id: uniq('S') }));
    expect(before.status).toBe(200);

    await stopRedis(redis);
    for (const saleId of [uniq('S'), uniq('S')]) {
      const res = await signedPost(t, partner, 'sale.updated', saleEvent({ id: saleId }));
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('unavailable');
    }

    redis = await startRedis(port);
    const after = await waitFor(async () => {
      const res = await signedPost(t, partner, 'sale.updated', saleEvent({ id: uniq('S') }));
      return res.status === 200 ? res : null;
    }, { what: 'ingestion to recover', timeoutMs: 15_000 });
    expect(after.body.status).toBe('accepted');
    expect(await t.composed.deps.queues.inboundEvents.getJob(after.body.event_id)).toBeTruthy();
  }, 40_000);
});
