import { useSession } from '../session';

/** A page of the app that is not built yet: says so plainly. */
export function ComingNext({ title, text }: { title: string; text: string }) {
  const { can } = useSession();
  return (
    <section>
      <h1>{title}</h1>
      <div class="card notice" role="note">
        <p><strong>Coming next.</strong> {text}</p>
        {can('keys:read') && <p class="muted small">Meanwhile, Settings has your venue’s {can('users:manage') ? 'people and ' : ''}API keys.</p>}
      </div>
    </section>
  );
}
