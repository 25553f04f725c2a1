import type { DataSource, EntityManager } from 'typeorm';
import { InboundEvent, type InboundEventStatus } from '../../../platform/db/entities';
import type { SqlStatement } from '../../../platform/db/session-pool';
import { fitColumn } from '../../../platform/storable';
import type { ApplyOutcome } from '../../sales';
import type { InboundJobData } from './inbound-job';

/**
 * Every statement on inbound_events (the event log, CONTRACT §3), in one place: the worker's writes
 * (recordEvent, the batched processing INSERT, the batch's final UPDATE as a statement for the apply
 * round trip), the stranded sweep's, replay's claim and counts, the log's reads, the partners' figures and
 * the dry run's stored input. The callers keep the logic; this file keeps the SQL.
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


/** What the worker writes first for an event: its job, its payload and the `processing` patch. */
export interface NewEventRow {
  data: InboundJobData;
  raw: string;
  patch: EventRowPatch;
}

/** The row recordEvent(…, countAttempt = true) inserts for a new event. */
function processingRow(r: NewEventRow, now: Date): unknown[] {
  const p = r.patch;
  return [
    r.data.eventId,
    r.data.partner,
    r.data.eventType,
    r.raw,
    json(r.data.headers),
    p.status ?? 'queued',
    storedReason(p.reason),
    p.saleId ?? null,
    1,
    p.mappingVersion ?? null,
    json(p.output),
    json(p.errors),
    new Date(r.data.receivedAt),
    p.processedAt ?? null,
    now,
  ];
}

/** First attempts of several events, one multi-row INSERT (fails as a whole when a row exists already). */
export async function insertProcessingRows(ds: DataSource, rows: readonly NewEventRow[], now: Date): Promise<void> {
  await ds.query(
    `INSERT INTO inbound_events
       (id, partner, event_type, raw_payload, headers, status, reason, sale_id, attempts, mapping_version, output, errors,
        received_at, processed_at, updated_at)
     VALUES ?`,
    [rows.map((r) => processingRow(r, now))],
  );
}

/**
 * Marks the events of a batch finished (every row exists: the processing write made it), each with its
 * status, reason and what its commands did (`outcome`), in one UPDATE for the whole batch. A column with
 * one value for every event (the status, as a rule) is set to it; the others are picked by id
 * (`ELT(FIELD(id, …), …)`: each unmatched sale's reason and every outcome name the event's own sale, so no
 * grouping would make it one statement), the ids and the values each sent as one list parameter.
 * A statement (not a round trip): it goes with the apply batch's writes.
 */
export function markFinishedStatements(ids: readonly string[], outcomes: readonly ApplyOutcome[], now: Date): SqlStatement[] {
  const sets: string[] = [];
  const params: unknown[] = [];
  const set = (column: string, values: (string | null)[]): void => {
    if (values.every((v) => v === values[0])) {
      sets.push(`${column} = ?`);
      params.push(values[0]);
    } else {
      sets.push(`${column} = ELT(FIELD(id, ?), ?)`);
      params.push(ids, values);
    }
  };
  set('status', outcomes.map((o) => o.status));
  set('reason', outcomes.map((o) => storedReason(o.reason)));
  set('outcome', outcomes.map((o) => JSON.stringify(o.results)));
  return [{
    sql: `UPDATE inbound_events SET ${sets.join(', ')}, processed_at = ?, updated_at = ? WHERE id IN (?)`,
    params: [...params, now, now, ids],
  }];
}

/** The unfinished rows untouched since `before`, oldest first, at most `limit` (the stranded sweep). */
export async function unfinishedBefore(ds: DataSource, before: Date, limit: number): Promise<{ id: string; partner: string; sale_id: string | null }[]> {
  return (await ds.query(
    `SELECT id, partner, sale_id FROM inbound_events
      WHERE status IN ('queued', 'processing') AND updated_at < ? ORDER BY updated_at LIMIT ?`,
    [before, limit],
  )) as { id: string; partner: string; sale_id: string | null }[];
}

/** Marks a still-unfinished event failed with the reason; false when it had finished meanwhile. */
export async function failUnfinished(ds: DataSource, id: string, reason: string, now: Date): Promise<boolean> {
  const result = (await ds.query(
    `UPDATE inbound_events SET status = 'failed', reason = ?, processed_at = ?, updated_at = ?
      WHERE id = ? AND status IN ('queued', 'processing')`,
    [storedReason(reason), now, now, id],
  )) as { affectedRows?: number };
  return (result.affectedRows ?? 0) > 0;
}

/** The ids of `ids` that have a row. */
export async function idsWithRows(ds: DataSource, ids: readonly string[]): Promise<Set<string>> {
  return new Set(((await ds.query('SELECT id FROM inbound_events WHERE id IN (?)', [ids])) as { id: string }[]).map((r) => r.id));
}

/** Writes an event's first row from its job (no attempt made); throws ER_DUP_ENTRY when it has one. */
export async function insertRowFromJob(ds: DataSource, data: InboundJobData, now: Date, status: 'queued' | 'failed', reason: string): Promise<void> {
  await ds.query(
    `INSERT INTO inbound_events
       (id, partner, event_type, raw_payload, headers, status, reason, sale_id, attempts, received_at, processed_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
    [data.eventId, data.partner, data.eventType, data.rawPayload, data.headers ? JSON.stringify(data.headers) : null, status, storedReason(reason), data.saleIds[0] ?? null,
      new Date(data.receivedAt), status === 'failed' ? now : null, now],
  );
}

/** A claimed row as it was before the claim. */
export interface ClaimedRow {
  id: string;
  partner: string;
  event_type: string;
  received_at: Date;
  status: InboundEventStatus;
  reason: string | null;
  headers: string | Record<string, string> | null;
}

const statusList = (statuses: readonly string[]): string => statuses.map((s) => `'${s}'`).join(', ');

/**
 * Claims rows for replay: those of `where` (over `e`) in one of `statuses` with id > `after`, at most `limit`,
 * in id order, locked and marked `queued` with `reason`, in one READ COMMITTED transaction. Returns them as
 * they were before the claim.
 */
export async function claimRows(
  em: EntityManager,
  where: { sql: string; params: unknown[] },
  statuses: readonly InboundEventStatus[],
  after: string,
  limit: number,
  reason: string,
  now: Date,
): Promise<ClaimedRow[]> {
  return em.transaction('READ COMMITTED', async (tx) => {
    const rows = (await tx.query(
      `SELECT e.id, e.partner, e.event_type, e.received_at, e.status, e.reason, e.headers FROM inbound_events e
        WHERE ${where.sql} AND e.status IN (${statusList(statuses)}) AND e.id > ?
        ORDER BY e.id LIMIT ${Number(limit)} FOR UPDATE`,
      [...where.params, after],
    )) as ClaimedRow[];
    if (rows.length) {
      await tx.query('UPDATE inbound_events SET status = ?, reason = ?, updated_at = ? WHERE id IN (?)', [
        'queued', reason, now, rows.map((r) => r.id),
      ]);
    }
    return rows;
  });
}

/** Puts a claimed row back as it was, only while it is still `queued` with the claim's reason. */
export async function restoreClaimed(em: EntityManager, row: Pick<ClaimedRow, 'id' | 'status' | 'reason'>, claimReason: string): Promise<void> {
  await em.query('UPDATE inbound_events SET status = ?, reason = ? WHERE id = ? AND status = ? AND reason = ?', [
    row.status, row.reason, row.id, 'queued', claimReason,
  ]);
}

/** How many rows of `where` (over `e`) are in one of `statuses`. */
export async function countRows(em: EntityManager, where: { sql: string; params: unknown[] }, statuses: readonly InboundEventStatus[]): Promise<number> {
  const [row] = (await em.query(`SELECT COUNT(*) AS n FROM inbound_events e WHERE ${where.sql} AND e.status IN (${statusList(statuses)})`, where.params)) as {
    n: number | string;
  }[];
  return Number(row?.n ?? 0);
}

/** Rows received in [since, until] per partner (of `partners`) and status: one grouped count over ix_inbound_partner_time. */
export async function countByPartnerAndStatus(
  em: EntityManager,
  partners: readonly string[],
  since: Date,
  until: Date,
): Promise<{ partner: string; status: InboundEventStatus; n: number | string }[]> {
  return (await em.query(
    `SELECT partner, status, COUNT(*) AS n FROM inbound_events
      WHERE partner IN (?) AND received_at >= ? AND received_at <= ? GROUP BY partner, status`,
    [partners, since, until],
  )) as { partner: string; status: InboundEventStatus; n: number | string }[];
}

/** The three columns a dry run reads of a stored event of the partner (not the output, outcome and errors an entity would bring). */
export async function storedInput(
  em: EntityManager,
  id: string,
  partner: string,
): Promise<{ raw_payload: string; content_type: string | null; received_at: Date } | undefined> {
  const [row] = (await em.query(
    `SELECT raw_payload, JSON_UNQUOTE(JSON_EXTRACT(headers, '$."content-type"')) AS content_type, received_at
       FROM inbound_events WHERE id = ? AND partner = ?`,
    [id, partner],
  )) as { raw_payload: string; content_type: string | null; received_at: Date }[];
  return row;
}

/** One event's row, or null. */
export function findEventRow(em: EntityManager, id: string): Promise<InboundEvent | null> {
  return em.findOne(InboundEvent, { where: { id } });
}

/** The ids of `ids` that have a row (the log's query builder form). */
export async function eventIdsWithRows(em: EntityManager, ids: readonly string[]): Promise<Set<string>> {
  return new Set((await em.createQueryBuilder(InboundEvent, 'e').select('e.id').whereInIds([...ids]).getMany()).map((e) => e.id));
}

/** A page of a partner's rows, newest first: at most `limit + 1` with id < `after` passing the filter. */
export function listEventRows(em: EntityManager, partner: string, q: EventFilter & { limit: number; after?: string }): Promise<InboundEvent[]> {
  const qb = em.createQueryBuilder(InboundEvent, 'e').where('e.partner = :partner', { partner });
  if (q.status) qb.andWhere('e.status = :status', { status: q.status });
  if (q.eventType !== undefined) qb.andWhere('e.event_type = :eventType', { eventType: q.eventType });
  if (q.since) qb.andWhere('e.received_at >= :since', { since: q.since });
  if (q.until) qb.andWhere('e.received_at <= :until', { until: q.until });
  if (q.saleId !== undefined) qb.andWhere('e.sale_id = :saleId', { saleId: q.saleId });
  if (q.after) qb.andWhere('e.id < :after', { after: q.after });
  return qb.orderBy('e.id', 'DESC').limit(q.limit + 1).getMany();
}
