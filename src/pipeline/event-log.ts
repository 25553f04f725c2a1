import type { Queue } from 'bullmq';
import type { EntityManager } from 'typeorm';
import { InboundEvent, type InboundEventStatus } from '../db/entities';
import { AppError, notFound } from '../shared/app-error';
import { fitColumn } from '../shared/storable';
import { enqueueInboundEvent, INBOUND_JOB_NAME, type InboundJob, type InboundJobData } from './inbound-job';

/**
 * The event log (CONTRACT §3): one inbound_events row per accepted POS event, written by the worker
 * (the ingest hot path stays Redis-only). Events still waiting in the queue have no row yet; the log
 * reads them from the queue, so an accepted event is visible at once.
 */

/** Fields the worker sets on an event as it moves queued → processing → processed | ignored | failed. */
export type EventRowPatch = Partial<
  Pick<InboundEvent, 'status' | 'reason' | 'saleId' | 'mappingVersion' | 'output' | 'errors' | 'processedAt'>
>;

/** Patch fields → columns. */
const PATCH_COLUMNS: Readonly<Record<keyof EventRowPatch, string>> = {
  status: 'status',
  reason: 'reason',
  saleId: 'sale_id',
  mappingVersion: 'mapping_version',
  output: 'output',
  errors: 'errors',
  processedAt: 'processed_at',
};

const json = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));
/** The reason as stored: cut to its column (a mapping error may quote a value of any length). */
export const storedReason = (reason: string | null | undefined): string | null => fitColumn('inbound_events.reason', reason ?? null);

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: string }).code === 'ER_DUP_ENTRY';
}

/**
 * Creates or updates the event's row. A new row starts `queued` with the patch applied; an existing one
 * gets the patch fields only (its payload, partner, type and receipt time are never rewritten).
 * `countAttempt` adds one to `attempts` (a processing attempt, not a wait in line).
 *
 * `fresh` says the row most likely does not exist yet (an event's first attempt): then the INSERT goes
 * first, else the UPDATE; either way the other statement follows only when the first one missed, so a
 * wrong guess costs a round trip, never correctness. (Not INSERT … ON DUPLICATE KEY UPDATE: its duplicate
 * check takes next-key locks, and with event ids interleaving between workers those gap locks make the
 * inserts of other events wait for a whole apply transaction.)
 */
export async function recordEvent(
  em: EntityManager,
  data: Pick<InboundJobData, 'eventId' | 'partner' | 'eventType' | 'receivedAt'>,
  rawPayload: string,
  patch: EventRowPatch,
  countAttempt: boolean,
  now = new Date(),
  fresh = false,
): Promise<void> {
  const sets: string[] = [];
  const values: unknown[] = [];
  for (const key of Object.keys(patch) as (keyof EventRowPatch)[]) {
    const value = patch[key];
    if (value === undefined) continue;
    sets.push(`${PATCH_COLUMNS[key]} = ?`);
    values.push(key === 'output' || key === 'errors' ? json(value) : key === 'reason' ? storedReason(value as string | null) : value);
  }
  sets.push('updated_at = ?');
  values.push(now);
  if (countAttempt) sets.push('attempts = attempts + 1');
  const update = async (): Promise<boolean> => {
    const result = (await em.query(`UPDATE inbound_events SET ${sets.join(', ')} WHERE id = ?`, [...values, data.eventId])) as {
      affectedRows?: number;
    };
    return (result.affectedRows ?? 0) > 0;
  };
  const insert = async (): Promise<void> => {
    await em.query(
      `INSERT INTO inbound_events
         (id, partner, event_type, raw_payload, status, reason, sale_id, attempts, mapping_version, output, errors,
          received_at, processed_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        data.eventId,
        data.partner,
        data.eventType,
        rawPayload,
        patch.status ?? 'queued',
        storedReason(patch.reason),
        patch.saleId ?? null,
        countAttempt ? 1 : 0,
        patch.mappingVersion ?? null,
        json(patch.output),
        json(patch.errors),
        new Date(data.receivedAt),
        patch.processedAt ?? null,
        now,
      ],
    );
  };

  if (fresh) {
    try {
      await insert();
      return;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    await update();
    return;
  }
  if (await update()) return;
  try {
    await insert();
  } catch (err) {
    // Another attempt of the same event inserted it first (a stalled job picked up again).
    if (!isDuplicateKey(err)) throw err;
    await update();
  }
}

export interface EventView {
  id: string;
  partner: string;
  event_type: string;
  status: InboundEventStatus;
  reason: string | null;
  sale_id: string | null;
  attempts: number;
  received_at: string;
  processed_at: string | null;
}

export function presentEvent(e: InboundEvent): EventView {
  return {
    id: e.id,
    partner: e.partner,
    event_type: e.eventType,
    status: e.status,
    reason: e.reason,
    sale_id: e.saleId,
    attempts: e.attempts,
    received_at: e.receivedAt.toISOString(),
    processed_at: e.processedAt ? e.processedAt.toISOString() : null,
  };
}

/** Detail: adds the raw payload and what the mapping made of it. */
export function presentEventDetail(e: InboundEvent): Record<string, unknown> {
  return {
    ...presentEvent(e),
    raw_payload: e.rawPayload,
    mapping_version: e.mappingVersion,
    output: e.output ?? null,
    errors: e.errors ?? [],
  };
}

function presentQueuedJob(data: InboundJobData): EventView {
  return {
    id: data.eventId,
    partner: data.partner,
    event_type: data.eventType,
    status: 'queued',
    reason: null,
    sale_id: data.saleIds[0] ?? null,
    attempts: 0,
    received_at: data.receivedAt,
    processed_at: null,
  };
}

const PENDING_STATES = ['waiting', 'delayed', 'prioritized', 'paused'] as const;
/** How many waiting jobs the log looks at; a deeper backlog shows up as rows once workers reach it. */
const PENDING_SCAN_LIMIT = 1000;

async function pendingJobs(queue: Queue, partner: string): Promise<InboundJobData[]> {
  const jobs = (await queue.getJobs([...PENDING_STATES], 0, PENDING_SCAN_LIMIT - 1)) as (InboundJob | undefined)[];
  return jobs
    .filter((j): j is InboundJob => !!j && j.name === INBOUND_JOB_NAME && j.data?.partner === partner && !!j.data.eventId)
    .map((j) => j.data);
}

export interface EventListQuery {
  status?: InboundEventStatus;
  limit: number;
  /** The id of the last event of the previous page. */
  after?: string;
}

/**
 * A partner's events, newest first. Ids are time-ordered (newId), so "newer" is "greater id" and a page
 * ends at the last id shown. Events still waiting in the queue (no row yet) are merged in as `queued`.
 */
export async function listEvents(
  em: EntityManager,
  queue: Queue,
  partner: string,
  q: EventListQuery,
): Promise<{ events: EventView[]; last: string | null; more: boolean }> {
  const qb = em.createQueryBuilder(InboundEvent, 'e').where('e.partner = :partner', { partner });
  if (q.status) qb.andWhere('e.status = :status', { status: q.status });
  if (q.after) qb.andWhere('e.id < :after', { after: q.after });
  const rows = await qb.orderBy('e.id', 'DESC').limit(q.limit + 1).getMany();
  let merged = rows.map(presentEvent);
  if (!q.status || q.status === 'queued') {
    let waiting: InboundJobData[] = [];
    try {
      waiting = await pendingJobs(queue, partner);
    } catch {
      // Redis down: the log still shows what the database has.
    }
    const known = new Set(rows.map((r) => r.id));
    const extra = waiting.filter((d) => !known.has(d.eventId) && (!q.after || d.eventId < q.after));
    if (extra.length) {
      const withRow = new Set(
        (await em.createQueryBuilder(InboundEvent, 'e').select('e.id').whereInIds(extra.map((d) => d.eventId)).getMany()).map(
          (e) => e.id,
        ),
      );
      merged = merged.concat(extra.filter((d) => !withRow.has(d.eventId)).map(presentQueuedJob));
      merged.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    }
  }
  const more = merged.length > q.limit;
  const events = merged.slice(0, q.limit);
  return { events, last: events.length ? events[events.length - 1]!.id : null, more };
}

/** One event with its raw payload and mapping output; a still-waiting one is read from the queue. */
export async function getEventDetail(em: EntityManager, queue: Queue, id: string): Promise<Record<string, unknown>> {
  const row = await em.findOne(InboundEvent, { where: { id } });
  if (row) return presentEventDetail(row);
  let job: InboundJob | undefined;
  try {
    job = (await queue.getJob(id)) as InboundJob | undefined;
  } catch {
    job = undefined;
  }
  if (!job || job.name !== INBOUND_JOB_NAME || !job.data?.eventId) throw notFound('Event');
  return { ...presentQueuedJob(job.data), raw_payload: job.data.rawPayload ?? null, mapping_version: null, output: null, errors: [] };
}

/**
 * Processes a stored event again with the live mapping (POST /admin/v1/events/:id/replay). The finished
 * job of the first run is removed so the replay can keep jobId = event id. 409 while the event is still
 * queued or processing; 503 when Redis cannot take the job.
 */
export async function replayEvent(em: EntityManager, queue: Queue, id: string, attempts: number): Promise<void> {
  const row = await em.findOne(InboundEvent, { where: { id } });
  if (!row) {
    const waiting = await queue.getJob(id).catch(() => undefined);
    if (waiting) throw new AppError('conflict', 'The event is still waiting to be processed.', { status: 'queued' });
    throw notFound('Event');
  }
  if (row.status === 'queued' || row.status === 'processing') {
    throw new AppError('conflict', `The event is still ${row.status}; replay it once it has finished.`, { status: row.status });
  }
  const previous = { status: row.status, reason: row.reason };
  await em.update(InboundEvent, { id }, { status: 'queued', reason: 'replay requested', updatedAt: new Date() });
  try {
    const old = await queue.getJob(id);
    if (old) await old.remove();
    const data: InboundJobData = {
      eventId: row.id,
      partner: row.partner,
      eventType: row.eventType,
      receivedAt: row.receivedAt.toISOString(),
      saleIds: [],
    };
    await enqueueInboundEvent(queue, data, attempts);
  } catch (err) {
    await em.update(InboundEvent, { id }, previous);
    throw new AppError('unavailable', 'The event could not be queued again; try later.', { reason: (err as Error).message });
  }
}
