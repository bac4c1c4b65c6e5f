/**
 * Mutation testing of the modules the unit tests import directly (`npm run test:mutation`; not part
 * of CI: it takes tens of minutes). StrykerJS 9.6 (10.x needs Node 22; the project supports 20),
 * its jest runner on the project's ESM jest setup (the workers get --experimental-vm-modules, as
 * `npm test` does), and its TypeScript checker to drop mutants that do not compile.
 * Concurrency 1: the machines that run it are shared. The report: reports/mutation/ (not committed).
 */
const UNIT_TESTS = [
  'test/core/manifest.test.ts',
  'test/core/config.test.ts',
  'test/core/script.test.ts',
  'test/cluster/slot.test.ts',
  'test/bench/histogram.test.ts',
  'test/bench/verdict.test.ts',
  'test/lint/rules.test.ts',
  'test/lint/options.test.ts',
  'test/lint/metadata.test.ts',
  'test/lint/format.test.ts',
  'test/lint/library.test.ts',
  'test/lint/seed.test.ts',
];

export default {
  packageManager: 'npm',
  testRunner: 'jest',
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    config: { testMatch: UNIT_TESTS.map((file) => `<rootDir>/${file}`) },
    enableFindRelatedTests: false,
  },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  coverageAnalysis: 'perTest',
  concurrency: 1,
  mutate: [
    'src/manifest/manifest.ts',
    'src/manifest/plan.ts',
    'src/lint/analysis.ts',
    'src/lint/rules/*.ts',
    '!src/lint/rules/index.ts',
    '!src/lint/rules/rule.ts',
    'src/bench/histogram.ts',
    'src/bench/verdict.ts',
    'src/server/slot.ts',
    'src/registry/script.ts',
    'src/config/load.ts',
  ],
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  // Later runs test again only the mutants whose code or covering tests changed.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
