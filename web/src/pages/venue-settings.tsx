import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, errorText, type Venue } from '../api';
import { hasRoute } from '../capabilities';
import { useSession } from '../session';

/**
 * Settings → Venue: the booking rules of CONTRACT "Venue settings" (`settings` of GET/PATCH /api/v1/venue).
 * Only the fields changed are sent. Owners and managers change them (`venue:write`); hosts read them.
 */

type Settings = Record<string, unknown>;

interface Field {
  key: string;
  label: string;
  help: string;
  kind: 'bool' | 'int' | 'number' | 'text' | 'textarea' | 'email' | 'color' | 'lines' | 'range';
  min?: number;
  step?: number;
}

const GROUPS: { title: string; fields: Field[] }[] = [
  {
    title: 'Online booking',
    fields: [
      { key: 'public_booking', label: 'Take bookings on the public widget', help: 'Off: the widget and the public API answer “not found” for this venue.', kind: 'bool' },
      { key: 'booking_window_days', label: 'Book up to (days ahead)', help: 'How far ahead guests may book online.', kind: 'int', min: 0 },
      { key: 'party_size', label: 'Party size online', help: 'The smallest and largest party the widget offers.', kind: 'range', min: 1 },
      { key: 'max_instant_party_size', label: 'Largest party confirmed at once', help: 'Larger parties become requests you approve.', kind: 'int', min: 1 },
      { key: 'max_bookings_per_email_per_day', label: 'Bookings per email per day', help: 'Stops one address filling the diary from the widget.', kind: 'int', min: 1 },
      { key: 'allowed_origins', label: 'Websites that may embed the widget', help: 'One origin a line, e.g. https://www.example.com. Empty: any site.', kind: 'lines' },
    ],
  },
  {
    title: 'Policies',
    fields: [
      { key: 'cancellation_hours', label: 'Guests may change or cancel until (hours before)', help: 'Later, the manage link says to call the venue.', kind: 'int', min: 0 },
      { key: 'request_hold_hours', label: 'Hold a request for (hours)', help: 'An unanswered request expires after this, or at its start time.', kind: 'number', min: 0.25, step: 0.25 },
      { key: 'policies_text', label: 'Policy text shown to guests', help: 'Deposits, dress code, late arrivals…', kind: 'textarea' },
      { key: 'review_moderation', label: 'Check reviews before they are published', help: 'Off: reviews appear at once.', kind: 'bool' },
    ],
  },
  {
    title: 'Emails and look',
    fields: [
      { key: 'notification_email', label: 'Send venue emails to', help: 'New requests and enquiries. Empty: no emails.', kind: 'email' },
      { key: 'reply_to', label: 'Guests’ replies go to', help: 'The Reply-To of guest emails. Empty: the sender.', kind: 'email' },
      { key: 'theme', label: 'Widget accent colour', help: 'Buttons and highlights of the booking widget.', kind: 'color' },
    ],
  },
];

const KNOWN = new Set(GROUPS.flatMap((g) => g.fields.map((f) => f.key)));

export function VenueSettingsSection() {
  const { can } = useSession();
  const write = can('venue:write');
  const [venue, setVenue] = useState<Venue | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [canPatch, setCanPatch] = useState<boolean | null>(null);
  const [draft, setDraft] = useState<Settings>({});
  const [saving, setSaving] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    api<Venue>('GET', '/venue').then((v) => { setVenue(v); setDraft(v.settings ?? {}); }, (err) => setLoadError(errorText(err, 'Could not load the venue.')));
    hasRoute('patch', '/api/v1/venue').then(setCanPatch);
  }, []);

  if (loadError) return <div class="settings-section"><h2>Venue</h2><p class="error" role="alert">{loadError}</p></div>;
  if (!venue) return <div class="settings-section"><h2>Venue</h2><p role="status">Loading…</p></div>;
  const settings = venue.settings;
  if (!settings) {
    return (
      <div class="settings-section">
        <h2>Venue</h2>
        <p class="card notice" role="note">This server does not have venue settings yet (no <code>settings</code> on <code>GET /api/v1/venue</code>). Booking rules appear here once the server is updated.</p>
      </div>
    );
  }
  const editable = write && canPatch !== false;

  const set = (key: string, value: unknown) => { setDraft((d) => ({ ...d, [key]: value })); setResult(null); };
  const changed = Object.keys(draft).filter((k) => JSON.stringify(draft[k]) !== JSON.stringify(settings[k]));

  const save = async (e: Event) => {
    e.preventDefault();
    if (!changed.length) return;
    setSaving(true);
    setResult(null);
    try {
      const body = Object.fromEntries(changed.map((k) => [k, draft[k]]));
      const v = await api<Venue>('PATCH', '/venue', { settings: body });
      setVenue(v);
      setDraft(v.settings ?? {});
      setResult({ ok: true, text: `Saved ${changed.length} ${changed.length === 1 ? 'change' : 'changes'}.` });
    } catch (err) {
      const details = err instanceof ApiError ? (err.details as { field?: string } | null) : null;
      setResult({ ok: false, text: `${errorText(err, 'Could not save.')}${details?.field ? ` (${details.field})` : ''} Nothing was changed.` });
    } finally {
      setSaving(false);
    }
  };

  return (
    <form class="settings-section venue-settings" onSubmit={save}>
      <h2>Venue</h2>
      <p class="muted">
        {venue.name} · {venue.timezone} · {venue.currency}{venue.country ? ` · ${venue.country}` : ''}.{' '}
        {editable ? 'Changes apply at once to the widget and the API.' : write ? 'This server cannot change settings yet.' : 'Only owners and managers can change these.'}
      </p>
      {GROUPS.map((g) => (
        <fieldset key={g.title} class="card" disabled={!editable}>
          <legend>{g.title}</legend>
          {g.fields.filter((f) => f.key in settings).map((f) => <SettingField key={f.key} field={f} value={draft[f.key]} onChange={(v) => set(f.key, v)} />)}
        </fieldset>
      ))}
      {Object.keys(settings).some((k) => !KNOWN.has(k)) && (
        <p class="muted small">Also set: {Object.keys(settings).filter((k) => !KNOWN.has(k)).map((k) => `${k} = ${JSON.stringify(settings[k])}`).join('; ')}.</p>
      )}
      {result && <p class={result.ok ? 'card notice ok-text' : 'error'} role={result.ok ? 'status' : 'alert'}>{result.text}</p>}
      {editable && (
        <div class="row-actions">
          <button type="submit" class="primary" disabled={saving || !changed.length}>{saving ? 'Saving…' : changed.length ? `Save ${changed.length} ${changed.length === 1 ? 'change' : 'changes'}` : 'No changes'}</button>
          {changed.length > 0 && <button type="button" class="quiet" onClick={() => { setDraft(settings); setResult(null); }}>Undo changes</button>}
        </div>
      )}
    </form>
  );
}

function SettingField({ field: f, value, onChange }: { field: Field; value: unknown; onChange: (v: unknown) => void }) {
  const id = `set-${f.key}`;
  const help = <span class="muted small help" id={`${id}-help`}>{f.help}</span>;
  const num = (s: string) => (s === '' ? null : Number(s));
  switch (f.kind) {
    case 'bool':
      return (
        <div class="setting">
          <label class="check" for={id}><input id={id} type="checkbox" checked={value === true} onChange={(e) => onChange((e.target as HTMLInputElement).checked)} aria-describedby={`${id}-help`} /> {f.label}</label>
          {help}
        </div>
      );
    case 'range': {
      const r = (value ?? {}) as { min?: number; max?: number };
      return (
        <div class="setting">
          <span class="label" id={`${id}-label`}>{f.label}</span>
          <div class="inline">
            <label class="visually-hidden" for={`${id}-min`}>Smallest party</label>
            <input id={`${id}-min`} type="number" min={1} value={r.min ?? ''} onInput={(e) => onChange({ ...r, min: num((e.target as HTMLInputElement).value) })} aria-describedby={`${id}-help`} />
            <span aria-hidden="true">to</span>
            <label class="visually-hidden" for={`${id}-max`}>Largest party</label>
            <input id={`${id}-max`} type="number" min={1} value={r.max ?? ''} onInput={(e) => onChange({ ...r, max: num((e.target as HTMLInputElement).value) })} aria-describedby={`${id}-help`} />
          </div>
          {help}
        </div>
      );
    }
    case 'color': {
      const t = (value ?? {}) as { accent?: string };
      return (
        <div class="setting">
          <label for={id}>{f.label}</label>
          <div class="inline"><input id={id} type="color" class="color" value={t.accent ?? '#1f6feb'} onInput={(e) => onChange({ ...t, accent: (e.target as HTMLInputElement).value })} aria-describedby={`${id}-help`} /><code>{t.accent}</code></div>
          {help}
        </div>
      );
    }
    case 'lines':
      return (
        <div class="setting">
          <label for={id}>{f.label}</label>
          <textarea id={id} rows={3} value={((value as string[] | undefined) ?? []).join('\n')} aria-describedby={`${id}-help`}
            onInput={(e) => onChange((e.target as HTMLTextAreaElement).value.split('\n').map((s) => s.trim()).filter(Boolean))} />
          {help}
        </div>
      );
    case 'textarea':
      return (
        <div class="setting">
          <label for={id}>{f.label}</label>
          <textarea id={id} rows={3} value={(value as string | undefined) ?? ''} aria-describedby={`${id}-help`} onInput={(e) => onChange((e.target as HTMLTextAreaElement).value)} />
          {help}
        </div>
      );
    case 'email':
      return (
        <div class="setting">
          <label for={id}>{f.label}</label>
          <input id={id} type="email" value={(value as string | null) ?? ''} aria-describedby={`${id}-help`} onInput={(e) => onChange((e.target as HTMLInputElement).value.trim() || null)} />
          {help}
        </div>
      );
    default:
      return (
        <div class="setting">
          <label for={id}>{f.label}</label>
          <input id={id} type="number" min={f.min} step={f.step ?? 1} value={value === null || value === undefined ? '' : String(value)} aria-describedby={`${id}-help`}
            onInput={(e) => onChange(num((e.target as HTMLInputElement).value))} />
          {help}
        </div>
      );
  }
}
