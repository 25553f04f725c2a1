import { diffLines } from 'diff';

/** A line diff of two mapping texts (jsdiff), as added/removed/kept lines with a text marker for each. */
export function VersionDiff({ before, after, label }: { before: string; after: string; label: string }) {
  const parts = diffLines(before, after);
  const changed = parts.some((p) => p.added || p.removed);
  if (!changed) return <p class="muted small" role="status">No difference.</p>;
  let added = 0;
  let removed = 0;
  for (const p of parts) {
    if (p.added) added += p.count ?? 0;
    if (p.removed) removed += p.count ?? 0;
  }
  return (
    <figure class="diff">
      <figcaption class="small">{label}: <span class="diff-add">+{added}</span> <span class="diff-del">−{removed}</span> lines</figcaption>
      <pre class="code" tabIndex={0} aria-label={label}>
        {parts.flatMap((p, i) =>
          p.value.replace(/\n$/, '').split('\n').map((line, j) => (
            <span key={`${i}-${j}`} class={p.added ? 'diff-line diff-add' : p.removed ? 'diff-line diff-del' : 'diff-line'}>
              {p.added ? '+ ' : p.removed ? '- ' : '  '}{line}{'\n'}
            </span>
          )),
        )}
      </pre>
    </figure>
  );
}
