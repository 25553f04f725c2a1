import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { AppDeps } from '../../app-deps';
import type { BackgroundProcess } from '../../platform/jobs/background-process';
import { newId } from '../../platform/ids';
import { outageLog, type Logger } from '../../platform/logger';
import { isDatabaseUnavailable } from '../../platform/db/db-errors';
import { publishLiveEvents } from '../live';
import type { RedisClient } from '../../platform/redis-connections';
import { deliveryJobOptions, eventData, retryScheduleOf, type DeliveryJobData } from '../webhooks';
import { totalSpanMs, type RetrySchedule } from '../../platform/retry-schedule';
import { isInternalEvent, onOutboxCommit } from '../outbox';
import type { SessionPool } from '../../platform/db/session-pool';
import { emailNotifications, type Notifications } from '../notifications';
import { inviteCompletedBookings } from '../reviews';
import { webhookBody } from '../webhooks';

/**
 * The outbox relay (the outbox → its subscribers), a worker-role process.
 *
 * Each pass claims unrelayed outbox rows in id order with `SELECT … FOR UPDATE SKIP LOCKED`, so several
 * worker processes share the work without waiting on each other or taking the same row, hands them to each
 * of its SUBSCRIBERS in turn (the live stream, the webhook fan-out, review invitations, then emails;
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

interface WebhookRow {
  id: string;
  venue_id: string;
  events: string | string[];
  created_at: Date;
}

/**
 * Deliveries per INSERT and per addBulk. A large fan-out goes chunk by chunk, so workers start on the first
 * chunk while the rest is still being written (and each statement stays well within max_allowed_packet).
 */
const CHUNK = 500;

type DeliveryValues = [string, string, string, string, 'pending', 0, Date, Date, Date];

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
 * Fan-out: one delivery per (message, subscribed endpoint). An endpoint gets the messages written after it
 * was registered, not the backlog from before.
 */
async function planDeliveries(ds: DataSource, rows: readonly OutboxRow[], now: Date): Promise<DeliveryValues[]> {
  const venueIds = [...new Set(rows.map((r) => r.venue_id))];
  const hooks = (await ds.query(
    'SELECT id, venue_id, events, created_at FROM webhooks WHERE venue_id IN (?) AND enabled = 1 AND deleted_at IS NULL',
    [venueIds],
  )) as WebhookRow[];
  const byVenue = new Map<string, { id: string; events: string[]; createdAt: number }[]>();
  for (const h of hooks) {
    const events = typeof h.events === 'string' ? (JSON.parse(h.events) as string[]) : h.events;
    byVenue.set(h.venue_id, [...(byVenue.get(h.venue_id) ?? []), { id: h.id, events, createdAt: h.created_at.getTime() }]);
  }
  const values: DeliveryValues[] = [];
  for (const row of rows) {
    // Facts for the outbox's own subscribers (an email asked for by a door) are not webhook events.
    if (isInternalEvent(row.event)) continue;
    for (const h of byVenue.get(row.venue_id) ?? []) {
      if (h.createdAt > row.created_at.getTime()) continue;
      if (!h.events.includes('*') && !h.events.includes(row.event)) continue;
      values.push([newId('whd'), h.id, row.message_id, row.event, 'pending', 0, now, now, now]);
    }
  }
  return values;
}

/**
 * Inserts pending deliveries (autocommit, on a connection of its own, so they are visible to workers
 * before their jobs exist) and returns those still pending. An existing (webhook_id, message_id) keeps its
 * row and id: relaying an outbox row twice is harmless.
 */
async function insertDeliveries(ds: DataSource, values: DeliveryValues[]): Promise<{ id: string; attempts: number }[]> {
  const result = (await ds.query(
    `INSERT INTO webhook_deliveries (id, webhook_id, message_id, event, status, attempts, next_attempt_at, created_at, updated_at)
     VALUES ? ON DUPLICATE KEY UPDATE id = id`,
    [values],
  )) as { info?: string };
  // affectedRows counts found duplicates too (CLIENT_FOUND_ROWS); the server's info line does not (and is
  // empty for a one-row insert, which then takes the lookup below).
  if (/Duplicates: 0\b/.test(result.info ?? '')) return values.map((v) => ({ id: v[0], attempts: 0 }));
  // Relayed before (a crash before the row was marked): which deliveries exist, and are they still pending?
  // Both lists hit the unique (webhook_id, message_id) index; the exact pairs are picked here.
  const pairs = new Set(values.map((v) => `${v[1]} ${v[2]}`));
  const existing = (await ds.query(
    `SELECT id, webhook_id, message_id, attempts FROM webhook_deliveries
      WHERE webhook_id IN (?) AND message_id IN (?) AND status = 'pending'`,
    [[...new Set(values.map((v) => v[1]))], [...new Set(values.map((v) => v[2]))]],
  )) as { id: string; webhook_id: string; message_id: string; attempts: number }[];
  return existing.filter((d) => pairs.has(`${d.webhook_id} ${d.message_id}`)).map((d) => ({ id: d.id, attempts: d.attempts }));
}

/** Today's first subscriber: one webhook delivery (row and job) per (message, subscribed endpoint). */
export const webhookDeliveries: OutboxSubscriber = {
  name: 'webhooks',
  async handle(deps, rows, now) {
    const planned = await planDeliveries(deps.dataSource, rows, now);
    for (let i = 0; i < planned.length; i += CHUNK) {
      const pending = await insertDeliveries(deps.dataSource, planned.slice(i, i + CHUNK));
      if (pending.length === 0) continue;
      await deps.queue.addBulk(
        pending.map((d) => ({
          name: 'deliver',
          data: { delivery_id: d.id },
          opts: deliveryJobOptions(d.id, deps.schedule, deps.schedule.attempts - d.attempts),
        })),
      );
    }
  },
};

/**
 * Review invitations (CONTRACT §11): each booking that reached `completed` gets one, its email queued through
 * the notifications door in the invitation's transaction (an `email.requested` row of its own; idempotent:
 * one invitation per booking, by a unique key).
 */
export const reviewInvitations: OutboxSubscriber = {
  name: 'review-invitations',
  async handle(deps, rows, now) {
    const emails = deps.emails;
    if (!emails) throw new Error('the review invitations subscriber needs RelayDeps.emails (the Notifications door)');
    await inviteCompletedBookings(deps.dataSource, rows, (tx, invitation) => emails.queueEmail(tx, {
      venueId: invitation.venueId, kind: 'review_invitation', bookingId: invitation.bookingId, to: invitation.to,
      link: emails.publicLink(`/review/${invitation.token}`),
    }, now), now);
  },
};

/**
 * The live stream (`GET /api/v1/stream`, CONTRACT §9): every outbox event of a venue, as the §7 webhook body
 * (the same bytes a webhook gets), appended to the venue's replay buffer in Redis and published to every API
 * process (src/modules/live). First in line: a diary is waiting for it, a webhook receiver is not.
 */
export const liveStream: OutboxSubscriber = {
  name: 'live',
  async handle(deps, rows) {
    await publishLiveEvents(
      deps.redis,
      deps.keyPrefix,
      // Facts for the outbox's own subscribers (an email asked for by a door) are not §7 events.
      rows.filter((r) => !isInternalEvent(r.event)).map((r) => ({
        venueId: r.venue_id,
        event: r.event,
        body: webhookBody({ messageId: r.message_id, event: r.event, createdAt: r.created_at, data: eventData(r.payload, r.resource_version) }),
      })),
    );
  },
};

/** Every consumer of the outbox, in the order they get a pass's rows. */
export const SUBSCRIBERS: readonly OutboxSubscriber[] = [
  liveStream,
  webhookDeliveries,
  reviewInvitations,
  emailNotifications,
];

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
