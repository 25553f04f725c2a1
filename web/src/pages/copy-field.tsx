import { useState } from 'preact/hooks';

/** A read-only value (a key, a link) with a copy button; selecting by hand works where copying cannot. */
export function CopyField({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState<string | null>(null);
  const id = `copy-${label.toLowerCase().replace(/\W+/g, '-')}`;
  const copy = () => {
    if (!navigator.clipboard) {
      setCopied('Select the text and copy it.');
      return;
    }
    navigator.clipboard.writeText(value).then(
      () => setCopied('Copied.'),
      () => setCopied('Copying is blocked here: select the text and copy it.'),
    );
  };
  return (
    <div class="copy-field">
      <label for={id}>{label}</label>
      <div class="copy-row">
        <input id={id} readOnly value={value} onFocus={(e) => (e.target as HTMLInputElement).select()} />
        <button type="button" onClick={copy}>Copy</button>
      </div>
      {copied && <p class="muted small" role="status">{copied}</p>}
    </div>
  );
}
