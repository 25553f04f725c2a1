import { useEffect, useMemo, useState } from 'preact/hooks';
import { LocationProvider, useLocation } from 'preact-iso';
import { api, ApiError, forgetSignedIn, maySignedIn, setCsrfToken, type SessionInfo, type Venue } from './api';
import { InvitePage } from './pages/invite';
import { SignInPage } from './pages/sign-in';
import { SessionContext, type SessionState } from './session';
import { Shell } from './shell';

type Boot = { state: 'loading' } | { state: 'signed-out' } | { state: 'signed-in'; session: SessionInfo };

export function App() {
  return (
    <LocationProvider scope="/app">
      <Root />
    </LocationProvider>
  );
}

function Root() {
  const location = useLocation();
  const [boot, setBoot] = useState<Boot>({ state: maySignedIn() ? 'loading' : 'signed-out' });
  const [venue, setVenue] = useState<Venue | null>(null);

  useEffect(() => {
    if (boot.state !== 'loading') return;
    api<SessionInfo>('GET', '/session').then(
      (session) => signedIn(session),
      () => {
        // The hint outlived the session (it ended elsewhere): sign in again.
        forgetSignedIn();
        setBoot({ state: 'signed-out' });
      },
    );
  }, []);

  const signedIn = (session: SessionInfo) => {
    setCsrfToken(session.csrf_token);
    setBoot({ state: 'signed-in', session });
    if (session.user.venue_id) api<Venue>('GET', '/venue').then(setVenue, () => setVenue(null));
  };

  const state = useMemo<SessionState | null>(() => {
    if (boot.state !== 'signed-in') return null;
    return {
      session: boot.session,
      venue,
      can: (scope) => boot.session.scopes.includes(scope),
      signOut: async () => {
        try {
          await api('DELETE', '/session');
        } catch (err) {
          // Already ended elsewhere: signed out all the same.
          if (!(err instanceof ApiError) || err.status !== 401) throw err;
        }
        setCsrfToken(null);
        forgetSignedIn();
        setVenue(null);
        setBoot({ state: 'signed-out' });
        location.route('/app/');
      },
    };
  }, [boot, venue]);

  if (location.path.startsWith('/app/invite/')) {
    const token = decodeURIComponent(location.path.slice('/app/invite/'.length));
    return <InvitePage token={token} onSignedIn={(s) => { signedIn(s); location.route('/app/'); }} />;
  }
  if (boot.state === 'loading') return <p class="boot" role="status">Loading Tablesync…</p>;
  if (boot.state === 'signed-out') return <SignInPage onSignedIn={signedIn} />;
  return (
    <SessionContext.Provider value={state}>
      <Shell />
    </SessionContext.Provider>
  );
}
