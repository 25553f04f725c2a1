import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { AppDeps } from '../app-deps';
import type { BackgroundProcess } from '../composition-root';
import { SaleLock } from '../ingest/sale-lock';
import type { Logger } from '../shared/logger';
import type { Metrics } from '../shared/metrics';
import { storedReason } from './event-log';
import type { InboundJobData } from './inbound-job';
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
  const rows = (await deps.dataSource.query(
    `SELECT id, partner, sale_id FROM inbound_events
      WHERE status IN ('queued', 'processing') AND updated_at < ? ORDER BY updated_at LIMIT ?`,
    [new Date(now.getTime() - strandedAfterMs), BATCH],
  )) as UnfinishedRow[];
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
    const result = (await deps.dataSource.query(
      `UPDATE inbound_events SET status = 'failed', reason = ?, processed_at = ?, updated_at = ?
        WHERE id = ? AND status IN ('queued', 'processing')`,
      [storedReason(reason), now, now, row.id],
    )) as { affectedRows?: number };
    if ((result.affectedRows ?? 0) === 0) continue;
    failed++;
    deps.metrics.inboundEvents.inc({ partner: row.partner, outcome: 'failed' });
    deps.logger.warn({ event_id: row.id, partner: row.partner, reason }, 'stranded inbound event marked failed');
  }
  return failed;
}

/** Worker role: the sweep every `intervalMs` (default a minute). */
export function startStrandedEventSweep(deps: AppDeps, options: { intervalMs?: number } = {}): BackgroundProcess {
  const sweepDeps: StrandedSweepDeps = {
    dataSource: deps.dataSource,
    queue: deps.queues.inboundEvents,
    locks: new SaleLock(deps.redis, deps.keyPrefix),
    logger: deps.logger.child({ component: 'stranded-event-sweep' }),
    metrics: deps.metrics,
  };
  const intervalMs = options.intervalMs ?? 60_000;
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = failStrandedEvents(sweepDeps).catch((err: unknown) =>
      sweepDeps.logger.error({ err: (err as Error).message }, 'stranded event sweep failed'),
    );
  }, intervalMs);
  timer.unref();
  return {
    name: 'stranded-event-sweep',
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}
