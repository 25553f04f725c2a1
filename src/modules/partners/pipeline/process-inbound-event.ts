import { DelayedError, type Queue, UnrecoverableError } from 'bullmq';
import { isDatabaseUnavailable } from '../../../platform/db/db-errors';
import type { DataSource } from 'typeorm';
import type { ApplyOutcome } from '../../sales';
import type { DatabaseWait } from '../../../platform/jobs/database-wait';
import type { PartnerSnapshot } from '../edge/partner-cache';
import type { ClaimResult, SaleLock } from '../edge/sale-lock';
import { extractSaleIds, mapNativeEvent, type MappedEvent } from '../mapping/map-native-event';
import { compiledMapping, type LiveMapping, pickMapping } from '../mapping/mapping-store';
import { AppError } from '../../../platform/app-error';
import type { Logger } from '../../../platform/logger';
import type { Metrics } from '../../../platform/metrics';
import { applyOne, type ApplyRequest, type InboundApplier } from './inbound-applier';
import { type EventRowPatch, findEventRow, recordEvent } from './inbound-event-store';
import { eventIdAgeMs, type InboundEventResult, type InboundJob, nextRetryDelayMs } from './inbound-job';

/**
 * One inbound event, start to finish (ARCHITECTURE §C steps 9–12):
 *   live mapping (partner cache) → adapter parse/normalise → JSONata → schema check
 *   → claim the event's sales (or wait in line behind the event that holds them; no round trip when the
 *     locks it took at ingestion are surely still its own)
 *   → event row `processing` → one transaction: apply the commands, mark the event
 *   → release the sales and wake whoever is next in line.
 * The worker's applier (inbound-applier.ts) lets the jobs in flight together share the `processing` INSERT
 * and, in a second step, the apply transaction.
 * A mapping or schema error fails the event at once (UnrecoverableError) with readable errors on its row.
 * Other errors are retried by BullMQ; the sales stay held (TTL pushed past the backoff) so no other
 * event of the sale slips in between. A database outage is no error of the event: it spends no attempt
 * (see DatabaseWait); the job goes back to wait, its sales held, until the database answers again.
 */

/** Partners with their adapter and live mappings, by name (the worker uses the partner cache). */
export interface PartnerSource {
  get(name: string): Promise<PartnerSnapshot | null>;
}

export interface PipelineContext {
  dataSource: DataSource;
  /** Partner rows and live mappings; cached so an event costs no lookups of them. */
  partners: PartnerSource;
  queue: Queue;
  locks: SaleLock;
  logger: Logger;
  metrics: Metrics;
  /** Shares statements and commits between the jobs in flight (the worker has one); without it, one by one. */
  applier?: InboundApplier;
  /** Test seam: runs once the event is `processing`, before its commands are applied. */
  beforeApply?: (eventId: string) => Promise<void>;
  /** Pauses the worker through a database outage (the worker has one); without it an outage counts as an attempt. */
  databaseWait?: DatabaseWait;
}

/** A wait in line is re-checked at least this often even if no wake-up comes (the holder died). */
const MAX_PARK_MS = 60_000;
const MIN_PARK_MS = 500;
/** An id first in line with no live job for this long is a leftover of a crashed ingest request. */
const ABANDONED_AFTER_MS = 60_000;

/** The event failed for good; its row already says why. */
class EventFailed extends UnrecoverableError {}

interface Readable {
  code: string | null;
  message: string;
  path?: string;
  index?: number;
  position?: number | null;
  token?: unknown;
}

function describeAppError(err: AppError): Readable {
  const d = (err.details ?? {}) as { code?: string | null; position?: number | null; token?: unknown };
  return { code: d.code ?? err.code, message: err.message, position: d.position ?? null, token: d.token ?? null };
}

/** Whether this is the job's first run: no retry, no stalled-job recovery, no wait for the database. */
const isFirstRun = (job: InboundJob): boolean =>
  job.attemptsMade === 0 && (job.stalledCounter ?? 0) === 0 && (job.attemptsStarted ?? 1) <= 1;

export async function processInboundEvent(ctx: PipelineContext, job: InboundJob, token?: string): Promise<InboundEventResult> {
  const log = ctx.logger.child({ event_id: job.data.eventId, partner: job.data.partner, event_type: job.data.eventType });
  let raw: string | undefined;
  try {
    raw = job.data.rawPayload ?? (await findEventRow(ctx.dataSource.manager, job.data.eventId))?.rawPayload;
  } catch (err) {
    if (ctx.databaseWait && isDatabaseUnavailable(err)) return waitForDatabase(ctx, job, job.data.saleIds, err, log);
    throw err;
  }
  if (raw === undefined) throw new UnrecoverableError(`event ${job.data.eventId} has no stored payload to process`);
  return processPayload(ctx, job, token, raw, log);
}

/**
 * The database is out of reach: the job goes back to wait without spending an attempt and the worker
 * pauses (DatabaseWait). Its sales stay held, as through a retry's backoff, so it still goes first.
 */
async function waitForDatabase(ctx: PipelineContext, job: InboundJob, sales: readonly string[], err: unknown, log: Logger): Promise<never> {
  const { error, waitMs } = await ctx.databaseWait!.pause(err);
  await ctx.locks.extend(job.data.partner, [...sales], job.data.eventId, waitMs + ctx.locks.ttlMs).catch(() => undefined);
  log.debug({ err: (err as Error).message, wait_ms: waitMs }, 'database unavailable; inbound event waits for it');
  throw error;
}

async function processPayload(ctx: PipelineContext, job: InboundJob, token: string | undefined, raw: string, log: Logger): Promise<InboundEventResult> {
  const data = job.data;
  const { eventId } = data;
  const em = ctx.dataSource.manager;
  let sales = [...new Set(data.saleIds)];

  // On a first attempt the row most likely does not exist yet (see recordEvent).
  const fresh = isFirstRun(job) && data.rawPayload !== undefined;
  const record = (patch: EventRowPatch, countAttempt = false) => recordEvent(em, data, raw, patch, countAttempt, new Date(), fresh);

  /** Ends the event and frees its sales for the next in line. */
  const wakeNext = async (next: readonly string[]) => {
    await Promise.all(next.map((id) => wakeWaitingEvent(ctx.queue, id, log)));
  };
  const releaseSales = async () => wakeNext(await ctx.locks.release(data.partner, sales, eventId));
  const finish = async (status: 'ignored', reason: string, patch: EventRowPatch = {}): Promise<InboundEventResult> => {
    // Sales first, then the row: an event shown finished never still holds its sale.
    await releaseSales();
    await record({ status, reason, errors: null, processedAt: new Date(), ...patch }, true);
    ctx.metrics.inboundEvents.inc({ partner: data.partner, outcome: status });
    log.info({ status, reason }, 'inbound event ignored');
    return { event_id: eventId, status, reason, sale_ids: [] };
  };
  const fail = async (reason: string, errors: Readable[], patch: EventRowPatch = {}): Promise<never> => {
    await releaseSales();
    await record({ status: 'failed', reason, errors, processedAt: new Date(), ...patch }, true);
    ctx.metrics.inboundEvents.inc({ partner: data.partner, outcome: 'failed' });
    log.warn({ reason, errors }, 'inbound event failed');
    throw new EventFailed(reason);
  };

  try {
    const snapshot = await ctx.partners.get(data.partner);
    if (!snapshot) return await finish('ignored', `partner ${data.partner} no longer exists`);
    const { partner, adapter } = snapshot;
    if (!adapter) return await fail(`partner ${partner.name} names an unknown adapter "${partner.adapter}"`, []);

    const mapping: LiveMapping | null = pickMapping(snapshot.mappings, data.eventType);
    if (!mapping) return await finish('ignored', `no mapping for event type ${data.eventType}`);
    const mappingPatch: EventRowPatch = { mappingVersion: mapping.version };

    let mapped: MappedEvent;
    try {
      mapped = await mapNativeEvent({
        adapter,
        rawBody: raw,
        headers: data.contentType ? { 'content-type': data.contentType } : {},
        eventType: data.eventType,
        compiled: compiledMapping(partner.id, mapping),
      });
    } catch (err) {
      if (err instanceof AppError) return await fail(err.message, [describeAppError(err)], { ...mappingPatch, output: null });
      throw err;
    }
    const output = { ...mappingPatch, output: mapped.output ?? null };
    if (mapped.errors.length) {
      const first = mapped.errors[0]!;
      return await fail(
        `mapping output is not a valid command: command ${first.index} ${first.path || '(root)'} ${first.message}` +
          (mapped.errors.length > 1 ? ` (and ${mapped.errors.length - 1} more)` : ''),
        mapped.errors.map((e) => ({ code: 'schema', ...e })),
        output,
      );
    }
    if (mapped.commands.length === 0) return await finish('ignored', 'the mapping yielded nothing', output);

    const saleIds = extractSaleIds(mapped.commands);
    sales = [...new Set([...sales, ...saleIds])];
    const claim = holdsSalesFromIngest(job, sales) ? ({ claimed: true } as const) : await claimSales(ctx, data.partner, sales, eventId, log);
    if (!claim.claimed) return await park(ctx, job, token, sales, claim, log, record);

    const processing: EventRowPatch = { status: 'processing', reason: null, errors: null, outcome: null, saleId: saleIds[0] ?? null, ...output };
    const request: ApplyRequest = {
      data,
      raw,
      partner: { id: partner.id, name: partner.name },
      commands: mapped.commands,
      release: releaseSales,
      held: { partner: data.partner, saleIds: sales, owner: eventId, wake: wakeNext },
    };
    // Two steps, each shared with the events in flight together (inbound-applier.ts): the `processing` row
    // (committed on its own, so visible at once), then the apply transaction. The rows of the next batch
    // are written on another connection while the current batch is applied, off its critical path.
    if (ctx.applier) await ctx.applier.recordProcessing({ data, raw, patch: processing, fresh });
    else await record(processing, true);
    await ctx.beforeApply?.(eventId);
    const outcome: ApplyOutcome = ctx.applier ? await ctx.applier.apply(request) : await applyOne(ctx.dataSource, request);
    ctx.metrics.inboundEvents.inc({ partner: data.partner, outcome: outcome.status });
    if (outcome.status === 'failed') {
      // Written as failed with nothing else (a sale in another currency): a mapping fix and a replay recover it.
      log.warn({ reason: outcome.reason }, 'inbound event failed');
      throw new EventFailed(outcome.reason ?? 'a command failed');
    }
    log.info({ status: outcome.status, reason: outcome.reason, sale_ids: saleIds }, 'inbound event applied');
    // The POS's answer (ack "processed") carries a reason for an ignored event only; why a processed sale stayed
    // unmatched is for the partner manager, in the event log and detail.
    return { event_id: eventId, status: outcome.status, reason: outcome.status === 'ignored' ? outcome.reason : null, sale_ids: saleIds };
  } catch (err) {
    if (err instanceof EventFailed || err instanceof DelayedError) throw err;
    if (ctx.databaseWait && isDatabaseUnavailable(err)) return await waitForDatabase(ctx, job, sales, err, log);
    const final = err instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const message = (err as Error).message ?? String(err);
    if (final) {
      log.error({ err }, 'inbound event failed for good');
      await releaseSales().catch(() => undefined);
      await record({ status: 'failed', reason: `processing failed: ${message}`, processedAt: new Date() }, false).catch(() => undefined);
      ctx.metrics.inboundEvents.inc({ partner: data.partner, outcome: 'failed' });
    } else {
      // Keep the sales through the backoff so the retry still goes first.
      const hold = nextRetryDelayMs(job) + ctx.locks.ttlMs;
      await ctx.locks.extend(data.partner, sales, eventId, hold).catch(() => undefined);
      await record({ status: 'queued', reason: `attempt ${job.attemptsMade + 1} failed, will retry: ${message}` }).catch(() => undefined);
      log.warn({ err: message, attempt: job.attemptsMade + 1 }, 'inbound event attempt failed; will retry');
    }
    throw err;
  }
}

/** Margin before the ingest locks lapse within which a first attempt still claims them (and so renews them). */
const INGEST_LOCK_MARGIN_MS = 60_000;

/**
 * Whether the event still surely holds every one of its sales from ingestion: it took them there (not
 * lined up), this is its first run (no retry, no stalled-job recovery, no wait for the database: an earlier
 * run may have released them), the mapping names no other sale, and the locks are far from lapsing. Nobody else can take a held
 * lock (every change is owner-checked), so the claim would only confirm it.
 */
function holdsSalesFromIngest(job: InboundJob, sales: readonly string[]): boolean {
  const { lockedUntil, saleIds } = job.data;
  return (
    lockedUntil !== undefined &&
    lockedUntil - Date.now() > INGEST_LOCK_MARGIN_MS &&
    isFirstRun(job) &&
    sales.every((s) => saleIds.includes(s))
  );
}

/** Claims the sales; clears a leftover first in line (an id whose ingest request died before queueing it). */
async function claimSales(ctx: PipelineContext, partner: string, sales: string[], eventId: string, log: Logger): Promise<ClaimResult> {
  const claim = await ctx.locks.claim(partner, sales, eventId);
  if (claim.claimed || claim.blockerTtlMs !== null || !(await isAbandoned(ctx.queue, claim.blocker))) return claim;
  log.warn({ abandoned: claim.blocker }, 'dropping an abandoned event from the sale line');
  await ctx.locks.leave(partner, sales, claim.blocker);
  return ctx.locks.claim(partner, sales, eventId);
}

async function isAbandoned(queue: Queue, eventId: string): Promise<boolean> {
  const age = eventIdAgeMs(eventId);
  if (age !== null && age < ABANDONED_AFTER_MS) return false;
  const job = await queue.getJob(eventId);
  if (!job) return true;
  const state = await job.getState();
  return state === 'completed' || state === 'failed' || state === 'unknown';
}

/**
 * Waits in line: the job goes back to `delayed` until the event ahead releases the sale and wakes it
 * (or, if that never comes, until the holder's lock would have expired). Not counted as an attempt.
 */
async function park(
  ctx: PipelineContext,
  job: InboundJob,
  token: string | undefined,
  sales: string[],
  blocked: { blocker: string; blockerTtlMs: number | null },
  log: Logger,
  record: (patch: EventRowPatch) => Promise<void>,
): Promise<never> {
  await record({ status: 'queued', reason: `waiting for event ${blocked.blocker} of the same sale` });
  const wait = Math.min(MAX_PARK_MS, Math.max(MIN_PARK_MS, blocked.blockerTtlMs ?? MAX_PARK_MS));
  await job.moveToDelayed(Date.now() + wait, token);
  // The holder may have released between our claim and the move, while its wake-up found us still active.
  if ((await ctx.locks.claim(job.data.partner, sales, job.data.eventId)).claimed) {
    await job.promote().catch(() => undefined);
  }
  log.info({ blocker: blocked.blocker, wait_ms: wait }, 'inbound event waiting for its sale');
  throw new DelayedError();
}

/** Moves a waiting event's job from delayed to wait so it runs now. */
export async function wakeWaitingEvent(queue: Queue, eventId: string, log: Logger): Promise<void> {
  try {
    const job = await queue.getJob(eventId);
    if (job && (await job.getState()) === 'delayed') await job.promote();
  } catch (err) {
    // Not delayed (yet): it will claim the sale when it runs, or on its own re-check.
    log.debug({ next: eventId, err: (err as Error).message }, 'could not wake the next event');
  }
}
