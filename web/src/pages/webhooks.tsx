import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, errorText, type List, type Webhook, type WebhookDelivery } from '../api';
import { webhookEventNames } from '../capabilities';
import { formatInstant } from '../format';
import { useSession } from '../session';
import { useResource } from '../use-resource';
import { CopyField } from './copy-field';

/** The §7 events, when the server's document does not list them. */
const FALLBACK_EVENTS = ['booking.created', 'booking.updated', 'booking.cancelled', 'customer.created', 'customer.updated', 'sale.recorded'];

/** Settings → Webhooks: endpoints (managers and owners create, with the secret shown once, and delete) and their deliveries. */
export function WebhooksSection() {
  const { can, venue } = useSession();
  const write = can('webhooks:write');
  const hooks = useResource(() => api<List<Webhook>>('GET', '/webhooks?limit=200'));
  const [names, setNames] = useState<string[]>(FALLBACK_EVENTS);
  const [url, setUrl] = useState('');
  const [all, setAll] = useState(true);
  const [events, setEvents] = useState<string[]>([]);
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ url: string; secret: string } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);
  const [openDeliveries, setOpenDeliveries] = useState<string | null>(null);

  useEffect(() => { webhookEventNames().then((n) => { if (n?.length) setNames(n); }); }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setFormError(null);
    if (!all && !events.length) {
      setFormError('Choose the events to send, or “every event”.');
      return;
    }
    try {
      const made = await api<Webhook & { secret: string }>('POST', '/webhooks', { url: url.trim(), events: all ? ['*'] : events });
      setCreated({ url: made.url, secret: made.secret });
      setUrl('');
      setEvents([]);
      setAll(true);
      hooks.reload();
    } catch (err) {
      setFormError(err instanceof ApiError && err.code === 'invalid_webhook_url'
        ? `${err.message} Use a public https:// address your system listens on.`
        : errorText(err, 'Could not add the webhook.'));
    }
  };

  const remove = async (w: Webhook) => {
    setRowError(null);
    try {
      await api('DELETE', `/webhooks/${w.id}`);
      setConfirming(null);
      hooks.reload();
    } catch (err) {
      setRowError(errorText(err, 'Could not delete.'));
    }
  };

  const enable = async (w: Webhook) => {
    setRowError(null);
    try {
      await api('PATCH', `/webhooks/${w.id}`, { enabled: true });
      hooks.reload();
    } catch (err) {
      setRowError(errorText(err, 'Could not turn it back on.'));
    }
  };

  const list = hooks.data?.data ?? [];
  return (
    <div class="settings-section">
      <h2>Webhooks</h2>
      <p class="muted">Tablesync tells your systems about bookings, guests and sales as they happen: a signed POST to each URL below.{!write && ' Only managers and owners can add or delete them.'}</p>

      {created && (
        <div class="card callout" role="status">
          <p><strong>Webhook added for {created.url}.</strong> Copy its signing secret now: it is shown only this once. Your receiver checks <code>X-Tablesync-Signature</code> (hex HMAC-SHA256 of the body) with it.</p>
          <CopyField label="Signing secret" value={created.secret} />
          <button type="button" class="quiet" onClick={() => setCreated(null)}>I have stored it</button>
        </div>
      )}
      {hooks.error && <p class="error" role="alert">Could not load the webhooks: {hooks.error} <button type="button" class="quiet" onClick={hooks.reload}>Try again</button></p>}
      {rowError && <p class="error" role="alert">{rowError}</p>}
      {hooks.loading && !hooks.data && <p role="status">Loading webhooks…</p>}
      {hooks.data && list.length === 0 && <p class="card notice empty">No webhooks yet.{write ? ' Add one below to send events to your system.' : ''}</p>}
      {list.length > 0 && (
        <ul class="rows" aria-label="Webhooks">
          {list.map((w) => (
            <li key={w.id} class={`row${w.enabled ? '' : ' dim'}`}>
              <div class="row-main">
                <code class="wrap">{w.url}</code>
                <span class="muted small">{w.events.includes('*') ? 'every event' : w.events.join(', ')}</span>
              </div>
              <div class="row-meta">
                {w.enabled ? <span class="badge ok">on</span> : <span class="badge warn" title={w.disabled_reason ?? ''}>off{w.disabled_reason ? `: ${w.disabled_reason}` : ''}</span>}
                {w.failing_since && <span class="badge warn">failing since {formatInstant(w.failing_since, venue)}</span>}
                <span class="muted small">added {formatInstant(w.created_at, venue)}</span>
              </div>
              <div class="row-actions">
                <button type="button" class="quiet" aria-expanded={openDeliveries === w.id} onClick={() => setOpenDeliveries(openDeliveries === w.id ? null : w.id)}>
                  Deliveries
                </button>
                {write && !w.enabled && <button type="button" onClick={() => enable(w)}>Turn on</button>}
                {write && (confirming === w.id ? (
                  <>
                    <button type="button" class="danger" onClick={() => remove(w)}>Delete now</button>
                    <button type="button" class="quiet" onClick={() => setConfirming(null)}>Keep</button>
                  </>
                ) : (
                  <button type="button" class="quiet" onClick={() => setConfirming(w.id)} aria-label={`Delete the webhook to ${w.url}`}>Delete</button>
                ))}
              </div>
              {openDeliveries === w.id && <Deliveries webhook={w} />}
            </li>
          ))}
        </ul>
      )}

      {write && (
        <form class="card form" onSubmit={submit} aria-labelledby="hook-title">
          <h3 id="hook-title">Add a webhook</h3>
          <label for="hook-url">URL</label>
          <input id="hook-url" type="url" required placeholder="https://example.com/hooks/tablesync" value={url} onInput={(e) => setUrl((e.target as HTMLInputElement).value)} />
          <fieldset>
            <legend>Events</legend>
            <label class="check"><input type="checkbox" checked={all} onChange={() => setAll(!all)} /> Every event (new ones too)</label>
            {!all && (
              <div class="scopes">
                {names.map((n) => (
                  <label key={n} class="check">
                    <input type="checkbox" checked={events.includes(n)} onChange={() => setEvents((x) => (x.includes(n) ? x.filter((y) => y !== n) : [...x, n]))} /> {n}
                  </label>
                ))}
              </div>
            )}
          </fieldset>
          {formError && <p class="error" role="alert">{formError}</p>}
          <button type="submit" class="primary">Add webhook</button>
        </form>
      )}
    </div>
  );
}

function Deliveries({ webhook }: { webhook: Webhook }) {
  const { venue } = useSession();
  const list = useResource(() => api<List<WebhookDelivery>>('GET', `/webhooks/${webhook.id}/deliveries?limit=50`));
  return (
    <div class="deliveries">
      {list.error && <p class="error" role="alert">{list.error}</p>}
      {list.loading && !list.data && <p role="status">Loading deliveries…</p>}
      {list.data && list.data.data.length === 0 && <p class="muted small">Nothing delivered yet: events are sent as bookings and sales change.</p>}
      {list.data && list.data.data.length > 0 && (
        <table class="booking-table compact" aria-label={`Deliveries to ${webhook.url}`}>
          <thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Status</th><th scope="col" class="num">Attempts</th><th scope="col">Last answer</th></tr></thead>
          <tbody>
            {list.data.data.map((d) => (
              <tr key={d.id}>
                <td data-label="When">{formatInstant(d.created_at, venue)}</td>
                <td data-label="Event"><code class="small">{d.event}</code></td>
                <td data-label="Status"><span class={`badge ${d.status === 'delivered' || d.status === 'succeeded' ? 'ok' : d.status === 'failed' ? 'warn' : ''}`}>{d.status}</span></td>
                <td data-label="Attempts" class="num">{d.attempts}</td>
                <td data-label="Last answer" class="small wrap">
                  {d.last_status_code ? `HTTP ${d.last_status_code}` : d.last_error ?? '—'}
                  {d.next_attempt_at && d.status !== 'delivered' && <span class="muted"> · next try {formatInstant(d.next_attempt_at, venue)}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button type="button" class="quiet small-btn" onClick={list.reload}>Refresh</button>
    </div>
  );
}
