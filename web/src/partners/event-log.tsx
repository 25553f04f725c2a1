import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { useCursorList } from '../use-cursor-list';
import { admin, enc, EVENT_STATUSES, type EventStatus, type InboundEvent, type InboundEventDetail, type List } from './admin-api';
import { plural, pretty, reindentJson, shortWhen, when } from './format';
import { PartnerTabs } from './partner-page';
import { StatusBadge } from './status-badge';

/** How often the log looks for new events while it follows them. */
export const FOLLOW_MS = 2000;

interface Filters {
  status: EventStatus | '';
  event_type: string;
  since: string;
  until: string;
  sale_id: string;
}

const localToIso = (v: string): string | null => (v ? new Date(v).toISOString() : null);

function filterBody(f: Filters): Record<string, string> {
  const body: Record<string, string> = {};
  if (f.status) body.status = f.status;
  if (f.event_type.trim()) body.event_type = f.event_type.trim();
  const since = localToIso(f.since);
  const until = localToIso(f.until);
  if (since) body.since = since;
  if (until) body.until = until;
  if (f.sale_id.trim()) body.sale_id = f.sale_id.trim();
  return body;
}

/**
 * `/app/partners/:name/events`: the event log, following new events (a poll of its first page every 2 s
 * while the page is visible), with filters, an event's detail, replay of one and of many.
 */
export function EventLog({ name }: { name: string }) {
  const { query, route, path } = useLocation();
  const [filters, setFilters] = useState<Filters>({
    status: (EVENT_STATUSES as readonly string[]).includes(query.status ?? '') ? (query.status as EventStatus) : '',
    event_type: query.event_type ?? '', since: '', until: '', sale_id: query.sale_id ?? '',
  });
  const [applied, setApplied] = useState<Filters>(filters);
  const [follow, setFollow] = useState(true);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [announce, setAnnounce] = useState('');
  const selected = query.event ?? null;

  const list = useCursorList((cursor) => {
    const q = new URLSearchParams({ ...filterBody(applied), limit: '50' });
    if (cursor) q.set('cursor', cursor);
    return admin<List<InboundEvent>>('GET', `/partners/${enc(name)}/events?${q}`);
  }, [name, applied], 'Could not load the events.');
  const rows = list.items ?? [];
  const error = list.error;

  // Following: the first page again, its new events marked and announced.
  const refresh = async () => {
    const added = await list.refresh();
    if (added.length) {
      setFresh(new Set(added.map((e) => e.id)));
      setAnnounce(`${plural(added.length, 'new event')} arrived.`);
    }
  };

  useEffect(() => setFresh(new Set()), [applied]);

  useEffect(() => {
    if (!follow) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void refresh();
    }, FOLLOW_MS);
    return () => clearInterval(timer);
  }, [follow, applied]);
  const open = (id: string | null) => {
    const q = new URLSearchParams(query);
    if (id) q.set('event', id);
    else q.delete('event');
    const qs = q.toString();
    route(`${path}${qs ? `?${qs}` : ''}`, true);
  };
  const set = (k: keyof Filters) => (e: Event) => setFilters({ ...filters, [k]: (e.target as HTMLInputElement).value });

  return (
    <section class="wide">
      <p class="crumbs"><a href="/app/partners">← Partners</a></p>
      <h1>{name}: event log</h1>
      <PartnerTabs name={name} current="events" />
      <form class="filters" aria-label="Filters" onSubmit={(e) => { e.preventDefault(); setApplied(filters); }}>
        <div>
          <label for="filter-status">Status</label>
          <select id="filter-status" value={filters.status} onChange={set('status')}>
            <option value="">Any</option>
            {EVENT_STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </div>
        <div>
          <label for="filter-type">Event type</label>
          <input id="filter-type" value={filters.event_type} onInput={set('event_type')} placeholder="any" />
        </div>
        <div>
          <label for="filter-since">Received from</label>
          <input id="filter-since" type="datetime-local" step="1" value={filters.since} onInput={set('since')} />
        </div>
        <div>
          <label for="filter-until">Received until</label>
          <input id="filter-until" type="datetime-local" step="1" value={filters.until} onInput={set('until')} />
        </div>
        <div>
          <label for="filter-sale">Sale id</label>
          <input id="filter-sale" value={filters.sale_id} onInput={set('sale_id')} placeholder="the POS’s id" />
        </div>
        <div class="align-end"><button type="submit" class="primary">Apply filters</button></div>
      </form>
      <div class="log-bar">
        <label class="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow((e.target as HTMLInputElement).checked)} />
          Follow new events (every 2 s)
        </label>
        <ReplayMany name={name} filters={applied} onDone={() => void refresh()} />
      </div>
      <p class="sr-only" role="status" aria-live="polite">{announce}</p>
      {error && <p class="error" role="alert">{error}</p>}
      <div class={`log-layout${selected ? ' with-detail' : ''}`}>
        <div>
          {list.loading && <p role="status">Loading events…</p>}
          {list.empty && (
            <p class="card notice empty">{Object.keys(filterBody(applied)).length ? 'No event matches these filters.' : 'No events yet. They appear here as the POS sends them.'}</p>
          )}
          {rows.length > 0 && (
            <ul class="rows events" aria-label="Events">
              {rows.map((e) => (
                <li key={e.id} class={`row event${fresh.has(e.id) ? ' fresh' : ''}${selected === e.id ? ' selected' : ''}`}>
                  <button type="button" class="event-open" aria-current={selected === e.id ? 'true' : undefined} onClick={() => open(e.id)}
                    aria-label={`Event ${e.id}, ${e.event_type}, ${e.status}`}>
                    <span class="event-line">
                      <StatusBadge status={e.status} />
                      <code class="small">{e.event_type}</code>
                      <span class="muted small" title={e.received_at}>{shortWhen(e.received_at)}</span>
                    </span>
                    <span class="event-line small">
                      {e.sale_id && <span>sale <code>{e.sale_id}</code></span>}
                      <span class="muted">{plural(e.attempts, 'attempt')}</span>
                    </span>
                    {e.reason && <span class="event-reason small">{e.reason}</span>}
                  </button>
                </li>
              ))}
            </ul>
          )}
          {list.hasMore && <button type="button" onClick={() => void list.loadMore()} disabled={list.loadingMore}>Load older events</button>}
        </div>
        {selected && <EventDetail id={selected} partner={name} listed={rows.find((e) => e.id === selected)} onClose={() => open(null)} />}
      </div>
    </section>
  );
}

function ReplayMany({ name, filters, onDone }: { name: string; filters: Filters; onDone: () => void }) {
  const [count, setCount] = useState<{ would_replay: number; would_skip?: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setCount(null);
    setMessage(null);
  }, [filters]);

  const body = filterBody(filters);
  const described = Object.keys(body).length ? 'that match the filters' : 'of this partner';
  const check = async () => {
    setError(null);
    setMessage(null);
    setBusy(true);
    try {
      setCount(await admin('POST', `/partners/${enc(name)}/events/replay?dry_run=true`, body));
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Could not count the events.');
    } finally {
      setBusy(false);
    }
  };
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await admin<{ replayed: number; skipped: number }>('POST', `/partners/${enc(name)}/events/replay`, body);
      setCount(null);
      setMessage(`${plural(r.replayed, 'event')} queued again${r.skipped ? `; ${r.skipped} in flight skipped` : ''}.`);
      onDone();
    } catch (err) {
      setError(err instanceof Error ? err.message : 'The replay failed.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="replay-many">
      {!count && <button type="button" onClick={() => void check()} disabled={busy}>Replay events {described}…</button>}
      {count && count.would_replay === 0 && (
        <p class="notice small" role="status">
          No finished event {described} to replay{count.would_skip ? ` (${count.would_skip} in flight)` : ''}.
          <button type="button" class="quiet" onClick={() => setCount(null)}>OK</button>
        </p>
      )}
      {count && count.would_replay > 0 && (
        <div class="confirm card" role="group" aria-label="Confirm replay">
          <p>
            <strong>{plural(count.would_replay, 'event')}</strong> {described} will be processed again with the live mapping, under their own ids
            {count.would_skip ? `; ${count.would_skip} in flight will be skipped` : ''}.
          </p>
          <button type="button" class="primary" onClick={() => void run()} disabled={busy}>Replay {plural(count.would_replay, 'event')}</button>
          <button type="button" class="quiet" onClick={() => setCount(null)}>Cancel</button>
        </div>
      )}
      {message && <p class="ok-text small" role="status">{message}</p>}
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}

function EventDetail({ id, partner, listed, onClose }: { id: string; partner: string; listed?: InboundEvent; onClose: () => void }) {
  const [event, setEvent] = useState<InboundEventDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [replay, setReplay] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  const load = () =>
    admin<InboundEventDetail>('GET', `/events/${enc(id)}`).then(
      (e) => { setEvent(e); setError(null); },
      (err: unknown) => setError(err instanceof Error ? err.message : 'Could not load the event.'),
    );
  useEffect(() => {
    setEvent(null);
    setReplay(null);
    void load().then(() => heading.current?.focus());
  }, [id]);
  // The log saw it change (a replay, a retry): read it again.
  useEffect(() => {
    if (event && listed && (listed.status !== event.status || listed.attempts !== event.attempts)) void load();
  }, [listed?.status, listed?.attempts]);
  // Follow it while it is in flight.
  useEffect(() => {
    if (!event || (event.status !== 'queued' && event.status !== 'processing')) return;
    const timer = setTimeout(() => void load(), FOLLOW_MS);
    return () => clearTimeout(timer);
  }, [event]);

  const replayOne = async () => {
    setReplay(null);
    try {
      await admin('POST', `/events/${enc(id)}/replay`);
      setReplay('Queued again: it is processed with the live mapping.');
      void load();
    } catch (err) {
      setReplay(err instanceof Error ? err.message : 'Could not replay.');
    }
  };

  return (
    <aside class="card event-detail" aria-labelledby="event-detail-heading">
      <div class="detail-head">
        <h2 id="event-detail-heading" tabIndex={-1} ref={heading}>Event <code>{id}</code></h2>
        <button type="button" class="quiet" onClick={onClose}>Close</button>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {!event && !error && <p role="status">Loading…</p>}
      {event && (
        <>
          <dl class="facts">
            <div><dt>Status</dt><dd><StatusBadge status={event.status} /> {event.reason && <span class="small">{event.reason}</span>}</dd></div>
            <div><dt>Event type</dt><dd><code>{event.event_type}</code></dd></div>
            <div><dt>Sale id</dt><dd>{event.sale_id ? <code>{event.sale_id}</code> : '—'}</dd></div>
            <div><dt>Attempts</dt><dd>{event.attempts}</dd></div>
            <div><dt>Received</dt><dd>{when(event.received_at)}</dd></div>
            <div><dt>Processed</dt><dd>{when(event.processed_at)}</dd></div>
            <div><dt>Mapping version</dt><dd>{event.mapping_version ?? '—'}</dd></div>
          </dl>
          <div class="actions">
            <button type="button" onClick={() => void replayOne()} disabled={event.status === 'queued' || event.status === 'processing'}>Replay this event</button>
            <a class="button" href={`/app/partners/${enc(partner)}/mappings/${enc(event.event_type)}?event=${enc(event.id)}`}>Open in the mapping editor</a>
          </div>
          {replay && <p class="small" role="status">{replay}</p>}
          {event.errors.length > 0 && (
            <>
              <h3>Errors</h3>
              <ul class="error-list">
                {event.errors.map((e, i) => <li key={i}>{e.path ? <code>{e.path}</code> : null} {e.message}</li>)}
              </ul>
            </>
          )}
          {event.outcome && event.outcome.length > 0 && (
            <>
              <h3>Outcome</h3>
              <ul class="plain">
                {event.outcome.map((o, i) => (
                  <li key={i} class="small">
                    <strong>{o.type}</strong> {o.result}
                    {o.sale && <> · sale <code>{o.sale}</code></>}
                    {o.booking && <> · booking <code>{o.booking}</code> ({o.match})</>}
                    {o.unmatched_reason && <> · unmatched: {o.unmatched_reason}</>}
                    {o.reason && <> · {o.reason}</>}
                  </li>
                ))}
              </ul>
            </>
          )}
          <h3>Headers</h3>
          {Object.keys(event.headers).length === 0 ? <p class="muted small">Not recorded for this event.</p> : (
            <table class="grid headers-table" aria-label="Headers">
              <tbody>
                {Object.entries(event.headers).map(([k, v]) => <tr key={k}><th scope="row"><code>{k}</code></th><td><code class={v.startsWith('[masked') ? 'muted' : ''}>{v}</code></td></tr>)}
              </tbody>
            </table>
          )}
          <h3>Raw payload</h3>
          <pre class="code" tabIndex={0} aria-label="Raw payload">{event.raw_payload === null ? '—' : reindentJson(event.raw_payload)}</pre>
          <h3>Mapping output</h3>
          <pre class="code" tabIndex={0} aria-label="Mapping output">{event.output === null ? 'Not mapped yet.' : pretty(event.output)}</pre>
        </>
      )}
    </aside>
  );
}
