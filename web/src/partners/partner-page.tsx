import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { CopyField } from '../pages/copy-field';
import { useResource } from '../use-resource';
import { admin, enc, type List, type MappingVersion, type Partner, type PartnerLocation, type PartnerStats } from './admin-api';
import { when } from './format';

/** The tabs of a partner's pages. */
export function PartnerTabs({ name, current }: { name: string; current: 'overview' | 'events' | 'mappings' }) {
  const base = `/app/partners/${enc(name)}`;
  return (
    <nav class="tabs" aria-label={`Partner ${name}`}>
      <a href={base} aria-current={current === 'overview' ? 'page' : undefined}>Overview</a>
      <a href={`${base}/events`} aria-current={current === 'events' ? 'page' : undefined}>Event log</a>
    </nav>
  );
}

/** `/app/partners/:name`: signature settings and secret rotation, locations ↔ venues, mappings per event type. */
export function PartnerPage({ name }: { name: string }) {
  const partner = useResource(() => admin<Partner>('GET', `/partners/${enc(name)}`));
  const stats = useResource(() => admin<{ data: PartnerStats[] }>('GET', '/partner-stats'));
  const mine = stats.data?.data.find((s) => s.partner === name);

  if (partner.error) {
    return (
      <section>
        <p><a href="/app/partners">← Partners</a></p>
        <h1>{name}</h1>
        <p class="error" role="alert">{partner.error} <button type="button" class="quiet" onClick={partner.reload}>Try again</button></p>
      </section>
    );
  }
  return (
    <section>
      <p class="crumbs"><a href="/app/partners">← Partners</a></p>
      <h1>
        {name}
        {partner.data && <span class={`badge ${partner.data.enabled ? 'ok' : 'warn'}`}>{partner.data.enabled ? 'enabled' : 'disabled'}</span>}
      </h1>
      <PartnerTabs name={name} current="overview" />
      {!partner.data && <p role="status">Loading…</p>}
      {partner.data && (
        <>
          {mine && (
            <p class="figures" aria-label="Last 24 hours">
              <span><strong>{mine.received}</strong> received</span>
              <span><strong>{mine.processed}</strong> processed</span>
              <span><strong>{mine.ignored}</strong> ignored</span>
              <span>{mine.failed > 0 ? <a href={`/app/partners/${enc(name)}/events?status=failed`}><strong>{mine.failed}</strong> failed</a> : <><strong>0</strong> failed</>}</span>
              <span class="muted small">in the last 24 h</span>
            </p>
          )}
          <Settings partner={partner.data} onChange={partner.reload} />
          <Mappings name={name} />
          <Locations name={name} />
        </>
      )}
    </section>
  );
}

function Settings({ partner, onChange }: { partner: Partner; onChange: () => void }) {
  const [ack, setAck] = useState(partner.ack);
  const [conflict, setConflict] = useState(partner.conflict);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [confirmRotate, setConfirmRotate] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  useEffect(() => {
    setAck(partner.ack);
    setConflict(partner.conflict);
  }, [partner.updated_at]);

  const patch = async (body: Record<string, unknown>, done: string) => {
    setError(null);
    setSaved(null);
    try {
      const updated = await admin<Partner>('PATCH', `/partners/${enc(partner.name)}`, body);
      if (updated.secret) setSecret(updated.secret);
      setSaved(done);
      onChange();
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Could not save.');
    }
  };

  return (
    <div class="card">
      <h2>Signature and modes</h2>
      <dl class="facts">
        <div><dt>Adapter</dt><dd><code>{partner.adapter}</code>{partner.template && <span class="muted small"> · template {partner.template}</span>}</dd></div>
        <div><dt>Signature scheme</dt><dd><code>{partner.signature.scheme}</code></dd></div>
        <div><dt>Signature header</dt><dd>{partner.signature.header ? <code>{partner.signature.header}</code> : <span class="muted">the scheme’s default</span>}</dd></div>
        <div><dt>Secret</dt><dd>{partner.secret_set ? 'set (never shown again)' : <span class="warn-text">not set: the partner stays disabled until one is set</span>}</dd></div>
        <div><dt>Ingest URL</dt><dd><code class="small">/partners/{partner.name}/events/&lt;event_type&gt;</code></dd></div>
      </dl>
      <form class="fields three" onSubmit={(e) => { e.preventDefault(); void patch({ ack, conflict }, 'Modes saved.'); }}>
        <div>
          <label for="partner-ack">Acknowledge</label>
          <select id="partner-ack" value={ack} onChange={(e) => setAck((e.target as HTMLSelectElement).value as Partner['ack'])}>
            <option value="queued">queued: answer once durably queued</option>
            <option value="processed">processed: wait for the outcome (10 s)</option>
          </select>
        </div>
        <div>
          <label for="partner-conflict">A sale in progress</label>
          <select id="partner-conflict" value={conflict} onChange={(e) => setConflict((e.target as HTMLSelectElement).value as Partner['conflict'])}>
            <option value="reject">reject: 409, the POS retries</option>
            <option value="queue">queue: 200, processed after it</option>
          </select>
        </div>
        <div class="align-end">
          <button type="submit" disabled={ack === partner.ack && conflict === partner.conflict}>Save modes</button>
        </div>
      </form>
      <div class="actions">
        <button type="button" onClick={() => void patch({ enabled: !partner.enabled }, partner.enabled ? 'Disabled: its events are refused.' : 'Enabled.')}
          disabled={!partner.secret_set && !partner.enabled}>
          {partner.enabled ? 'Disable partner' : 'Enable partner'}
        </button>
        {confirmRotate ? (
          <>
            <button type="button" class="danger" onClick={() => { setConfirmRotate(false); void patch({ rotate_secret: true }, 'Secret rotated.'); }}>Rotate now: the old secret stops working</button>
            <button type="button" class="quiet" onClick={() => setConfirmRotate(false)}>Cancel</button>
          </>
        ) : (
          <button type="button" onClick={() => setConfirmRotate(true)}>Rotate secret…</button>
        )}
      </div>
      {secret && (
        <div class="callout card" role="status">
          <p><strong>New secret.</strong> Give it to the vendor now: it is shown only this once.</p>
          <CopyField label="New partner secret" value={secret} />
          <button type="button" class="quiet" onClick={() => setSecret(null)}>I have stored it</button>
        </div>
      )}
      {saved && !secret && <p class="ok-text" role="status">{saved}</p>}
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}

function Mappings({ name }: { name: string }) {
  const mappings = useResource(() => admin<List<MappingVersion>>('GET', `/partners/${enc(name)}/mappings`));
  const [eventType, setEventType] = useState('');
  const { route } = useLocation();
  return (
    <div class="card">
      <h2>Mappings</h2>
      <p class="muted small">One JSONata mapping per event type turns the POS’s payload into sales and booking statuses; <code>*</code> is the fallback.</p>
      {mappings.error && <p class="error" role="alert">{mappings.error}</p>}
      {mappings.data && mappings.data.data.length === 0 && <p class="notice empty">No mappings yet: every event is ignored until one exists.</p>}
      {mappings.data && mappings.data.data.length > 0 && (
        <ul class="rows" aria-label="Mappings">
          {mappings.data.data.map((m) => (
            <li key={m.event_type} class="row">
              <div class="row-main"><strong><code>{m.event_type}</code></strong><span class="muted small">live version {m.version} · {m.source} · {when(m.created_at)}</span></div>
              <div class="row-actions"><a class="button" href={`/app/partners/${enc(name)}/mappings/${enc(m.event_type)}`}>Edit {m.event_type}</a></div>
            </li>
          ))}
        </ul>
      )}
      <form class="inline-form" onSubmit={(e) => { e.preventDefault(); if (eventType.trim()) route(`/app/partners/${enc(name)}/mappings/${enc(eventType.trim())}`); }}>
        <label for="new-event-type">New event type</label>
        <div class="copy-row">
          <input id="new-event-type" value={eventType} placeholder="order.closed" onInput={(e) => setEventType((e.target as HTMLInputElement).value)} />
          <button type="submit" disabled={!eventType.trim()}>Write its mapping</button>
        </div>
      </form>
    </div>
  );
}

function Locations({ name }: { name: string }) {
  const locations = useResource(() => admin<List<PartnerLocation>>('GET', `/partners/${enc(name)}/locations`));
  const [venues, setVenues] = useState<Record<string, string>>({});
  const [locationId, setLocationId] = useState('');
  const [venueId, setVenueId] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const ids = [...new Set(locations.data?.data.map((l) => l.venue_id) ?? [])].filter((id) => !(id in venues));
    for (const id of ids) {
      admin<{ name: string }>('GET', `/venues/${enc(id)}`).then(
        (v) => setVenues((m) => ({ ...m, [id]: v.name })),
        () => setVenues((m) => ({ ...m, [id]: '' })),
      );
    }
  }, [locations.data]);

  const put = async (location: string, body: Record<string, unknown>) => {
    setError(null);
    try {
      await admin('PUT', `/partners/${enc(name)}/locations/${enc(location)}`, body);
      locations.reload();
      return true;
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Could not save the location.');
      return false;
    }
  };

  return (
    <div class="card">
      <h2>Locations and venues</h2>
      <p class="muted small">The POS’s own location ids, each linked to one venue. Events of an unknown location are ignored.</p>
      {locations.error && <p class="error" role="alert">{locations.error}</p>}
      {locations.data && locations.data.data.length === 0 && <p class="notice empty">No locations linked yet.</p>}
      {locations.data && locations.data.data.length > 0 && (
        <ul class="rows" aria-label="Locations">
          {locations.data.data.map((l) => (
            <li key={l.id} class={`row${l.enabled ? '' : ' dim'}`}>
              <div class="row-main"><strong><code>{l.location_id}</code></strong><span class="muted small">→ {venues[l.venue_id] || ''} <code>{l.venue_id}</code></span></div>
              <div class="row-meta">
                <span class={`badge ${l.enabled ? 'ok' : 'warn'}`}>{l.enabled ? 'enabled' : 'disabled'}</span>
                <span class="muted small">{Object.keys(l.tables).length} table aliases</span>
              </div>
              <div class="row-actions">
                <button type="button" onClick={() => void put(l.location_id, { venue_id: l.venue_id, enabled: !l.enabled })}>
                  {l.enabled ? `Disable ${l.location_id}` : `Enable ${l.location_id}`}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <form class="fields three" onSubmit={async (e) => {
        e.preventDefault();
        if (!locationId.trim() || !venueId.trim()) return setError('Give the POS’s location id and the venue id.');
        if (await put(locationId.trim(), { venue_id: venueId.trim(), enabled: true })) { setLocationId(''); setVenueId(''); }
      }}>
        <div>
          <label for="link-location">POS location id</label>
          <input id="link-location" value={locationId} onInput={(e) => setLocationId((e.target as HTMLInputElement).value)} />
        </div>
        <div>
          <label for="link-venue">Venue id</label>
          <input id="link-venue" value={venueId} placeholder="ven_…" onInput={(e) => setVenueId((e.target as HTMLInputElement).value)} />
        </div>
        <div class="align-end"><button type="submit">Link location</button></div>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}
