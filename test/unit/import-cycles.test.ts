import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The import graph of src/ has no cycle between files, and none between module folders (sales depend on the
 * diary's door; the diary picks up waiting sales through its PickUpWaitingSales port, never importing sales). The graph
 * is the one Node loads: `import type` and imports of types only are erased by the compiler and left out;
 * `import()` and `require()` count.
 */

const ROOT = path.join(__dirname, '..', '..');
const SRC = path.join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

function resolve(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base + '.ts', path.join(base, 'index.ts'), base]) if (c.endsWith('.ts') && existsSync(c) && statSync(c).isFile()) return c;
  return null;
}

/** The relative modules a file loads at run time. */
export function runtimeImports(file: string, text = readFileSync(file, 'utf8')): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const specs: string[] = [];
  const typeOnly = (clause: ts.ImportClause | undefined): boolean => {
    if (!clause) return false; // import './x': loaded for its effects
    if (clause.isTypeOnly) return true;
    if (clause.name) return false;
    const b = clause.namedBindings;
    return Boolean(b && ts.isNamedImports(b) && b.elements.length > 0 && b.elements.every((e) => e.isTypeOnly));
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!typeOnly(node.importClause)) specs.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const c = node.exportClause;
      const onlyTypes = node.isTypeOnly || Boolean(c && ts.isNamedExports(c) && c.elements.length > 0 && c.elements.every((e) => e.isTypeOnly));
      if (!onlyTypes) specs.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      const dynamic = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const required = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if (dynamic || required) specs.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node)) {
      return; // import('x').T in a type position
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return specs.filter((s) => s.startsWith('.')).map((s) => resolve(file, s)).filter((p): p is string => p !== null);
}

/** Strongly connected components with more than one node (Tarjan), each sorted, sorted. */
export function cycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v)?.has(v)) out.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) strong(v);
  return out.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** The folder a file belongs to: modules/<name>, surfaces/<name>, platform, the root files, or outside src/ (adapters/, migrations/). */
function folderOf(file: string): string {
  const parts = path.relative(SRC, file).split(path.sep);
  if (parts[0] === '..') return path.relative(ROOT, file).split(path.sep)[0]!;
  if ((parts[0] === 'modules' || parts[0] === 'surfaces') && parts.length > 2) return `${parts[0]}/${parts[1]}`;
  if (parts[0] === 'surfaces') return 'surfaces';
  if (parts[0] === 'platform') return 'platform';
  return 'root';
}

const rel = (p: string) => path.relative(ROOT, p);

describe('the import graph of src/', () => {
  const files = sourceFiles(SRC).sort();
  const graph = new Map(files.map((f) => [f, new Set(runtimeImports(f))]));

  it('finds the imports Node loads (checked on a sample: value, type-only, dynamic, require)', () => {
    const here = path.join(SRC, 'modules', 'diary', 'sample.ts');
    const text = [
      "import { a } from './availability';",
      "import type { B } from './booking-lifecycle';",
      "import { type C } from './booking-writer';",
      "export { d } from './change-status';",
      "export type { E } from './create-booking';",
      "const f = () => import('./diary-store');",
      "const g = require('./diary-locks');",
      "type H = import('./load-booking').H;",
    ].join('\n');
    expect(runtimeImports(here, text).map((p) => path.basename(p)).sort()).toEqual(['availability.ts', 'change-status.ts', 'diary-locks.ts', 'diary-store.ts']);
  });

  it('finds a cycle when there is one (the checker itself)', () => {
    const g = new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])], ['d', new Set(['a'])]]);
    expect(cycles(g)).toEqual([['a', 'b', 'c']]);
    expect(cycles(new Map([['a', new Set(['b'])], ['b', new Set<string>()]]))).toEqual([]);
  });

  it('reads the whole tree (the graph is not empty)', () => {
    expect(files.length).toBeGreaterThan(150);
    expect([...graph.values()].reduce((n, s) => n + s.size, 0)).toBeGreaterThan(500);
  });

  it('has no cycle between files', () => {
    expect(cycles(graph).map((c) => c.map(rel))).toEqual([]);
  });

  it('has no cycle between module folders', () => {
    const folders = new Map<string, Set<string>>();
    const why = new Map<string, string>();
    for (const [file, deps] of graph) {
      const a = folderOf(file);
      if (!folders.has(a)) folders.set(a, new Set());
      for (const d of deps) {
        const b = folderOf(d);
        if (a === b) continue;
        folders.get(a)!.add(b);
        if (!why.has(`${a} → ${b}`)) why.set(`${a} → ${b}`, `${rel(file)} → ${rel(d)}`);
      }
    }
    const found = cycles(folders);
    // On failure, the edges that close each cycle, with one import of each.
    const explained = found.map((c) => c.flatMap((a) => c.filter((b) => folders.get(a)!.has(b)).map((b) => `${a} → ${b} (${why.get(`${a} → ${b}`)})`)));
    expect({ cycles: found, explained }).toEqual({ cycles: [], explained: [] });
  });
});
