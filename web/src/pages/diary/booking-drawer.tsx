import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, errorText, type Booking, type BookingDetail, type Sale, type Venue, guestOf } from '../../api';
import { statusActions, statusLabel } from '../../booking-status';
import { Drawer } from '../../components/drawer';
import { formatClock, formatDay, formatInstant, formatInstantTime, formatMoney } from '../../format';
import { useSession } from '../../session';
import { useNowEachMinute } from '../../use-now';
import { durationOf, isRequest, isUrgent, minutesOf, sourceBadge, timeLeft } from './diary-model';
import { SourceBadge } from './diary-views';

const SOURCE_TEXT: Record<string, string> = {
  api: 'API',
  widget: 'Website widget',
  console: 'Venue app',
};

const MATCH_TEXT: Record<string, string> = {
  booking_id: 'matched by the POS (booking reference)',
  table_time: 'matched by table and time',
  manual: 'matched by hand',
};

/** A booking's detail: guest, notes, status actions, table, its sales with items. */
export function BookingDrawer({ venue, id, summary, revision, onClose, onBooking, onSale }: {
  venue: Venue;
  id: string;
  /** The diary's copy, drawn at once while the detail loads. */
  summary: Booking | null;
  /** Changes when a live event touched this booking or its sales: the detail is read again. */
  revision: number;
  onClose: () => void;
  onBooking: (b: Booking) => void;
  onSale: (s: Sale) => void;
}) {
  const { can } = useSession();
  const [detail, setDetail] = useState<BookingDetail | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [table, setTable] = useState('');
  const [moveError, setMoveError] = useState<string | null>(null);
  // Declining a request: the form with its optional reason is open.
  const [declining, setDeclining] = useState(false);
  const [reason, setReason] = useState('');
  const now = useNowEachMinute();

  useEffect(() => {
    let stale = false;
    api<BookingDetail>('GET', `/bookings/${id}`).then(
      (d) => { if (!stale) { setDetail(d); setLoadError(null); } },
      (err) => { if (!stale) setLoadError(errorText(err, 'Could not load the booking.')); },
    );
    return () => { stale = true; };
  }, [id, revision]);

  const b: Booking | null = detail ?? summary;
  const title = b ? guestOf(b) : 'Booking';

  const change = async (to: string, body: Record<string, unknown> = {}) => {
    setBusy(to);
    setActionError(null);
    try {
      const updated = await api<Booking>('PATCH', `/bookings/${id}`, { status: to, ...body });
      onBooking(updated);
      setDetail((d) => (d ? { ...d, ...updated } : d));
      setConfirming(null);
      setDeclining(false);
      setReason('');
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_transition') {
        setActionError(`${err.message} Someone may have changed it meanwhile: the booking is shown as it is now.`);
        api<BookingDetail>('GET', `/bookings/${id}`).then(setDetail, () => undefined);
      } else setActionError(errorText(err, 'Could not change the status.'));
    } finally {
      setBusy(null);
    }
  };

  const move = async (e: Event) => {
    e.preventDefault();
    if (!table || !b) return;
    setBusy('table');
    setMoveError(null);
    const chosen = tables.find((t) => t.id === table);
    try {
      const updated = await api<Booking>('PATCH', `/bookings/${id}`, { table_id: table });
      onBooking(updated);
      setDetail((d) => (d ? { ...d, ...updated } : d));
      setTable('');
    } catch (err) {
      // The server's atomic check said no (someone took it meanwhile, or it is too small): say which and why.
      setMoveError(err instanceof ApiError && err.code === 'slot_unavailable'
        ? `Table ${chosen?.number ?? ''} is not free at ${formatClock(b.time, venue)} for ${b.party_size} ${b.party_size === 1 ? 'guest' : 'guests'}: `
          + 'another booking holds it (or it is too small). Nothing was changed; choose another table.'
        : errorText(err, 'Could not move the booking.'));
    } finally {
      setBusy(null);
    }
  };

  const unlink = async (sale: Sale) => {
    setBusy(sale.id);
    setActionError(null);
    try {
      const updated = await api<Sale>('PATCH', `/sales/${sale.id}`, { booking_id: null });
      onSale(updated);
      setDetail((d) => (d ? { ...d, sales: d.sales.filter((s) => s.id !== sale.id) } : d));
      api<BookingDetail>('GET', `/bookings/${id}`).then(setDetail, () => undefined);
    } catch (err) {
      setActionError(errorText(err, 'Could not unlink the sale.'));
    } finally {
      setBusy(null);
    }
  };

  const actions = b && can('bookings:write') ? statusActions(b.status) : [];
  const left = b && isRequest(b) ? timeLeft(b.expires_at, now) : null;
  const movable = b && can('bookings:write') && (b.status === 'pending' || b.status === 'confirmed' || b.status === 'requested');
  const tables = (venue.areas ?? []).flatMap((a) => a.tables.map((t) => ({ ...t, area: a.name })));

  return (
    <Drawer title={title} onClose={onClose} returnFocus={`[data-booking="${id}"]`}>
      {!b && !loadError && <p role="status">Loading…</p>}
      {loadError && <p class="error" role="alert">{loadError}</p>}
      {b && (
        <>
          <p class="drawer-status">
            <span class={`badge st st-${b.status}`}>{isRequest(b) ? 'Request' : statusLabel(b.status)}</span>
            <span>{formatDay(b.date, venue, false)}, {formatClock(b.time, venue)}–{formatClock(minutesOf(b.time) + durationOf(b), venue)}</span>
            <SourceBadge source={b.source} />
          </p>
          {isRequest(b) && (
            <p class={`request-note${isUrgent(b.expires_at, now) ? ' urgent' : ''}`}>
              Waiting for your answer{left ? <>: <strong class="left">{left}</strong></> : ''}
              {b.expires_at && <span class="muted"> (until {formatInstant(b.expires_at, venue)})</span>}.
              {' '}It holds table {b.table ? b.table.number : '(none)'} until then; unanswered, it expires and frees it.
            </p>
          )}
          {actions.length > 0 && (
            <div class="status-actions" role="group" aria-label="Status">
              {actions.map((a) => (a.to === 'declined' ? (
                <button key={a.to} type="button" aria-expanded={declining} disabled={busy !== null} onClick={() => { setDeclining((v) => !v); setConfirming(null); }}>
                  {a.label}…
                </button>
              ) : confirming === a.to ? (
                <span key={a.to} class="confirm">
                  <button type="button" class="danger" disabled={busy !== null} onClick={() => change(a.to)}>{a.label}: yes</button>
                  <button type="button" class="quiet" onClick={() => setConfirming(null)}>Keep</button>
                </span>
              ) : (
                <button
                  key={a.to}
                  type="button"
                  class={a.confirm ? '' : 'primary'}
                  disabled={busy !== null}
                  onClick={() => { setDeclining(false); if (a.confirm) setConfirming(a.to); else void change(a.to); }}
                >
                  {busy === a.to ? `${a.label}…` : a.label}
                </button>
              )))}
            </div>
          )}
          {declining && actions.some((a) => a.to === 'declined') && (
            <form class="decline-form" onSubmit={(e) => { e.preventDefault(); void change('declined', reason.trim() ? { reason: reason.trim() } : {}); }}>
              <label for="decline-reason">Reason <span class="muted">(optional)</span></label>
              <textarea id="decline-reason" rows={2} maxLength={1000} value={reason} placeholder="e.g. We are fully booked for a party of this size"
                onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
              <div class="inline">
                <button type="submit" class="danger" disabled={busy !== null}>{busy === 'declined' ? 'Declining…' : 'Decline request'}</button>
                <button type="button" class="quiet" onClick={() => { setDeclining(false); setReason(''); }}>Keep it</button>
              </div>
            </form>
          )}
          {actionError && <p class="error" role="alert">{actionError}</p>}
          <dl class="facts">
            <dt>Guests</dt><dd>{b.party_size}</dd>
            <dt>Table</dt><dd>{b.table ? b.table.number : <span class="warn-text">none yet</span>}</dd>
            <dt>Reference</dt><dd><code>{b.reference}</code></dd>
            {b.customer?.phone && <><dt>Phone</dt><dd><a href={`tel:${b.customer.phone}`}>{b.customer.phone}</a></dd></>}
            {b.customer?.email && <><dt>Email</dt><dd class="wrap">{b.customer.email}</dd></>}
            <dt>Source</dt><dd>{sourceBadge(b.source) ?? SOURCE_TEXT[b.source] ?? b.source}</dd>
            {b.decline_reason && <><dt>Declined</dt><dd class="wrap">{b.decline_reason}</dd></>}
          </dl>
          {b.customer && can('customers:read') && <p class="small"><a href={`/app/customers/${b.customer.id}`}>Guest profile and history</a></p>}
          <h3>Notes</h3>
          <p class={b.notes ? 'notes' : 'muted'}>{b.notes || 'No notes.'}</p>

          {movable && tables.length > 0 && (
            <form class="move-table" onSubmit={move}>
              <label for="move-table">{b.table ? 'Move to table' : 'Give it a table'}</label>
              {!b.table && <p class="muted small">No table was free when it came in. Choose one: the server checks it is still free.</p>}
              <div class="inline">
                <select id="move-table" value={table} onChange={(e) => setTable((e.target as HTMLSelectElement).value)}>
                  <option value="">Choose a table…</option>
                  {tables.filter((t) => t.id !== b.table?.id).map((t) => (
                    <option key={t.id} value={t.id} disabled={t.max_covers < b.party_size}>
                      {t.area} {t.number} ({t.min_covers}–{t.max_covers}){t.max_covers < b.party_size ? ' too small' : ''}
                    </option>
                  ))}
                </select>
                <button type="submit" class={b.table ? '' : 'primary'} disabled={!table || busy !== null}>{busy === 'table' ? 'Saving…' : b.table ? 'Move' : 'Assign'}</button>
              </div>
              {moveError && <p class="error" role="alert">{moveError}</p>}
            </form>
          )}

          {can('sales:read') && (
            <>
              <h3>
                Sales{detail && detail.spend.count > 0 && <> · <span class="spend">{formatMoney(detail.spend.total, detail.spend.currency, venue)}</span></>}
              </h3>
              {!detail && <p role="status" class="muted">Loading sales…</p>}
              {detail && detail.sales.length === 0 && <p class="muted">No POS sales matched yet. They appear here as the till sends them.</p>}
              {detail?.sales.map((s) => (
                <SaleCard key={s.id} sale={s} venue={venue} onUnlink={can('sales:write') ? () => unlink(s) : null} busy={busy === s.id} />
              ))}
            </>
          )}
        </>
      )}
    </Drawer>
  );
}

export function SaleCard({ sale: s, venue, onUnlink, busy = false }: { sale: Sale; venue: Venue; onUnlink: (() => void) | null; busy?: boolean }) {
  const at = s.opened_at ?? s.closed_at;
  const money = (n: number) => formatMoney(n, s.currency, venue);
  return (
    <div class={`card sale-card${s.status === 'void' || s.status === 'refunded' ? ' dim' : ''}`}>
      <div class="sale-head">
        <strong>{money(s.total)}</strong>
        <span class={`badge sale-${s.status}`}>{s.status}</span>
        <span class="muted small">
          {s.partner} #{s.sale_id}{s.table_number !== null ? ` · table ${s.table_number}` : ''}{at ? ` · ${formatInstantTime(at, venue)}` : ''}
        </span>
      </div>
      {s.items.length > 0 && (
        <table class="items">
          <tbody>
            {s.items.map((i, n) => (
              <tr key={n}><td class="qty">{i.quantity}×</td><td>{i.name}</td><td class="num">{money(i.total)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="muted small sale-foot">
        {[s.subtotal != null && `subtotal ${money(s.subtotal)}`, s.tax != null && `tax ${money(s.tax)}`, s.tip ? `tip ${money(s.tip)}` : null,
          s.discount ? `discount ${money(s.discount)}` : null, s.match && MATCH_TEXT[s.match]].filter(Boolean).join(' · ')}
      </p>
      {onUnlink && (
        <button type="button" class="quiet small-btn" disabled={busy} onClick={onUnlink}>Unlink from this booking</button>
      )}
    </div>
  );
}
