import { Worker } from 'bullmq';
import { SaleLock } from '../../src/modules/partners/edge/sale-lock';
import { QUEUE_NAMES, queuePrefix } from '../../src/platform/jobs/queues';
import { enqueueInboundEvent } from '../../src/modules/partners/pipeline/inbound-job';
import { recoverFailedWithoutRow, startStrandedEventSweep, type StrandedSweepDeps } from '../../src/modules/partners/pipeline/stranded-events';
import { newId } from '../../src/platform/ids';
import { createVenue } from '../helpers/fixtures';
import {
  createTestPartner,
  eventRow,
  jobState,
  linkLocation,
  putMapping,
  SALE_MAPPING,
  saleEvent,
  salesOf,
  startHubApp,
  type HubApp,
  type TestPartner,
  waitForEvent,
} from '../helpers/partner';
import { uniq } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';

describe('inbound pipeline: events BullMQ failed before they had an event-log row', () => {
  let t: HubApp;
  let p: TestPartner;
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
    const venueId = (await createVenue(t)).id;
    p = await createTestPartner(t);
    await putMapping(t, p.name, 'sale.updated', SALE_MAPPING);
    await linkLocation(t, p.name, 'loc-1', venueId);
  });
  afterAll(() => t.stop());

  /**
   * The state the outage left behind, made directly: accepted events whose jobs a worker failed (with the
   * given reasons) before any row was written. No inbound worker runs meanwhile.
   */
  async function failedWithoutRow(reasons: string[]): Promise<{ eventId: string; saleId: string }[]> {
    const deps = t.composed.deps;
    const events = reasons.map(() => ({ eventId: newId('evt'), saleId: uniq('S') }));
    for (const e of events) {
      await enqueueInboundEvent(
        deps.queues.inboundEvents,
        {
          eventId: e.eventId,
          partner: p.name,
          eventType: 'sale.updated',
          rawPayload: JSON.stringify(saleEvent({ id: e.saleId, total: 777 })),
          contentType: 'application/json',
          receivedAt: new Date().toISOString(),
          saleIds: [e.saleId],
        },
        1,
      );
    }
    const byId = new Map(events.map((e, i) => [e.eventId, reasons[i]!]));
    const failer = new Worker(
      QUEUE_NAMES.inboundEvents,
      async (job) => {
        throw new Error(byId.get(job.id!) ?? 'unexpected job');
      },
      { connection: deps.redisConnections.bullmq('test-failer'), prefix: queuePrefix(deps.keyPrefix, QUEUE_NAMES.inboundEvents) },
    );
    try {
      await waitFor(async () => (await Promise.all(events.map((e) => jobState(t, e.eventId)))).every((s) => s === 'failed'), {
        what: 'the jobs to fail',
      });
    } finally {
      await failer.close();
    }
    for (const e of events) expect(await eventRow(t, e.eventId)).toBeNull();
    return events;
  }

  it('writes the event into the log and processes it, once, however many sweeps run at the same time', async () => {
    const [lost] = await failedWithoutRow(['connect ECONNREFUSED 127.0.0.1:3306']);
    const worker = t.startWorker();

    const passes = await Promise.all([recoverFailedWithoutRow(sweep), recoverFailedWithoutRow(sweep), recoverFailedWithoutRow(sweep)]);
    expect(passes.reduce((n, r) => n + r.requeued, 0)).toBe(1);

    const row = await waitForEvent(t, lost!.eventId);
    expect(row.status).toBe('processed');
    const sales = await salesOf(t, p.name, lost!.saleId);
    expect(sales).toHaveLength(1);
    expect(Number(sales[0]!.total)).toBe(777);

    // Done: a later pass finds nothing to do.
    expect((await recoverFailedWithoutRow(sweep)).requeued).toBe(0);
    await worker.worker.close();
  }, 40_000);

  it('logs a poison event (failed for stalling too often) as failed instead of running it again', async () => {
    const [poison] = await failedWithoutRow(['job stalled more than allowable limit']);
    const result = await recoverFailedWithoutRow(sweep);
    expect(result).toMatchObject({ requeued: 0, failed: 1 });
    const row = await eventRow(t, poison!.eventId);
    expect(row!.status).toBe('failed');
    expect(row!.reason).toMatch(/^processing stopped: .*stalled/);
    expect(await jobState(t, poison!.eventId)).toBe('failed');
    // It is replayable like any failed event.
    expect((await t.admin('post', `/admin/v1/events/${poison!.eventId}/replay`)).status).toBeLessThan(300);
  }, 40_000);

  it('recovers at start: a worker process that starts finds what failed while it was away', async () => {
    const [lost] = await failedWithoutRow(['Connection lost: The server closed the connection.']);
    // A worker-role app on the same queues: its sweep runs at start.
    const sweeper = startStrandedEventSweep(t.composed.deps);
    const worker = t.startWorker();
    try {
      expect((await waitForEvent(t, lost!.eventId)).status).toBe('processed');
      expect(await salesOf(t, p.name, lost!.saleId)).toHaveLength(1);
    } finally {
      await sweeper.close();
      await worker.worker.close();
    }
  }, 40_000);
});
