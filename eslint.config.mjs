// ESLint (flat config) with typescript-eslint. Import boundaries follow ../shared/ARCHITECTURE.md:
// adapters see only adapters/types.ts and Node built-ins; the domain never touches HTTP, queues or Redis.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const PROCESS_ENV = { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Only src/platform/config.ts reads process.env.' };

// Queues, workers, Redis clients and the session pool are built by the composition root (or jobs/ and the
// Redis connection factory it calls) and passed in, so every connection is counted and closed in one place.
const CONSTRUCTED = '/^(Worker|Queue|QueueEvents|Redis|Cluster|SessionPool)$/';
const CONSTRUCTION_MESSAGE = 'Build BullMQ workers/queues, Redis clients and the session pool in src/composition-root.ts or src/platform/jobs/ (createWorker) and pass them in.';
const CONSTRUCTIONS = [
  { selector: `NewExpression[callee.name=${CONSTRUCTED}]`, message: CONSTRUCTION_MESSAGE },
  { selector: `NewExpression[callee.property.name=${CONSTRUCTED}]`, message: CONSTRUCTION_MESSAGE },
];
const CONSTRUCTION_ALLOWED = ['src/composition-root.ts', 'src/platform/jobs/**', 'src/platform/redis-connections.ts'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['adapters/**/*.ts'],
    // types.ts is the one door from adapters to pure core helpers (lossless JSON, signature helpers).
    ignores: ['adapters/types.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['typeorm', 'express', 'bullmq', 'ioredis', 'pino', 'mysql2', 'mysql2/*'], message: 'Adapters are pure: Node built-ins and adapters/types.ts only.' },
          { group: ['../../src/*', '../src/*'], message: 'Adapters import only adapters/types.ts (and pure shared helpers re-exported there).' },
        ],
      }],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['express', 'bullmq', 'ioredis', '**/http/*', '**/http/**'], message: 'Domain code takes an EntityManager; it never imports HTTP (its input types live beside it), queues or Redis.' },
          { group: ['**/pipeline/*', '**/pipeline/**', '**/ingest/*', '**/ingest/**'], message: 'Domain code never imports the worker pipeline or the ingest edge; they call the domain, not the other way.' },
        ],
      }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/composition-root.ts', 'src/platform/config.ts', 'src/main.ts'],
    rules: {
      'no-restricted-syntax': ['error', PROCESS_ENV],
    },
  },
  // Flat config replaces (does not merge) a rule's options per file, so files under both rules list both.
  {
    files: ['src/**/*.ts'],
    ignores: [...CONSTRUCTION_ALLOWED, 'src/platform/config.ts', 'src/main.ts'],
    rules: {
      'no-restricted-syntax': ['error', PROCESS_ENV, ...CONSTRUCTIONS],
    },
  },
  {
    files: ['src/platform/config.ts', 'src/main.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...CONSTRUCTIONS],
    },
  },
);
