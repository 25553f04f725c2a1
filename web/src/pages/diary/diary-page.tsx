import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { errorText, listAll, type Booking, type Sale, type Venue, guestOf } from '../../api';
import { isInactive, statusLabel } from '../../booking-status';
import { addDays, formatClock, formatDay, formatMoney, isDate, isoWeekday, todayIn, WEEKDAYS } from '../../format';
import { LiveIndicator, useLiveStream, type LiveEvent } from '../../live';
import { useSession } from '../../session';
import { useNowEachMinute } from '../../use-now';
import { BookingDrawer } from './booking-drawer';
import { dayWindow, isUrgent, needsTable, newer, saleDay, spendByBooking, timeLeft } from './diary-model';
import { DiaryGrid, DiaryList, SourceBadge } from './diary-views';
import { MatchDrawer, UnmatchedSales } from './sales-panel';

type Open = { kind: 'booking'; id: string } | { kind: 'match'; saleId: string } | null;

/** `/app/diary?date=YYYY-MM-DD`: the day's tables × hours, bookings with their POS spend, unmatched sales, live. */
export function DiaryPage() {
  const { venue } = useSession();
  if (!venue) return <p role="status">Loading the venue…</p>;
  if (!venue.areas) return <p class="error" role="alert">The venue could not be loaded. Reload the page to try again.</p>;
  return <Diary venue={venue} />;
}

function Diary({ venue }: { venue: Venue }) {
  const { query, route } = useLocation();
  const today = todayIn(venue.timezone);
  const date = isDate(query.date) ? query.date : today;
  const { can } = useSession();

  // The maps in one state, so one event updates them together. `waiting`: every request still waiting for
  // the venue's answer, whatever its date (GET /bookings?status=requested from today).
  const [day, setDay] = useState<{ bookings: Map<string, Booking>; sales: Map<string, Sale>; waiting: Map<string, Booking> }>({ bookings: new Map(), sales: new Map(), waiting: new Map() });
  const { bookings, sales, waiting } = day;
  const now = useNowEachMinute();
  const [loaded, setLoaded] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<Open>(null);
  const [revision, setRevision] = useState(0); // bumps when an event touches the open booking
  // The view a person chose stays chosen on this device; by default, the list on a phone.
  const [view, setViewState] = useState<'grid' | 'list'>(() => {
    const saved = localStorage.getItem('tablesync.diary.view');
    if (saved === 'grid' || saved === 'list') return saved;
    return window.matchMedia('(max-width: 700px)').matches ? 'list' : 'grid';
  });
  const setView = (v: 'grid' | 'list') => {
    setViewState(v);
    localStorage.setItem('tablesync.diary.view', v);
  };

  // Events that arrive while the day is loading wait for it, then apply on top (newer versions win).
  const loading = useRef(true);
  const pending = useRef<LiveEvent[]>([]);
  const dateRef = useRef(date);
  dateRef.current = date;
  const openRef = useRef(open);
  openRef.current = open;

  const days = useMemo(() => {
    const w = dayWindow(venue, date, []);
    return w.pastMidnight ? [date, addDays(date, 1)] : [date];
  }, [venue, date]);

  const apply = useCallback((e: LiveEvent, bs: Map<string, Booking>, ss: Map<string, Sale>, ws: Map<string, Booking>) => {
    if (e.event.startsWith('booking.')) {
      // booking.created/updated/cancelled and the requests' booking.requested/approved/declined/expired alike:
      // each carries the booking as it now is.
      const b = e.data as unknown as Booking;
      if (!b?.id) return;
      if (b.date === dateRef.current) {
        if (newer(bs.get(b.id), b)) bs.set(b.id, b);
      } else if (newer(bs.get(b.id), b)) bs.delete(b.id);
      if (newer(ws.get(b.id), b)) {
        if (b.status === 'requested') ws.set(b.id, b);
        else ws.delete(b.id);
      }
      if (openRef.current?.kind === 'booking' && openRef.current.id === b.id) setRevision((r) => r + 1);
    } else if (e.event.startsWith('sale.')) {
      const s = ((e.data as { sale?: Sale }).sale ?? e.data) as unknown as Sale;
      if (!s?.id || !s.id.startsWith('sl_')) return;
      const before = ss.get(s.id);
      const day = saleDay(s, venue.timezone);
      const belongs = (day !== null && days.includes(day)) || (s.booking_id !== null && bs.has(s.booking_id));
      if (belongs) {
        if (newer(before, s)) ss.set(s.id, s);
      } else ss.delete(s.id);
      const openId = openRef.current?.kind === 'booking' ? openRef.current.id : null;
      if (openId && (s.booking_id === openId || before?.booking_id === openId)) setRevision((r) => r + 1);
    }
  }, [venue.timezone, days]);

  const load = useCallback(async () => {
    loading.current = true;
    const forDate = date;
    try {
      const [bs, ws, ...salesOfDays] = await Promise.all([
        listAll<Booking>(`/bookings?date=${forDate}`),
        listAll<Booking>(`/bookings?status=requested&from=${todayIn(venue.timezone)}`, 500),
        ...(can('sales:read') ? days.map((d) => listAll<Sale>(`/sales?date=${d}`)) : []),
      ]);
      if (dateRef.current !== forDate) return;
      const bMap = new Map(bs.map((b) => [b.id, b]));
      const sMap = new Map(salesOfDays.flat().map((s) => [s.id, s]));
      const wMap = new Map(ws.map((b) => [b.id, b]));
      for (const e of pending.current) apply(e, bMap, sMap, wMap);
      pending.current = [];
      setDay({ bookings: bMap, sales: sMap, waiting: wMap });
      setError(null);
      setLoaded(forDate);
    } catch (err) {
      if (dateRef.current === forDate) setError(errorText(err, 'Could not load the diary.'));
    } finally {
      if (dateRef.current === forDate) loading.current = false;
    }
  }, [date, days, apply, venue.timezone]);

  useEffect(() => {
    setLoaded(null);
    setOpen(null);
    void load();
  }, [load]);

  const live = useLiveStream(
    (e) => {
      if (loading.current) {
        pending.current.push(e);
        return;
      }
      // Copy-on-write so the page redraws.
      setDay((prev) => {
        const bs = new Map(prev.bookings);
        const ss = new Map(prev.sales);
        const ws = new Map(prev.waiting);
        apply(e, bs, ss, ws);
        return { bookings: bs, sales: ss, waiting: ws };
      });
    },
    () => void load(),
  );

  const goTo = (d: string) => route(`/app/diary?date=${d}`);

  const all = useMemo(() => [...bookings.values()], [bookings]);
  const spend = useMemo(() => spendByBooking(sales.values(), venue.currency), [sales, venue.currency]);
  const unmatched = useMemo(
    () => [...sales.values()].filter((s) => !s.booking_id && s.status !== 'void').sort((a, b) => (a.opened_at ?? a.closed_at ?? '').localeCompare(b.opened_at ?? b.closed_at ?? '')),
    [sales],
  );
  const placed = all.filter((b) => !needsTable(b) && !(isInactive(b.status) && b.status !== 'no_show'));
  const unplaced = all.filter(needsTable).sort((a, b) => a.time.localeCompare(b.time));
  const gone = all.filter((b) => isInactive(b.status) && b.status !== 'no_show').sort((a, b) => a.time.localeCompare(b.time));
  const goneTitle = foldTitle(gone.map((b) => b.status));
  // Requests waiting, soonest to expire first (the one a host must answer first).
  const requests = useMemo(
    () => [...waiting.values()].filter((b) => b.status === 'requested')
      .sort((a, b) => (a.expires_at ?? '9').localeCompare(b.expires_at ?? '9') || a.date.localeCompare(b.date) || a.time.localeCompare(b.time)),
    [waiting],
  );
  // Requests are counted apart (they count nowhere until approved, as in analytics): the waiting list says them.
  const active = all.filter((b) => !isInactive(b.status) && b.status !== 'requested');
  const covers = active.reduce((n, b) => n + b.party_size, 0);
  const spendTotal = [...spend.entries()].reduce((n, [id, s]) => n + (bookings.has(id) ? s.total : 0), 0);

  const openBooking = (id: string) => setOpen({ kind: 'booking', id });
  const patchSale = (s: Sale) => setDay((prev) => (newer(prev.sales.get(s.id), s) ? { ...prev, sales: new Map(prev.sales).set(s.id, s) } : prev));
  const patchBooking = (b: Booking) => setDay((prev) => {
    const next = new Map(prev.bookings);
    if (newer(prev.bookings.get(b.id), b)) {
      if (b.date === date) next.set(b.id, b);
      else next.delete(b.id);
    }
    const ws = new Map(prev.waiting);
    if (newer(prev.waiting.get(b.id), b)) {
      if (b.status === 'requested') ws.set(b.id, b);
      else ws.delete(b.id);
    }
    return { ...prev, bookings: next, waiting: ws };
  });

  return (
    <section class="diary-page" aria-labelledby="diary-title">
      <div class="diary-toolbar">
        <h1 id="diary-title">Diary</h1>
        <div class="date-nav" role="group" aria-label="Day">
          <button type="button" onClick={() => goTo(addDays(date, -1))} aria-label="Previous day">‹</button>
          <label class="visually-hidden" for="diary-date">Date</label>
          <input id="diary-date" type="date" value={date} onChange={(e) => {
            const v = (e.target as HTMLInputElement).value;
            if (isDate(v)) goTo(v);
          }} />
          <button type="button" onClick={() => goTo(addDays(date, 1))} aria-label="Next day">›</button>
          <button type="button" onClick={() => goTo(today)} disabled={date === today}>Today</button>
        </div>
        <div class="toolbar-end">
          <LiveIndicator state={live} />
          <div class="segmented" role="group" aria-label="View">
            <button type="button" aria-pressed={view === 'grid'} onClick={() => setView('grid')}>Tables</button>
            <button type="button" aria-pressed={view === 'list'} onClick={() => setView('list')}>List</button>
          </div>
        </div>
      </div>
      <p class="diary-summary">
        <strong>{formatDay(date, venue)}</strong>{date === today && <span class="badge role">today</span>}
        {loaded === date && (
          <span class="muted">
            {' '}· {active.length} {active.length === 1 ? 'booking' : 'bookings'} · {covers} covers
            {can('sales:read') && <> · {formatMoney(spendTotal, venue.currency, venue)} matched</>}
          </span>
        )}
        {loaded === date && requests.length > 0 && (
          <a class="to-requests" href="#requests-title">{requests.length} {requests.length === 1 ? 'request' : 'requests'} waiting</a>
        )}
        {loaded === date && unmatched.length > 0 && (
          <a class="to-unmatched" href="#unmatched-title">{unmatched.length} unmatched {unmatched.length === 1 ? 'sale' : 'sales'}</a>
        )}
      </p>

      {error && (
        <p class="error" role="alert">
          Could not load the diary: {error} <button type="button" class="quiet" onClick={() => void load()}>Try again</button>
        </p>
      )}
      {!error && loaded !== date && <p role="status">Loading the diary…</p>}

      {loaded === date && (
        <div class={`diary-layout${can('sales:read') ? '' : ' no-aside'}`}>
          <div class="diary-main">
            {requests.length > 0 && (
              <section class="card requests" aria-labelledby="requests-title">
                <h2 id="requests-title">Requests waiting <span class="count" aria-label={`${requests.length} waiting`}>{requests.length}</span></h2>
                <p class="muted small">Each holds its table until it is answered or runs out of time. Open one to approve or decline it.</p>
                <ul class="chips">
                  {requests.map((b) => {
                    const left = timeLeft(b.expires_at, now);
                    return (
                      <li key={b.id}>
                        <button type="button" class={`chip request status-requested${isUrgent(b.expires_at, now) ? ' urgent' : ''}`} data-request={b.id} onClick={() => openBooking(b.id)}
                          aria-label={`Request: ${b.date === date ? '' : `${formatDay(b.date, venue, false)} `}${formatClock(b.time, venue)} ${guestOf(b)}, ${b.party_size} ${b.party_size === 1 ? 'guest' : 'guests'}${left ? `, ${left}` : ''}`}>
                          <strong>{b.date === date ? '' : `${formatDay(b.date, venue, false)} `}{formatClock(b.time, venue)}</strong> {guestOf(b)} · {b.party_size}
                          <SourceBadge source={b.source} />
                          {left && <span class="left">{left}</span>}
                        </button>
                      </li>
                    );
                  })}
                </ul>
              </section>
            )}
            {unplaced.length > 0 && (
              <section class="card needs-table" aria-labelledby="needs-title">
                <h2 id="needs-title">Needs a table ({unplaced.length})</h2>
                <ul class="chips">
                  {unplaced.map((b) => (
                    <li key={b.id}>
                      <button type="button" class={`chip status-${b.status}`} onClick={() => openBooking(b.id)}>
                        <strong>{formatClock(b.time, venue)}</strong> {guestOf(b)} · {b.party_size}
                        <SourceBadge source={b.source} />
                        {b.needs_table && !b.table && <span class="badge warn">needs a table</span>}
                      </button>
                    </li>
                  ))}
                </ul>
              </section>
            )}
            {dayWindow(venue, date, []).periods.length === 0 && (
              <p class="card notice">No service runs on {WEEKDAYS[isoWeekday(date) - 1]}s: the venue's services set its opening days.</p>
            )}
            {all.length === 0 && (
              <p class="card notice empty">
                No bookings on {formatDay(date, venue, false)} yet.{' '}
                {can('bookings:write') ? 'New bookings from the website, the API or booking platforms appear here as they are made. ' : ''}
                To see another day, use Previous day, Next day or the date above.
              </p>
            )}
            {venue.areas!.every((a) => a.tables.length === 0) ? (
              <p class="card notice">This venue has no tables yet: an operator adds areas and tables when setting the venue up.</p>
            ) : view === 'grid' ? (
              <DiaryGrid venue={venue} date={date} today={today} bookings={placed} spend={spend} now={now} onOpen={openBooking} />
            ) : (
              <DiaryList venue={venue} date={date} today={today} bookings={[...placed, ...unplaced.filter((b) => !placed.includes(b))]} spend={spend} now={now} onOpen={openBooking} />
            )}
            {gone.length > 0 && (
              <details class="gone">
                <summary>{goneTitle} ({gone.length})</summary>
                <ul class="rows">
                  {gone.map((b) => (
                    <li key={b.id} class="row dim">
                      <button type="button" class="linkish" onClick={() => openBooking(b.id)}>
                        {formatClock(b.time, venue)} {guestOf(b)} · {b.party_size} · {statusLabel(b.status)}
                        {b.decline_reason ? ` (${b.decline_reason})` : ''}
                      </button>
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </div>
          {can('sales:read') && (
            <UnmatchedSales venue={venue} sales={unmatched} canMatch={can('sales:write')} onMatch={(saleId) => setOpen({ kind: 'match', saleId })} />
          )}
        </div>
      )}

      {open?.kind === 'booking' && (
        <BookingDrawer
          key={open.id}
          venue={venue}
          id={open.id}
          summary={bookings.get(open.id) ?? waiting.get(open.id) ?? null}
          revision={revision}
          onClose={() => setOpen(null)}
          onBooking={patchBooking}
          onSale={patchSale}
        />
      )}
      {open?.kind === 'match' && sales.get(open.saleId) && (
        <MatchDrawer
          venue={venue}
          sale={sales.get(open.saleId)!}
          dayBookings={all.filter((b) => !isInactive(b.status))}
          onClose={() => setOpen(null)}
          onMatched={(s) => {
            patchSale(s);
            setOpen(s.booking_id ? { kind: 'booking', id: s.booking_id } : null);
          }}
        />
      )}
    </section>
  );
}

/** The folded list's title: the statuses it holds, `Cancelled`, `Cancelled and declined`, `Declined, expired and cancelled`. */
function foldTitle(statuses: string[]): string {
  const order = ['cancelled', 'declined', 'expired'];
  const present = order.filter((st) => statuses.includes(st)).map((st, i) => (i === 0 ? statusLabel(st) : statusLabel(st).toLowerCase()));
  if (present.length === 0) return 'Cancelled';
  return present.length === 1 ? present[0]! : `${present.slice(0, -1).join(', ')} and ${present[present.length - 1]}`;
}
