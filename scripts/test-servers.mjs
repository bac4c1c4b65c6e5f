#!/usr/bin/env node
// npm run test:servers: the server-facing tests (standalone, cluster, end-to-end CLI, runtime API,
// test/servers) once per server: the Redis on PATH (Debian's 7.0), Redis 8.0, Valkey 8.1 and 9.1.
// A server missing from the cache folder is built first by scripts/build-server.sh, one at a time
// (each build uses both cores: nothing else runs beside it), then the servers are tested one after
// the other (jest's two workers per server), and a table says which test file passed on which server.
//
// Time, measured 2026-12-04 on the 2-core machine, shared with six other sessions (load average
// 16-21): builds (scripts/build-server.sh, make -j2) took 1m09s for Redis 8.0.2 and 2m01s for
// Valkey 8.1.1 while the machine was still quiet, 12m16s for Valkey 9.1.2 under that load. The
// matrix below took 54m40s wall for four servers (531 s, 841 s, 879 s, 1026 s) but only 9m35s of
// CPU (user 6m14s + sys 3m21s): its wall time is waiting for the CPU. On a quiet machine that is
// about 5-10 min of tests + about 5 min of builds + .ci/run's install and unit tests, which is how
// the subset was chosen to fit 20 min: test/lua (the repository's scripts, through the runtime API
// test/runtime covers), test/faults, test/security and the unit tests run on PATH's server only.
// Measured end to end on 2026-12-04: the whole .ci/run took 15 min 49 s with the servers in the cache
// (npm test about 6 min, then 183, 168 and 172 s for the three built servers).
//
//   node scripts/test-servers.mjs [--only redis-8.0.2,valkey-9.1.2] [--no-build] [--build-only]
//                                 [--path-report FILE] [--markdown FILE] [-- extra jest arguments]
// --no-build: skip (and say so) a server that is not built yet. --build-only: build what is missing,
// test nothing. --path-report: the jest --json report of a run on the Redis on PATH that included
// these files (.ci/run's npm test): its column is read from there, not run again. --markdown: also
// write the tables as Markdown (the matrix of docs/servers.md). Exit 1 when a test failed anywhere.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The servers of the matrix: `path` is the redis-server on PATH, the others are built. */
const SERVERS = [
  { id: 'path', flavour: 'redis' },
  { id: 'redis-8.0.2', flavour: 'redis', version: '8.0.2' },
  { id: 'valkey-8.1.1', flavour: 'valkey', version: '8.1.1' },
  { id: 'valkey-9.1.2', flavour: 'valkey', version: '9.1.2' },
];

/** The test files run on every server, and the commands each one proves (for the command table). */
const FILES = {
  'test/commands/load.integration.test.ts': ['load'],
  'test/commands/exec.integration.test.ts': ['exec'],
  'test/commands/exists-flush.integration.test.ts': ['exists', 'flush'],
  'test/commands/kill.integration.test.ts': ['kill'],
  'test/cli/errors.e2e.test.ts': ['load', 'exec', 'exists'],
  'test/cli/json-help.e2e.test.ts': ['load', 'exec', 'exists', 'flush'],
  'test/cli/secrets.e2e.test.ts': ['load', 'exec'],
  'test/commands/bench.e2e.test.ts': ['bench'],
  'test/commands/bench-sandbox.e2e.test.ts': ['bench --sandbox', 'exec --sandbox'],
  'test/cluster/cluster.integration.test.ts': ['cluster: load, exec, exists, flush, kill'],
  'test/cluster/auth.integration.test.ts': ['cluster: load, exec, exists, flush, kill'],
  'test/cluster/bench-routing.integration.test.ts': ['cluster: bench'],
  'test/cluster/failed-node.integration.test.ts': ['cluster: load, exec, exists, flush, kill'],
  'test/cluster/tls.integration.test.ts': ['cluster: load, exec, exists, flush, kill'],
  'test/runtime/runtime.test.ts': ['runtime API (Scripts.run)'],
  'test/servers/identity.test.ts': ['load', 'exists', 'bench'],
  'test/servers/eviction.test.ts': ['exists', 'runtime API (Scripts.run)'],
  'test/servers/script-show.test.ts': ['exec', 'exists', 'info --server-copy'],
  'test/servers/no-lua.test.ts': ['load', 'exec', 'exists', 'bench', 'flush'],
  'test/functions/functions.integration.test.ts': ['functions: load, exec (FCALL), exists, flush, dump, restore'],
  'test/functions/functions-bench.e2e.test.ts': ['functions: bench, exec --sandbox'],
  'test/functions/functions-cluster.integration.test.ts': ['cluster: functions'],
  'test/spec/runner.e2e.test.ts': ['test'],
  'test/registry/include.e2e.test.ts': ['load, exec with includes'],
  'test/gen/gen-ts.test.ts': ['gen ts (generated module against the server)'],
};

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash < 0 ? argv : argv.slice(0, dash);
const jestExtra = dash < 0 ? [] : argv.slice(dash + 1);
const flag = (name) => {
  const i = own.indexOf(name);
  return i < 0 ? undefined : (own[i + 1] ?? '');
};
const only = flag('--only')?.split(',').filter(Boolean);
const noBuild = own.includes('--no-build');
const markdown = flag('--markdown');
const buildOnly = own.includes('--build-only');
const pathReport = flag('--path-report');
const log = (line) => process.stderr.write(`test:servers: ${line}\n`);
const seconds = (ms) => `${Math.round(ms / 1000)} s`;

const cache =
  process.env.RSCRIPT_SERVER_CACHE ??
  join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'rscript', 'servers');
const chosen = SERVERS.filter((s) => !only || only.includes(s.id));
if (chosen.length === 0) {
  log(`--only names none of ${SERVERS.map((s) => s.id).join(', ')}`);
  process.exit(2);
}

// 1. The servers: PATH's, and the built ones (built now when missing, one at a time).
const timings = [];
for (const server of chosen) {
  if (server.id === 'path') {
    const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
    if (probe.error) {
      server.skip = 'no redis-server on PATH (Debian: apt-get install redis-server redis-tools)';
      continue;
    }
    server.bin = 'redis-server';
  } else {
    const bin = join(cache, server.id, 'bin', 'redis-server');
    if (!existsSync(bin)) {
      if (noBuild) {
        server.skip = `not built (scripts/build-server.sh ${server.flavour} ${server.version})`;
        continue;
      }
      log(`building ${server.id} (scripts/build-server.sh ${server.flavour} ${server.version})`);
      const started = Date.now();
      const built = spawnSync(join(repo, 'scripts', 'build-server.sh'), [server.flavour, server.version], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      timings.push(`build ${server.id}: ${seconds(Date.now() - started)}`);
      if (built.status !== 0 || !existsSync(bin)) {
        server.skip = `the build failed (scripts/build-server.sh ${server.flavour} ${server.version})`;
        continue;
      }
    }
    server.bin = bin;
  }
  const version = spawnSync(server.bin, ['--version'], { encoding: 'utf8' }).stdout ?? '';
  const m = /^(Redis|Valkey) server v=(\S+)/.exec(version);
  server.name = m ? `${m[1]} ${m[2]}` : server.id;
}

if (buildOnly) {
  for (const t of timings) console.log(t);
  const failedBuilds = chosen.filter((s) => s.skip && s.id !== 'path');
  for (const s of failedBuilds) console.log(`not built: ${s.id}: ${s.skip}`);
  process.exit(failedBuilds.length > 0 ? 1 : 0);
}

// 2. The tests, one server after the other.
const files = Object.keys(FILES).filter((f) => existsSync(join(repo, f)));
const results = new Map(); // server name -> Map(file -> 'pass' | 'FAIL' | 'skip')
const out = mkdtempSync(join(tmpdir(), 'rscript-test-servers-'));
let failed = false;
try {
  for (const server of chosen) {
    if (server.skip) {
      log(`${server.name ?? server.id}: skipped, ${server.skip}`);
      failed = true;
      continue;
    }
    const reused = server.id === 'path' && pathReport !== undefined;
    const report = reused ? pathReport : join(out, `${server.id}.json`);
    let status = 0;
    if (reused) {
      log(`${server.name}: read from ${pathReport}`);
    } else {
      log(`${server.name}: ${files.length} test files`);
      const started = Date.now();
      const env = {
        ...process.env,
        NODE_OPTIONS: '--experimental-vm-modules --disable-warning=ExperimentalWarning',
        RSCRIPT_TEST_SERVER: server.bin,
      };
      const run = spawnSync(
        process.execPath,
        [
          join(repo, 'node_modules', 'jest', 'bin', 'jest.js'),
          '--json',
          `--outputFile=${report}`,
          ...jestExtra,
          ...files,
        ],
        {
          cwd: repo,
          env,
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
      status = run.status ?? 1;
      timings.push(`tests on ${server.name}: ${seconds(Date.now() - started)}`);
    }
    const byFile = new Map(files.map((f) => [f, 'not run']));
    if (existsSync(report)) {
      const json = JSON.parse(readFileSync(report, 'utf8'));
      for (const r of json.testResults) {
        const file = relative(repo, r.name);
        if (!byFile.has(file)) continue;
        const skipped =
          r.assertionResults.length > 0 &&
          r.assertionResults.every((a) => a.status === 'pending' || a.status === 'skipped');
        // jest says `focused`, not `passed`, for a file with a skipped describe: the tests decide.
        const broken =
          r.status === 'failed' ||
          r.assertionResults.some((a) => a.status === 'failed') ||
          r.assertionResults.length === 0;
        byFile.set(file, broken ? 'FAIL' : skipped ? 'skip' : 'pass');
      }
    }
    if (status !== 0 || [...byFile.values()].some((v) => v === 'FAIL' || v === 'not run')) failed = true;
    results.set(server.name, byFile);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}

// 3. The tables: test file x server, then command x server (a command passes where every file that
// proves it passes).
const names = [...results.keys()];
const fileRows = files.map((f) => [f, ...names.map((n) => results.get(n).get(f))]);
const commands = [...new Set(files.flatMap((f) => FILES[f]))];
const commandRows = commands.map((c) => [
  c,
  ...names.map((n) => {
    const states = files.filter((f) => FILES[f].includes(c)).map((f) => results.get(n).get(f));
    return states.some((s) => s !== 'pass' && s !== 'skip')
      ? 'FAIL'
      : states.every((s) => s === 'skip')
        ? 'skip'
        : 'pass';
  }),
]);
const text = (head, rows) => {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
};
const md = (head, rows) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join(
    '\n',
  );
console.log(text(['test file', ...names], fileRows));
console.log();
console.log(text(['command', ...names], commandRows));
console.log();
for (const t of timings) console.log(t);
for (const s of chosen.filter((x) => x.skip)) console.log(`skipped ${s.id}: ${s.skip}`);
if (markdown) {
  const date = new Date().toISOString().slice(0, 10);
  writeFileSync(
    markdown,
    `Measured ${date} by \`npm run test:servers\`.\n\n${md(['command', ...names], commandRows)}\n\n${md(['test file', ...names], fileRows)}\n`,
  );
  log(`tables written to ${markdown}`);
}
process.exit(failed ? 1 : 0);
