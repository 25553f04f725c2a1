'use strict';
/**
 * eslint-plugin-layout (local): the import and construction rules of ARCHITECTURE §H, as `layout/boundaries`.
 *
 * 1. A module's insides are its own: code outside src/modules/<name>/ imports only the module's door
 *    (src/modules/<name>/index.ts), with no exception (the diary ↔ sales cycle is gone: the diary declares
 *    PickUpWaitingSales, sales implement it, so only sales import the diary).
 * 2. Modules and the platform never import a surface (src/surfaces/): surfaces call modules, not the other way.
 *    The platform (src/platform/) is below every module and imports none.
 * 3. Only the composition root and the platform's jobs/ and Redis factory construct infrastructure: BullMQ
 *    `Worker`, `Queue`, `QueueEvents` (from 'bullmq'), ioredis clients (`Redis`, `Cluster`) and the session pool
 *    (`SessionPool`). Names are checked by where they were imported from, so a node:worker_threads Worker is fine.
 * 4. The one narrow exception to 1 and 2: a few dependency-free data files of a module (LEAVES: they import
 *    nothing, which this rule checks) that the platform's entities (a column's type) and the web app (web/src/)
 *    import instead of keeping a copy. The web app imports nothing else of src/: it talks to the server over HTTP.
 *
 * Paths are taken relative to the linting cwd (the project root).
 */
const path = require('node:path');

const CONSTRUCTED = {
  bullmq: new Set(['Worker', 'Queue', 'QueueEvents']),
  ioredis: new Set(['Redis', 'Cluster', 'default']),
};
const SESSION_POOL = /(^|\/)platform\/db\/session-pool$/;
/**
 * The dependency-free data files (rule 4), without their extension: the booking status machine's data (web/src/booking-status.ts
 * offers its transitions; the booking entity types its column with it) and the inbound event statuses (the partner console's
 * filters and figures; the inbound event entity's column).
 */
const LEAVES = new Set(['src/modules/diary/booking-statuses', 'src/modules/partners/pipeline/event-statuses']);
const isLeaf = (rel) => LEAVES.has(rel.replace(/\.tsx?$/, ''));

const CONSTRUCTION_ALLOWED = [/^src\/composition-root\.ts$/, /^src\/platform\/jobs\//, /^src\/platform\/redis-connections\.ts$/];

/** 'src/modules/diary/x.ts' → { kind: 'module', name: 'diary', inner: 'x.ts' } */
function place(rel) {
  const parts = rel.split('/');
  if (parts[0] === 'web' && parts[1] === 'src') return { kind: 'web' };
  if (parts[0] !== 'src') return { kind: 'outside' };
  if (parts[1] === 'modules' && parts.length >= 3) return { kind: 'module', name: parts[2], inner: parts.slice(3).join('/') };
  if (parts[1] === 'surfaces') return { kind: 'surface' };
  if (parts[1] === 'platform') return { kind: 'platform' };
  return { kind: 'root' };
}

const isDoor = (inner) => inner === '' || inner === 'index' || inner === 'index.ts';

const boundaries = {
  meta: {
    type: 'problem',
    docs: { description: "ARCHITECTURE §H: import a module's door only; no surface from below; infrastructure built by the root" },
    schema: [],
    messages: {
      insides: "Import the {{module}} module's door (src/modules/{{module}}/index.ts), not its file {{inner}}; add what you need to the door.",
      surface: 'Modules and the platform never import a surface (src/surfaces/): surfaces call module doors.',
      platform: 'The platform is below every module: src/platform/ imports no module ({{module}}).',
      construct: 'Build {{name}} in src/composition-root.ts or src/platform/jobs/ (createWorker) and pass it in.',
      leaf: 'This file is imported by the platform and the web app (LEAVES in eslint/layout-plugin.cjs): it imports nothing.',
      web: 'The web app imports nothing of src/ but its dependency-free data files (LEAVES in eslint/layout-plugin.cjs): not {{target}}.',
    },
  },
  create(context) {
    const cwd = context.cwd ?? process.cwd();
    const filename = context.filename ?? context.getFilename();
    const rel = path.relative(cwd, filename).split(path.sep).join('/');
    const from = place(rel);
    if (from.kind === 'outside') return {};
    const constructed = new Map(); // local name → what it is

    function checkSource(node, spec) {
      if (typeof spec !== 'string') return;
      if (isLeaf(rel)) {
        context.report({ node, messageId: 'leaf' });
        return;
      }
      if (!spec.startsWith('.')) return;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(rel), spec));
      const to = place(target);
      if (from.kind === 'web') {
        if (target.startsWith('src/') && !isLeaf(target)) context.report({ node, messageId: 'web', data: { target } });
        return;
      }
      if (from.kind === 'platform' && isLeaf(target)) return;
      if (to.kind === 'surface' && (from.kind === 'module' || from.kind === 'platform')) {
        context.report({ node, messageId: 'surface' });
      } else if (to.kind === 'module') {
        if (from.kind === 'platform') context.report({ node, messageId: 'platform', data: { module: to.name } });
        else if (from.kind === 'module' && from.name === to.name) return;
        else if (isDoor(to.inner)) return;
        else context.report({ node, messageId: 'insides', data: { module: to.name, inner: to.inner } });
      }
    }

    return {
      ImportDeclaration(node) {
        const spec = node.source.value;
        checkSource(node.source, spec);
        if (node.importKind === 'type') return;
        const lib = CONSTRUCTED[spec];
        const pool = typeof spec === 'string' && SESSION_POOL.test(spec.replace(/\.ts$/, ''));
        for (const s of node.specifiers) {
          if (s.importKind === 'type') continue;
          const imported = s.type === 'ImportDefaultSpecifier' ? 'default' : s.type === 'ImportNamespaceSpecifier' ? '*' : s.imported.name;
          if (lib && (lib.has(imported) || imported === '*')) constructed.set(s.local.name, imported === '*' ? { ns: spec } : `${spec}'s ${imported === 'default' ? 'client' : imported}`);
          if (pool && (imported === 'SessionPool' || imported === '*')) constructed.set(s.local.name, imported === '*' ? { ns: 'session-pool' } : 'the session pool');
        }
      },
      ExportNamedDeclaration(node) { if (node.source) checkSource(node.source, node.source.value); },
      ExportAllDeclaration(node) { checkSource(node.source, node.source.value); },
      ImportExpression(node) { if (node.source.type === 'Literal') checkSource(node.source, node.source.value); },
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0] && node.arguments[0].type === 'Literal') {
          checkSource(node.arguments[0], node.arguments[0].value);
        }
      },
      NewExpression(node) {
        if (CONSTRUCTION_ALLOWED.some((re) => re.test(rel))) return;
        const c = node.callee;
        let what = null;
        if (c.type === 'Identifier' && typeof constructed.get(c.name) === 'string') what = constructed.get(c.name);
        else if (c.type === 'MemberExpression' && c.object.type === 'Identifier' && c.property.type === 'Identifier' && constructed.get(c.object.name)?.ns) {
          const lib = constructed.get(c.object.name).ns;
          if ((CONSTRUCTED[lib] && CONSTRUCTED[lib].has(c.property.name)) || (lib === 'session-pool' && c.property.name === 'SessionPool')) what = c.property.name;
        }
        if (what) context.report({ node, messageId: 'construct', data: { name: what } });
      },
    };
  },
};

module.exports = { meta: { name: 'eslint-plugin-layout' }, rules: { boundaries } };
