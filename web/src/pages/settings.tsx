import { useSession } from '../session';
import { ApiKeysSection } from './api-keys';
import { PeopleSection } from './people';

type Section = 'people' | 'api-keys';

export function SettingsPage({ section }: { section: Section | null }) {
  const { can } = useSession();
  const tabs: { id: Section; label: string; allowed: boolean }[] = [
    { id: 'people', label: 'People', allowed: can('users:manage') },
    { id: 'api-keys', label: 'API keys', allowed: can('keys:read') },
  ];
  const open = tabs.filter((t) => t.allowed);
  const current = section ?? open[0]?.id ?? null;

  return (
    <section>
      <h1>Settings</h1>
      {open.length > 0 && (
        <nav class="tabs" aria-label="Settings">
          {open.map((t) => (
            <a key={t.id} href={`/app/settings/${t.id}`} aria-current={t.id === current ? 'page' : undefined}>{t.label}</a>
          ))}
        </nav>
      )}
      {current === 'people' && (can('users:manage') ? <PeopleSection /> : <NotAllowed what="people" who="owners" />)}
      {current === 'api-keys' && (can('keys:read') ? <ApiKeysSection /> : <NotAllowed what="API keys" who="owners and managers" />)}
      {current === null && <p class="card notice">Your role has no settings to change. Ask your venue owner for anything here.</p>}
      <p class="muted small coming">Webhooks and their deliveries, the venue’s booking rules and the emails sent come next.</p>
    </section>
  );
}

function NotAllowed({ what, who }: { what: string; who: string }) {
  return <p class="card notice" role="note">Only {who} can see the venue’s {what}.</p>;
}
