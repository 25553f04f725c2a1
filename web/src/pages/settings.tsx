import { useSession } from '../session';
import { ApiKeysSection } from './api-keys';
import { EmailsSection } from './emails';
import { PeopleSection } from './people';
import { VenueSettingsSection } from './venue-settings';
import { WebhooksSection } from './webhooks';

type Section = 'venue' | 'people' | 'api-keys' | 'webhooks' | 'emails';

/** Settings: each tab only for the roles that may see it (CONTRACT §8 scopes). */
export function SettingsPage({ section }: { section: Section | null }) {
  const { can } = useSession();
  const tabs: { id: Section; label: string; allowed: boolean; who: string }[] = [
    { id: 'venue', label: 'Venue', allowed: can('venue:read'), who: 'staff of the venue' },
    { id: 'people', label: 'People', allowed: can('users:manage'), who: 'owners' },
    { id: 'api-keys', label: 'API keys', allowed: can('keys:read'), who: 'owners and managers' },
    { id: 'webhooks', label: 'Webhooks', allowed: can('webhooks:read'), who: 'owners and managers' },
    { id: 'emails', label: 'Emails', allowed: can('customers:read'), who: 'staff who see guests' },
  ];
  const open = tabs.filter((t) => t.allowed);
  const current = section ?? open[0]?.id ?? null;
  const tab = tabs.find((t) => t.id === current);

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
      {tab && !tab.allowed && <NotAllowed what={tab.label.toLowerCase()} who={tab.who} />}
      {tab?.allowed && current === 'venue' && <VenueSettingsSection />}
      {tab?.allowed && current === 'people' && <PeopleSection />}
      {tab?.allowed && current === 'api-keys' && <ApiKeysSection />}
      {tab?.allowed && current === 'webhooks' && <WebhooksSection />}
      {tab?.allowed && current === 'emails' && <EmailsSection />}
      {current === null && <p class="card notice">Your role has no settings to change. Ask your venue owner for anything here.</p>}
    </section>
  );
}

function NotAllowed({ what, who }: { what: string; who: string }) {
  return <p class="card notice" role="note">Only {who} can see the venue’s {what}.</p>;
}
