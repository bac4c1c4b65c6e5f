/** jest runs the TypeScript sources as ESM (see the README's "Development" section). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Every rscript the tests start writes its lint cache here, never in the user's cache folder: the
// workers and their children inherit this environment.
process.env.RSCRIPT_CACHE_DIR ??= mkdtempSync(join(tmpdir(), 'rscript-jest-cache-'));

export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1', '^rscript$': '<rootDir>/src/index.ts' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testTimeout: 30000,
};
