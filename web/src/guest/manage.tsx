import { useEffect, useRef, useState } from 'preact/hooks';
import { calendarUrl, publicApi, PublicApiError, type ManageView, type RangeAvailability, type VenueConfig } from './api';
import { addDays, applyTheme, formatDate, formatInstant, formatTime, guests, todayIn, type Zone } from './format';

const STATUS_TEXT: Record<string, string> = {
  requested: 'Waiting for the venue’s answer', pending: 'Pending', confirmed: 'Confirmed', seated: 'Seated', completed: 'Completed',
  cancelled: 'Cancelled', no_show: 'Missed', declined: 'Declined', expired: 'Lapsed',
};

/** `/manage/:token`: the guest's own booking: view, move, cancel. */
export function Manage({ token }: { token: string }) {
  const [view, setView] = useState<ManageView | null>(null);
  const [config, setConfig] = useState<VenueConfig | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [mode, setMode] = useState<'view' | 'change' | 'cancel'>('view');
  const [notice, setNotice] = useState<string | null>(null);
  const noticeRef = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    publicApi<ManageView>('GET', `/bookings/${encodeURIComponent(token)}`).then(
      (v) => {
        setView(v);
        document.title = `Your booking at ${v.venue.name}`;
        publicApi<VenueConfig>('GET', `/venues/${encodeURIComponent(v.venue.slug)}/config`).then(
          (c) => { setConfig(c); applyTheme(c.theme.accent); },
          () => setConfig(null),
        );
      },
      (err: PublicApiError) => setError(err.status === 404 ? 'We cannot find this booking. Check that the link is complete, or contact the venue.' : err.message),
    );
  }, [token]);
  useEffect(() => {
    if (notice) noticeRef.current?.focus();
  }, [notice]);

  if (error) return <section class="card"><h1>Your booking</h1><p class="error" role="alert">{error}</p></section>;
  if (!view) return <section class="card"><p role="status">Loading your booking…</p></section>;
  const zone: Zone = { timezone: view.venue.timezone, country: config?.country ?? null };

  const changed = (v: ManageView, text: string) => {
    setView(v);
    setMode('view');
    setNotice(text);
  };

  return (
    <section class="card" aria-labelledby="venue-name">
      <header class="venue-head">
        <h1 id="venue-name">{view.venue.name}</h1>
        <p class="summary">Your booking {view.reference}</p>
      </header>
      {notice ? <p class="notice" role="status" tabIndex={-1} ref={noticeRef}>{notice}</p> : null}
      <dl class="facts">
        <dt>Status</dt><dd class={`status status-${view.status}`}>{STATUS_TEXT[view.status] ?? view.status}</dd>
        <dt>Date</dt><dd>{formatDate(view.date, zone)}</dd>
        <dt>Time</dt><dd>{formatTime(view.time, zone)}</dd>
        <dt>Party</dt><dd>{guests(view.party_size)}</dd>
      </dl>
      {view.status !== 'cancelled' && view.change_deadline ? (
        <p class="muted">
          {view.can_change || view.can_cancel
            ? `You can change or cancel online until ${formatInstant(view.change_deadline, zone)}.`
            : `Online changes have closed; please contact ${view.venue.name}.`}
        </p>
      ) : null}

      {mode === 'view' && (
        <div class="nav">
          {view.status !== 'cancelled' ? <a class="button quiet" href={calendarUrl(token)} download={`${view.reference}.ics`}>Add to calendar</a> : null}
          {view.can_change && config ? <button type="button" onClick={() => { setNotice(null); setMode('change'); }}>Change booking</button> : null}
          {view.can_cancel ? <button type="button" class="danger" onClick={() => { setNotice(null); setMode('cancel'); }}>Cancel booking</button> : null}
        </div>
      )}
      {mode === 'change' && config && <ChangeForm token={token} view={view} config={config} zone={zone} onCancel={() => setMode('view')} onDone={(v) => changed(v, 'Your booking has changed. An email with the new details is on its way.')} />}
      {mode === 'cancel' && <CancelConfirm token={token} view={view} zone={zone} onBack={() => setMode('view')} onDone={(v) => changed(v, 'Your booking is cancelled. A confirmation email is on its way.')} />}
    </section>
  );
}

function ChangeForm(p: { token: string; view: ManageView; config: VenueConfig; zone: Zone; onCancel(): void; onDone(v: ManageView): void }) {
  const today = todayIn(p.config.timezone);
  const [party, setParty] = useState(p.view.party_size);
  const [date, setDate] = useState(p.view.date);
  const [time, setTime] = useState(p.view.time);
  const [times, setTimes] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  useEffect(() => {
    if (!date) return;
    let live = true;
    setTimes(null);
    publicApi<RangeAvailability>('GET', `/venues/${encodeURIComponent(p.config.slug)}/availability?from=${date}&to=${date}&party_size=${party}`).then(
      (r) => {
        if (!live) return;
        const free = (r.days[0]?.slots ?? []).filter((s) => s.available).map((s) => s.time);
        // Its own time stays on offer: the booking frees its table when it moves.
        if (date === p.view.date && !free.includes(p.view.time)) free.push(p.view.time);
        free.sort();
        setTimes(free);
        if (!free.includes(time)) setTime(free[0] ?? '');
      },
      (err: PublicApiError) => live && setError(err.message),
    );
    return () => { live = false; };
  }, [date, party]);

  // A booking may not grow above max_instant_party_size (that needs the venue's yes); a request stays one whatever its size.
  const largest = p.view.status === 'requested' ? p.config.party_size.max : Math.max(p.view.party_size, p.config.max_instant_party_size);
  const sizes: number[] = [];
  for (let n = p.config.party_size.min; n <= Math.min(p.config.party_size.max, largest); n++) sizes.push(n);

  const submit = async (e: Event) => {
    e.preventDefault();
    const patch: Record<string, unknown> = {};
    if (date !== p.view.date) patch.date = date;
    if (time !== p.view.time) patch.time = time;
    if (party !== p.view.party_size) patch.party_size = party;
    if (!Object.keys(patch).length) return p.onCancel();
    setBusy(true);
    setError(null);
    try {
      p.onDone(await publicApi<ManageView>('PATCH', `/bookings/${encodeURIComponent(p.token)}`, patch));
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit}>
      <h2 tabIndex={-1} ref={heading}>Change your booking</h2>
      <label for="m-party">Party size</label>
      <select id="m-party" value={String(party)} onChange={(e) => setParty(Number((e.target as HTMLSelectElement).value))}>
        {sizes.map((n) => <option key={n} value={n}>{guests(n)}</option>)}
      </select>
      <label for="m-date">Date</label>
      <input id="m-date" type="date" value={date} min={today} max={addDays(today, p.config.booking_window_days)} required
        onChange={(e) => setDate((e.target as HTMLInputElement).value)} />
      <label for="m-time">Time</label>
      <select id="m-time" value={time} onChange={(e) => setTime((e.target as HTMLSelectElement).value)} disabled={!times?.length} aria-busy={times === null}>
        {times === null ? <option value={time}>Loading…</option> : null}
        {times?.length === 0 ? <option value="">No free times that day</option> : null}
        {times?.map((t) => <option key={t} value={t}>{formatTime(t, p.zone)}</option>)}
      </select>
      {error ? <p class="error" role="alert">{error}</p> : null}
      <div class="nav">
        <button type="button" class="quiet" onClick={p.onCancel}>Keep as it is</button>
        <button type="submit" class="primary" disabled={busy || !time}>{busy ? 'Saving…' : 'Save changes'}</button>
      </div>
    </form>
  );
}

function CancelConfirm(p: { token: string; view: ManageView; zone: Zone; onBack(): void; onDone(v: ManageView): void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const cancel = async () => {
    setBusy(true);
    try {
      p.onDone(await publicApi<ManageView>('DELETE', `/bookings/${encodeURIComponent(p.token)}`));
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <div>
      <h2 tabIndex={-1} ref={heading}>Cancel this booking?</h2>
      <p>{`${guests(p.view.party_size)} on ${formatDate(p.view.date, p.zone)} at ${formatTime(p.view.time, p.zone)}.`}</p>
      {error ? <p class="error" role="alert">{error}</p> : null}
      <div class="nav">
        <button type="button" class="quiet" onClick={p.onBack}>Keep my booking</button>
        <button type="button" class="danger" onClick={cancel} disabled={busy}>{busy ? 'Cancelling…' : 'Yes, cancel it'}</button>
      </div>
    </div>
  );
}
