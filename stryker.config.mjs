/**
 * Mutation testing of the modules the unit tests import directly (`npm run test:mutation`, or one
 * module: `STRYKER_MODULE=slot npm run test:mutation`; not part of CI).
 *
 * StrykerJS 9.6 (10.x needs Node 22; the project supports 20), its jest runner on the project's ESM
 * jest setup (the workers get --experimental-vm-modules, as `npm test` does), and its TypeScript
 * checker, which drops the mutants that do not compile. Concurrency 1: the machines that run it are
 * shared. Measured on the 2 shared cores of a loaded machine (load average near 20): about 13 s a
 * mutant, so the 2,554 mutants of every module take hours; run one module at a time. The report is
 * reports/mutation/ (not committed); `incremental` tests again only the mutants whose code or
 * covering tests changed since the last run.
 */
const MODULES = {
  manifest: {
    mutate: ['src/manifest/manifest.ts', 'src/manifest/plan.ts'],
    tests: ['test/manifest/manifest.test.ts', 'test/manifest/plan.test.ts'],
  },
  lint: {
    mutate: ['src/lint/analysis.ts', 'src/lint/rules/*.ts', '!src/lint/rules/index.ts', '!src/lint/rules/rule.ts'],
    tests: [
      'test/lint/rules.test.ts',
      'test/lint/options.test.ts',
      'test/lint/metadata.test.ts',
      'test/output/lint.test.ts',
      'test/lint/library.test.ts',
      'test/lint/seed.test.ts',
      'test/lint/analysis.test.ts',
      'test/lint/analysis-cases.test.ts',
      'test/lint/rule-reports.test.ts',
      'test/lint/rule-cases.test.ts',
    ],
  },
  bench: {
    mutate: ['src/bench/histogram.ts', 'src/bench/verdict.ts'],
    tests: ['test/bench/histogram.test.ts', 'test/bench/verdict.test.ts', 'test/bench/rows.test.ts'],
  },
  slot: { mutate: ['src/redis/slot.ts'], tests: ['test/redis/slot.test.ts'] },
  script: { mutate: ['src/registry/script.ts'], tests: ['test/registry/script.test.ts'] },
  config: { mutate: ['src/config/load.ts'], tests: ['test/config/config.test.ts'] },
};

const chosen = process.env.STRYKER_MODULE ? process.env.STRYKER_MODULE.split(',') : Object.keys(MODULES);
for (const name of chosen) {
  if (!MODULES[name]) throw new Error(`STRYKER_MODULE: no module ${name} (one of ${Object.keys(MODULES).join(', ')})`);
}
const pick = (field) => [...new Set(chosen.flatMap((name) => MODULES[name][field]))];
// Part of a module, for one too large to run whole (lint: STRYKER_MUTATE=src/lint/rules/reply.ts,
// or a line range, src/lint/analysis.ts:1-200): its tests stay the module's.
const part = process.env.STRYKER_MUTATE ? process.env.STRYKER_MUTATE.split(',') : undefined;
const suffix =
  (process.env.STRYKER_MODULE ? `-${chosen.join('-')}` : '') +
  (part
    ? `-${part
        .map((file) =>
          file
            .replace(/^src\//, '')
            .replace(/\.ts/, '')
            .replace(/[^\w-]+/g, '_'),
        )
        .join('-')}`
    : '');

export default {
  packageManager: 'npm',
  testRunner: 'jest',
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    config: { testMatch: pick('tests').map((file) => `<rootDir>/${file}`) },
    enableFindRelatedTests: false,
  },
  checkers: ['typescript'],
  // The mutated modules and what they import, not the tests: the checker re-checks every file that
  // imports a mutated one, and the whole project made that most of a mutant's time.
  tsconfigFile: 'tsconfig.mutation.json',
  coverageAnalysis: 'perTest',
  // Every covering test runs (they take milliseconds; the start of jest is the cost): the report then
  // names each test that kills a mutant, so the score without some tests can be read from it.
  disableBail: true,
  // A loaded machine made mutants of straight-line code time out (a timeout counts as killed).
  timeoutMS: 10000,
  concurrency: 1,
  mutate: part ?? pick('mutate'),
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `reports/mutation/mutation${suffix}.json` },
  thresholds: { high: 90, low: 80, break: null },
  incremental: true,
  incrementalFile: `reports/stryker-incremental${suffix}.json`,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
