import type { Queue } from 'bullmq';
import type { EntityManager } from 'typeorm';
import type { InboundEvent, InboundEventStatus } from '../../../platform/db/entities';
import { notFound } from '../../../platform/app-error';
import type { InboundEventDetailView } from '../partner-views';
import { type EventFilter, eventIdsWithRows, findEventRow, listEventRows } from './inbound-event-store';
import { INBOUND_JOB_NAME, type InboundJob, type InboundJobData } from './inbound-job';

/**
 * The event log (CONTRACT §3): one inbound_events row per accepted POS event, written by the worker
 * (the ingest hot path stays Redis-only). Events still waiting in the queue have no row yet; the log
 * reads them from the queue, so an accepted event is visible at once.
 */

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
export function presentEventDetail(e: InboundEvent): InboundEventDetailView {
  return {
    ...presentEvent(e),
    raw_payload: e.rawPayload,
    // As received, with signatures and secrets masked at the edge (ingest/mask-headers.ts); {} for older events.
    headers: e.headers ?? {},
    mapping_version: e.mappingVersion,
    output: e.output ?? null,
    // JSON columns the pipeline writes in these shapes (mapping/schema errors; outcomeOf per command).
    errors: (e.errors ?? []) as InboundEventDetailView['errors'],
    // Per command: {venue_id, sale, booking, match, unmatched_reason} (Tablesync ids), once processed.
    outcome: (e.outcome ?? null) as InboundEventDetailView['outcome'],
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

export interface EventListQuery extends EventFilter {
  limit: number;
  /** The id of the last event of the previous page. */
  after?: string;
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
  const withRow = await eventIdsWithRows(em, extra.map((d) => d.eventId));
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
  const rows = await listEventRows(em, partner, q);
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
  const row = await findEventRow(em, id);
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
