import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type SessionInfo } from '../api';

interface Invite {
  email: string;
  name: string;
  role: string;
  venue_name: string | null;
}

/** Where an invited person sets a password (the link is valid 7 days, once). */
export function InvitePage({ token, onSignedIn }: { token: string; onSignedIn: (s: SessionInfo) => void }) {
  const [invite, setInvite] = useState<Invite | null>(null);
  const [gone, setGone] = useState(false);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<Invite>('GET', `/invites/${encodeURIComponent(token)}`).then(setInvite, () => setGone(true));
  }, [token]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if (password.length < 10) {
      setError('Use at least 10 characters.');
      return;
    }
    try {
      onSignedIn(await api<SessionInfo>('POST', `/invites/${encodeURIComponent(token)}`, { password }));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invite_expired') setGone(true);
      else setError(err instanceof Error ? err.message : 'Could not set the password.');
    }
  };

  return (
    <main class="auth">
      <div class="card auth-card">
        <h1>Tablesync</h1>
        {gone ? (
          <p class="error" role="alert">This invite link was used already or has expired. Ask your venue owner for a new one, or <a href="/app/">sign in</a>.</p>
        ) : !invite ? (
          <p role="status">Checking your invite…</p>
        ) : (
          <form onSubmit={submit}>
            <p>Welcome, {invite.name}. Choose a password for <strong>{invite.email}</strong>{invite.venue_name ? ` at ${invite.venue_name}` : ''}.</p>
            <label for="new-password">New password (at least 10 characters)</label>
            <input id="new-password" type="password" autocomplete="new-password" required minLength={10} value={password}
              onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
            {error && <p class="error" role="alert">{error}</p>}
            <button type="submit" class="primary">Set password and sign in</button>
          </form>
        )}
      </div>
    </main>
  );
}
