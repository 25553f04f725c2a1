import type { DataSource, EntityManager } from 'typeorm';
import {
  applySaleBatch,
  type ApplyContext,
  type ApplyOutcome,
  BatchNotApplicable,
} from '../../sales';
import { applyCommands, applyReservationBatch, KeptLocations } from '../commands/command-handlers';
import type { SessionPool, SqlStatement } from '../../../platform/db/session-pool';
import type { CanonicalCommand, SaleCommand } from '../../commands';
import { Batcher } from '../../../platform/batcher';
import type { SaleLock } from '../edge/sale-lock';
import type { Logger } from '../../../platform/logger';
import { type EventRowPatch, insertProcessingRows, markFinishedStatements, recordEvent } from './inbound-event-store';
import type { InboundJobData } from './inbound-job';
import { dbErrorCode } from '../../../platform/db/db-errors';
import { StaleDiary, VenueLayoutCache } from '../../diary';
import type { ManageLinks } from '../../diary';

/**
 * The database side of the inbound worker, shared by the jobs one worker runs at once. Every statement is a
 * round trip, and round trips (not the mapping) are what an event costs, so the jobs in flight together
 * share them (outbound/batcher.ts, as the webhook delivery worker does):
 *
 * - `recordProcessing`: the `processing` rows of the events starting together, one multi-row INSERT on the
 *   DataSource's pool (autocommit: visible at once). It runs while the previous apply batch is still busy
 *   on its own connection, so the two overlap (two cores: the database works on both at once).
 * - `apply`: the events ready together are applied in ONE transaction on a connection of its own: the
 *   transaction's start and every read go in one round trip, every write plus the events' final rows in a
 *   second (applySaleBatch), the sales are released just before the commit. READ COMMITTED: no gap locks,
 *   so new sales of parallel batches never deadlock.
 *
 * Each job still gets its own outcome. Whenever a batch cannot go through as one (a booking_status command, a
 * sale twice, a collation subtlety, any database error), its events are applied one by one, each in its own
 * transaction exactly as before, so an error is always the event's own.
 */

export interface ApplyRequest {
  data: InboundJobData;
  raw: string;
  partner: { id: string; name: string };
  commands: readonly CanonicalCommand[];
  /** Frees the event's sales for whoever is next (owner-checked, idempotent). Run just before the commit. */
  release(): Promise<void>;
  /**
   * What release() frees, so that a batch frees the sales of all its events in one round trip
   * (SaleLock.releaseMany) and then wakes whoever is next in line (`wake`). Without it, release().
   */
  held?: HeldSales;
}

export interface HeldSales {
  partner: string;
  saleIds: readonly string[];
  /** The event id. */
  owner: string;
  /** Wakes the events now first in line for the freed sales. */
  wake(next: readonly string[]): Promise<void>;
}

export interface ProcessingRequest {
  data: InboundJobData;
  raw: string;
  patch: EventRowPatch;
  /** The row most likely does not exist yet (see recordEvent). */
  fresh: boolean;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

const DB_RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_DUP_ENTRY']);

/** One transaction (READ COMMITTED); deadlocks and insert races between two transactions resolve on a second try. */
export async function inTransaction<T>(ds: DataSource, work: (em: EntityManager) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ds.transaction('READ COMMITTED', work);
    } catch (err) {
      if (attempt >= attempts || !DB_RETRYABLE.has(dbErrorCode(err) ?? '')) throw err;
    }
  }
}

function applyContext(req: ApplyRequest, links?: ManageLinks): ApplyContext {
  return { partner: req.partner, eventId: req.data.eventId, receivedAt: new Date(req.data.receivedAt), ...(links ? { links } : {}) };
}

/** One event in its own transaction: its commands, its row, its sales released before the commit. */
export async function applyOne(ds: DataSource, req: ApplyRequest, links?: ManageLinks): Promise<ApplyOutcome> {
  return inTransaction(ds, async (tx) => {
    const applied = await applyCommands(tx, applyContext(req, links), req.commands);
    const finished = { status: applied.status, reason: applied.reason, outcome: applied.results, processedAt: new Date() };
    await recordEvent(tx, req.data, req.raw, finished, false);
    // Freed just before the commit, so whoever sees the event finished may send the next one at once. The
    // sale row stays locked (FOR UPDATE) until the commit, so a next event cannot overtake this one.
    await req.release();
    return applied;
  });
}

/** The batch's final rows: a statement for the apply round trip (inbound-event-store.ts). */
function markFinished(reqs: readonly ApplyRequest[], outcomes: readonly ApplyOutcome[], now: Date): SqlStatement[] {
  return markFinishedStatements(reqs.map((r) => r.data.eventId), outcomes, now);
}

const saleKeys = (req: ApplyRequest): string[] =>
  req.commands.flatMap((c) => (c.type === 'sale' ? [`${req.partner.name}\u0000${String(c.sale_id).trim()}`] : []));

/** The connections an applier needs: one per batch in flight (the default maxInFlight). */
export const INBOUND_APPLY_SESSIONS = 1;

export class InboundApplier {
  private readonly applier: Batcher<ApplyRequest, Settled<ApplyOutcome>>;
  private readonly recorder: Batcher<ProcessingRequest, Settled<void>>;
  private readonly connections: SessionPool;
  private readonly locks: SaleLock | undefined;
  private readonly links: ManageLinks | undefined;
  private readonly keptLocations: KeptLocations;
  private readonly venueLayouts: VenueLayoutCache;

  /**
   * @param options.maxBatch events per batch. @defaultValue 50
   * @param options.maxInFlight batches (of each kind) at once; one lets the most events share a batch, which
   *   on a busy database is what counts. @defaultValue 1
   * @param options.locks the sale locks: with them a batch frees its events' sales in one round trip.
   * @param options.links where the manage links of bookings made from reservations point (as the booking writer's).
   * @param options.keptLocations the app's kept location venues (AppDeps.keptLocations); without it, the applier's own.
   * @param options.venueLayouts the app's kept services and tables of each venue (AppDeps.venueLayouts, shared with
   *   the booking writer); without it, the applier's own.
   * @param sessions the applier's own connections (multi-statement): one round trip carries a batch's reads,
   *   another its writes. Not the app's shared pool: the applier owns it and closes it with itself (each inbound
   *   worker, and tests build and kill extra ones), and its batches never wait behind API requests for one. At
   *   least `maxInFlight` connections (INBOUND_APPLY_SESSIONS); built by the composition root.
   */
  constructor(
    private readonly ds: DataSource,
    private readonly logger: Logger,
    sessions: SessionPool,
    options: { maxBatch?: number; maxInFlight?: number; locks?: SaleLock; links?: ManageLinks; keptLocations?: KeptLocations; venueLayouts?: VenueLayoutCache } = {},
  ) {
    this.locks = options.locks;
    this.links = options.links;
    this.keptLocations = options.keptLocations ?? new KeptLocations();
    this.venueLayouts = options.venueLayouts ?? new VenueLayoutCache();
    const maxBatch = options.maxBatch ?? 50;
    const maxInFlight = options.maxInFlight ?? 1;
    this.connections = sessions;
    this.applier = new Batcher((reqs) => this.applyMany(reqs), { maxBatch, maxInFlight });
    this.recorder = new Batcher((reqs) => this.recordMany(reqs), { maxBatch, maxInFlight });
  }

  /** Lets go of the kept connections (after the worker has finished its jobs). */
  close(): Promise<void> {
    return this.connections.close();
  }

  /** Applies an event's commands and marks it finished; resolves with its outcome once committed. */
  async apply(req: ApplyRequest): Promise<ApplyOutcome> {
    return unwrap(await this.applier.add(req));
  }

  /** Writes an event's `processing` row (autocommit: visible at once). */
  async recordProcessing(req: ProcessingRequest): Promise<void> {
    unwrap(await this.recorder.add(req));
  }

  private async applyMany(reqs: ApplyRequest[]): Promise<Settled<ApplyOutcome>[]> {
    const results: (Settled<ApplyOutcome> | undefined)[] = reqs.map(() => undefined);
    // Sale commands only, each sale once in the batch; the others go one by one.
    const batch: number[] = [];
    const keys = new Set<string>();
    reqs.forEach((req, i) => {
      const mine = saleKeys(req);
      if (!req.commands.every((c) => c.type === 'sale') || mine.some((k) => keys.has(k)) || new Set(mine).size !== mine.length) return;
      for (const k of mine) keys.add(k);
      batch.push(i);
    });
    const members = batch.map((i) => reqs[i]!);
    if (members.length > 0) {
      try {
        const outcomes = await this.connections.transaction('READ COMMITTED', async (session) => {
          const { outcomes, finished } = await applySaleBatch(
            session,
            this.ds,
            members.map((r) => ({ ctx: applyContext(r), commands: r.commands as SaleCommand[] })),
            (applied) => markFinished(members, applied, new Date()),
          );
          const marked = finished.reduce<number>((sum, r) => sum + ((r as { affectedRows?: number }).affectedRows ?? 0), 0);
          if (marked !== members.length) {
            throw new BatchNotApplicable('an event row is missing');
          }
          await this.releaseAll(members);
          return outcomes;
        });
        batch.forEach((i, k) => (results[i] = { ok: true, value: outcomes[k]! }));
      } catch (err) {
        const level = err instanceof BatchNotApplicable ? 'debug' : 'warn';
        this.logger[level]({ err: (err as Error).message, events: members.length }, 'inbound batch applied event by event instead');
      }
    }
    await this.applyReservations(reqs, results);
    await Promise.all(
      reqs.map(async (req, i) => {
        if (!results[i]) results[i] = await settle(applyOne(this.ds, req, this.links));
      }),
    );
    return results as Settled<ApplyOutcome>[];
  }

  /**
   * Events of one reservation command each (each reservation once) in one transaction, as sales are
   * (command-handlers.ts applyReservationBatch); updates of a booked reservation, and everything on an error,
   * are left for the one-by-one path.
   */
  private async applyReservations(reqs: readonly ApplyRequest[], results: (Settled<ApplyOutcome> | undefined)[]): Promise<void> {
    const keys = new Set<string>();
    const members = reqs.flatMap((req, i) => {
      const cmd = req.commands[0];
      if (results[i] || req.commands.length !== 1 || cmd?.type !== 'reservation') return [];
      const key = `${req.partner.name}\u0000${String(cmd.reservation_id).trim().toLowerCase()}`;
      if (keys.has(key)) return [];
      keys.add(key);
      return [{ i, req, command: cmd }];
    });
    if (!members.length) return;
    // With the venues kept from an earlier batch first; should they have changed, again from their rows.
    for (const useKept of [true, false]) {
      try {
        const outcomes = await this.connections.transaction('READ COMMITTED', async (session) => {
          let done: ApplyRequest[] = [];
          const { outcomes, finished } = await applyReservationBatch(
            session,
            this.ds,
            members.map((m) => ({ ctx: applyContext(m.req, this.links), command: m.command })),
            (applied) => {
              done = members.filter((_, k) => applied[k]).map((m) => m.req);
              return done.length ? markFinished(done, applied.filter((o): o is ApplyOutcome => !!o), new Date()) : [];
            },
            { keptLocations: this.keptLocations, venueLayouts: this.venueLayouts, useKept },
          );
          const marked = finished.reduce<number>((sum, r) => sum + ((r as { affectedRows?: number }).affectedRows ?? 0), 0);
          if (marked !== done.length) throw new BatchNotApplicable('an event row is missing');
          await this.releaseAll(done);
          return outcomes;
        });
        members.forEach((m, k) => {
          if (outcomes[k]) results[m.i] = { ok: true, value: outcomes[k]! };
        });
        return;
      } catch (err) {
        if (err instanceof StaleDiary && useKept) continue;
        const level = err instanceof BatchNotApplicable ? 'debug' : 'warn';
        this.logger[level]({ err: (err as Error).message, events: members.length }, 'inbound reservation batch applied event by event instead');
        return;
      }
    }
  }

  /** Frees the sales of the events of a batch: in one round trip where it can, else each on its own. */
  private async releaseAll(reqs: readonly ApplyRequest[]): Promise<void> {
    const locks = this.locks;
    const together = locks ? reqs.filter((r) => r.held) : [];
    const alone = locks ? reqs.filter((r) => !r.held) : reqs;
    await Promise.all([
      ...alone.map((r) => r.release()),
      (async () => {
        if (!locks || together.length === 0) return;
        const next = await locks.releaseMany(together.map((r) => r.held!));
        await Promise.all(together.map((r, i) => (next[i]!.length ? r.held!.wake(next[i]!) : undefined)));
      })(),
    ]);
  }

  private async recordMany(reqs: ProcessingRequest[]): Promise<Settled<void>[]> {
    const now = new Date();
    // First attempts (no row yet, as a rule) in one multi-row INSERT; the others, and all of them when a row
    // turns out to exist already (a resumed event), one by one (recordEvent: INSERT or UPDATE).
    const fresh = reqs.filter((r) => r.fresh);
    let inserted = false;
    if (fresh.length >= 2) {
      try {
        await insertProcessingRows(this.ds, fresh, now);
        inserted = true;
      } catch {
        // A row already there: the statement inserted nothing; each on its own below.
      }
    }
    return Promise.all(
      reqs.map((r) =>
        inserted && r.fresh ? { ok: true as const, value: undefined } : settle(recordEvent(this.ds.manager, r.data, r.raw, r.patch, true, now, r.fresh)),
      ),
    );
  }
}

async function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

function unwrap<T>(s: Settled<T>): T {
  if (!s.ok) throw s.error;
  return s.value;
}
