/** Times, counts and JSON as the console shows them. Operators work across venues: times are in the browser's zone. */

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso));
}

export function shortWhen(iso: string): string {
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return new Intl.DateTimeFormat(undefined, today ? { timeStyle: 'medium' } : { dateStyle: 'short', timeStyle: 'short' }).format(d);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/**
 * JSON text re-indented without parsing it: numbers, escapes and key order stay exactly as sent (a parse
 * would round ids beyond 2^53). Text that is not JSON comes back unchanged.
 */
export function reindentJson(text: string): string {
  const s = text.trim();
  if (!s.startsWith('{') && !s.startsWith('[')) return text;
  let out = '';
  let depth = 0;
  let inString = false;
  const nl = () => `\n${'  '.repeat(depth)}`;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (inString) {
      out += ch;
      if (ch === '\\') out += s[++i] ?? '';
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch === '{' || ch === '[') {
      const close = ch === '{' ? '}' : ']';
      let j = i + 1;
      while (j < s.length && /\s/.test(s[j]!)) j++;
      if (s[j] === close) {
        out += ch + close;
        i = j;
      } else {
        depth++;
        out += ch + nl();
      }
    } else if (ch === '}' || ch === ']') {
      depth = Math.max(0, depth - 1);
      out += nl() + ch;
    } else if (ch === ',') out += `,${nl()}`;
    else if (ch === ':') out += ': ';
    else if (!/\s/.test(ch)) out += ch;
  }
  return inString || depth !== 0 ? text : out;
}

/** Line and column (1-based) of an offset in a text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}
