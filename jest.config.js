/** jest runs the TypeScript sources as ESM (see the README's "Development" section). */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// One folder of the system's temp folder per run, removed at its end (test/global-teardown.js): the
// workers and every process they start inherit TMPDIR, so whatever a test makes with os.tmpdir()
// (projects, servers' folders, caches) is in it, and a run leaves nothing behind in the system's.
// jest's own transform cache stays where it was, across runs.
const systemTmp = tmpdir();
if (!process.env.RSCRIPT_JEST_RUN_DIR) {
  process.env.RSCRIPT_JEST_RUN_DIR = mkdtempSync(join(systemTmp, 'rscript-jest-'));
  process.env.TMPDIR = process.env.RSCRIPT_JEST_RUN_DIR;
}
// Every rscript the tests start writes its lint cache here, never in the user's cache folder.
if (process.env.RSCRIPT_CACHE_DIR === undefined) {
  process.env.RSCRIPT_CACHE_DIR = join(process.env.RSCRIPT_JEST_RUN_DIR, 'cache');
  mkdirSync(process.env.RSCRIPT_CACHE_DIR, { recursive: true });
}

// The server under test (test/helpers/server-under-test.ts): its folder goes first on PATH, so that
// what the tests start without naming a binary (bench --sandbox's redis-server) is the same server.
if (process.env.RSCRIPT_TEST_SERVER?.includes('/')) {
  process.env.PATH = `${dirname(process.env.RSCRIPT_TEST_SERVER)}:${process.env.PATH}`;
}

export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1', '^rscript$': '<rootDir>/src/index.ts' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  cacheDirectory: join(systemTmp, `jest_rscript_${process.getuid?.() ?? 0}`),
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
  testTimeout: 30000,
  // At least two workers, even on two cores (jest's default there is one, in band): the tests spend
  // most of their time waiting for servers and child processes. Measured on the 2-core machine:
  // the whole suite took 270 s with two workers, against 338 s in band for 200 fewer tests.
  maxWorkers: Math.max(2, availableParallelism() - 1),
};
