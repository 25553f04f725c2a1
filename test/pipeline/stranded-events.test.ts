import { SaleLock } from '../../src/modules/partners/edge/sale-lock';
import { failStrandedEvents, type StrandedSweepDeps } from '../../src/modules/partners/pipeline/stranded-events';
import { newId } from '../../src/platform/ids';
import { createVenue } from '../helpers/fixtures';
import {
  createTestPartner,
  eventRow,
  killWorkerMidEvent,
  jobState,
  linkLocation,
  putMapping,
  SALE_MAPPING,
  saleEvent,
  signedPost,
  startHubApp,
  type HubApp,
  waitForEvent,
} from '../helpers/partner';
import { uniq } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';

describe('inbound pipeline: events our code never finished', () => {
  let t: HubApp;
  let sweep: StrandedSweepDeps;
  beforeAll(async () => {
    t = await startHubApp();
    const deps = t.composed.deps;
    sweep = {
      dataSource: deps.dataSource,
      queue: deps.queues.inboundEvents,
      locks: new SaleLock(deps.redis, deps.keyPrefix),
      logger: deps.logger,
      metrics: deps.metrics,
    };
  });
  afterAll(() => t.stop());

  // Other test files share this run's database: the sweeps here only reach rows dated back to 2000.
  const LONG_AGO = new Date('2000-01-01T00:00:00.000Z');
  const sweepLongAgo = () => failStrandedEvents(sweep, new Date('2001-01-01T00:00:00.000Z'), 0);
  const backdate = (id: string) => t.composed.deps.dataSource.query('UPDATE inbound_events SET updated_at = ? WHERE id = ?', [LONG_AGO, id]);

  it('marks a poison event (its job failed by BullMQ after stalling) failed and frees its sale', async () => {
    const venueId = (await createVenue(t)).id;
    const p = await createTestPartner(t);
    await putMapping(t, p.name, 'sale.updated', SALE_MAPPING);
    await linkLocation(t, p.name, 'loc-1', venueId);

    // The worker dies with the event (it hangs and is killed); a stall is one too many here.
    const saleId = uniq('S');
    const eventId = await killWorkerMidEvent(t, p, { id: saleId, total: 500 }, { maxStalledCount: 0 });

    // Another worker's stalled check fails the job without running our code: the row stays `processing`.
    const b = t.startWorker({ lockDuration: 1000, stalledInterval: 300, maxStalledCount: 0 });
    await waitFor(async () => (await jobState(t, eventId)) === 'failed', { timeoutMs: 15_000, what: 'BullMQ to fail the stalled job' });
    expect((await eventRow(t, eventId))!.status).toBe('processing');
    expect((await signedPost(t, p, 'sale.updated', saleEvent({ id: saleId, version: 2 }))).status).toBe(409);

    // Untouched for less than a minute: left alone.
    await failStrandedEvents(sweep);
    expect((await eventRow(t, eventId))!.status).toBe('processing');
    await backdate(eventId);
    expect(await sweepLongAgo()).toBe(1);
    const row = (await eventRow(t, eventId))!;
    expect(row.status).toBe('failed');
    expect(row.reason).toMatch(/^processing stopped: .*stalled/);
    expect(row.processedAt).not.toBeNull();

    // The sale is free again, and the next event of it goes through.
    const next = await signedPost(t, p, 'sale.updated', saleEvent({ id: saleId, version: 2, total: 600 }));
    expect(next.status).toBe(200);
    expect((await waitForEvent(t, next.body.event_id as string)).status).toBe('processed');
    await b.worker.close();
  }, 40_000);

  it('leaves events whose job is still waiting alone and fails those whose job is gone', async () => {
    const p = await createTestPartner(t);
    await putMapping(t, p.name, 'sale.updated', SALE_MAPPING);
    // No worker runs: the job waits in the queue.
    const res = await signedPost(t, p, 'sale.updated', saleEvent({ id: uniq('S') }));
    expect(res.status).toBe(200);
    const waitingId = res.body.event_id as string;
    const goneId = newId('evt');
    for (const id of [waitingId, goneId]) {
      await t.composed.deps.dataSource.query(
        `INSERT INTO inbound_events (id, partner, event_type, raw_payload, status, reason, sale_id, attempts, received_at, updated_at)
         VALUES (?, ?, 'sale.updated', '{}', 'queued', NULL, NULL, 0, ?, ?)`,
        [id, p.name, LONG_AGO, LONG_AGO],
      );
    }

    expect(await sweepLongAgo()).toBe(1);
    expect((await eventRow(t, waitingId))!.status).toBe('queued');
    expect(await jobState(t, waitingId)).toBe('waiting');
    const gone = (await eventRow(t, goneId))!;
    expect(gone.status).toBe('failed');
    expect(gone.reason).toBe('processing stopped: its queue job is gone');
  });
});
