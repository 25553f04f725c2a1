import { UnrecoverableError, type Job, type JobsOptions } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { PlatformDeps } from '../../platform/platform-deps';
import type { BackgroundProcess } from '../../platform/jobs/background-process';
import { DatabaseWait, type DatabaseWaitOptions } from '../../platform/jobs/database-wait';
import { DELIVERY_WORKER_LOCKS, QUEUE_NAMES, closeWorker, createWorker } from '../../platform/jobs/queues';
import { AppError } from '../../platform/app-error';
import { newId } from '../../platform/ids';
import type { Logger } from '../../platform/logger';
import type { SecretBox } from '../../platform/secret-box';
import { Batcher } from '../../platform/batcher';
import { postWebhook, type PostWebhookResult } from './post-webhook';
import { parseRetrySchedule, retryDelayMs, type RetrySchedule } from '../../platform/retry-schedule';
import { signDelivery, webhookBody } from './sign-webhook';
import { stopPendingDeliveries, urlPolicy } from './webhooks-service';
import { fitColumn } from '../../platform/storable';
import { assertDeliverableUrl, blockPrivateLookup } from './webhook-url-policy';
import { isDatabaseUnavailable, retryOnDeadlock } from '../../platform/db/db-errors';

/**
 * The delivery worker (ARCHITECTURE C step 13): one BullMQ job per (message, endpoint), jobId = delivery id.
 * Each run makes one attempt: rebuild the body from the outbox row (same bytes every time), sign it, POST it,
 * log the attempt, update the delivery. The database row is the truth; BullMQ only schedules the retries.
 */

export interface DeliveryJobData {
  delivery_id: string;
}

/** Custom backoff type: the delay comes from the retry schedule (see {@link RetryLaterError}). */
export const DELIVERY_BACKOFF_TYPE = 'webhook-schedule';

export function retryScheduleOf(config: { webhookRetrySchedule: string | null }): RetrySchedule {
  return parseRetrySchedule(config.webhookRetrySchedule ?? undefined);
}

/**
 * Options of a delivery job; `attempts` may be fewer when a lost job is re-created mid-schedule. A completed
 * job is removed at once: its delivery row already says `succeeded` (recorded before the job completes),
 * and the relay only ever enqueues pending deliveries, so nothing needs the job as a duplicate guard.
 */
export function deliveryJobOptions(deliveryId: string, schedule: RetrySchedule, attempts = schedule.attempts): JobsOptions {
  return { jobId: deliveryId, attempts: Math.max(1, attempts), backoff: { type: DELIVERY_BACKOFF_TYPE }, removeOnComplete: true };
}

export interface EndpointDisablePolicy {
  /**
   * An endpoint whose attempts have all failed for this long (no success since `failing_since`) is
   * disabled at its next failed attempt. Stripe disables after 3 days, Svix after 5.
   * @defaultValue 3 days
   */
  failingForMs: number;
}

export const DEFAULT_DISABLE_POLICY: Readonly<EndpointDisablePolicy> = Object.freeze({ failingForMs: 3 * 24 * 3600 * 1000 });

export interface DeliveryWorkerOptions {
  /** Parallel deliveries per worker process. @defaultValue config.webhookConcurrency */
  concurrency?: number;
  /** Per attempt (CONTRACT §7). @defaultValue 10_000 */
  timeoutMs?: number;
  disablePolicy?: EndpointDisablePolicy;
  /** How the worker waits out a database outage (no attempt spent; see DatabaseWait). */
  databaseWait?: DatabaseWaitOptions;
}

/** Thrown to make BullMQ retry after the delay already recorded as the delivery's next_attempt_at. */
export class RetryLaterError extends Error {
  constructor(message: string, readonly delayMs: number) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

interface DeliveryRow {
  id: string;
  status: string;
  attempts: number;
  message_id: string;
  webhook_id: string;
  url: string;
  secret_encrypted: string;
  enabled: number;
  disabled_reason: string | null;
  deleted_at: Date | null;
  failing_since: Date | null;
  /** Outbox columns: null when the message row is gone. */
  event: string;
  payload: string | null;
  resource_version: number;
  message_created_at: Date;
}

export interface DeliveryContext {
  dataSource: DataSource;
  secretBox: SecretBox;
  logger: Logger;
  config: PlatformDeps['config'];
  schedule: RetrySchedule;
  timeoutMs: number;
  disablePolicy: EndpointDisablePolicy;
  /** Loads deliveries (with endpoint and message) for the jobs running at the same time in one query. */
  loader: Batcher<string, DeliveryRow | undefined>;
  /** Writes the outcomes of concurrent attempts in one transaction. */
  recorder: Batcher<AttemptOutcome, void>;
  /** Decrypted secrets by webhook id, keyed also by the sealed text so a changed secret is decrypted anew. */
  secrets: Map<string, { sealed: string; plain: string }>;
  /** Bodies by message id: every endpoint of a message (and every retry) sends the same bytes. */
  bodies: Map<string, string>;
}

/** A message's body, built once per process: an outbox row never changes, so neither do its bytes. */
function bodyOf(ctx: DeliveryContext, row: DeliveryRow, payload: string): string {
  let body = ctx.bodies.get(row.message_id);
  if (body === undefined) {
    body = webhookBody({
      messageId: row.message_id,
      event: row.event,
      createdAt: row.message_created_at,
      data: eventData(payload, row.resource_version),
    });
    if (ctx.bodies.size >= 1_000) ctx.bodies.clear();
    ctx.bodies.set(row.message_id, body);
  }
  return body;
}

/** An endpoint gets many deliveries; decrypting its secret once per process, not per attempt, is enough. */
function decryptSecret(ctx: DeliveryContext, webhookId: string, sealed: string): string {
  const cached = ctx.secrets.get(webhookId);
  if (cached?.sealed === sealed) return cached.plain;
  const plain = ctx.secretBox.decrypt(sealed);
  if (ctx.secrets.size >= 10_000) ctx.secrets.clear();
  ctx.secrets.set(webhookId, { sealed, plain });
  return plain;
}

/** What one attempt changes: its log row, its delivery, and its endpoint's failure clock. */
interface AttemptOutcome {
  deliveryId: string;
  webhookId: string;
  attempt: number;
  result: PostWebhookResult;
  at: Date;
  status: 'pending' | 'succeeded' | 'failed';
  nextAttemptAt: Date | null;
  /** The endpoint's failing_since before this attempt (success: cleared if set; failure: set if unset). */
  failingSince: Date | null;
}


/**
 * The event's `data`: the resource as the outbox recorded it, with its `version` so receivers can order
 * deliveries. A pure function of the outbox row, so every attempt and every endpoint gets the same bytes.
 */
export function eventData(payload: string, resourceVersion: number): Record<string, unknown> {
  const data = JSON.parse(payload) as Record<string, unknown>;
  return data.version === undefined ? { ...data, version: resourceVersion } : data;
}

/** One attempt of one delivery. Resolves when the delivery is finished; throws to have BullMQ retry or fail it. */
export async function processDelivery(ctx: DeliveryContext, job: Job<DeliveryJobData>): Promise<string> {
  const ds = ctx.dataSource;
  const row = await ctx.loader.add(job.data.delivery_id);
  // Gone with its venue, or already finished (a re-added job, a stopped delivery): nothing to do.
  if (!row) return 'missing';
  if (row.status !== 'pending') return row.status;
  const now = new Date();
  if (row.deleted_at) return finishStopped(ds, row.id, 'Webhook deleted', now);
  if (!row.enabled) return finishStopped(ds, row.id, `Webhook disabled: ${row.disabled_reason ?? 'no reason given'}`, now);
  // The body is rebuilt from the outbox row; without it there is nothing to send (and retrying cannot help).
  if (row.payload === null) return finishStopped(ds, row.id, 'The message is no longer in the outbox', now);

  const attempt = row.attempts + 1;
  // The database count decides; the job's own count covers a job re-created with fewer attempts left.
  const isLast = attempt >= ctx.schedule.attempts || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  const result = await attemptOnce(ctx, row, row.payload);
  const finished = new Date();
  const final = result.ok || isLast || !result.retryable;
  const delayMs = final ? 0 : retryDelayMs(attempt, ctx.schedule);
  await ctx.recorder.add({
    deliveryId: row.id,
    webhookId: row.webhook_id,
    attempt,
    result,
    at: finished,
    status: result.ok ? 'succeeded' : final ? 'failed' : 'pending',
    nextAttemptAt: final ? null : new Date(finished.getTime() + delayMs),
    failingSince: row.failing_since,
  });
  if (result.ok) return 'succeeded';

  const failingSince = row.failing_since ?? finished;
  if (finished.getTime() - failingSince.getTime() >= ctx.disablePolicy.failingForMs) {
    const disabled = await disableEndpoint(ds, row.webhook_id, failingSince, finished);
    if (disabled) {
      ctx.logger.warn({ webhook_id: row.webhook_id, failing_since: failingSince.toISOString() }, 'webhook endpoint disabled');
      throw new UnrecoverableError('Webhook endpoint disabled after failing continuously');
    }
  }
  const reason = result.error ?? `HTTP ${result.status}`;
  if (final) throw new UnrecoverableError(reason);
  throw new RetryLaterError(reason, delayMs);
}

async function loadDeliveries(ds: DataSource, ids: string[]): Promise<(DeliveryRow | undefined)[]> {
  const rows = (await ds.query(
    `SELECT d.id, d.status, d.attempts, d.message_id, w.id AS webhook_id, w.url, w.secret_encrypted, w.enabled,
            w.disabled_reason, w.deleted_at, w.failing_since, o.event, o.payload, o.resource_version,
            o.created_at AS message_created_at
       FROM webhook_deliveries d
       JOIN webhooks w ON w.id = d.webhook_id
       LEFT JOIN outbox o ON o.message_id = d.message_id
      WHERE d.id IN (?)`,
    [ids],
  )) as DeliveryRow[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id));
}

/**
 * One transaction for a batch of outcomes: the attempt rows, the deliveries (one UPDATE per distinct set of
 * values; in the common case every success of the batch shares one), and the endpoints' failure clocks.
 */
async function recordOutcomes(ds: DataSource, outcomes: AttemptOutcome[]): Promise<void[]> {
  const groups = new Map<string, { values: unknown[]; ids: string[] }>();
  for (const o of outcomes) {
    const values = [o.status, o.attempt, o.result.status, o.result.ok ? null : fitColumn('webhook_deliveries.last_error', o.result.error), o.nextAttemptAt];
    const key = JSON.stringify(values);
    const group = groups.get(key) ?? { values, ids: [] };
    group.ids.push(o.deliveryId);
    groups.set(key, group);
  }
  const failing = [...new Set(outcomes.filter((o) => !o.result.ok).map((o) => o.webhookId))].sort();
  const recovered = [...new Set(outcomes.filter((o) => o.result.ok && o.failingSince).map((o) => o.webhookId))].sort();
  const now = new Date();
  await ds.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO webhook_delivery_attempts (id, delivery_id, attempt, status_code, duration_ms, response_body, error, created_at)
       VALUES ?`,
      [outcomes.map((o) => [
        newId('wha'), o.deliveryId, o.attempt, o.result.status, o.result.durationMs,
        o.result.responseBody === '' ? null : fitColumn('webhook_delivery_attempts.response_body', o.result.responseBody),
        fitColumn('webhook_delivery_attempts.error', o.result.error), o.at,
      ])],
    );
    for (const { values, ids } of groups.values()) {
      await tx.query(
        `UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status_code = ?, last_error = ?, next_attempt_at = ?,
                updated_at = ? WHERE id IN (?)`,
        [...values, now, ids],
      );
    }
    if (failing.length) await tx.query('UPDATE webhooks SET failing_since = COALESCE(failing_since, ?) WHERE id IN (?)', [now, failing]);
    if (recovered.length) await tx.query('UPDATE webhooks SET failing_since = NULL WHERE id IN (?)', [recovered]);
  });
  return outcomes.map(() => undefined);
}

/** URL policy (DNS may have changed since registration), sign, POST. Never throws. */
async function attemptOnce(ctx: DeliveryContext, row: DeliveryRow, payload: string): Promise<PostWebhookResult> {
  const failed = (error: string, retryable: boolean): PostWebhookResult =>
    ({ ok: false, status: null, durationMs: 0, responseBody: '', error, retryable });
  try {
    await assertDeliverableUrl(row.url, urlPolicy(ctx.config));
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    // A DNS failure may pass; a private address or a bad URL will not.
    return failed(err.message, (err.details as { reason?: string } | null)?.reason === 'unresolvable');
  }
  let secret: string;
  try {
    secret = decryptSecret(ctx, row.webhook_id, row.secret_encrypted);
  } catch {
    return failed('The webhook secret cannot be decrypted (ENCRYPTION_KEY changed?)', false);
  }
  const { body, headers } = signDelivery({ messageId: row.message_id, event: row.event, body: bodyOf(ctx, row, payload), secret });
  return postWebhook({
    url: row.url,
    body,
    headers,
    timeoutMs: ctx.timeoutMs,
    ...(ctx.config.webhookAllowPrivate ? {} : { lookup: blockPrivateLookup }),
  });
}

async function finishStopped(ds: DataSource, deliveryId: string, reason: string, now: Date): Promise<string> {
  await ds.query(
    `UPDATE webhook_deliveries SET status = 'failed', last_error = ?, next_attempt_at = NULL, updated_at = ?
      WHERE id = ? AND status = 'pending'`,
    [fitColumn('webhook_deliveries.last_error', reason), now, deliveryId],
  );
  return 'stopped';
}

/** Disables the endpoint (once: concurrent workers race harmlessly) and stops its other pending deliveries. */
async function disableEndpoint(ds: DataSource, webhookId: string, failingSince: Date, now: Date): Promise<boolean> {
  const reason = `Every delivery attempt has failed since ${failingSince.toISOString()}`;
  return ds.transaction(async (tx) => {
    const result = (await tx.query(
      'UPDATE webhooks SET enabled = 0, disabled_reason = ?, updated_at = ? WHERE id = ? AND enabled = 1',
      [reason, now, webhookId],
    )) as { affectedRows?: number };
    await stopPendingDeliveries(tx, webhookId, `Webhook disabled: ${reason}`, now);
    return (result.affectedRows ?? 0) > 0;
  });
}

/** The worker-role process: a BullMQ Worker on the delivery queue with the schedule as its backoff. */
export function startWebhookDeliveryWorker(deps: PlatformDeps, options: DeliveryWorkerOptions = {}): BackgroundProcess {
  const schedule = retryScheduleOf(deps.config);
  const ctx: DeliveryContext = {
    dataSource: deps.dataSource,
    secretBox: deps.secretBox,
    logger: deps.logger.child({ component: 'webhook-delivery' }),
    config: deps.config,
    schedule,
    timeoutMs: options.timeoutMs ?? 10_000,
    disablePolicy: options.disablePolicy ?? DEFAULT_DISABLE_POLICY,
    loader: new Batcher((ids) => loadDeliveries(deps.dataSource, ids)),
    // Concurrent batches (here and in other worker processes) may touch the same endpoint rows; retrying the
    // batch beats failing its jobs, whose retries would POST again.
    recorder: new Batcher((outcomes) => retryOnDeadlock(() => recordOutcomes(deps.dataSource, outcomes))),
    secrets: new Map(),
    bodies: new Map(),
  };
  const databaseWait = new DatabaseWait(deps.queues.webhookDeliveries, ctx.logger, options.databaseWait);
  const run = async (job: Job<DeliveryJobData>): Promise<string> => {
    try {
      const outcome = await processDelivery(ctx, job);
      databaseWait.recovered();
      return outcome;
    } catch (err) {
      // The delivery row is the truth and the database is away: back to wait, no attempt spent. (An outcome
      // not recorded means the receiver may get that attempt again: delivery is at least once.)
      if (isDatabaseUnavailable(err)) throw (await databaseWait.pause(err)).error;
      throw err;
    }
  };
  const worker = createWorker<DeliveryJobData, string>(
    {
      redisConnections: deps.redisConnections,
      redisPrefix: deps.keyPrefix,
      logger: ctx.logger,
      connectionName: 'tablesync-webhook-worker',
    },
    QUEUE_NAMES.webhookDeliveries,
    run,
    {
      concurrency: options.concurrency ?? deps.config.webhookConcurrency,
      ...DELIVERY_WORKER_LOCKS,
      settings: {
        // The processor already chose (and recorded) the delay; anything else falls back to the schedule.
        backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
          err instanceof RetryLaterError ? err.delayMs : retryDelayMs(attemptsMade, schedule),
      },
    },
  );
  worker.on('failed', (job, err) => {
    if (job && !(err instanceof RetryLaterError)) {
      ctx.logger.info({ delivery_id: job.data.delivery_id, reason: err.message }, 'webhook delivery finished unsuccessfully');
    }
  });
  return { name: 'webhook-delivery-worker', close: () => closeWorker(worker) };
}
