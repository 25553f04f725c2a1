/**
 * The scheduled expiry of booking requests (CONTRACT §11), a worker-role process: a BullMQ job scheduler
 * (a repeatable job, every REQUEST_EXPIRY_INTERVAL_MS) on the request-expiry queue, and a worker that runs
 * each occurrence (expireDueRequests). Every worker process upserts the same scheduler at start (an upsert
 * with one id: one schedule however many workers start), and BullMQ hands each occurrence to one worker;
 * should two sweeps still meet (a slow sweep and the next occurrence, or two deployments on one database),
 * the sweep itself is idempotent: each request expires once (expire-requests.ts).
 */
import type { Queue } from 'bullmq';
import type { PlatformDeps } from '../../platform/platform-deps';
import { expireDueRequests } from './expire-requests';
import { isDatabaseUnavailable } from '../../platform/db/db-errors';
import { outageLog } from '../../platform/logger';
import type { BackgroundProcess } from '../../platform/jobs/background-process';
import { closeWorker, createWorker, QUEUE_NAMES } from '../../platform/jobs/queues';
import type { PickUpWaitingSales } from './sale-rematch';

export const REQUEST_EXPIRY_SCHEDULER_ID = 'request-expiry-sweep';

/** Starts the worker and (re)declares the schedule. */
export function startRequestExpiry(deps: PlatformDeps, pickUpWaitingSales: PickUpWaitingSales): BackgroundProcess {
  const logger = deps.logger.child({ component: 'request-expiry' });
  const queue = deps.queues.requestExpiry as Queue;
  const worker = createWorker(
    { redisConnections: deps.redisConnections, redisPrefix: deps.config.redisPrefix, logger: deps.logger, connectionName: 'tablesync-request-expiry' },
    QUEUE_NAMES.requestExpiry,
    async () => {
      try {
        const expired = await expireDueRequests(deps.dataSource, pickUpWaitingSales);
        outageLog('database').recovered(logger);
        if (expired.length) logger.info({ expired: expired.length, booking_ids: expired.slice(0, 20) }, 'booking requests expired');
        // Kept with the completed job (a few of them): which requests this occurrence expired.
        return { expired: expired.length, ids: expired.slice(0, 200) };
      } catch (err) {
        // The next occurrence tries again; an outage is logged once, not per occurrence.
        if (isDatabaseUnavailable(err)) outageLog('database').report(logger, err, { component: 'request-expiry' });
        else logger.error({ err: (err as Error).message }, 'request expiry sweep failed');
        throw err;
      }
    },
    { concurrency: 1 },
  );
  // Not awaited, on start or on close: while Redis is away it waits for Redis (the worker's close is bounded).
  void queue
    .upsertJobScheduler(
      REQUEST_EXPIRY_SCHEDULER_ID,
      { every: deps.config.requestExpiryIntervalMs },
      { name: 'sweep', opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
    )
    .catch((err: unknown) => outageLog('redis').report(logger, err, { component: 'request-expiry' }));
  return {
    name: 'request-expiry',
    async close() {
      await closeWorker(worker);
    },
  };
}
