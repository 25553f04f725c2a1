import type { Queue } from 'bullmq';
import type { EntityManager } from 'typeorm';
import { InboundEvent, type InboundEventStatus } from '../../../platform/db/entities';
import { notFound } from '../../../platform/app-error';
import { fitColumn } from '../../../platform/storable';
import { INBOUND_JOB_NAME, type InboundJob, type InboundJobData } from './inbound-job';

/**
 * The event log (CONTRACT §3): one inbound_events row per accepted POS event, written by the worker
 * (the ingest hot path stays Redis-only). Events still waiting in the queue have no row yet; the log
 * reads them from the queue, so an accepted event is visible at once.
 */

/** Fields the worker sets on an event as it moves queued → processing → processed | ignored | failed. */
export type EventRowPatch = Partial<
  Pick<InboundEvent, 'status' | 'reason' | 'saleId' | 'mappingVersion' | 'output' | 'errors' | 'outcome' | 'processedAt'>
>;

/** Patch fields → columns. */
const PATCH_COLUMNS: Readonly<Record<keyof EventRowPatch, string>> = {
  status: 'status',
  reason: 'reason',
  saleId: 'sale_id',
  mappingVersion: 'mapping_version',
  output: 'output',
  errors: 'errors',
  outcome: 'outcome',
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
  data: Pick<InboundJobData, 'eventId' | 'partner' | 'eventType' | 'receivedAt' | 'headers'>,
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
    values.push(key === 'output' || key === 'errors' || key === 'outcome' ? json(value) : key === 'reason' ? storedReason(value as string | null) : value);
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
         (id, partner, event_type, raw_payload, headers, status, reason, sale_id, attempts, mapping_version, output, errors, outcome,
          received_at, processed_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        data.eventId,
        data.partner,
        data.eventType,
        rawPayload,
        json(data.headers),
        patch.status ?? 'queued',
        storedReason(patch.reason),
        patch.saleId ?? null,
        countAttempt ? 1 : 0,
        patch.mappingVersion ?? null,
        json(patch.output),
        json(patch.errors),
        json(patch.outcome),
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

/** Detail: adds the raw payload, what the mapping made of it and what each command did. */
export function presentEventDetail(e: InboundEvent): Record<string, unknown> {
  return {
    ...presentEvent(e),
    raw_payload: e.rawPayload,
    // As received, with signatures and secrets masked at the edge (ingest/mask-headers.ts); {} for older events.
    headers: e.headers ?? {},
    mapping_version: e.mappingVersion,
    output: e.output ?? null,
    errors: e.errors ?? [],
    // Per command: {venue_id, sale, booking, match, unmatched_reason} (Tablesync ids), once processed.
    outcome: e.outcome ?? null,
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

/** Jobs still waiting (no worker has them yet), of one partner or (null) all. */
async function pendingJobs(queue: Queue, partner: string | null): Promise<InboundJobData[]> {
  const jobs = (await queue.getJobs([...PENDING_STATES], 0, PENDING_SCAN_LIMIT - 1)) as (InboundJob | undefined)[];
  return jobs
    .filter((j): j is InboundJob => !!j && j.name === INBOUND_JOB_NAME && (partner === null || j.data?.partner === partner) && !!j.data?.eventId)
    .map((j) => j.data);
}

/** The event log's filters (CONTRACT §13): status, event type, a time range of receipt, the POS's sale id. */
export interface EventFilter {
  status?: InboundEventStatus;
  eventType?: string;
  /** Received at or after. */
  since?: Date;
  /** Received at or before. */
  until?: Date;
  saleId?: string;
}

export interface EventListQuery extends EventFilter {
  limit: number;
  /** The id of the last event of the previous page. */
  after?: string;
}

/** The filter as SQL on inbound_events `e` (the partner's rows). */
export function eventFilterSql(partner: string, f: EventFilter): { sql: string; params: unknown[] } {
  const parts = ['e.partner = ?'];
  const params: unknown[] = [partner];
  const add = (sql: string, value: unknown) => {
    parts.push(sql);
    params.push(value);
  };
  if (f.status) add('e.status = ?', f.status);
  if (f.eventType !== undefined) add('e.event_type = ?', f.eventType);
  if (f.since) add('e.received_at >= ?', f.since);
  if (f.until) add('e.received_at <= ?', f.until);
  if (f.saleId !== undefined) add('e.sale_id = ?', f.saleId);
  return { sql: parts.join(' AND '), params };
}

/** Whether a job still waiting in the queue (status `queued`, no row yet) passes the filter. */
function pendingMatches(d: InboundJobData, f: EventFilter): boolean {
  if (f.status && f.status !== 'queued') return false;
  if (f.eventType !== undefined && d.eventType !== f.eventType) return false;
  const at = Date.parse(d.receivedAt);
  if (f.since && at < f.since.getTime()) return false;
  if (f.until && at > f.until.getTime()) return false;
  if (f.saleId !== undefined && !d.saleIds.includes(f.saleId)) return false;
  return true;
}

/**
 * The partner's (null: every partner's) jobs still waiting in the queue without a row (newest scan of PENDING_SCAN_LIMIT), that
 * pass the filter. Redis down: none (the log still shows what the database has).
 */
export async function pendingWithoutRows(em: EntityManager, queue: Queue, partner: string | null, f: EventFilter, before?: string): Promise<InboundJobData[]> {
  if (f.status && f.status !== 'queued') return [];
  let waiting: InboundJobData[] = [];
  try {
    waiting = await pendingJobs(queue, partner);
  } catch {
    return [];
  }
  const extra = waiting.filter((d) => pendingMatches(d, f) && (!before || d.eventId < before));
  if (!extra.length) return [];
  const withRow = new Set(
    (await em.createQueryBuilder(InboundEvent, 'e').select('e.id').whereInIds(extra.map((d) => d.eventId)).getMany()).map((e) => e.id),
  );
  return extra.filter((d) => !withRow.has(d.eventId));
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
  if (q.eventType !== undefined) qb.andWhere('e.event_type = :eventType', { eventType: q.eventType });
  if (q.since) qb.andWhere('e.received_at >= :since', { since: q.since });
  if (q.until) qb.andWhere('e.received_at <= :until', { until: q.until });
  if (q.saleId !== undefined) qb.andWhere('e.sale_id = :saleId', { saleId: q.saleId });
  if (q.after) qb.andWhere('e.id < :after', { after: q.after });
  const rows = await qb.orderBy('e.id', 'DESC').limit(q.limit + 1).getMany();
  let merged = rows.map(presentEvent);
  const known = new Set(rows.map((r) => r.id));
  const extra = (await pendingWithoutRows(em, queue, partner, q, q.after)).filter((d) => !known.has(d.eventId));
  if (extra.length) {
    merged = merged.concat(extra.map(presentQueuedJob));
    merged.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
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
  return {
    ...presentQueuedJob(job.data), raw_payload: job.data.rawPayload ?? null, headers: job.data.headers ?? {}, mapping_version: null, output: null, errors: [],
    outcome: null,
  };
}
