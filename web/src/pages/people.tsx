import { useState } from 'preact/hooks';
import { api, type List, type User } from '../api';
import { formatInstant } from '../format';
import { useSession } from '../session';
import { useResource } from '../use-resource';
import { CopyField } from './copy-field';

const ROLES = [
  { id: 'host', label: 'Host', text: 'the diary, bookings and customers' },
  { id: 'manager', label: 'Manager', text: 'everything but people and key management' },
  { id: 'owner', label: 'Owner', text: 'everything, people and API keys too' },
];

/** The venue's people (owners): list, invite, remove. */
export function PeopleSection() {
  const { session, venue } = useSession();
  const users = useResource(() => api<List<User>>('GET', '/users?limit=200'));
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState('host');
  const [formError, setFormError] = useState<string | null>(null);
  const [invite, setInvite] = useState<{ name: string; url: string } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setFormError(null);
    try {
      const made = await api<User & { invite_url: string }>('POST', '/users', { email, name, role });
      setInvite({ name: made.name, url: made.invite_url });
      setEmail('');
      setName('');
      users.reload();
    } catch (err) {
      setFormError(err instanceof Error ? err.message : 'Could not invite.');
    }
  };

  const remove = async (user: User) => {
    setRowError(null);
    try {
      await api('DELETE', `/users/${user.id}`);
      setConfirming(null);
      users.reload();
    } catch (err) {
      setRowError(err instanceof Error ? err.message : 'Could not remove.');
    }
  };

  return (
    <div class="settings-section">
      <h2>People</h2>
      <p class="muted">Who can sign in to this venue. Hosts see {ROLES[0]!.text}; managers {ROLES[1]!.text}; owners {ROLES[2]!.text}.</p>

      {users.error && <p class="error" role="alert">Could not load people: {users.error} <button type="button" class="quiet" onClick={users.reload}>Try again</button></p>}
      {rowError && <p class="error" role="alert">{rowError}</p>}
      {users.loading && !users.data && <p role="status">Loading people…</p>}
      {users.data && (
        <ul class="rows" aria-label="People">
          {users.data.data.map((u) => (
            <li key={u.id} class="row">
              <div class="row-main">
                <span><strong>{u.name}</strong>{u.id === session.user.id && <span class="badge">you</span>}</span>
                <span class="muted small">{u.email}</span>
              </div>
              <div class="row-meta">
                <span class="badge role">{u.role}</span>
                <span class={`badge ${u.status === 'invited' ? 'warn' : 'ok'}`}>{u.status === 'invited' ? 'invited' : 'active'}</span>
                {u.created_at && <span class="muted small">since {formatInstant(u.created_at, venue)}</span>}
              </div>
              {u.id !== session.user.id && (
                <div class="row-actions">
                  {confirming === u.id ? (
                    <>
                      <button type="button" class="danger" onClick={() => remove(u)}>Remove {u.name}</button>
                      <button type="button" class="quiet" onClick={() => setConfirming(null)}>Keep</button>
                    </>
                  ) : (
                    <button type="button" class="quiet" onClick={() => setConfirming(u.id)} aria-label={`Remove ${u.name}`}>Remove</button>
                  )}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}

      {invite && (
        <div class="card callout" role="status">
          <p><strong>Invite for {invite.name} created.</strong> Send them this link: it is shown only now and works for 7 days, once.</p>
          <CopyField label="Invite link" value={invite.url} />
          <button type="button" class="quiet" onClick={() => setInvite(null)}>Done</button>
        </div>
      )}

      <form class="card form" onSubmit={submit} aria-labelledby="invite-title">
        <h3 id="invite-title">Invite someone</h3>
        <div class="fields">
          <div>
            <label for="invite-name">Name</label>
            <input id="invite-name" required maxLength={200} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          </div>
          <div>
            <label for="invite-email">Email</label>
            <input id="invite-email" type="email" required value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
          </div>
          <div>
            <label for="invite-role">Role</label>
            <select id="invite-role" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value)}>
              {ROLES.map((r) => <option key={r.id} value={r.id}>{r.label}</option>)}
            </select>
          </div>
        </div>
        {formError && <p class="error" role="alert">{formError}</p>}
        <button type="submit" class="primary">Create invite link</button>
      </form>
    </div>
  );
}
