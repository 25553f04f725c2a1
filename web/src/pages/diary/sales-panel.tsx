import { useEffect, useState } from 'preact/hooks';
import { api, errorText, type Booking, type Candidate, type Sale, type Venue, guestOf } from '../../api';
import { statusLabel } from '../../booking-status';
import { Drawer } from '../../components/drawer';
import { formatClock, formatInstantTime, formatMoney } from '../../format';
import { SaleCard } from './booking-drawer';

/** The day's sales that no booking holds yet, beside the diary. */
export function UnmatchedSales({ venue, sales, canMatch, onMatch }: {
  venue: Venue;
  sales: Sale[];
  canMatch: boolean;
  onMatch: (saleId: string) => void;
}) {
  const total = sales.filter((s) => s.status !== 'refunded').reduce((n, s) => n + (s.currency === venue.currency ? s.total : 0), 0);
  return (
    <aside class="unmatched" aria-labelledby="unmatched-title">
      <h2 id="unmatched-title">Unmatched sales <span class="count">{sales.length}</span></h2>
      {sales.length === 0 ? (
        <p class="muted small">Every POS sale of the day is matched to a booking.</p>
      ) : (
        <>
          <p class="muted small">{formatMoney(total, venue.currency, venue)} not on any booking.{canMatch ? ' Match each to its booking.' : ' A manager can match them.'}</p>
          <ul class="rows">
            {sales.map((s) => {
              const at = s.opened_at ?? s.closed_at;
              return (
                <li key={s.id} class="row sale-row" data-sale={s.id}>
                  <div class="row-main">
                    <strong>{formatMoney(s.total, s.currency, venue)}</strong>
                    <span class="muted small">
                      {s.table_number !== null ? `table ${s.table_number}` : 'no table'}
                      {at ? ` · ${formatInstantTime(at, venue)}` : ''}
                      {s.covers ? ` · ${s.covers} covers` : ''}
                      {s.status !== 'closed' ? ` · ${s.status}` : ''}
                    </span>
                  </div>
                  {canMatch && (
                    <button type="button" class="small-btn" onClick={() => onMatch(s.id)}
                      aria-label={`Match the ${formatMoney(s.total, s.currency, venue)} sale${s.table_number !== null ? ` of table ${s.table_number}` : ''}`}>
                      Match…
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        </>
      )}
    </aside>
  );
}

/** Match one sale by hand: the server's ranked candidates first, then any booking of the day. */
export function MatchDrawer({ venue, sale, dayBookings, onClose, onMatched }: {
  venue: Venue;
  sale: Sale;
  dayBookings: Booking[];
  onClose: () => void;
  onMatched: (s: Sale) => void;
}) {
  const [candidates, setCandidates] = useState<Candidate[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [other, setOther] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api<{ data: Candidate[] }>('GET', `/sales/${sale.id}/candidates`).then(
      (r) => setCandidates(r.data),
      (err) => { setCandidates([]); setError(errorText(err, 'Could not rank the bookings.')); },
    );
  }, [sale.id]);

  const match = async (bookingId: string) => {
    setBusy(true);
    setError(null);
    try {
      onMatched(await api<Sale>('PATCH', `/sales/${sale.id}`, { booking_id: bookingId }));
    } catch (err) {
      setError(errorText(err, 'Could not match the sale.'));
      setBusy(false);
    }
  };

  const ranked = new Set(candidates?.map((c) => c.booking.id));
  const rest = dayBookings.filter((b) => !ranked.has(b.id)).sort((a, b) => a.time.localeCompare(b.time));
  const at = sale.opened_at ?? sale.closed_at;

  return (
    <Drawer title={`Match ${formatMoney(sale.total, sale.currency, venue)}${at ? ` at ${formatInstantTime(at, venue)}` : ''}`} onClose={onClose}>
      <SaleCard sale={sale} venue={venue} onUnlink={null} />
      <h3>Likely bookings</h3>
      {candidates === null && <p role="status">Ranking the bookings…</p>}
      {candidates?.length === 0 && !error && <p class="muted">No booking held a table around this sale’s time. Pick one below.</p>}
      {candidates && candidates.length > 0 && (
        <ul class="rows candidates">
          {candidates.map((c) => (
            <li key={c.booking.id} class="row">
              <div class="row-main">
                <strong>{guestOf(c.booking)}</strong>
                <span class="muted small">
                  {formatClock(c.booking.time, venue)} · {c.booking.party_size} guests · {c.booking.table ? `table ${c.booking.table.number}` : 'no table'} · {statusLabel(c.booking.status)}
                </span>
                <span class="small reasons">{c.reasons.join('; ')}</span>
              </div>
              <button type="button" class="primary small-btn" disabled={busy} onClick={() => match(c.booking.id)}
                aria-label={`Match to ${guestOf(c.booking)} at ${formatClock(c.booking.time, venue)}`}>
                Match
              </button>
            </li>
          ))}
        </ul>
      )}
      {rest.length > 0 && (
        <form class="move-table" onSubmit={(e) => { e.preventDefault(); if (other) void match(other); }}>
          <label for="match-other">Another booking of the day</label>
          <div class="inline">
            <select id="match-other" value={other} onChange={(e) => setOther((e.target as HTMLSelectElement).value)}>
              <option value="">Choose a booking…</option>
              {rest.map((b) => (
                <option key={b.id} value={b.id}>
                  {formatClock(b.time, venue)} {guestOf(b)} · {b.party_size} · {b.table ? `table ${b.table.number}` : 'no table'}
                </option>
              ))}
            </select>
            <button type="submit" disabled={!other || busy}>Match</button>
          </div>
        </form>
      )}
      {error && <p class="error" role="alert">{error}</p>}
    </Drawer>
  );
}
