/**
 * `npm run test:faults`: the fault suite (issue 18). Real processes of the compiled app (built in the global
 * setup when stale), private Redis servers and a Redis Cluster; one file at a time, each printing one line
 * of figures. Whole suite bounded (each test has its own time limit).
 */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/faults'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: '<rootDir>/test/faults/global-setup.ts',
  testTimeout: 180000,
  maxWorkers: 1,
};
