import { Worker } from 'bullmq';
import type { AppDeps } from '../app-deps';
import { partnerCacheOf } from '../ingest/partner-cache';
import { DEFAULT_SALE_LOCK_TTL_MS, SaleLock } from '../ingest/sale-lock';
import { QUEUE_NAMES, closeWorker, queuePrefix } from '../jobs/queues';
import type { InboundEventResult, InboundJobData } from './inbound-job';
import { InboundApplier } from './apply-batcher';
import { processInboundEvent } from './process-inbound-event';

export interface InboundWorkerOptions {
  /** Jobs processed at once by this process. @defaultValue config.workerConcurrency */
  concurrency?: number;
  /** BullMQ job lock; a worker silent this long is presumed dead. @defaultValue 30_000 */
  lockDuration?: number;
  /** How often this worker looks for jobs of dead workers. @defaultValue 30_000 */
  stalledInterval?: number;
  /** Times a job may be recovered from a dead worker before it fails. @defaultValue 2 */
  maxStalledCount?: number;
  /** TTL of the per-sale lock while the worker holds it. @defaultValue 5 minutes */
  saleLockTtlMs?: number;
  /** Test seam: runs once an event is `processing`, before its commands are applied. */
  beforeApply?: (eventId: string) => Promise<void>;
}

export interface InboundEventWorker {
  readonly name: string;
  readonly worker: Worker<InboundJobData, InboundEventResult>;
  /** Finishes the jobs in flight, then stops. */
  close(): Promise<void>;
}

/**
 * The BullMQ worker of the `inbound-events` queue. Its own connections wait forever for Redis
 * (`maxRetriesPerRequest: null`, as BullMQ requires for workers), so an outage pauses it instead of
 * failing jobs. Built by the composition root in the worker role; tests build extra ones to kill.
 */
export function createInboundEventWorker(deps: AppDeps, options: InboundWorkerOptions = {}): InboundEventWorker {
  const locks = new SaleLock(deps.redis, deps.keyPrefix, options.saleLockTtlMs ?? DEFAULT_SALE_LOCK_TTL_MS);
  const applier = new InboundApplier(deps.dataSource, deps.logger, { locks });
  const ctx = {
    dataSource: deps.dataSource,
    // The partner cache the ingest edge uses: dropped on every partner/mapping change (pub/sub), TTL-bounded.
    partners: partnerCacheOf(deps),
    applier,
    queue: deps.queues.inboundEvents,
    locks,
    logger: deps.logger,
    metrics: deps.metrics,
    beforeApply: options.beforeApply,
  };
  const worker = new Worker<InboundJobData, InboundEventResult>(
    QUEUE_NAMES.inboundEvents,
    (job, token) => processInboundEvent(ctx, job, token),
    {
      connection: deps.redisConnections.bullmq('tablesync-inbound-worker'),
      prefix: queuePrefix(deps.config.redisPrefix, QUEUE_NAMES.inboundEvents),
      concurrency: options.concurrency ?? deps.config.workerConcurrency,
      lockDuration: options.lockDuration ?? 30_000,
      stalledInterval: options.stalledInterval ?? 30_000,
      maxStalledCount: options.maxStalledCount ?? 2,
    },
  );
  let lastError = 0;
  worker.on('error', (err) => {
    // A Redis outage repeats this on every reconnect attempt: log it at most every 10 s.
    if (Date.now() - lastError > 10_000) {
      lastError = Date.now();
      deps.logger.error({ err: err.message, queue: QUEUE_NAMES.inboundEvents }, 'inbound event worker error');
    }
  });
  // However the worker is closed (tests close the BullMQ worker directly), its kept connections go back.
  worker.on('closed', () => void applier.close());
  worker.on('stalled', (jobId) => deps.logger.warn({ event_id: jobId }, 'inbound event stalled; processing it again'));
  return {
    name: 'inbound-event-worker',
    worker,
    async close() {
      await closeWorker(worker);
      await applier.close();
    },
  };
}
