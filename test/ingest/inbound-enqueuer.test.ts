import { Queue } from 'bullmq';
import { inboundEnqueuer, type InboundJobData } from '../../src/pipeline/inbound-job';
import { testEnv, uniq } from '../helpers/test-app';

/** A queue of its own with no worker, so the jobs stay where the enqueuer put them. */
describe('inbound enqueuer (the jobs of concurrent requests added in one write)', () => {
  let queue: Queue;
  beforeAll(() => {
    const env = testEnv();
    queue = new Queue(uniq('enqueuer'), { connection: { host: '127.0.0.1', port: 6379 }, prefix: env.REDIS_PREFIX });
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });

  const event = (eventId: string, extra: Partial<InboundJobData> = {}): InboundJobData => ({
    eventId, partner: 'pos', eventType: 'sale.updated', rawPayload: '{"a":1}', receivedAt: new Date().toISOString(), saleIds: [], ...extra,
  });

  it('adds every job of a batch with the event id as job id, attempts and backoff', async () => {
    const enqueue = inboundEnqueuer(queue, 5);
    const ids = [uniq('evt'), uniq('evt'), uniq('evt')];
    await Promise.all(ids.map((id) => enqueue(event(id))));
    for (const id of ids) {
      const job = await queue.getJob(id);
      expect(job?.data.eventId).toBe(id);
      expect(job?.opts).toMatchObject({ attempts: 5, backoff: { type: 'exponential', delay: 1000 } });
    }
    expect(await queue.getWaitingCount()).toBeGreaterThanOrEqual(3);
  });

  it('a job that cannot be added fails alone: the others of its batch are added once each', async () => {
    const enqueue = inboundEnqueuer(queue, 3);
    const [before, after] = [uniq('evt'), uniq('evt')];
    const broken = uniq('evt');
    const waiting = await queue.getWaitingCount();
    // A BigInt cannot be serialised: BullMQ's addBulk throws, and the batch goes again job by job.
    const results = await Promise.allSettled([
      enqueue(event(before)),
      enqueue(event(broken, { saleIds: [10n as unknown as string] })),
      enqueue(event(after)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await queue.getJob(broken)).toBeUndefined();
    expect((await queue.getJob(before))?.data.eventId).toBe(before);
    expect((await queue.getJob(after))?.data.eventId).toBe(after);
    expect(await queue.getWaitingCount()).toBe(waiting + 2);
  });
});
