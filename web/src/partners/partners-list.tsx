import { useState } from 'preact/hooks';
import { CopyField } from '../pages/copy-field';
import { useResource } from '../use-resource';
import { admin, type CatalogTemplate, enc, type List, type Partner, type PartnerStats } from './admin-api';

/** `/app/partners`: every partner with its settings and last 24 h, and a new partner from the catalog. */
export function PartnersList() {
  const partners = useResource(() => admin<List<Partner>>('GET', '/partners?limit=200'));
  const stats = useResource(() => admin<{ data: PartnerStats[]; since: string; until: string }>('GET', '/partner-stats'));
  const statsOf = (name: string) => stats.data?.data.find((s) => s.partner === name);

  return (
    <section>
      <h1>Partners</h1>
      <p class="muted">POS systems and booking platforms that push their events to Tablesync, with what arrived in the last 24 hours.</p>
      {partners.error && (
        <p class="error" role="alert">Could not load the partners: {partners.error} <button type="button" class="quiet" onClick={partners.reload}>Try again</button></p>
      )}
      {stats.error && <p class="error" role="alert">Could not load the last 24 hours: {stats.error}</p>}
      {partners.loading && !partners.data && <p role="status">Loading partners…</p>}
      {partners.data && partners.data.data.length === 0 && (
        <p class="card notice empty">No partners yet. Add the first one from the catalog below: it comes with its mappings and fixtures.</p>
      )}
      {partners.data && partners.data.data.length > 0 && (
        <div class="table-wrap">
          <table class="grid" aria-label="Partners">
            <thead>
              <tr>
                <th scope="col">Partner</th>
                <th scope="col">Signature</th>
                <th scope="col">Modes</th>
                <th scope="col" class="num">Received</th>
                <th scope="col" class="num">Processed</th>
                <th scope="col" class="num">Ignored</th>
                <th scope="col" class="num">Failed</th>
              </tr>
            </thead>
            <tbody>
              {partners.data.data.map((p) => {
                const s = statsOf(p.name);
                return (
                  <tr key={p.id}>
                    <th scope="row">
                      <a href={`/app/partners/${enc(p.name)}`}>{p.name}</a>
                      <span class={`badge ${p.enabled ? 'ok' : 'warn'}`}>{p.enabled ? 'enabled' : 'disabled'}</span>
                      <span class="muted small block">{p.adapter}{p.template && p.template !== p.name ? ` · from ${p.template}` : ''}</span>
                    </th>
                    <td><code class="small">{p.signature.scheme}</code>{p.signature.header && <span class="muted small block">{p.signature.header}</span>}</td>
                    <td class="small">ack {p.ack}<span class="muted block">conflict {p.conflict}</span></td>
                    <td class="num">{s ? s.received : '…'}</td>
                    <td class="num">{s ? s.processed : '…'}</td>
                    <td class="num">{s ? s.ignored : '…'}</td>
                    <td class="num">{s ? (s.failed > 0 ? <a href={`/app/partners/${enc(p.name)}/events?status=failed`} class="bad-count">{s.failed}</a> : 0) : '…'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <NewFromCatalog onCreated={() => { partners.reload(); stats.reload(); }} />
    </section>
  );
}

function NewFromCatalog({ onCreated }: { onCreated: () => void }) {
  const catalog = useResource(() => admin<List<CatalogTemplate>>('GET', '/catalog'));
  const [name, setName] = useState('');
  const [template, setTemplate] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<Partner | null>(null);
  const chosen = catalog.data?.data.find((t) => t.name === template);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if (!/^[a-z0-9-]+$/.test(name)) return setError('Name: lower-case letters, digits and dashes only (it is part of the POS’s URL).');
    if (!template) return setError('Choose the POS or booking platform from the catalog.');
    setBusy(true);
    try {
      setCreated(await admin<Partner>('POST', '/partners', { name, template }));
      setName('');
      onCreated();
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Could not create the partner.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="card form">
      <h2>Add a partner from the catalog</h2>
      {created && (
        <div class="callout card" role="status">
          <p><strong>Partner “{created.name}” created.</strong> Give its secret to the vendor now: it is shown only this once.</p>
          {created.secret && <CopyField label="Partner secret" value={created.secret} />}
          <p>Next: link its locations to venues on the <a href={`/app/partners/${enc(created.name)}`}>partner page</a>.</p>
          <button type="button" class="quiet" onClick={() => setCreated(null)}>I have stored it</button>
        </div>
      )}
      {catalog.error && <p class="error" role="alert">Could not load the catalog: {catalog.error}</p>}
      <form onSubmit={submit} noValidate>
        <div class="fields two">
          <div>
            <label for="new-partner-template">POS or platform</label>
            <select id="new-partner-template" value={template} onChange={(e) => setTemplate((e.target as HTMLSelectElement).value)}>
              <option value="">Choose…</option>
              {catalog.data?.data.map((t) => (
                <option key={t.name} value={t.name}>{t.vendor} ({t.name}{t.kind === 'reservations' ? ', reservations' : ''})</option>
              ))}
            </select>
          </div>
          <div>
            <label for="new-partner-name">Partner name</label>
            <input id="new-partner-name" value={name} placeholder="toast-eu" autoComplete="off"
              onInput={(e) => setName((e.target as HTMLInputElement).value.trim())} aria-describedby="new-partner-name-hint" />
            <p id="new-partner-name-hint" class="muted small">In the POS’s URL: /partners/<code>{name || 'name'}</code>/events/…</p>
          </div>
        </div>
        {chosen && (
          <p class="muted small">
            Signs with <code>{chosen.signature.scheme}</code>{chosen.signature.header ? <> in <code>{chosen.signature.header}</code></> : null};
            mappings for {chosen.event_types.map((e, i) => <span key={e}>{i ? ', ' : ''}<code>{e}</code></span>)}.
            {chosen.docs[0] && <> Vendor docs: <a href={chosen.docs[0]} rel="noreferrer noopener" target="_blank">{new URL(chosen.docs[0]).host}</a>.</>}
          </p>
        )}
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Creating…' : 'Create partner'}</button>
      </form>
    </div>
  );
}
