// ESLint (flat config) with typescript-eslint. Import boundaries follow ../shared/ARCHITECTURE.md:
// adapters see only adapters/types.ts and Node built-ins; modules, surfaces and the platform as in §H.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

import layout from './eslint/layout-plugin.cjs';

const PROCESS_ENV = { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Only src/platform/config.ts reads process.env.' };

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', '**/*.js', '**/*.mjs', '**/*.cjs'] },
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
  // ARCHITECTURE §H (eslint/layout-plugin.cjs): a module's insides are imported only from inside it (others use
  // its index.ts); modules and the platform never import surfaces; only the composition root, platform/jobs/
  // and the Redis factory build BullMQ workers/queues, Redis clients and the session pool. The web app (web/src/)
  // imports nothing of src/ but the dependency-free data files the rule lists (LEAVES: the booking status machine).
  {
    files: ['src/**/*.ts', 'web/src/**/*.{ts,tsx}'],
    plugins: { layout },
    rules: { 'layout/boundaries': 'error' },
  },
  {
    // The booking rules take an EntityManager; HTTP, queues and Redis are the surfaces' and the platform's.
    files: ['src/modules/{diary,customers,sales,venues,api-keys}/**/*.ts'],
    // The diary's scheduled job (a BullMQ worker through platform/jobs createWorker) is a process, not a rule.
    ignores: ['src/modules/diary/request-expiry.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['express', 'bullmq', 'ioredis'], message: 'The diary, customers, sales, venues and api-keys modules take an EntityManager; they never import HTTP, queues or Redis.' },
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
);
