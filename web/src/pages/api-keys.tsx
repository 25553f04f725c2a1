import { useState } from 'preact/hooks';
import { api, type ApiKey, type List } from '../api';
import { formatInstant } from '../format';
import { useSession } from '../session';
import { useResource } from '../use-resource';
import { CopyField } from './copy-field';

const SCOPES = [
  'venue:read', 'bookings:read', 'bookings:write', 'customers:read', 'customers:write',
  'sales:read', 'sales:write', 'webhooks:read', 'webhooks:write',
];
const DEFAULT_SCOPES = ['venue:read', 'bookings:read', 'bookings:write'];

/** The venue's API keys: owners create (the key is shown once) and revoke; managers see the list. */
export function ApiKeysSection() {
  const { can, venue } = useSession();
  const manage = can('keys:manage');
  const keys = useResource(() => api<List<ApiKey>>('GET', '/api-keys'));
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(DEFAULT_SCOPES);
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);

  const toggle = (scope: string) => setScopes((s) => (s.includes(scope) ? s.filter((x) => x !== scope) : [...s, scope]));

  const submit = async (e: Event) => {
    e.preventDefault();
    setFormError(null);
    if (!scopes.length) {
      setFormError('Choose at least one scope: what the key may do.');
      return;
    }
    try {
      const made = await api<{ name: string; key: string }>('POST', '/api-keys', { name, scopes });
      setCreated({ name: made.name, key: made.key });
      setName('');
      setScopes(DEFAULT_SCOPES);
      keys.reload();
    } catch (err) {
      setFormError(err instanceof Error ? err.message : 'Could not create the key.');
    }
  };

  const revoke = async (key: ApiKey) => {
    setRowError(null);
    try {
      await api('DELETE', `/api-keys/${key.id}`);
      setConfirming(null);
      keys.reload();
    } catch (err) {
      setRowError(err instanceof Error ? err.message : 'Could not revoke.');
    }
  };

  const active = keys.data?.data.filter((k) => !k.revoked_at) ?? [];
  const revoked = keys.data?.data.filter((k) => k.revoked_at) ?? [];

  return (
    <div class="settings-section">
      <h2>API keys</h2>
      <p class="muted">Keys let other systems (your website, a till bridge) use the booking API for this venue.{!manage && ' Only owners can create or revoke them.'}</p>

      {created && (
        <div class="card callout" role="status">
          <p><strong>Key “{created.name}” created.</strong> Copy it now: it is shown only this once and cannot be seen again.</p>
          <CopyField label="New API key" value={created.key} />
          <button type="button" class="quiet" onClick={() => setCreated(null)}>I have stored it</button>
        </div>
      )}

      {keys.error && <p class="error" role="alert">Could not load the keys: {keys.error} <button type="button" class="quiet" onClick={keys.reload}>Try again</button></p>}
      {rowError && <p class="error" role="alert">{rowError}</p>}
      {keys.loading && !keys.data && <p role="status">Loading keys…</p>}
      {keys.data && active.length === 0 && (
        <p class="card notice empty">No active keys yet.{manage ? ' Create one below when a system needs the booking API.' : ''}</p>
      )}
      {active.length > 0 && (
        <ul class="rows" aria-label="Active API keys">
          {active.map((k) => (
            <li key={k.id} class="row">
              <div class="row-main">
                <strong>{k.name}</strong>
                <code class="small">{k.prefix}…</code>
              </div>
              <div class="row-meta">
                <span class="muted small">{k.scopes.join(', ')}</span>
                <span class="muted small">created {formatInstant(k.created_at, venue)}</span>
              </div>
              {manage && (
                <div class="row-actions">
                  {confirming === k.id ? (
                    <>
                      <button type="button" class="danger" onClick={() => revoke(k)}>Revoke {k.name} now</button>
                      <button type="button" class="quiet" onClick={() => setConfirming(null)}>Keep</button>
                    </>
                  ) : (
                    <button type="button" class="quiet" onClick={() => setConfirming(k.id)} aria-label={`Revoke ${k.name}`}>Revoke</button>
                  )}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {revoked.length > 0 && (
        <details class="revoked">
          <summary>Revoked keys ({revoked.length})</summary>
          <ul class="rows" aria-label="Revoked API keys">
            {revoked.map((k) => (
              <li key={k.id} class="row dim">
                <div class="row-main"><strong>{k.name}</strong><code class="small">{k.prefix}…</code></div>
                <div class="row-meta"><span class="muted small">revoked {formatInstant(k.revoked_at!, venue)}</span></div>
              </li>
            ))}
          </ul>
        </details>
      )}

      {manage && (
        <form class="card form" onSubmit={submit} aria-labelledby="key-title">
          <h3 id="key-title">Create a key</h3>
          <label for="key-name">Name</label>
          <input id="key-name" required maxLength={200} placeholder="e.g. Website widget" value={name}
            onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          <fieldset>
            <legend>Scopes</legend>
            <div class="scopes">
              {SCOPES.map((s) => (
                <label key={s} class="check">
                  <input type="checkbox" checked={scopes.includes(s)} onChange={() => toggle(s)} /> {s}
                </label>
              ))}
            </div>
          </fieldset>
          {formError && <p class="error" role="alert">{formError}</p>}
          <button type="submit" class="primary">Create key</button>
        </form>
      )}
    </div>
  );
}
