import type { Queue, QueueEvents } from 'bullmq';
import type { SignatureFailureCode } from '../../../../adapters/types';
import type { PlatformDeps } from '../../../platform/platform-deps';
import type { ConflictMode } from '../../../platform/db/entities';
import { TEST_NOTIFICATION } from '../mapping/fixture-runner';
import { parseNativeEvent } from '../mapping/map-native-event';
import { pickMapping, saleIdMapping } from '../mapping/mapping-store';
import { readSaleIds } from '../mapping/sale-id-mapping';
import { enqueueInboundEvent, type InboundEventResult, type InboundJobData } from '../pipeline/inbound-job';
import { AppError } from '../../../platform/app-error';
import { newId } from '../../../platform/ids';
import type { Logger } from '../../../platform/logger';
import { maskHeaders } from './mask-headers';
import type { PartnerCache, PartnerSnapshot } from './partner-cache';
import { SaleLock } from './sale-lock';
import { describeMissingSignature, signatureHeadersOf } from './signature-schemes';

/**
 * A POS event at the edge (CONTRACT §4, ARCHITECTURE §C steps 1–8):
 *   partner (cached) → signature on the raw bytes → test notification? → parse → sale ids from the live
 *   mapping → per-sale lock (409, or a place in line with conflict "queue") → queue → ack.
 * Only Redis is touched on the way (the worker writes the event row); Redis failing is 503, never a 200.
 */

export { TEST_NOTIFICATION };

/** How long ack `processed` waits for the worker before answering 202. */
export const ACK_PROCESSED_WAIT_MS = 10_000;
/** Lock + enqueue must finish within this, or the POS gets 503 and retries. */
const ENQUEUE_TIMEOUT_MS = 5_000;
const MAX_EVENT_TYPE_LENGTH = 128;

export interface PartnerRequest {
  partner: string;
  eventType: string;
  /** The exact request bytes. */
  rawBody: Buffer;
  /** Lower-cased header names. */
  headers: Readonly<Record<string, string>>;
  /** The URL the POS posted to (some schemes sign it). */
  url: string;
}

export interface PartnerResponse {
  status: number;
  body: Record<string, unknown>;
}

/** The ingest edge's deps: the platform and the partner cache the root builds (AppDeps.partnerCache). */
export type IngestDeps = PlatformDeps & { readonly partnerCache: PartnerCache };

export interface IngestContext {
  deps: IngestDeps;
  locks: SaleLock;
}

export function ingestContext(deps: IngestDeps): IngestContext {
  return { deps, locks: new SaleLock(deps.redis, deps.keyPrefix) };
}

async function findPartner(ctx: IngestContext, name: string): Promise<PartnerSnapshot> {
  if (name.length > 64) throw unknownPartner(name);
  let snapshot: PartnerSnapshot | null;
  try {
    snapshot = await ctx.deps.partnerCache.get(name);
  } catch (err) {
    throw new AppError('unavailable', 'Events cannot be taken right now; retry later.', { reason: (err as Error).message });
  }
  if (!snapshot || !snapshot.partner.enabled || !snapshot.adapter || !snapshot.verifier) throw unknownPartner(name);
  return snapshot;
}

function unknownPartner(name: string): AppError {
  return new AppError('unknown_partner', `No enabled partner named "${name}".`);
}

/**
 * The sale ids the event will touch, read with the sale-id slice of the live mapping (see
 * sale-id-mapping.ts: the full mapping is the worker's job). An evaluation error leaves it to the worker.
 */
async function saleIdsOf(snapshot: PartnerSnapshot, req: PartnerRequest): Promise<string[]> {
  const mapping = pickMapping(snapshot.mappings, req.eventType);
  const adapter = snapshot.adapter!;
  if (!mapping) {
    parseNativeEvent(adapter, req.rawBody, req.headers, req.eventType);
    return [];
  }
  try {
    const input = parseNativeEvent(adapter, req.rawBody, req.headers, req.eventType);
    return await readSaleIds(saleIdMapping(snapshot.partner.id, mapping), input, req.eventType);
  } catch (err) {
    if (err instanceof AppError && err.code === 'invalid_payload') throw err;
    // The event is still accepted: the worker fails it with readable errors, where replay can fix it.
    return [];
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
    work.then(
      (v) => { clearTimeout(timer); resolve(v); },
      (e: unknown) => { clearTimeout(timer); reject(e); },
    );
  });
}

function saleInProgress(saleIds: string[]): AppError {
  return new AppError(
    'sale_in_progress',
    'Another event of this sale is being processed; retry later.',
    { sale_ids: saleIds },
    { 'Retry-After': '60' },
  );
}

/** Locks the sales (or lines up for them) and queues the event; all of it undone if Redis fails. */
async function lockAndQueue(ctx: IngestContext, data: InboundJobData, mode: ConflictMode): Promise<void> {
  const { locks, deps } = ctx;
  let arrived = false;
  try {
    await withTimeout(
      (async () => {
        const lockedFrom = Date.now();
        const result = await locks.arrive(data.partner, data.saleIds, data.eventId, mode);
        if (result === 'held') throw saleInProgress(data.saleIds);
        arrived = true;
        if (result === 'acquired' && data.saleIds.length > 0) data.lockedUntil = lockedFrom + locks.ttlMs;
        await enqueueInboundEvent(deps.queues.inboundEvents, data, deps.config.ingestAttempts);
      })(),
      ENQUEUE_TIMEOUT_MS,
    );
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (arrived) await locks.release(data.partner, data.saleIds, data.eventId).catch(() => undefined);
    throw new AppError('unavailable', 'The event could not be queued; retry later.', { reason: (err as Error).message });
  }
}

type Outcome = { kind: 'completed'; result: InboundEventResult } | { kind: 'failed'; reason: string } | { kind: 'timeout' };

/** Waits for the job to finish, fail for good, or the time to run out. */
async function waitForOutcome(queue: Queue, queueEvents: QueueEvents, jobId: string, ms: number): Promise<Outcome> {
  // Per-job events (`completed:<id>`) are emitted but not in QueueEvents' typed listener map.
  const events = queueEvents as unknown as NodeJS.EventEmitter;
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    const done = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      events.off(`completed:${jobId}`, onCompleted);
      events.off(`failed:${jobId}`, onFailed);
      resolve(outcome);
    };
    const onCompleted = (args: { returnvalue: unknown }) => done({ kind: 'completed', result: args.returnvalue as InboundEventResult });
    const onFailed = (args: { failedReason: string }) => done({ kind: 'failed', reason: args.failedReason });
    const timer = setTimeout(() => done({ kind: 'timeout' }), ms);
    events.on(`completed:${jobId}`, onCompleted);
    events.on(`failed:${jobId}`, onFailed);
    // It may have finished before we listened: look once, after the listener is in place.
    (async () => {
      await queueEvents.waitUntilReady();
      // State first, then the job: a job read before it completes has no return value yet.
      const state = await queue.getJobState(jobId);
      if (state !== 'completed' && state !== 'failed') return;
      const job = await queue.getJob(jobId);
      if (!job) return;
      if (state === 'completed') done({ kind: 'completed', result: job.returnvalue as InboundEventResult });
      else if (state === 'failed') done({ kind: 'failed', reason: job.failedReason });
    })().catch(() => undefined);
  });
}

async function ackProcessed(ctx: IngestContext, eventId: string, log: Logger): Promise<PartnerResponse> {
  const events = ctx.deps.inboundEventsEvents;
  const outcome = events
    ? await waitForOutcome(ctx.deps.queues.inboundEvents, events(), eventId, ACK_PROCESSED_WAIT_MS)
    : ({ kind: 'timeout' } as const);
  if (outcome.kind === 'completed') {
    const { status, reason } = outcome.result;
    return { status: 200, body: { status, event_id: eventId, ...(reason ? { reason } : {}) } };
  }
  if (outcome.kind === 'failed') {
    log.warn({ reason: outcome.reason }, 'partner event failed (ack processed)');
    throw new AppError('processing_failed', 'The event was received but could not be processed.', {
      event_id: eventId,
      reason: outcome.reason,
    });
  }
  return { status: 202, body: { status: 'processing', event_id: eventId } };
}

/** The refusal of an unsigned or wrongly signed request, with what helps fix it (never a secret or a signature). */
function signatureError(code: SignatureFailureCode, snapshot: PartnerSnapshot, headers: Readonly<Record<string, string>>): AppError {
  const { signatureScheme: scheme, signatureHeader: header } = snapshot.partner;
  if (code === 'missing_signature') {
    const { message, details } = describeMissingSignature(scheme, header, snapshot.adapter, headers);
    return new AppError('missing_signature', message, details);
  }
  return new AppError('invalid_signature', `The signature does not match the request (scheme ${scheme}).`, {
    scheme,
    header: signatureHeadersOf(scheme, header, snapshot.adapter)[0] ?? null,
  });
}

/** `requestLog` is called only when a line is due: building a request's child logger is not free. */
export async function receivePartnerEvent(ctx: IngestContext, req: PartnerRequest, requestLog: () => Logger): Promise<PartnerResponse> {
  const snapshot = await findPartner(ctx, req.partner);
  const { partner } = snapshot;
  const verdict = snapshot.verifier!({
    rawBody: req.rawBody,
    headers: req.headers,
    // Read only by schemes that sign the URL; building it is not free.
    get url() {
      return req.url;
    },
    secret: snapshot.secret,
    header: partner.signatureHeader ?? undefined,
    now: new Date(),
  });
  if (!verdict.ok) throw signatureError(verdict.code, snapshot, req.headers);
  if (req.eventType === TEST_NOTIFICATION) return { status: 200, body: { status: 'ok' } };
  if (req.eventType.length > MAX_EVENT_TYPE_LENGTH) {
    throw new AppError('validation_error', `Invalid event_type: at most ${MAX_EVENT_TYPE_LENGTH} characters.`, {
      field: 'event_type',
    });
  }

  const saleIds = await saleIdsOf(snapshot, req);
  const eventId = newId('evt');
  // Bindings on the two lines logged, rather than a child logger per request (pino builds one eagerly).
  const about = { event_id: eventId, partner: partner.name, sale_ids: saleIds };
  const data: InboundJobData = {
    eventId,
    partner: partner.name,
    eventType: req.eventType,
    rawPayload: req.rawBody.toString('utf8'),
    ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
    headers: maskHeaders(req.headers, signatureHeadersOf(partner.signatureScheme, partner.signatureHeader, snapshot.adapter)),
    receivedAt: new Date().toISOString(),
    saleIds,
  };
  try {
    await lockAndQueue(ctx, data, partner.conflictMode);
  } catch (err) {
    requestLog().warn({ ...about, code: (err as AppError).code }, 'partner event refused');
    throw err;
  }
  if (ctx.deps.logger.isLevelEnabled('info')) requestLog().info(about, 'partner event queued');
  if (partner.ackMode === 'processed') return ackProcessed(ctx, eventId, requestLog().child(about));
  return { status: 200, body: { status: 'accepted', event_id: eventId } };
}
