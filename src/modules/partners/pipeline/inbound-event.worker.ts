import type { Worker } from 'bullmq';
import type { ManageLinks, VenueLayoutCache } from '../../diary';
import type { KeptLocations } from '../commands/command-handlers';
import type { PlatformDeps } from '../../../platform/platform-deps';
import type { PartnerCache } from '../edge/partner-cache';
import type { SessionPool } from '../../../platform/db/session-pool';
import { DEFAULT_SALE_LOCK_TTL_MS, SaleLock } from '../edge/sale-lock';
import { DatabaseWait, type DatabaseWaitOptions } from '../../../platform/jobs/database-wait';
import { INBOUND_WORKER_LOCKS, QUEUE_NAMES, closeWorker, createWorker } from '../../../platform/jobs/queues';
import type { InboundEventResult, InboundJobData } from './inbound-job';
import { InboundApplier } from './inbound-applier';
import { processInboundEvent } from './process-inbound-event';

export interface InboundWorkerOptions {
  /** Jobs processed at once by this process. @defaultValue config.workerConcurrency */
  concurrency?: number;
  /** BullMQ job lock; a worker silent this long is presumed dead. @defaultValue INBOUND_WORKER_LOCKS */
  lockDuration?: number;
  /** How often this worker looks for jobs of dead workers. @defaultValue INBOUND_WORKER_LOCKS */
  stalledInterval?: number;
  /** Times a job may be recovered from a dead worker before it fails. @defaultValue INBOUND_WORKER_LOCKS */
  maxStalledCount?: number;
  /** TTL of the per-sale lock while the worker holds it. @defaultValue 5 minutes */
  saleLockTtlMs?: number;
  /** Test seam: runs once an event is `processing`, before its commands are applied. */
  beforeApply?: (eventId: string) => Promise<void>;
  /** How the worker waits out a database outage (pauses from 1 s, doubling up to 30 s). */
  databaseWait?: DatabaseWaitOptions;
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
 * `sessions`: the worker's own connections for its apply batches (INBOUND_APPLY_SESSIONS), built by the
 * caller; the worker closes them when it closes.
 */
export function createInboundEventWorker(
  deps: PlatformDeps & {
    readonly manageLinks: ManageLinks; readonly keptLocations: KeptLocations; readonly venueLayouts: VenueLayoutCache; readonly partnerCache: PartnerCache;
  },
  sessions: SessionPool,
  options: InboundWorkerOptions = {},
): InboundEventWorker {
  const locks = new SaleLock(deps.redis, deps.keyPrefix, options.saleLockTtlMs ?? DEFAULT_SALE_LOCK_TTL_MS);
  const applier = new InboundApplier(deps.dataSource, deps.logger, sessions, { locks, links: deps.manageLinks, keptLocations: deps.keptLocations, venueLayouts: deps.venueLayouts });
  const ctx = {
    dataSource: deps.dataSource,
    // The partner cache the ingest edge uses: dropped on every partner/mapping change (its change version), TTL-bounded.
    partners: deps.partnerCache,
    applier,
    queue: deps.queues.inboundEvents,
    locks,
    logger: deps.logger,
    metrics: deps.metrics,
    beforeApply: options.beforeApply,
    databaseWait: new DatabaseWait(deps.queues.inboundEvents, deps.logger, options.databaseWait),
  };
  const worker = createWorker<InboundJobData, InboundEventResult>(
    {
      redisConnections: deps.redisConnections,
      redisPrefix: deps.config.redisPrefix,
      logger: deps.logger,
      connectionName: 'tablesync-inbound-worker',
    },
    QUEUE_NAMES.inboundEvents,
    async (job, token) => {
      const result = await processInboundEvent(ctx, job, token);
      ctx.databaseWait.recovered();
      return result;
    },
    {
      concurrency: options.concurrency ?? deps.config.workerConcurrency,
      lockDuration: options.lockDuration ?? INBOUND_WORKER_LOCKS.lockDuration,
      stalledInterval: options.stalledInterval ?? INBOUND_WORKER_LOCKS.stalledInterval,
      maxStalledCount: options.maxStalledCount ?? INBOUND_WORKER_LOCKS.maxStalledCount,
    },
  );
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
