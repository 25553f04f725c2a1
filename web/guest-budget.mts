import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** The guests' pages' JavaScript budget (issue 14): under 60 KB gzipped, or the build fails. */
export const GUEST_JS_BUDGET_BYTES = 60 * 1024;

/** `GUEST_JS_BUDGET_BYTES` may only lower the budget (the test that the build fails above it sets it). */
function budgetFromEnv(): number {
  const n = Number(process.env.GUEST_JS_BUDGET_BYTES);
  return Number.isInteger(n) && n > 0 ? Math.min(n, GUEST_JS_BUDGET_BYTES) : GUEST_JS_BUDGET_BYTES;
}

interface Chunk {
  type: 'chunk';
  fileName: string;
  code: string;
  imports: string[];
  dynamicImports: string[];
  facadeModuleId: string | null;
  isEntry: boolean;
}

/**
 * Measures, in the build, the gzipped size of every JavaScript chunk the guest entry (guest.html) loads —
 * its entry chunk and all it imports, statically or dynamically — prints it, writes it to
 * dist/guest-budget.json, and fails the build when it is over the budget.
 */
export function guestBudget(entryHtml = 'guest.html', budgetBytes = budgetFromEnv()): Plugin {
  return {
    name: 'tablesync-guest-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((c): c is Chunk & typeof c => c.type === 'chunk') as unknown as Chunk[];
      const byName = new Map(chunks.map((c) => [c.fileName, c]));
      const entry = chunks.find((c) => c.isEntry && (c.facadeModuleId ?? '').endsWith(entryHtml));
      if (!entry) this.error(`guest budget: no entry chunk for ${entryHtml}`);
      const seen = new Set<string>();
      const visit = (name: string) => {
        if (seen.has(name)) return;
        seen.add(name);
        const c = byName.get(name);
        for (const next of [...(c?.imports ?? []), ...(c?.dynamicImports ?? [])]) visit(next);
      };
      visit(entry!.fileName);
      const files = [...seen].map((name) => ({ name, gzip: gzipSync(byName.get(name)?.code ?? '', { level: 9 }).length }));
      const total = files.reduce((sum, f) => sum + f.gzip, 0);
      const line = `guest pages JS: ${(total / 1024).toFixed(1)} KB gzipped (budget ${budgetBytes / 1024} KB): ${files.map((f) => `${f.name} ${(f.gzip / 1024).toFixed(1)} KB`).join(', ')}`;
      this.emitFile({ type: 'asset', fileName: 'guest-budget.json', source: JSON.stringify({ total_gzip_bytes: total, budget_bytes: budgetBytes, files }, null, 2) });
      if (total > budgetBytes) this.error(`${line}: over budget`);
      console.log(line);
    },
  };
}
