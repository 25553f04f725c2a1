/**
 * POST /bookings for many clients at once. A booking's own work is small; what it costs is its
 * transaction: three round trips, a dozen statements and a commit. Bookings that arrive together share
 * one transaction (outbound/batcher.ts gathers them): their statements travel in shared round trips
 * (sharedRuns: the venue's services and tables are read once for all), and one COMMIT ends them all.
 *
 * Why sharing is safe: two bookings that could touch each other's slot always lock a common diary date
 * (diary-locks.ts, lockDiaryDays), and a shared transaction admits at most one booking per (venue,
 * date) — a booking whose dates another already claimed waits for the next transaction. So each booking
 * in it sees exactly what it would see alone, under the same locks.
 *
 * Each booking still gets its own answer. A refusal found while reading (422 slot_unavailable, 400) is
 * its own and costs the others nothing, since that phase only reads and locks. Any database error
 * (a deadlock, a duplicate new customer, a lost connection) rolls the shared transaction back, and then
 * every booking that was not answered yet runs alone, exactly as bookTable always did, so an error is
 * always a booking's own.
 */
import { sharedRuns, type SessionPool } from '../../platform/db/session-pool';
import { Batcher } from '../../platform/batcher';
import { AppError } from '../../platform/app-error';
import { normalizeContact, type Contact } from '../customers';
import {
  bookTable,
  DiaryDatesTaken,
  prepareBooking,
  StaleDiary,
  writeBooking,
  type NewBooking,
  type PreparedBooking,
} from './create-booking';
import type { VenueRef } from './diary-store';
import { checkVenueRules } from './venue-rules';
import type { ManageLinks } from './manage-tokens';
import type { PickUpWaitingSales } from './sale-rematch';
import type { VenueLayoutCache } from './venue-layout-cache';
import type { BookedView } from './booking.view';

interface Request {
  venue: VenueRef;
  input: NewBooking;
  contact: Contact;
  now: Date;
}

/** What a shared transaction made of one request. */
type Outcome =
  | { kind: 'booked'; view: BookedView }
  | { kind: 'refused'; error: unknown }
  /** Not decided in the shared transaction: the request goes again (`alone`: in a transaction of its own). */
  | { kind: 'again'; alone: boolean };

export interface BookingWriterOptions {
  /** Bookings per shared transaction. @defaultValue 16 */
  maxBatch?: number;
  /** Shared transactions running at once. @defaultValue 4 */
  maxInFlight?: number;
  /** Manage links of the bookings it writes (manage-tokens.ts). */
  links?: ManageLinks;
}

export class BookingWriter {
  private readonly batcher: Batcher<Request, Outcome>;
  private readonly links: ManageLinks | undefined;

  constructor(
    private readonly sessions: SessionPool,
    /** The sales' rematchSalesForBooking (the diary never imports sales): wired in compose(). */
    private readonly pickUpWaitingSales: PickUpWaitingSales,
    /** The app's kept services and tables of each venue (AppDeps.venueLayouts): built in compose(). */
    private readonly layouts: VenueLayoutCache,
    options: BookingWriterOptions = {},
  ) {
    this.links = options.links;
    this.batcher = new Batcher((requests) => this.shareTransaction(requests), {
      maxBatch: options.maxBatch ?? 16,
      maxInFlight: options.maxInFlight ?? 4,
    });
  }

  /** POST /bookings: the booking's view with its `manage_url` (201), or the AppError that refuses it. */
  async book(venue: VenueRef, input: NewBooking, now = new Date()): Promise<BookedView> {
    // Bad contact details, or a party or date the venue's rules refuse → 400/422 before any transaction, as bookTable does.
    const contact = normalizeContact({ name: input.customer_name, email: input.email, phone: input.phone }, venue.country);
    if (input.venueRules) checkVenueRules(input.venueRules, input, venue.timezone, now);
    // A booking sent round again (its date was taken in that transaction) goes first next time, so a
    // stream of new requests for the same day cannot keep it waiting.
    for (let again = false; ; again = true) {
      const outcome = await this.batcher.add({ venue, input, contact, now }, again);
      if (outcome.kind === 'booked') return outcome.view;
      if (outcome.kind === 'refused') throw outcome.error;
      if (outcome.alone) return bookTable(this.sessions, venue, input, this.pickUpWaitingSales, this.layouts, now, this.links);
    }
  }

  private async shareTransaction(requests: Request[]): Promise<Outcome[]> {
    const outcomes: (Outcome | undefined)[] = new Array(requests.length);
    let committing = false;
    try {
      await this.sessions.transaction('READ COMMITTED', async (tx) => {
        const shared = sharedRuns(tx);
        const claimed = new Set<string>();
        const claimDates = (venueId: string, dates: readonly string[]): boolean => {
          const keys = dates.map((d) => `${venueId}/${d}`);
          if (keys.some((k) => claimed.has(k))) return false;
          for (const k of keys) claimed.add(k);
          return true;
        };
        // Phase 1, everyone at once: read and lock. Nothing here needs undoing for a refused booking. In
        // date order, so that shared transactions running side by side take their diary locks in the same
        // order (as one booking's own locks are), which keeps deadlocks between them rare.
        const order = requests.map((_, i) => i).sort((a, b) => lockOrder(requests[a]!).localeCompare(lockOrder(requests[b]!)));
        const inOrder = await settleAll(order.map((i) => {
          const r = requests[i]!;
          return prepareBooking(shared, r.venue, r.input, r.contact, r.now, { claimDates, links: this.links, pickUpWaitingSales: this.pickUpWaitingSales, layouts: this.layouts });
        }));
        const prepared: Settled<PreparedBooking>[] = new Array(requests.length);
        order.forEach((i, k) => (prepared[i] = inOrder[k]!));
        let failure: { error: unknown } | null = null;
        prepared.forEach((p, i) => {
          if (p.ok) return;
          if (p.error instanceof AppError) outcomes[i] = { kind: 'refused', error: p.error };
          else if (p.error instanceof DiaryDatesTaken) outcomes[i] = { kind: 'again', alone: false };
          else if (p.error instanceof StaleDiary) outcomes[i] = { kind: 'again', alone: true };
          else failure ??= { error: p.error };
        });
        if (failure) throw (failure as { error: unknown }).error;

        // Phase 2, everyone at once: write. Any error ends the shared transaction (after all have stopped).
        const ready = prepared.flatMap((p, i) => (p.ok ? [{ i, booking: p.value }] : []));
        const written = await settleAll(ready.map(({ booking }) => writeBooking(shared, booking, true)));
        const error = written.find((w) => !w.ok);
        if (error) throw (error as { error: unknown }).error;
        written.forEach((w, k) => {
          if (w.ok) outcomes[ready[k]!.i] = { kind: 'booked', view: w.value };
        });
        committing = true;
      });
    } catch (err) {
      // The COMMIT itself failed: whether it took effect is unknown, so nobody may book again.
      if (committing) return requests.map((_, i) => outcomes[i]?.kind === 'refused' ? outcomes[i]! : { kind: 'refused', error: err });
      // Rolled back: what was refused while reading stays refused; everyone else goes alone.
      return requests.map((_, i) => (outcomes[i]?.kind === 'refused' ? outcomes[i]! : { kind: 'again', alone: true }));
    }
    return outcomes.map((o) => o ?? { kind: 'again', alone: true });
  }
}

const lockOrder = (r: Request): string => `${r.venue.id}/${r.input.date}`;

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Promise.allSettled's answers in a friendlier shape: every piece has stopped before the transaction ends. */
async function settleAll<T>(work: Promise<T>[]): Promise<Settled<T>[]> {
  return (await Promise.allSettled(work)).map((r) => (r.status === 'fulfilled' ? { ok: true, value: r.value } : { ok: false, error: r.reason }));
}
