import type { Job, Queue } from 'bullmq';
import type { EntityManager } from 'typeorm';
import type { InboundEventStatus } from '../../../platform/db/entities';
import { AppError, notFound } from '../../../platform/app-error';
import { pendingWithoutRows } from './event-log';
import { claimRows, type ClaimedRow, countRows, type EventFilter, eventFilterSql, findEventRow, restoreClaimed } from './inbound-event-store';
import { inboundJobOptions, INBOUND_JOB_NAME, type InboundJobData } from './inbound-job';

/**
 * Replay (CONTRACT §3, §13, §15): stored events processed again, under their own ids, with the live mapping.
 * One event (`POST /admin/v1/events/:id/replay`) and many (`POST /admin/v1/partners/:name/events/replay`)
 * take the same path, in chunks of REPLAY_CHUNK events:
 *   1. claim: one READ COMMITTED transaction locks the chunk's rows that are finished (processed, ignored,
 *      failed) and marks them `queued` ("replay requested") with one UPDATE. Rows still queued or
 *      processing are not taken (they are in flight: skipped). READ COMMITTED takes no gap locks, so new
 *      events arriving meanwhile are never held up.
 *   2. queue: the finished jobs of their earlier runs are removed (the job id is the event id and must be
 *      free; the removals are sent together, not one round trip each) and the new jobs added with one
 *      addBulk (one MULTI).
 *   3. a row whose job could not be queued (its old job still locked by a worker finishing it, Redis
 *      away) is put back as it was, and counted as skipped.
 * The worker reads the stored payload (the job carries none) and the partner's live mapping, as for any event.
 */

/** Events claimed and queued together: one UPDATE, one batch of removals, one addBulk. */
export const REPLAY_CHUNK = 1000;

const FINISHED: readonly InboundEventStatus[] = ['processed', 'ignored', 'failed'];
const IN_FLIGHT: readonly InboundEventStatus[] = ['queued', 'processing'];
export const REPLAY_REASON = 'replay requested';

/**
 * Claims finished rows for replay (step 1): those of `where` (over `e`) with id > `after`, at most `limit`,
 * in id order. Returns them as they were before the claim.
 */
function claim(em: EntityManager, where: { sql: string; params: unknown[] }, after: string, limit: number, now: Date): Promise<ClaimedRow[]> {
  return claimRows(em, where, FINISHED, after, limit, REPLAY_REASON, now);
}

function contentTypeOf(row: ClaimedRow): string | undefined {
  const headers = typeof row.headers === 'string' ? (JSON.parse(row.headers) as Record<string, string>) : row.headers;
  return headers?.['content-type'];
}

/** Steps 2 and 3: queue the claimed rows again; those that could not be are restored. Returns the ids queued. */
async function requeue(em: EntityManager, queue: Queue, rows: readonly ClaimedRow[], attempts: number): Promise<{ queued: string[]; failed: { id: string; error: string }[] }> {
  const removals = await Promise.all(
    rows.map((r) => queue.remove(r.id).then(() => null, (err: Error) => err.message || 'could not remove the previous job')),
  );
  const ready = rows.filter((_, i) => removals[i] === null);
  const failed = rows.flatMap((r, i) => (removals[i] === null ? [] : [{ id: r.id, error: removals[i]! }]));
  let queued: string[] = [];
  if (ready.length) {
    try {
      const jobs = ready.map((r) => {
        const contentType = contentTypeOf(r);
        const data: InboundJobData = {
          eventId: r.id,
          partner: r.partner,
          eventType: r.event_type,
          receivedAt: new Date(r.received_at).toISOString(),
          saleIds: [],
          ...(contentType ? { contentType } : {}),
        };
        return { name: INBOUND_JOB_NAME, data, opts: inboundJobOptions(r.id, attempts) };
      });
      await queue.addBulk(jobs as { name: string; data: InboundJobData; opts: Job['opts'] }[]);
      queued = ready.map((r) => r.id);
    } catch (err) {
      failed.push(...ready.map((r) => ({ id: r.id, error: (err as Error).message })));
    }
  }
  if (failed.length) {
    const back = new Map(rows.map((r) => [r.id, r]));
    // Rare (a worker still finishing the earlier run, Redis away): one UPDATE each, only while still ours.
    await Promise.all(
      failed.map(({ id }) => restoreClaimed(em, back.get(id)!, REPLAY_REASON)),
    );
  }
  return { queued, failed };
}

/**
 * Processes a stored event again with the live mapping (POST /admin/v1/events/:id/replay). 404 for no such
 * event, 409 while it is still queued or processing, 503 when it could not be queued (nothing changed then).
 */
export async function replayEvent(em: EntityManager, queue: Queue, id: string, attempts: number): Promise<void> {
  const row = await findEventRow(em, id);
  if (!row) {
    const waiting = await queue.getJob(id).catch(() => undefined);
    if (waiting) throw new AppError('conflict', 'The event is still waiting to be processed.', { status: 'queued' });
    throw notFound('Event');
  }
  const busy = () => new AppError('conflict', `The event is still ${row.status}; replay it once it has finished.`, { status: row.status });
  if (IN_FLIGHT.includes(row.status)) throw busy();
  const claimed = await claim(em, { sql: 'e.id = ?', params: [id] }, '', 1, new Date());
  if (!claimed.length) {
    row.status = (await findEventRow(em, id))?.status ?? row.status;
    throw busy();
  }
  const { failed } = await requeue(em, queue, claimed, attempts);
  if (failed.length) throw new AppError('unavailable', 'The event could not be queued again; try later.', { reason: failed[0]!.error });
}

export interface ReplayManyResult {
  replayed: number;
  /** Events in flight (queued or processing, or whose earlier run was still finishing): not replayed. */
  skipped: number;
}

/** Events of the filter that are in flight: rows queued or processing, and jobs still waiting without a row. */
async function inFlight(em: EntityManager, queue: Queue, partner: string, f: EventFilter): Promise<number> {
  if (f.status && !IN_FLIGHT.includes(f.status)) return 0;
  const where = eventFilterSql(partner, f);
  return (await countRows(em, where, IN_FLIGHT)) + (await pendingWithoutRows(em, queue, partner, f)).length;
}

/** `?dry_run=true`: how many events the filter would replay now, and how many it would skip. */
export async function countReplay(em: EntityManager, queue: Queue, partner: string, f: EventFilter): Promise<{ would_replay: number; would_skip: number }> {
  const skipped = await inFlight(em, queue, partner, f);
  if (f.status && !FINISHED.includes(f.status)) return { would_replay: 0, would_skip: skipped };
  const where = eventFilterSql(partner, f);
  return { would_replay: await countRows(em, where, FINISHED), would_skip: skipped };
}

/**
 * Replays every finished event of the partner that passes the filter (`POST /admin/v1/partners/:name/events/replay`),
 * oldest first, chunk by chunk; events in flight are skipped and counted.
 */
export async function replayMatching(em: EntityManager, queue: Queue, partner: string, f: EventFilter, attempts: number): Promise<ReplayManyResult> {
  let skipped = await inFlight(em, queue, partner, f);
  let replayed = 0;
  if (f.status && !FINISHED.includes(f.status)) return { replayed, skipped };
  const where = eventFilterSql(partner, f);
  for (let after = ''; ; ) {
    const rows = await claim(em, where, after, REPLAY_CHUNK, new Date());
    if (!rows.length) break;
    after = rows[rows.length - 1]!.id;
    const { queued, failed } = await requeue(em, queue, rows, attempts);
    replayed += queued.length;
    skipped += failed.length;
    if (rows.length < REPLAY_CHUNK) break;
  }
  return { replayed, skipped };
}
