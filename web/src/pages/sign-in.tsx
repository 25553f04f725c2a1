import { useState } from 'preact/hooks';
import { api, ApiError, type SessionInfo } from '../api';

export function SignInPage({ onSignedIn }: { onSignedIn: (s: SessionInfo) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api<SessionInfo>('POST', '/session', { email, password }));
    } catch (err) {
      setError(
        err instanceof ApiError && err.code === 'invalid_credentials' ? 'That email and password do not match. Check them and try again.'
        : err instanceof ApiError && err.code === 'rate_limited' ? 'Too many attempts for this email. Wait 15 minutes, or ask your venue owner to check your account.'
        : err instanceof Error ? err.message : 'Sign-in failed.',
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="auth">
      <form class="card auth-card" onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Tablesync</h1>
        <p class="muted">Sign in to your venue.</p>
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="username" required value={email}
          onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
        <p class="muted small">New here? Use the invite link your venue owner sent you.</p>
      </form>
    </main>
  );
}
