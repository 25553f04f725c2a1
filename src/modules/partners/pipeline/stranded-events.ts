import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { PlatformDeps } from '../../../platform/platform-deps';
import type { BackgroundProcess } from '../../../platform/jobs/background-process';
import { SaleLock } from '../edge/sale-lock';
import type { Logger } from '../../../platform/logger';
import type { Metrics } from '../../../platform/metrics';
import { failUnfinished, idsWithRows, insertRowFromJob, unfinishedBefore } from './inbound-event-store';
import { isDuplicateKey } from '../../../platform/db/db-errors';
import { INBOUND_JOB_NAME, type InboundJob, type InboundJobData } from './inbound-job';
import { wakeWaitingEvent } from './process-inbound-event';

/**
 * Events our code never got to finish. BullMQ fails a job that stalled more often than `maxStalledCount`
 * (its worker died with it every time: a poison event) without calling the processor, and a worker can
 * fail to write the final row (database down at that moment). Either way the event log would show the
 * event `queued` or `processing` for ever and its sales would stay held until their lock expired.
 *
 * The sweep finds unfinished rows untouched for a while whose job is failed or gone, frees their sales
 * (waking whoever waits for them) and marks them `failed` with the reason, so the event log tells the
 * truth and a partner manager can replay them.
 *
 * A second sweep (recoverFailedWithoutRow) covers the events that never got a row at all: jobs BullMQ
 * failed before the worker could write one (the database was away for all their attempts, or a poison
 * event stalled before its first write). Without a row neither the event log nor the sweep above knows
 * them, so they are written into the log and, unless they were poison, processed again.
 */

export interface StrandedSweepDeps {
  dataSource: DataSource;
  queue: Queue;
  locks: SaleLock;
  logger: Logger;
  metrics: Metrics;
}

/** Rows untouched for less than this are left alone: a replay or a first attempt may be on its way. */
export const STRANDED_AFTER_MS = 60_000;
const BATCH = 100;

interface UnfinishedRow {
  id: string;
  partner: string;
  sale_id: string | null;
}

/** One pass; returns how many events it marked failed. */
export async function failStrandedEvents(deps: StrandedSweepDeps, now = new Date(), strandedAfterMs = STRANDED_AFTER_MS): Promise<number> {
  const rows: UnfinishedRow[] = await unfinishedBefore(deps.dataSource, new Date(now.getTime() - strandedAfterMs), BATCH);
  let failed = 0;
  for (const row of rows) {
    const job = await deps.queue.getJob(row.id);
    const state = job ? await job.getState() : 'missing';
    if (state !== 'failed' && state !== 'missing') continue;
    const reason = job
      ? `processing stopped: ${job.failedReason || 'the job failed'}`
      : 'processing stopped: its queue job is gone';

    const data = job?.data as InboundJobData | undefined;
    const sales = [...new Set([...(data?.saleIds ?? []), ...(row.sale_id ? [row.sale_id] : [])])];
    // Sales first, then the row (as the worker does): an event shown finished never still holds its sale.
    const next = await deps.locks.release(row.partner, sales, row.id);
    await Promise.all(next.map((id) => wakeWaitingEvent(deps.queue, id, deps.logger)));
    if (!(await failUnfinished(deps.dataSource, row.id, reason, now))) continue;
    failed++;
    deps.metrics.inboundEvents.inc({ partner: row.partner, outcome: 'failed' });
    deps.logger.warn({ event_id: row.id, partner: row.partner, reason }, 'stranded inbound event marked failed');
  }
  return failed;
}

/** BullMQ's reason for a job that stalled more than maxStalledCount times (its worker died with it each time). */
const STALLED_TOO_OFTEN = /stalled more than allowable limit/i;
const FAILED_PAGE = 200;

export interface FailedRecovery {
  /** Failed jobs looked at. */
  scanned: number;
  /** Written into the log as `queued` and put back in the queue. */
  requeued: number;
  /** Written into the log as `failed` (poison events, never processed again by themselves). */
  failed: number;
}

/**
 * One pass over BullMQ's failed set of the inbound queue, newest first, down to jobs that failed before
 * `since` (epoch ms; 0 = the whole set). A failed job whose event has no inbound_events row gets one:
 * `failed` with BullMQ's reason when it stalled too often (a poison event: replay it by hand), else `queued`
 * with a reason, and the job is retried with its attempts reset. The row's INSERT decides: only the pass
 * that wrote it retries the job, so passes of several worker processes at once recover an event once, and
 * an event with a row is never touched (the other sweep and the worker own it).
 */
export async function recoverFailedWithoutRow(deps: StrandedSweepDeps, since = 0, now = new Date()): Promise<FailedRecovery> {
  const result: FailedRecovery = { scanned: 0, requeued: 0, failed: 0 };
  const client = await deps.queue.client;
  const key = deps.queue.toKey('failed');
  for (let start = 0; ; ) {
    const page = await client.zrevrange(key, start, start + FAILED_PAGE - 1, { WITHSCORES: true });
    const ids: string[] = [];
    for (let i = 0; i < page.length; i += 2) {
      const finishedOn = Number(page[i + 1]);
      if (finishedOn < since) break;
      ids.push(page[i]!);
    }
    if (ids.length === 0) break;
    result.scanned += ids.length;
    const known = await idsWithRows(deps.dataSource, ids);
    let retried = 0;
    for (const id of ids.filter((i) => !known.has(i))) {
      const job = (await deps.queue.getJob(id)) as InboundJob | undefined;
      if (!job || job.name !== INBOUND_JOB_NAME || job.data?.rawPayload === undefined) continue;
      const poison = STALLED_TOO_OFTEN.test(job.failedReason ?? '');
      const written = await insertMissingRow(deps, job.data, now, poison ? 'failed' : 'queued',
        poison
          ? `processing stopped: ${job.failedReason}`
          : `recovered: the queue had failed it without a record (${job.failedReason || 'no reason'}); processing again`);
      if (!written) continue;
      if (poison) {
        result.failed++;
        deps.metrics.inboundEvents.inc({ partner: job.data.partner, outcome: 'failed' });
        continue;
      }
      try {
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        result.requeued++;
        retried++;
      } catch (err) {
        // No longer failed (removed, or retried by hand): the row is there; the stranded sweep settles it.
        deps.logger.warn({ event_id: id, err: (err as Error).message }, 'recovered event could not be queued again');
      }
    }
    // A short page: the set, or the part failed since `since`, is read.
    if (ids.length < FAILED_PAGE) break;
    // The jobs retried left the set: the next page starts that much earlier.
    start += FAILED_PAGE - retried;
  }
  if (result.requeued || result.failed) {
    deps.logger.warn({ ...result }, 'inbound events the queue had failed without a record were written into the event log');
  }
  return result;
}

/** Writes an event's first row; false when it has one already (another pass, or the worker, wrote it). */
async function insertMissingRow(
  deps: StrandedSweepDeps,
  data: InboundJobData,
  now: Date,
  status: 'queued' | 'failed',
  reason: string,
): Promise<boolean> {
  try {
    await insertRowFromJob(deps.dataSource, data, now, status, reason);
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/**
 * Worker role: both sweeps every `intervalMs` (default a minute). The recovery of failed jobs runs at
 * start over the whole failed set, then over what failed since shortly before the last pass that finished.
 */
export function startStrandedEventSweep(deps: PlatformDeps, options: { intervalMs?: number } = {}): BackgroundProcess {
  const sweepDeps: StrandedSweepDeps = {
    dataSource: deps.dataSource,
    queue: deps.queues.inboundEvents,
    locks: new SaleLock(deps.redis, deps.keyPrefix),
    logger: deps.logger.child({ component: 'stranded-event-sweep' }),
    metrics: deps.metrics,
  };
  const intervalMs = options.intervalMs ?? 60_000;
  // 0 until a recovery pass has finished: the first one (and every one until one finishes) reads the whole set.
  let recoveredSince = 0;
  const recover = async (): Promise<void> => {
    // The queue's own connection would wait for Redis without end; the next pass tries again.
    if (deps.redis.status !== 'ready') throw new Error('Redis is not connected');
    const startedAt = Date.now();
    await recoverFailedWithoutRow(sweepDeps, recoveredSince);
    recoveredSince = startedAt - 10 * intervalMs;
  };
  const pass = (work: () => Promise<unknown>) => (): Promise<void> =>
    work().then(
      () => undefined,
      // The database or Redis is away: the next pass tries again (the failed set stays as it is).
      (err: unknown) => void sweepDeps.logger.error({ err: (err as Error).message }, 'stranded event sweep failed'),
    );
  // The recovery at once (events failed while this process was away); the stranded rows after a first interval.
  let running: Promise<unknown> = pass(recover)();
  const timer = setInterval(() => {
    running = running.then(pass(recover)).then(pass(() => failStrandedEvents(sweepDeps)));
  }, intervalMs);
  timer.unref();
  return {
    name: 'stranded-event-sweep',
    async close() {
      clearInterval(timer);
      // A pass waiting for Redis (the queue's connection waits for it forever) must not hold up the stop.
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([running, new Promise<void>((resolve) => (bound = setTimeout(resolve, 3000)))]);
      clearTimeout(bound);
    },
  };
}
