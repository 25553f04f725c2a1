import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { AppDeps } from '../../app-deps';
import type { BackgroundProcess } from '../../platform/jobs/background-process';
import { outageLog, type Logger } from '../../platform/logger';
import { isDatabaseUnavailable } from '../../platform/db/db-errors';
import type { RedisClient } from '../../platform/redis-connections';
import { deliveryJobOptions, retryScheduleOf, type DeliveryJobData } from '../webhooks';
import { totalSpanMs, type RetrySchedule } from '../../platform/retry-schedule';
import { onOutboxCommit } from '../outbox';
import type { SessionPool } from '../../platform/db/session-pool';
import type { Notifications } from '../notifications';
import { SUBSCRIBERS } from './subscribers';

/**
 * The outbox relay (the outbox → its subscribers), a worker-role process.
 *
 * Each pass claims unrelayed outbox rows in id order with `SELECT … FOR UPDATE SKIP LOCKED`, so several
 * worker processes share the work without waiting on each other or taking the same row, hands them to each
 * of its SUBSCRIBERS (subscribers/, one file each) in turn (the live stream, the webhook fan-out, review invitations, then emails;
 * analytics is the next one), and marks the rows relayed once every subscriber has taken them, all while
 * holding the row lock. A subscriber must be idempotent: a pass that fails before its commit (a subscriber
 * threw, the process died) leaves the rows unrelayed, and the next pass hands them to every subscriber again.
 *
 * A pass costs the relay two round trips (on a session-pool connection): START TRANSACTION with the claim,
 * which returns the claimed rows; then the UPDATE marking them with the COMMIT. The subscribers' own
 * statements run on the DataSource's pool meanwhile.
 *
 * When to pass: at once after a full batch; soon (busyIntervalMs) after a pass that relayed some rows; after
 * an empty pass, at the poll (intervalMs), or when a commit of this process writes outbox rows
 * (onOutboxCommit): at once, but never sooner than busyIntervalMs after the previous pass began. So a sale
 * that trickles in after a quiet spell is relayed right after its commit; commits closer together than the
 * busy wait are gathered at its pace, as before (a wake-up during the busy wait changes nothing), so a
 * steady load makes no extra passes; and with nothing written the relay sleeps out the poll.
 *
 * The webhook subscriber creates one webhook_deliveries row per subscribed endpoint (unique (webhook_id,
 * message_id): idempotent) on a second connection, committed before their jobs are added (jobId = delivery
 * id: a re-add while the job exists is a no-op), so a worker never picks up a job whose delivery it cannot
 * see yet. The same loop sweeps for pending deliveries whose job is gone (Redis lost data, or a job failed
 * before its outcome could be recorded) and re-adds them, so a delivery row is never stranded.
 */

export interface RelayOptions {
  /** Wait between passes when the outbox is drained. @defaultValue 200 */
  intervalMs?: number;
  /**
   * Wait after a pass that relayed rows but did not fill its batch: changes come in runs (a service's POS
   * sales), so the next ones are looked for soon, which is what keeps the live diary's latency low
   * (README "Live stream"); after a pass that found nothing the wait is `intervalMs` again. @defaultValue 25
   */
  busyIntervalMs?: number;
  /**
   * Outbox rows claimed per pass (each fans out to every subscribed endpoint). A pass costs the relay two
   * round trips and a commit whatever its size (plus its subscribers' statements), so under a steady stream
   * of sales the size decides the relay's share of the worker's database time. @defaultValue 100
   */
  batchSize?: number;
  /** How often stranded deliveries are looked for. @defaultValue 5000 */
  sweepIntervalMs?: number;
  /** Who gets the outbox rows, in order. @defaultValue SUBSCRIBERS */
  subscribers?: readonly OutboxSubscriber[];
}

export interface RelayDeps {
  dataSource: DataSource;
  /** Where the pass's own transaction runs (several statements per round trip). */
  sessionPool: SessionPool;
  queue: Queue<DeliveryJobData>;
  schedule: RetrySchedule;
  /** The commands connection (the live stream's buffer and channel) and the app's key prefix. */
  redis: RedisClient;
  keyPrefix: string;
  /** Who gets the outbox rows, in order. @defaultValue SUBSCRIBERS */
  subscribers?: readonly OutboxSubscriber[];
  /** The email subscriber's door (src/modules/notifications). */
  emails?: Notifications;
}

/** An outbox row as the relay hands it to subscribers. */
export interface OutboxRow {
  id: number;
  message_id: string;
  venue_id: string;
  event: string;
  resource_version: number;
  /** The event's data as written (JSON text). */
  payload: string;
  created_at: Date;
}

/** A consumer of what happened: gets each committed outbox row at least once, in id order per pass. */
export interface OutboxSubscriber {
  name: string;
  /** Takes a pass's rows; must be idempotent (a failed pass hands the same rows again). */
  handle(deps: RelayDeps, rows: readonly OutboxRow[], now: Date): Promise<void>;
}

/** One pass: returns how many outbox rows were relayed (0 = the outbox is drained). */
export async function relayOutboxBatch(deps: RelayDeps, batchSize = 100, now = new Date()): Promise<number> {
  // READ COMMITTED: the claim locks only the rows it returns. Under REPEATABLE READ it would also gap-lock
  // the end of the index, blocking every transaction that writes a new outbox row (a subscriber's email
  // request among them, on the DataSource's pool) until this pass commits.
  return deps.sessionPool.transaction('READ COMMITTED', async (tx) => {
    const [rows] = (await tx.run([{
      sql: `SELECT id, message_id, venue_id, event, resource_version, payload, created_at FROM outbox
        WHERE relayed_at IS NULL ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`,
      params: [batchSize],
    }])) as [OutboxRow[]];
    if (rows.length > 0) {
      for (const subscriber of deps.subscribers ?? SUBSCRIBERS) await subscriber.handle(deps, rows, now);
      tx.beforeCommit([{ sql: 'UPDATE outbox SET relayed_at = ? WHERE id IN (?)', params: [now, rows.map((r) => r.id)] }]);
    }
    return rows.length;
  });
}

/**
 * Re-adds jobs for pending deliveries that are overdue (by 5 × base_ms, 5 s to 5 min) and whose job is
 * missing or already finished. A waiting or delayed job is in Redis, so a backlog is never re-added. Only
 * deliveries young enough to still be inside the retry schedule (its nominal span + 1 h) are looked at;
 * their ids are time-ordered, so that is a primary-key range and not a table scan.
 */
export async function requeueStrandedDeliveries(deps: RelayDeps, now = new Date()): Promise<number> {
  const { schedule } = deps;
  const graceMs = Math.min(300_000, Math.max(5_000, 5 * schedule.baseMs));
  const windowMs = totalSpanMs({ ...schedule, jitter: 0 }) + 3_600_000;
  const lowestId = `whd_${Math.max(0, now.getTime() - windowMs).toString(36).padStart(10, '0')}`;
  const rows = (await deps.dataSource.query(
    `SELECT id, attempts FROM webhook_deliveries
      WHERE id >= ? AND status = 'pending' AND next_attempt_at < ? ORDER BY id LIMIT 100`,
    [lowestId, new Date(now.getTime() - graceMs)],
  )) as { id: string; attempts: number }[];
  let requeued = 0;
  for (const row of rows) {
    const job = await deps.queue.getJob(row.id);
    if (job) {
      const state = await job.getState();
      // Waiting, delayed or active: it will run. A finished job with a pending delivery failed to record.
      if (state !== 'completed' && state !== 'failed') continue;
      await job.remove();
    }
    await deps.queue.add('deliver', { delivery_id: row.id }, deliveryJobOptions(row.id, schedule, schedule.attempts - row.attempts));
    requeued += 1;
  }
  return requeued;
}

/** The relay loop as a worker-role background process. */
export function startOutboxRelay(deps: AppDeps, options: RelayOptions = {}): BackgroundProcess {
  const intervalMs = options.intervalMs ?? 200;
  const busyIntervalMs = options.busyIntervalMs ?? 25;
  const batchSize = options.batchSize ?? 100;
  const sweepIntervalMs = options.sweepIntervalMs ?? 5000;
  const relayDeps: RelayDeps = {
    dataSource: deps.dataSource,
    sessionPool: deps.sessionPool,
    subscribers: options.subscribers,
    queue: deps.queues.webhookDeliveries as Queue<DeliveryJobData>,
    schedule: retryScheduleOf(deps.config),
    redis: deps.redis,
    keyPrefix: deps.keyPrefix,
    emails: deps.notifications,
  };
  const logger: Logger = deps.logger.child({ component: 'outbox-relay' });
  let stopped = false;
  // close() ends the current pause at once instead of waiting out the interval.
  const sleeper = { wake: (): void => undefined };
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      sleeper.wake = () => {
        clearTimeout(timer);
        sleeper.wake = () => undefined;
        resolve();
      };
    });
  // A local commit wrote outbox rows since the current pass began; it ends the idle wait (only that one).
  let committed = false;
  let idle = false;
  const unsubscribe = onOutboxCommit(deps.dataSource, () => {
    committed = true;
    if (idle) sleeper.wake();
  });
  const idlePause = async (passStartedAt: number): Promise<void> => {
    if (!committed) {
      idle = true;
      try {
        await pause(intervalMs);
      } finally {
        idle = false;
      }
    }
    // Woken by a commit: no sooner than busyIntervalMs after the last pass began, so commits that follow
    // each other closely get the busy wait's pace (a pass gathers them), never a pass per commit.
    const wait = passStartedAt + busyIntervalMs - Date.now();
    if (wait > 0 && !stopped) await pause(wait);
  };

  const loop = async (): Promise<void> => {
    let nextSweep = Date.now() + sweepIntervalMs;
    while (!stopped) {
      try {
        committed = false;
        const passStartedAt = Date.now();
        const relayed = await relayOutboxBatch(relayDeps, batchSize);
        outageLog('database').recovered(logger);
        if (Date.now() >= nextSweep) {
          nextSweep = Date.now() + sweepIntervalMs;
          const requeued = await requeueStrandedDeliveries(relayDeps);
          if (requeued > 0) logger.warn({ requeued }, 'requeued stranded webhook deliveries');
        }
        // A full batch means more is waiting: go again at once; some: look again soon; none: wait for a
        // local commit or the poll (a commit during this empty pass: go again as soon as the pace allows).
        if (relayed === batchSize) continue;
        if (relayed > 0) await pause(busyIntervalMs);
        else await idlePause(passStartedAt);
      } catch (err) {
        // Database or Redis down: the rows stay unrelayed; try again a little later.
        if (isDatabaseUnavailable(err)) outageLog('database').report(logger, err, { component: 'outbox-relay' });
        else logger.error({ err: (err as Error).message }, 'outbox relay pass failed');
        await pause(intervalMs * 10);
      }
    }
  };
  const running = loop();

  return {
    name: 'outbox-relay',
    async close() {
      stopped = true;
      unsubscribe();
      sleeper.wake();
      await running;
    },
  };
}
