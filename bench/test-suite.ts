/**
 * `npm run bench:test`: the whole lua/ spec suite through `rscript test` (the built binary, the
 * throwaway redis-server's start and stop included), timed as a user waits for it. The issue's
 * target: under 2 s on the project's machine. A benchmark, not a test: the figure belongs to the
 * machine and its load, so the run also times, as references, a bare Node process and a
 * redis-server start-to-PONG, and prints the load average beside the figures.
 * Then `rscript test --watch` on a copy of lua/: the time from a script's save to its specs' summary
 * line (the issue: about half a second), over saves of lua/template.lua.
 *
 *   npm run bench:test -- [--runs 5] [--resp both|2|3] [--json]
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startRedis } from '../test/helpers/redis-server.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(REPO, 'bin', 'rscript');
const TARGET_MS = 2000;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    resp: { type: 'string', default: 'both' },
    json: { type: 'boolean' },
  },
});
const runs = Number(values.runs);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function timeProcess(file: string, args: string[]): { ms: number; stdout: string; code: number | null } {
  const started = performance.now();
  const r = spawnSync(file, args, {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', REDIS_URL: '' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { ms: performance.now() - started, stdout: r.stdout, code: r.status };
}

const suite: number[] = [];
const inside: number[] = [];
const concurrent: number[] = [];
let cases = 0;
for (let i = 0; i < runs + 1; i++) {
  const r = timeProcess(process.execPath, [BIN, 'test', '--resp', values.resp!, '--json']);
  if (r.code !== 0) throw new Error(`rscript test failed (exit ${r.code}):\n${r.stdout.slice(0, 2000)}`);
  const doc = JSON.parse(r.stdout) as { ms: number; cases: Array<{ ms: number; calls?: number }> };
  // The first run warms the compile cache and the OS's file cache: not counted.
  if (i === 0) continue;
  suite.push(r.ms);
  inside.push(doc.ms);
  concurrent.push(doc.cases.filter((c) => c.calls !== undefined).reduce((n, c) => n + c.ms, 0));
  cases = doc.cases.length;
}

const nodeAlone: number[] = [];
const serverStart: number[] = [];
for (let i = 0; i < runs; i++) {
  nodeAlone.push(timeProcess(process.execPath, ['-e', '']).ms);
  const started = performance.now();
  const server = await startRedis();
  serverStart.push(performance.now() - started);
  await server.stop();
}

/** Saves lua/template.lua in a copy of lua/ under `rscript test --watch`; ms from each save to the summary. */
async function watchLatency(saves: number): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'rscript-bench-watch-'));
  cpSync(join(REPO, 'lua'), join(dir, 'lua'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{}\n');
  const child = spawn(process.execPath, [BIN, 'test', '--watch', '--resp', '3'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, NO_COLOR: '1', REDIS_URL: '' },
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const wait = (re: RegExp, from: number) =>
    new Promise<void>((resolveWait) => {
      const t = setInterval(() => {
        if (re.test(out.slice(from))) {
          clearInterval(t);
          resolveWait();
        }
      }, 2);
    });
  try {
    await wait(/watching /, 0);
    const file = join(dir, 'lua', 'template.lua');
    const source = readFileSync(file, 'utf8');
    const times: number[] = [];
    for (let i = 0; i < saves; i++) {
      const from = out.length;
      const started = performance.now();
      writeFileSync(file, `${source}\n-- save ${i}\n`);
      await wait(/^\d+ passed, \d+ failed/m, from);
      times.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 200));
    }
    return times;
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.on('close', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

const watchSaves = await watchLatency(runs * 2);

const result = {
  runs,
  resp: values.resp,
  case_runs: cases,
  suite_ms: Math.round(median(suite)),
  target_ms: TARGET_MS,
  within_target: median(suite) < TARGET_MS,
  inside_run_ms: Math.round(median(inside)),
  concurrency_cases_ms: Math.round(median(concurrent)),
  reference_node_start_ms: Math.round(median(nodeAlone)),
  reference_redis_start_ms: Math.round(median(serverStart)),
  /** The suite in units of a bare Node start: comparable across machines and loads, unlike the ms. */
  ratio_to_node_start: Number((median(suite) / median(nodeAlone)).toFixed(1)),
  watch_save_to_result_ms: Math.round(median(watchSaves)),
  watch_target_ms: 500,
  load_average_1m: Number(loadavg()[0]!.toFixed(2)),
};

if (values.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  console.log(`rscript test, lua/ (${cases} case runs, RESP ${values.resp}), median of ${runs} runs:`);
  console.log(
    `  whole process       ${result.suite_ms} ms   target < ${TARGET_MS} ms: ${result.within_target ? 'pass' : 'FAIL'}`,
  );
  console.log(
    `  inside the run      ${result.inside_run_ms} ms (of which concurrency cases ${result.concurrency_cases_ms} ms)`,
  );
  console.log(
    `  reference: node -e ''             ${result.reference_node_start_ms} ms (the suite is ${result.ratio_to_node_start}x that)`,
  );
  console.log(`  reference: redis-server to PONG   ${result.reference_redis_start_ms} ms`);
  console.log(
    `test --watch, save of lua/template.lua -> its specs' summary: ${result.watch_save_to_result_ms} ms (median of ${watchSaves.length}; target about 500 ms)`,
  );
  console.log(`load average (1 min): ${result.load_average_1m}`);
}
