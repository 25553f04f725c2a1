import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Route, Router, useLocation } from 'preact-iso';
import { AnalyticsPage } from './pages/analytics';
import { BookingsPage } from './pages/bookings';
import { CustomerProfilePage, CustomersPage } from './pages/customers';
import { DiaryPage } from './pages/diary/diary-page';
import { SettingsPage } from './pages/settings';
import { useSession } from './session';

const NAV = [
  { href: '/app/diary', label: 'Diary' },
  { href: '/app/bookings', label: 'Bookings' },
  { href: '/app/customers', label: 'Customers' },
  { href: '/app/analytics', label: 'Analytics' },
  { href: '/app/settings', label: 'Settings' },
];

/** The signed-in frame: the venue, navigation, sign-out; the page for the path inside. */
export function Shell() {
  const { session, venue, signOut } = useSession();
  const { path } = useLocation();
  const [signOutError, setSignOutError] = useState<string | null>(null);
  const operator = session.user.role === 'operator';

  const doSignOut = () => signOut().catch((err: unknown) => setSignOutError(err instanceof Error ? err.message : 'Sign-out failed.'));

  return (
    <div class="shell">
      <a class="skip" href="#main">Skip to content</a>
      <header class="topbar">
        <div class="brand">
          <span class="logo" aria-hidden="true">T</span>
          <span>
            <strong>{operator ? 'Tablesync operators' : venue?.name ?? 'Tablesync'}</strong>
            <span class="muted small who">{session.user.name} · {session.user.role}</span>
          </span>
        </div>
        <button type="button" class="quiet" onClick={doSignOut}>Sign out</button>
      </header>
      {operator && (
        <nav class="mainnav" aria-label="Main">
          <ul><li><a href="/app/partners" aria-current={path === '/app' || path === '/app/' || path.startsWith('/app/partners') ? 'page' : undefined}>Partners</a></li></ul>
        </nav>
      )}
      {!operator && (
        <nav class="mainnav" aria-label="Main">
          <ul>
            {NAV.map((n) => {
              const current = path === n.href || path.startsWith(`${n.href}/`) || (n.href === '/app/diary' && (path === '/app' || path === '/app/'));
              return (
                <li key={n.href}><a href={n.href} aria-current={current ? 'page' : undefined}>{n.label}</a></li>
              );
            })}
          </ul>
        </nav>
      )}
      <main id="main" class={operator ? 'content wide' : 'content'} tabIndex={-1}>
        {signOutError && <p class="error" role="alert">{signOutError}</p>}
        {operator ? (
          <OperatorConsole />
        ) : (
          <Router>
            <Route path="/app" component={DiaryPage} />
            <Route path="/app/diary" component={DiaryPage} />
            <Route path="/app/bookings" component={BookingsPage} />
            <Route path="/app/customers" component={CustomersPage} />
            <Route path="/app/customers/:id" component={({ id }: { id: string }) => <CustomerProfilePage id={id} />} />
            <Route path="/app/analytics" component={AnalyticsPage} />
            <Route path="/app/settings" component={() => <SettingsPage section={null} />} />
            <Route path="/app/settings/venue" component={() => <SettingsPage section="venue" />} />
            <Route path="/app/settings/people" component={() => <SettingsPage section="people" />} />
            <Route path="/app/settings/api-keys" component={() => <SettingsPage section="api-keys" />} />
            <Route path="/app/settings/webhooks" component={() => <SettingsPage section="webhooks" />} />
            <Route path="/app/settings/emails" component={() => <SettingsPage section="emails" />} />
            <Route default component={NotFound} />
          </Router>
        )}
      </main>
    </div>
  );
}

/** The partner console, loaded on first use (its own chunk: the venue app's bundle does not carry it). */
function OperatorConsole() {
  const [Console, setConsole] = useState<ComponentType | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    import('./partners/console').then((m) => setConsole(() => m.PartnerConsole), () => setFailed(true));
  }, []);
  if (failed) return <p class="error" role="alert">The partner console could not be loaded. Reload the page to try again.</p>;
  if (!Console) return <p role="status">Loading the partner console…</p>;
  return <Console />;
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>There is no page at this address. Use the navigation, or go to the <a href="/app/diary">diary</a>.</p>
    </section>
  );
}
