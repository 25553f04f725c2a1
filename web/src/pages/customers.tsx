import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, ApiError, errorText, type Customer, type CustomerDetail, type List } from '../api';
import { isInactive, statusLabel } from '../booking-status';
import { formatClock, formatDay, formatInstant, formatMoney, todayIn } from '../format';
import { useSession } from '../session';
import { useCursorList } from '../use-cursor-list';

/** `/app/customers?q=`: search the venue's guests by name, email or phone. */
export function CustomersPage() {
  const { venue } = useSession();
  const { query, route } = useLocation();
  const q = query.q ?? '';
  const [search, setSearch] = useState(q);
  const list = useCursorList(
    (cursor) => api<List<Customer>>('GET', `/customers?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}${q ? `&q=${encodeURIComponent(q)}` : ''}`),
    [q],
    'Could not load customers.',
  );
  const rows = list.items;

  // Search as one types (after a short pause), and keep the search in the address.
  useEffect(() => {
    if (search === q) return undefined;
    const t = setTimeout(() => route(`/app/customers${search ? `?q=${encodeURIComponent(search)}` : ''}`, true), 300);
    return () => clearTimeout(t);
  }, [search]);

  return (
    <section aria-labelledby="customers-title">
      <h1 id="customers-title">Customers</h1>
      <form class="card filters" role="search" aria-label="Search customers" onSubmit={(e) => { e.preventDefault(); route(`/app/customers${search ? `?q=${encodeURIComponent(search)}` : ''}`, true); }}>
        <div class="grow">
          <label for="cus-q">Search</label>
          <input id="cus-q" type="search" placeholder="Name, email or phone" value={search} autoFocus
            onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
        </div>
      </form>
      {list.error && <p class="error" role="alert">{list.error}</p>}
      {list.loading && <p role="status">Loading customers…</p>}
      {list.empty && (
        <p class="card notice empty">
          {q ? `No customer matches “${q}”. Try part of the name, the email, or the phone number's last digits.` : 'No customers yet: every booking with a name adds its guest here.'}
        </p>
      )}
      {rows && rows.length > 0 && (
        <ul class="rows" aria-label="Customers">
          {rows.map((c) => (
            <li key={c.id} class="row">
              <div class="row-main">
                <a href={`/app/customers/${c.id}`}><strong>{c.name}</strong></a>
                <span class="muted small wrap">{[c.email, c.phone].filter(Boolean).join(' · ') || 'no contact details'}</span>
              </div>
              <div class="row-meta">
                <span>{c.visits} {c.visits === 1 ? 'visit' : 'visits'}</span>
                <span class="muted">{formatMoney(c.spend.total, c.spend.currency, venue)} spent</span>
              </div>
            </li>
          ))}
        </ul>
      )}
      {list.hasMore && <button type="button" onClick={() => void list.loadMore()} disabled={list.loadingMore}>{list.loadingMore ? 'Loading…' : 'Show more'}</button>}
    </section>
  );
}

/** `/app/customers/:id`: a guest's profile with visits, spend and booking history. */
export function CustomerProfilePage({ id }: { id: string }) {
  const { venue } = useSession();
  const [c, setC] = useState<CustomerDetail | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<CustomerDetail>('GET', `/customers/${encodeURIComponent(id)}`).then(setC, (err) => {
      setError(err instanceof ApiError && err.status === 404 ? 'There is no such customer at this venue.' : errorText(err, 'Could not load the customer.'));
    });
  }, [id]);

  if (error) return <section><h1>Customer</h1><p class="error" role="alert">{error} <a href="/app/customers">Back to customers</a></p></section>;
  if (!c) return <p role="status">Loading the customer…</p>;

  const today = venue ? todayIn(venue.timezone) : '';
  const upcoming = c.bookings.filter((b) => b.date >= today && !isInactive(b.status) && b.status !== 'completed').sort((a, b) => (a.date + a.time).localeCompare(b.date + b.time));
  const past = c.bookings.filter((b) => !upcoming.includes(b));
  const noShows = c.bookings.filter((b) => b.status === 'no_show').length;
  const perVisit = c.visits > 0 ? Math.round(c.spend.total / c.visits) : null;

  const history = (list: typeof c.bookings, label: string) => (
    <table class="booking-table compact" aria-label={label}>
      <thead><tr><th scope="col">Date</th><th scope="col">Time</th><th scope="col" class="num">Party</th><th scope="col">Table</th><th scope="col">Status</th><th scope="col">Notes</th></tr></thead>
      <tbody>
        {list.map((b) => (
          <tr key={b.id}>
            <td data-label="Date"><a href={`/app/diary?date=${b.date}`}>{formatDay(b.date, venue)}</a></td>
            <td data-label="Time">{formatClock(b.time, venue)}</td>
            <td data-label="Party" class="num">{b.party_size}</td>
            <td data-label="Table">{b.table?.number ?? '—'}</td>
            <td data-label="Status"><span class={`badge st st-${b.status}`}>{statusLabel(b.status)}</span></td>
            <td data-label="Notes" class="small">{b.notes ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );

  return (
    <section class="profile" aria-labelledby="profile-title">
      <p class="small"><a href="/app/customers">← Customers</a></p>
      <h1 id="profile-title">{c.name}</h1>
      <div class="kpis">
        <div class="kpi"><span class="kpi-value">{c.visits}</span><span class="kpi-label">{c.visits === 1 ? 'visit' : 'visits'}</span></div>
        <div class="kpi"><span class="kpi-value">{formatMoney(c.spend.total, c.spend.currency, venue)}</span><span class="kpi-label">spent</span></div>
        <div class="kpi"><span class="kpi-value">{perVisit === null ? '—' : formatMoney(perVisit, c.spend.currency, venue)}</span><span class="kpi-label">per visit</span></div>
        <div class="kpi"><span class="kpi-value">{noShows}</span><span class="kpi-label">no-shows</span></div>
      </div>
      <dl class="facts">
        {c.email && <><dt>Email</dt><dd class="wrap"><a href={`mailto:${c.email}`}>{c.email}</a></dd></>}
        {c.phone && <><dt>Phone</dt><dd><a href={`tel:${c.phone}`}>{c.phone}</a></dd></>}
        <dt>Guest since</dt><dd>{formatInstant(c.created_at, venue)}</dd>
        {c.notes && <><dt>Notes</dt><dd class="notes">{c.notes}</dd></>}
      </dl>
      <h2>Upcoming</h2>
      {upcoming.length ? history(upcoming, 'Upcoming bookings') : <p class="muted">No upcoming bookings.</p>}
      <h2>History</h2>
      {past.length ? history(past, 'Past bookings') : <p class="muted">No past bookings yet.</p>}
    </section>
  );
}
