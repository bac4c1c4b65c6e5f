#!/usr/bin/env node
/**
 * npm run bench:compare: is `rscript bench` ever the bottleneck? Starts a throwaway redis-server and
 * runs redis-benchmark and `rscript bench` on the same script, keys and args with the same -c (connections,
 * in both tools) and -P (calls per batch on each connection) at (c=1, P=1), (c=50, P=1) and (c=50, P=16), for a trivial `return 1` and for lua/rate_limit_token_bucket.lua, several rounds in
 * alternating order (the median of each is kept: a shared machine is noisy), and prints ops/sec, p50
 * and p99 of both with the ratio rscript / redis-benchmark, then the same as JSON. At c=1 a minimal
 * Node client (bench/node-loop.mjs) runs as well: its ratio is the floor of any Node client here.
 *
 *   npm run build && npm run bench:compare [-- --rounds 3 --quick --json --no-pin]
 *
 * A benchmark, not a test: nothing here fails a build. See bench/README.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    // Pin redis-server to CPU 0 and each client to CPU 1 (taskset): on a small VM, where the scheduler
    // puts client and server decides the round trip more than either tool does.
    'no-pin': { type: 'boolean', default: false },
    'redis-server': { type: 'string', default: process.env.REDIS_SERVER ?? 'redis-server' },
    'redis-benchmark': { type: 'string', default: process.env.REDIS_BENCHMARK ?? 'redis-benchmark' },
  },
});
const rounds = Math.max(1, Number(opts.rounds) || 3);
const log = (s) => process.stderr.write(s + '\n');

if (!existsSync(join(root, 'dist', 'server', 'throwaway-server.js'))) {
  log('bench/compare: dist/ is missing: run npm run build first');
  process.exit(2);
}
const probe = spawnSync(opts['redis-benchmark'], ['--version'], { encoding: 'utf8' });
if (probe.error) {
  log(
    `bench/compare: ${opts['redis-benchmark']} not found (Debian/Ubuntu: apt-get install redis-tools; macOS: brew install redis)`,
  );
  process.exit(2);
}
const benchmarkVersion = probe.stdout.trim();

const pinning = !opts['no-pin'] && cpus().length >= 2 && !spawnSync('taskset', ['--version']).error;

const { startSandbox } = await import(join(root, 'dist', 'server', 'throwaway-server.js'));
const { connect } = await import(join(root, 'dist', 'server', 'connection.js'));

const KEYSPACE = 100_000;
const TOOLS = { rb: 'redis-benchmark', rs: 'rscript bench', node: 'node loop (bench/node-loop.mjs)' };
const SCRIPTS = [
  { name: 'return 1', file: null, body: 'return 1', keys: ['bench:__rand_int__'], args: [], target: 0.7 },
  {
    name: 'token bucket',
    file: join(root, 'lua', 'rate_limit_token_bucket.lua'),
    keys: ['rl:__rand_int__'],
    // capacity 100, 10 tokens/s, take 1, a fixed caller clock: most calls are allowed and write the bucket.
    args: ['100', '10', '1', '1700000000000'],
    target: 0.9,
  },
];
const SETTINGS = [
  { c: 1, P: 1, n: opts.quick ? 10_000 : 40_000 },
  { c: 50, P: 1, n: opts.quick ? 50_000 : 300_000 },
  { c: 50, P: 16, n: opts.quick ? 200_000 : 1_000_000 },
];

const work = mkdtempSync(join(tmpdir(), 'rscript-compare-'));
const sandbox = await startSandbox({ binary: opts['redis-server'], timeoutMs: 5000 });
const url = sandbox.target.url;
const results = [];
if (pinning) spawnSync('taskset', ['-pc', '0', String(sandbox.pid)]);
try {
  const conn = await connect({ url, timeoutMs: 5000 });
  for (const s of SCRIPTS) {
    if (!s.file) {
      s.file = join(work, 'trivial.lua');
      writeFileSync(s.file, s.body);
    }
    s.sha = String(await conn.send(['SCRIPT', 'LOAD', readFileSync(s.file)]));
  }
  const flushAll = () => conn.send(['FLUSHALL']);

  const samples = new Map(); // key -> { rb: [], rs: [] }
  for (let round = 0; round < rounds; round++) {
    for (const s of SCRIPTS) {
      for (const set of SETTINGS) {
        const key = `${s.name}|${set.c}|${set.P}`;
        if (!samples.has(key)) samples.set(key, { rb: [], rs: [], node: [] });
        const entry = samples.get(key);
        // Alternate who goes first: a noisy neighbour then hurts both alike over the rounds. At c=1 a
        // minimal Node client runs too: the floor of any Node client on this machine.
        const order = round % 2 === 0 ? ['rb', 'rs'] : ['rs', 'rb'];
        if (set.c === 1 && set.P === 1) order.push('node');
        for (const tool of order) {
          await flushAll();
          log(
            `round ${round + 1}/${rounds}  ${s.name.padEnd(12)} c=${String(set.c).padEnd(2)} P=${String(set.P).padEnd(2)} ${TOOLS[tool]}`,
          );
          entry[tool].push(
            tool === 'rb'
              ? await redisBenchmark(s, set)
              : tool === 'rs'
                ? await rscriptBench(s, set)
                : await nodeLoop(s, set),
          );
        }
      }
    }
  }
  await conn.close();

  for (const s of SCRIPTS) {
    for (const set of SETTINGS) {
      const { rb, rs, node } = samples.get(`${s.name}|${set.c}|${set.P}`);
      const m = (list, f) => median(list.map((x) => x[f]));
      const row = {
        script: s.name,
        connections: set.c,
        pipeline: set.P,
        requests: set.n,
        redis_benchmark: { ops_per_sec: m(rb, 'ops'), p50_ms: m(rb, 'p50'), p99_ms: m(rb, 'p99') },
        rscript: { ops_per_sec: m(rs, 'ops'), p50_ms: m(rs, 'p50'), p99_ms: m(rs, 'p99') },
      };
      if (node.length > 0) {
        row.node_loop = { ops_per_sec: m(node, 'ops'), p50_ms: m(node, 'p50'), p99_ms: m(node, 'p99') };
        row.node_loop_ratio = round2(row.node_loop.ops_per_sec / row.redis_benchmark.ops_per_sec);
      }
      row.ops_ratio = round2(row.rscript.ops_per_sec / row.redis_benchmark.ops_per_sec);
      row.p50_ratio = round2(row.rscript.p50_ms / row.redis_benchmark.p50_ms);
      row.target = `ops ratio >= ${s.target}` + (set.c === 1 ? ', p50 ratio <= 1.5' : '');
      row.met = row.ops_ratio >= s.target && (set.c !== 1 || row.p50_ratio <= 1.5);
      results.push(row);
    }
  }
} finally {
  await sandbox.stop();
  rmSync(work, { recursive: true, force: true });
}

const machine = {
  date: new Date().toISOString(),
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memory_gb: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  redis_server: sandbox.version ?? 'unknown',
  redis_benchmark: benchmarkVersion,
  rounds,
  keyspace: KEYSPACE,
  placement: pinning ? 'redis-server on CPU 0, clients on CPU 1 (taskset)' : 'left to the scheduler',
};
const doc = { machine, results };
if (opts.json) {
  process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
} else {
  const head = [
    'script',
    'c',
    'P',
    'redis-benchmark ops/s',
    'rscript ops/s',
    'ratio',
    'rb p50 ms',
    'rs p50 ms',
    'rb p99 ms',
    'rs p99 ms',
    'node loop ratio',
    'target',
  ];
  const rows = results.map((r) => [
    r.script,
    r.connections,
    r.pipeline,
    Math.round(r.redis_benchmark.ops_per_sec),
    Math.round(r.rscript.ops_per_sec),
    r.ops_ratio.toFixed(2),
    r.redis_benchmark.p50_ms.toFixed(3),
    r.rscript.p50_ms.toFixed(3),
    r.redis_benchmark.p99_ms.toFixed(3),
    r.rscript.p99_ms.toFixed(3),
    r.node_loop_ratio === undefined ? '' : r.node_loop_ratio.toFixed(2),
    r.met ? 'met' : `MISSED (${r.target})`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    '| ' +
    cells.map((c, i) => (i < 1 || i === 11 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | ') +
    ' |';
  const out = [
    `${machine.date}  ${machine.cpu}, ${machine.cores} cores, ${machine.memory_gb} GB; node ${machine.node}; redis-server ${machine.redis_server}`,
    `median of ${rounds} rounds; ${machine.placement}`,
    '',
    line(head),
    '|' + widths.map((w, i) => (i < 1 || i === 11 ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|') + '|',
    ...rows.map(line),
    '',
    JSON.stringify(doc),
  ];
  process.stdout.write(out.join('\n') + '\n');
}

/** redis-benchmark's own CSV line: "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms",... */
async function redisBenchmark(s, set) {
  const port = String(new URL(url).port);
  const args = [
    '-h',
    '127.0.0.1',
    '-p',
    port,
    '-n',
    String(set.n),
    '-c',
    String(set.c),
    '-P',
    String(set.P),
    '-r',
    String(KEYSPACE),
    '--csv',
  ];
  args.push('EVALSHA', s.sha, String(s.keys.length), ...s.keys, ...s.args);
  const { stdout, stderr, code } = await run(opts['redis-benchmark'], args);
  const lines = stdout.trim().split('\n');
  const header = parseCsvLine(lines[0] ?? '');
  const values = parseCsvLine(lines[1] ?? '');
  if (code !== 0 || values.length < header.length)
    throw new Error(`redis-benchmark failed (${code}): ${stderr || stdout}`);
  const get = (name) => Number(values[header.indexOf(name)]);
  return { ops: get('rps'), p50: get('p50_latency_ms'), p99: get('p99_latency_ms') };
}

/** The minimal Node client of bench/node-loop.mjs, on the same command. */
async function nodeLoop(s, set) {
  const port = String(new URL(url).port);
  const args = [
    join(root, 'bench', 'node-loop.mjs'),
    port,
    String(set.n),
    String(KEYSPACE),
    'EVALSHA',
    s.sha,
    String(s.keys.length),
    ...s.keys,
    ...s.args,
  ];
  const { stdout, stderr, code } = await run(process.execPath, args);
  try {
    return JSON.parse(stdout);
  } catch {
    throw new Error(`node loop failed (${code}): ${stderr || stdout}`);
  }
}

async function rscriptBench(s, set) {
  const args = [
    join(root, 'bin', 'rscript'),
    'bench',
    s.file,
    '--url',
    url,
    '-n',
    String(set.n),
    '-c',
    String(set.c),
    '-P',
    String(set.P),
  ];
  args.push('-r', String(KEYSPACE), '--json', '--yes');
  if (s.keys.length > 0) args.push('--keys', ...s.keys);
  if (s.args.length > 0) args.push('--args', ...s.args);
  // Run from the temp folder: the repository's own config and fixtures play no part.
  const { stdout, stderr, code } = await run(process.execPath, args, work);
  let doc;
  try {
    doc = JSON.parse(stdout);
  } catch {
    throw new Error(`rscript bench failed (${code}): ${stderr || stdout}`);
  }
  const row = doc.results?.[0];
  if (!row || row.errors > 0) throw new Error(`rscript bench failed (${code}): ${row?.error ?? stderr}`);
  return { ops: row.opsPerSec, p50: row.p50Ms, p99: row.p99Ms };
}

function run(cmd, args, cwd = root) {
  if (pinning) [cmd, args] = ['taskset', ['-c', '1', cmd, ...args]];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ stdout, stderr, code }));
  });
}

function parseCsvLine(line) {
  return [...line.matchAll(/"([^"]*)"|([^,]+)/g)].map((m) => m[1] ?? m[2]);
}

function median(list) {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function round2(x) {
  return Math.round(x * 100) / 100;
}
