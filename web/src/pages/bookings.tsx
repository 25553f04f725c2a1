import { useEffect, useMemo, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, ApiError, errorText, listAll, type Booking, type BookingDetail, type Venue, guestOf } from '../api';
import { BOOKING_STATUS_FILTERS, statusLabel } from '../booking-status';
import { addDays, daysBetween, formatClock, formatDay, isDate, todayIn } from '../format';
import { useSession } from '../session';
import { BookingDrawer } from './diary/booking-drawer';

const MAX_ROWS = 2000;
const REFERENCE = /^TS-[0-9A-Z]{6}$/i;

/** `/app/bookings?from=&to=&status=&q=`: the bookings of a date range, filtered by status and a search. */
export function BookingsPage() {
  const { venue } = useSession();
  if (!venue) return <p role="status">Loading the venue…</p>;
  return <Bookings venue={venue} />;
}

function Bookings({ venue }: { venue: Venue }) {
  const { query, route } = useLocation();
  const today = todayIn(venue.timezone);
  const from = isDate(query.from) ? query.from : today;
  const to = isDate(query.to) ? query.to : addDays(from, 6);
  const status = query.status ?? '';
  const q = query.q ?? '';
  const [search, setSearch] = useState(q);
  const [rows, setRows] = useState<Booking[] | null>(null);
  const [byRef, setByRef] = useState<Booking | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);

  const set = (next: Record<string, string>) => {
    const params = new URLSearchParams({ from, to, ...(status ? { status } : {}), ...(q ? { q } : {}), ...next });
    for (const [k, v] of [...params.entries()]) if (!v) params.delete(k);
    route(`/app/bookings?${params.toString()}`, true);
  };

  useEffect(() => setSearch(q), [q]);

  useEffect(() => {
    let stale = false;
    setRows(null);
    setError(null);
    if (from > to) {
      setError('The start date is after the end date: swap them.');
      return undefined;
    }
    const statusParam = status === 'active' ? 'pending,confirmed,seated' : status;
    listAll<Booking>(`/bookings?from=${from}&to=${to}${statusParam ? `&status=${statusParam}` : ''}`, MAX_ROWS).then(
      (r) => { if (!stale) setRows(r); },
      (err) => { if (!stale) setError(errorText(err, 'Could not load the bookings.')); },
    );
    return () => { stale = true; };
  }, [from, to, status]);

  // A reference (TS-XXXXXX) finds its booking on any date.
  useEffect(() => {
    setByRef(null);
    if (!REFERENCE.test(q.trim())) return;
    api<BookingDetail>('GET', `/bookings/${encodeURIComponent(q.trim().toUpperCase())}`).then(setByRef, (err) => {
      if (!(err instanceof ApiError && err.status === 404)) setError(errorText(err));
    });
  }, [q]);

  const shown = useMemo(() => {
    if (!rows) return null;
    const needle = q.trim().toLowerCase();
    const digits = needle.replace(/\D/g, '');
    const hit = (b: Booking) => !needle
      || b.reference.toLowerCase().includes(needle)
      || (b.customer?.name ?? '').toLowerCase().includes(needle)
      || (b.customer?.email ?? '').toLowerCase().includes(needle)
      || (digits.length >= 4 && (b.customer?.phone ?? '').replace(/\D/g, '').includes(digits))
      || (b.notes ?? '').toLowerCase().includes(needle);
    const list = rows.filter(hit);
    if (byRef && !list.some((b) => b.id === byRef.id)) list.unshift(byRef);
    return list;
  }, [rows, q, byRef]);

  const covers = shown?.reduce((n, b) => n + b.party_size, 0) ?? 0;

  return (
    <section aria-labelledby="bookings-title">
      <h1 id="bookings-title">Bookings</h1>
      <form class="card filters" onSubmit={(e) => { e.preventDefault(); set({ q: search }); }} role="search" aria-label="Filter bookings">
        <div>
          <label for="bk-from">From</label>
          <input id="bk-from" type="date" value={from} onChange={(e) => {
            const v = (e.target as HTMLInputElement).value;
            if (isDate(v)) set({ from: v, to: v > to ? addDays(v, 6) : to });
          }} />
        </div>
        <div>
          <label for="bk-to">To</label>
          <input id="bk-to" type="date" value={to} onChange={(e) => {
            const v = (e.target as HTMLInputElement).value;
            if (isDate(v)) set({ to: v });
          }} />
        </div>
        <div>
          <label for="bk-status">Status</label>
          <select id="bk-status" value={status} onChange={(e) => set({ status: (e.target as HTMLSelectElement).value })}>
            <option value="">Any status</option>
            <option value="active">Upcoming or seated</option>
            {BOOKING_STATUS_FILTERS.map((s) => <option key={s} value={s}>{statusLabel(s)}</option>)}
          </select>
        </div>
        <div class="grow">
          <label for="bk-q">Search</label>
          <div class="inline">
            <input id="bk-q" type="search" placeholder="Name, email, phone, reference, notes" value={search}
              onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
            <button type="submit">Search</button>
          </div>
        </div>
      </form>
      <p class="muted small range-note">
        {formatDay(from, venue)} – {formatDay(to, venue)} ({daysBetween(from, to) + 1} days)
        {shown && <> · {shown.length} {shown.length === 1 ? 'booking' : 'bookings'} · {covers} covers</>}
        {' '}· <button type="button" class="linkish" onClick={() => set({ from: today, to: today })}>today</button>
        {' '}· <button type="button" class="linkish" onClick={() => set({ from: today, to: addDays(today, 6) })}>next 7 days</button>
        {' '}· <button type="button" class="linkish" onClick={() => set({ from: addDays(today, -30), to: today })}>last 30 days</button>
      </p>
      {error && <p class="error" role="alert">{error}</p>}
      {!error && !shown && <p role="status">Loading bookings…</p>}
      {rows && rows.length >= MAX_ROWS && <p class="card notice">Showing the first {MAX_ROWS} bookings of this range: choose fewer days to see the rest.</p>}
      {shown && shown.length === 0 && (
        <p class="card notice empty">
          No bookings {q ? `match “${q}” ` : ''}in this range{status ? ` with this status` : ''}. {q || status ? 'Clear the search or the status, or choose other dates.' : 'Choose other dates.'}
        </p>
      )}
      {shown && shown.length > 0 && (
        <table class="booking-table">
          <thead>
            <tr><th scope="col">Date</th><th scope="col">Time</th><th scope="col">Guest</th><th scope="col" class="num">Party</th><th scope="col">Table</th><th scope="col">Status</th><th scope="col">Reference</th></tr>
          </thead>
          <tbody>
            {shown.map((b) => (
              <tr key={b.id} class={`status-${b.status}`}>
                <td data-label="Date">{formatDay(b.date, venue, false)}</td>
                <td data-label="Time">{formatClock(b.time, venue)}</td>
                <td data-label="Guest" class="guest">
                  <button type="button" class="linkish" onClick={() => setOpen(b.id)}>{guestOf(b)}</button>
                  {b.notes && <span class="muted small note-hint" title={b.notes}> · {b.notes}</span>}
                </td>
                <td data-label="Party" class="num">{b.party_size}</td>
                <td data-label="Table">{b.table ? b.table.number : <span class="warn-text">none</span>}</td>
                <td data-label="Status"><span class={`badge st st-${b.status}`}>{statusLabel(b.status)}</span></td>
                <td data-label="Reference"><code class="small">{b.reference}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && (
        <BookingDrawer
          key={open}
          venue={venue}
          id={open}
          summary={shown?.find((b) => b.id === open) ?? null}
          revision={0}
          onClose={() => setOpen(null)}
          onBooking={(b) => setRows((r) => r?.map((x) => (x.id === b.id ? b : x)) ?? r)}
          onSale={() => undefined}
        />
      )}
    </section>
  );
}
