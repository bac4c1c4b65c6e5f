/**
 * `npm run bench:cli`: whole rscript processes timed next to a reference, on this machine, in one run.
 *
 * Generates the scripts in a temp folder, starts a throwaway redis-server (loopback, free port, no
 * persistence), runs each case and its reference alternately several times, and prints a table (case,
 * medians, ratio, target, pass/fail) or, with `--json`, one JSON document. The server and the temp
 * files are removed at the end. A benchmark, not a test: the numbers belong to the machine, so the
 * targets are ratios to a reference measured in the same run, or budgets of the issue that set them.
 *
 *   npm run bench:cli -- [--runs 21] [--load-runs 5] [--scripts 10000] [--json]
 *
 * Cases marked "cold" empty the lint cache before each run (the linter itself is timed); "lint cache
 * warm" cases find what the case's warm-up runs left, as a repeated `rscript lint` does. Every case
 * runs with the compiled code its warm-up runs saved (src/launch.ts), as every run of an installed
 * rscript but its first does; the "first run" cases remove it too, and report without a target.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sha1hex } from '../src/registry/script.js';
import { startRedis, type TestServer } from '../test/helpers/redis-server.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** One process to time: what to run, where, and what it reads on stdin. */
interface Command {
  label: string;
  file: string;
  args: string[];
  cwd: string;
  /** A file fed to stdin (redis-cli --pipe). */
  stdin?: string;
  /** Exit codes that count as success (a lint that finds problems exits 1). */
  okCodes?: number[];
  /** Untimed work before each run: empty the script cache, delete the manifest. */
  prepare?: () => void;
}

interface Target {
  /** rscript's median over the reference's median. */
  maxRatio?: number;
  /** rscript's median, in ms. */
  maxMs?: number;
}

interface Case {
  name: string;
  rscript: Command;
  reference: Command;
  target: Target;
  runs: number;
  /** Shown instead of a verdict when the case cannot run (a command that does not exist yet). */
  skip?: string;
}

export interface CaseResult {
  case: string;
  rscript: string;
  reference: string;
  rscript_median_ms: number | null;
  reference_median_ms: number | null;
  /** The median of the ratios of paired runs (each rscript run with the reference run beside it). */
  ratio: number | null;
  target: string;
  pass: boolean | null;
  runs: number;
  rscript_ms: number[];
  reference_ms: number[];
  note?: string;
}

/** The median of a non-empty sample (the mean of the middle two for an even count). */
export function median(sample: number[]): number {
  const s = [...sample].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Whether medians meet a target; every bound given must hold. */
export function meets(target: Target, rscriptMs: number, ratio: number): boolean {
  return (
    (target.maxRatio === undefined || ratio <= target.maxRatio) &&
    (target.maxMs === undefined || rscriptMs <= target.maxMs)
  );
}

export function describeTarget(target: Target): string {
  const parts: string[] = [];
  if (target.maxRatio !== undefined) parts.push(`<= ${target.maxRatio}x`);
  if (target.maxMs !== undefined) parts.push(`<= ${target.maxMs / 1000} s`);
  return parts.length === 0 ? 'report only' : parts.join(' and ');
}

/** Runs a command once, untimed preparation first; returns wall time in ms. Fails loudly on a bad exit. */
function timeOnce(cmd: Command): number {
  cmd.prepare?.();
  const stdin = cmd.stdin ? openSync(cmd.stdin, 'r') : 'ignore';
  const started = process.hrtime.bigint();
  let result: SpawnSyncReturns<Buffer>;
  try {
    result = spawnSync(cmd.file, cmd.args, {
      cwd: cmd.cwd,
      env: childEnv(),
      stdio: [stdin, 'ignore', 'pipe'],
      maxBuffer: 64 << 20,
    });
  } finally {
    if (typeof stdin === 'number') closeSync(stdin);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const ok = cmd.okCodes ?? [0];
  if (result.error || result.status === null || !ok.includes(result.status)) {
    throw new Error(
      `${cmd.label}: exit ${result.status ?? result.signal} ${result.error?.message ?? ''}\n${result.stderr?.toString().slice(0, 2000)}`,
    );
  }
  return ms;
}

/** The environment of a user's shell: no colour, no inherited NODE_OPTIONS or REDIS_URL; the run's own cache folder. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', RSCRIPT_CACHE_DIR: cacheFolder };
  for (const k of ['NODE_OPTIONS', 'REDIS_URL', 'DEBUG', 'FORCE_COLOR']) delete env[k];
  return env;
}

/**
 * The cache folder of the timed processes (src/cache/dir.ts), inside the run's temp folder. It holds
 * the lint cache (src/lint/cached.ts) and the compiled code of each command (src/launch.ts). A "cold"
 * case empties the lint cache before every run, so it times the linter itself; a "warm" case keeps
 * what the run before it left, as a second `rscript lint` or a `load` after a `lint` finds it. Only
 * the "first run" cases remove the compiled code too: every other run of an installed rscript has it.
 */
let cacheFolder = join(tmpdir(), 'rscript-bench-cli-cache');
const coldLint = () => {
  for (const file of existsSync(cacheFolder) ? readdirSync(cacheFolder) : []) {
    if (file.startsWith('lint-')) rmSync(join(cacheFolder, file), { force: true });
  }
};
const firstRun = () => rmSync(cacheFolder, { recursive: true, force: true });

/** Runs a case: two warm-up rounds, then `runs` rounds alternating which side goes first. */
function runCase(c: Case, warmup: number): CaseResult {
  const base = {
    case: c.name,
    rscript: c.rscript.label,
    reference: c.reference.label,
    target: describeTarget(c.target),
    runs: c.runs,
  };
  if (c.skip) {
    return {
      ...base,
      rscript_median_ms: null,
      reference_median_ms: null,
      ratio: null,
      pass: null,
      rscript_ms: [],
      reference_ms: [],
      note: c.skip,
    };
  }
  for (let i = 0; i < warmup; i++) {
    timeOnce(c.rscript);
    timeOnce(c.reference);
  }
  const mine: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < c.runs; i++) {
    if (i % 2 === 0) {
      mine.push(timeOnce(c.rscript));
      theirs.push(timeOnce(c.reference));
    } else {
      theirs.push(timeOnce(c.reference));
      mine.push(timeOnce(c.rscript));
    }
  }
  const m = median(mine);
  const r = median(theirs);
  // Each run of rscript is paired with the reference run next to it in time: the median of those
  // ratios cancels the drift of a machine whose load changes during the case.
  const ratio = median(mine.map((ms, i) => ms / theirs[i]!));
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    ...base,
    rscript_median_ms: round(m),
    reference_median_ms: round(r),
    ratio: Math.round(ratio * 100) / 100,
    pass: c.target.maxRatio === undefined && c.target.maxMs === undefined ? null : meets(c.target, m, ratio),
    rscript_ms: mine.map(round),
    reference_ms: theirs.map(round),
  };
}

/** Peak resident memory of one rscript run, read by the process itself as it exits. */
function peakRssMb(cmd: Command): number | null {
  cmd.prepare?.();
  // Preloaded with --require, as --import would load Node's ES module loader, which rscript does not.
  const probe = join(dirname(cacheFolder), 'rss-probe.cjs');
  writeFileSync(
    probe,
    "process.on('exit',()=>process.stderr.write('\\nmaxrss_kb='+process.resourceUsage().maxRSS+'\\n'))",
  );
  const result = spawnSync(cmd.file, ['--require', probe, ...cmd.args], {
    cwd: cmd.cwd,
    env: childEnv(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const kb = /maxrss_kb=(\d+)/.exec(result.stderr?.toString() ?? '');
  return kb ? Math.round(Number(kb[1]) / 1024) : null;
}

/**
 * A copy of the built CLI (bin/rscript, the bundle, package.json for "type" and the version): what
 * users install minus node_modules, which the bundle does not read. Timing a copy keeps a rebuild in
 * the working tree during the run from swapping chunks under the processes being timed.
 */
function snapshotCli(into: string): string {
  for (const part of [
    'bin/rscript',
    'bin/package.json',
    'dist/rscript.cjs',
    'dist/cli.cjs',
    'dist/parts',
    'package.json',
  ]) {
    cpSync(join(REPO, part), join(into, part), { recursive: true });
  }
  return join(into, 'bin', 'rscript');
}

/** `count` small scripts with distinct bodies, 100 to a folder, and their SCRIPT LOAD / EXISTS as RESP. */
function generateScripts(root: string, count: number, protoDir: string): { loadProto: string; existsProto: string } {
  const load: Buffer[] = [];
  const shas: string[] = [];
  const bulk = (b: Buffer | string) => {
    const buf = Buffer.isBuffer(b) ? b : Buffer.from(b);
    return Buffer.concat([Buffer.from(`$${buf.length}\r\n`), buf, Buffer.from('\r\n')]);
  };
  for (let i = 0; i < count; i++) {
    const dir = join(root, `group${String(Math.floor(i / 100)).padStart(3, '0')}`);
    if (i % 100 === 0) mkdirSync(dir, { recursive: true });
    const body = Buffer.from(`-- generated script ${i}\nlocal n = redis.call('INCRBY', KEYS[1], ${i})\nreturn n\n`);
    writeFileSync(join(dir, `script${String(i).padStart(5, '0')}.lua`), body);
    load.push(Buffer.from('*3\r\n'), bulk('SCRIPT'), bulk('LOAD'), bulk(body));
    shas.push(sha1hex(body));
  }
  const loadProto = join(protoDir, 'script-load.resp');
  const existsProto = join(protoDir, 'script-exists.resp');
  writeFileSync(loadProto, Buffer.concat(load));
  writeFileSync(
    existsProto,
    Buffer.concat([
      Buffer.from(`*${shas.length + 2}\r\n`),
      bulk('SCRIPT'),
      bulk('EXISTS'),
      ...shas.map((s) => bulk(s)),
    ]),
  );
  return { loadProto, existsProto };
}

function machine(server: TestServer): Record<string, string | number> {
  const cpu = cpus();
  const redis = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.trim();
  return {
    date: new Date().toISOString(),
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memory_gb: Math.round(totalmem() / 2 ** 30),
    os: `${process.platform} ${release()}`,
    node: process.version,
    redis: /v=(\S+)/.exec(redis)?.[1] ?? redis,
    redis_port: server.port,
  };
}

function renderTable(results: CaseResult[]): string {
  const fmt = (ms: number | null) =>
    ms === null ? '-' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
  const head = ['case', 'rscript (median)', 'reference', 'reference (median)', 'ratio (paired)', 'target', 'result'];
  const rows = results.map((r) => [
    r.case,
    fmt(r.rscript_median_ms),
    r.reference,
    fmt(r.reference_median_ms),
    r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`,
    r.target,
    r.pass === null ? (r.note ? `skipped: ${r.note}` : '-') : r.pass ? 'pass' : 'FAIL',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '21' },
      'load-runs': { type: 'string', default: '5' },
      scripts: { type: 'string', default: '10000' },
      json: { type: 'boolean', default: false },
    },
  });
  const runs = Number(values.runs);
  const loadRuns = Number(values['load-runs']);
  const count = Number(values.scripts);
  for (const [flag, n] of [
    ['--runs', runs],
    ['--load-runs', loadRuns],
    ['--scripts', count],
  ] as const) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} takes a positive whole number`);
  }
  const log = (msg: string) => process.stderr.write(`bench:cli: ${msg}\n`);

  const work = mkdtempSync(join(tmpdir(), 'rscript-bench-cli-'));
  let server: TestServer | undefined;
  process.once('SIGINT', () => {
    server?.process.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
    if (server) rmSync(server.dir, { recursive: true, force: true });
    process.exit(130);
  });
  try {
    cacheFolder = join(work, 'cache');
    const bin = snapshotCli(join(work, 'cli'));
    server = await startRedis();
    const url = server.url;
    const cli = server.cli;
    const node = process.execPath;
    const rscript = (label: string, args: string[], cwd: string, extra: Partial<Command> = {}): Command => ({
      label,
      file: node,
      args: [bin, ...args, '--url', url],
      cwd,
      ...extra,
    });
    const nodeBaseline: Command = { label: 'node -e 0', file: node, args: ['-e', '0'], cwd: work };

    log(`generating ${count} scripts in ${work}`);
    const small = join(work, 'small');
    mkdirSync(join(small, 'lua'), { recursive: true });
    for (let i = 0; i < 10; i++)
      writeFileSync(join(small, 'lua', `script${i}.lua`), `return redis.call('GET', KEYS[1]) or '${i}'\n`);
    timeOnce(rscript('load (setup)', ['load'], small));

    // 1,000 real scripts for the linter: the lua/ library's files, copied round-robin (issue 6's
    // "linting 1,000 files takes well under a second").
    const lintMany = join(work, 'lint1000');
    mkdirSync(lintMany, { recursive: true });
    const library = readdirSync(join(REPO, 'lua'), { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.lua'),
    );
    // Each copy ends with its own comment: 1,000 different files, as the linter checks each distinct
    // content once per run (identical bytes share their findings).
    for (let i = 0; i < 1000; i++) {
      const body = readFileSync(join(REPO, 'lua', library[i % library.length]!));
      writeFileSync(
        join(lintMany, `s${String(i).padStart(4, '0')}.lua`),
        Buffer.concat([body, Buffer.from(`\n-- copy ${i}\n`)]),
      );
    }

    const big = join(work, 'big');
    const { loadProto, existsProto } = generateScripts(join(big, 'scripts'), count, work);
    const manifest = join(big, 'rscript.lock.json');
    const flush = () => {
      cli('SCRIPT', 'FLUSH', 'SYNC');
    };
    const fresh = () => {
      flush();
      rmSync(manifest, { force: true });
    };
    const freshCold = () => {
      fresh();
      coldLint();
    };
    const redisCliPipe = (label: string, proto: string, prepare?: () => void): Command => ({
      label,
      file: 'redis-cli',
      args: ['-h', '127.0.0.1', '-p', String(server!.port), '--pipe'],
      cwd: work,
      stdin: proto,
      prepare,
    });
    const loadNew = (json: boolean, lint = true, warm = false) =>
      rscript(
        `rscript load${json ? ' --json' : ''}${lint ? '' : ' --no-lint'}${warm ? ' (lint cache warm)' : ''}`,
        ['load', 'scripts', ...(json ? ['--json'] : []), ...(lint ? [] : ['--no-lint'])],
        big,
        { prepare: warm ? fresh : freshCold },
      );
    const reload = (json: boolean) =>
      rscript(`rscript load${json ? ' --json' : ''}`, ['load', 'scripts', ...(json ? ['--json'] : [])], big);
    // `lint --help` of a build without the command prints the program's help, not the command's.
    const hasLint = /Usage: rscript lint/.test(
      spawnSync(node, [bin, 'lint', '--help'], { env: childEnv(), encoding: 'utf8' }).stdout,
    );
    const k = count.toLocaleString('en-US');

    const cases: Case[] = [
      {
        name: '--help',
        rscript: rscript('rscript --help', ['--help'], work),
        reference: nodeBaseline,
        target: { maxRatio: 1.3 },
        runs,
      },
      {
        name: '--version',
        rscript: rscript('rscript --version', ['--version'], work),
        reference: nodeBaseline,
        target: { maxRatio: 1.3 },
        runs,
      },
      {
        name: 'exists (10 scripts)',
        rscript: rscript('rscript exists', ['exists'], small),
        reference: nodeBaseline,
        target: { maxRatio: 2.0 },
        runs,
      },
      {
        // A first run after an install or an upgrade: nothing compiled yet (the code cache is saved by this run).
        name: '--help (first run)',
        rscript: rscript('rscript --help', ['--help'], work, { prepare: firstRun }),
        reference: nodeBaseline,
        target: {},
        runs,
      },
      {
        name: 'lint lua/ (cold)',
        rscript: {
          label: 'rscript lint lua',
          file: node,
          args: [bin, 'lint', 'lua'],
          cwd: REPO,
          okCodes: [0, 1],
          prepare: coldLint,
        },
        reference: nodeBaseline,
        target: { maxRatio: 1.5 },
        runs,
        ...(hasLint ? {} : { skip: 'no lint command in this build' }),
      },
      {
        name: 'lint lua/ (first run)',
        rscript: {
          label: 'rscript lint lua',
          file: node,
          args: [bin, 'lint', 'lua'],
          cwd: REPO,
          okCodes: [0, 1],
          prepare: firstRun,
        },
        reference: nodeBaseline,
        target: {},
        runs,
        ...(hasLint ? {} : { skip: 'no lint command in this build' }),
      },
      {
        name: 'lint lua/ (lint cache warm)',
        rscript: { label: 'rscript lint lua', file: node, args: [bin, 'lint', 'lua'], cwd: REPO, okCodes: [0, 1] },
        reference: nodeBaseline,
        target: { maxRatio: 1.5 },
        runs,
        ...(hasLint ? {} : { skip: 'no lint command in this build' }),
      },
      {
        name: `load ${k} new (--json)`,
        rscript: loadNew(true),
        reference: redisCliPipe('redis-cli --pipe (SCRIPT LOAD)', loadProto, flush),
        target: { maxMs: 600, maxRatio: 4 },
        runs: loadRuns,
      },
      {
        // New to the server and the manifest, linted before (a `load` after `rscript lint`).
        name: `load ${k} new (--json, lint cache warm)`,
        rscript: loadNew(true, true, true),
        reference: redisCliPipe('redis-cli --pipe (SCRIPT LOAD)', loadProto, flush),
        target: { maxMs: 600, maxRatio: 4 },
        runs: loadRuns,
      },
      {
        name: 'lint 1,000 files',
        rscript: {
          label: 'rscript lint (1,000 library scripts)',
          file: node,
          args: [bin, 'lint', lintMany],
          cwd: work,
          okCodes: [0, 1],
          prepare: coldLint,
        },
        reference: nodeBaseline,
        target: { maxMs: 1000 },
        runs: loadRuns,
        ...(hasLint ? {} : { skip: 'no lint command in this build' }),
      },
      {
        // The bulk path: no Lua parse, so no lint gate and no KEYS/ARGV metadata for the new scripts.
        name: `load ${k} new (--no-lint)`,
        rscript: loadNew(false, false),
        reference: redisCliPipe('redis-cli --pipe (SCRIPT LOAD)', loadProto, flush),
        target: { maxMs: 600, maxRatio: 4 },
        runs: loadRuns,
      },
      {
        name: `load ${k} new (table)`,
        rscript: loadNew(false),
        reference: redisCliPipe('redis-cli --pipe (SCRIPT LOAD)', loadProto, flush),
        target: { maxMs: 600, maxRatio: 4 },
        runs: loadRuns,
      },
      {
        name: `load ${k} unchanged (--json)`,
        rscript: reload(true),
        reference: redisCliPipe('redis-cli --pipe (SCRIPT EXISTS)', existsProto),
        target: { maxMs: 350 },
        runs: loadRuns,
      },
      {
        name: `load ${k} unchanged (table)`,
        rscript: reload(false),
        reference: redisCliPipe('redis-cli --pipe (SCRIPT EXISTS)', existsProto),
        target: { maxMs: 350 },
        runs: loadRuns,
      },
    ];

    const results: CaseResult[] = [];
    for (const c of cases) {
      log(`${c.name}: ${c.skip ? 'skipped' : `${c.runs} runs`}`);
      // The "unchanged" cases need the manifest and the cache the "new" ones leave behind.
      if (c.name.includes('unchanged')) timeOnce(reload(true));
      results.push(runCase(c, 2));
    }
    log('peak memory of a load of new scripts');
    const peak = peakRssMb(loadNew(true));
    const memoryOk = peak !== null && peak < 150;

    const report = {
      machine: machine(server),
      cases: results,
      load_peak_rss_mb: peak,
      load_peak_rss_target_mb: 150,
      load_peak_rss_pass: memoryOk,
    };
    if (values.json) {
      process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    } else {
      const m = report.machine;
      process.stdout.write(
        `${m.date}  ${m.cpu}, ${m.cores} cores, ${m.memory_gb} GB, ${m.os}, Node ${m.node}, Redis ${m.redis}\n\n` +
          renderTable(results) +
          `\n\npeak memory of \`rscript load\` of ${k} new scripts: ${peak ?? '?'} MB (target < 150 MB: ${memoryOk ? 'pass' : 'FAIL'})\n`,
      );
    }
  } finally {
    if (server) await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

// Runs only as a script, so the helpers above can be imported (and tested) without a server.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench:cli: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
}
