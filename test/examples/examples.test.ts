/**
 * Every example runs against a real server: imported (so its results can be checked), and once
 * through the one-line command its README gives.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createClient, type RedisClientType } from '@redis/client';
import { startRedis, type TestServer } from '../helpers/redis-server.js';
import { main as rateLimiter } from '../../examples/rate-limiter.js';
import { main as lock } from '../../examples/lock.js';
import { main as purchase } from '../../examples/purchase.js';
import { main as queueWorker } from '../../examples/queue-worker.js';
import { main as functions } from '../../examples/functions.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let server: TestServer;
let client: RedisClientType;
const quiet = () => undefined;

beforeAll(async () => {
  server = await startRedis();
  client = createClient({ url: server.url }) as RedisClientType;
  await client.connect();
});

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

test('the committed manifest matches lua/ (rscript load --check)', () => {
  const res = spawnSync('node', ['bin/rscript', 'load', '--check', '--url', 'redis://127.0.0.1:1'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  expect(res.stderr).toBe('');
  expect(res.status).toBe(0);
});

test('rate limiter: 10 of 12 pass at one instant, the rest wait, and the bucket refills', async () => {
  const { decisions, later, status } = await rateLimiter(client, quiet);
  expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
  expect(decisions.slice(10).every((d) => !d.allowed && d.retryAfterMs === 200)).toBe(true);
  expect(later.allowed).toBe(true);
  expect(status.tokens).toBe(4);
});

test('lock: five workers under the lock lose no update; a non-owner cannot release', async () => {
  const { total, stolen } = await lock(client, quiet);
  expect(total).toBe(25);
  expect(stolen).toBe(false);
});

test('purchase: concurrent buyers never oversell', async () => {
  const { results, stock, sold } = await purchase(client, quiet);
  expect(results.filter((r) => r.ok)).toHaveLength(6);
  expect(stock).toBe(2);
  expect(sold).toBe(18);
});

test('queue worker: urgent first, oldest first within a priority', async () => {
  const { done } = await queueWorker(client, quiet);
  expect(done).toEqual(['charge card', 'refund', 'send receipt', 'send newsletter', 'resize image', 'clean cache']);
});

test('functions: the toolkit library through the runtime API, FCALL by name from the manifest', async () => {
  // What `rscript load` does for the library on a fresh server.
  const { readFileSync } = await import('node:fs');
  await client.sendCommand(['FUNCTION', 'LOAD', 'REPLACE', readFileSync(`${ROOT}lua/toolkit.lua`, 'utf8')]);
  const { first, second, released, count } = await functions(client, quiet);
  expect(first).toEqual([1, 2000]);
  expect(second[0]).toBe(0);
  expect(released).toBe(1);
  expect(count).toBe(3);
});

// What each example prints when run as its README says: the same outcome as the checks above, as a
// reader of the README sees it (the lock's workers finish in any order: sorted).
const PRINTS: Record<string, string[]> = {
  'rate-limiter': [
    ...Array.from(
      { length: 10 },
      (_, i) => `request ${i + 1}: allowed (${9 - i} ${9 - i === 1 ? 'token' : 'tokens'} left)`,
    ),
    'request 11: refused, retry in 200 ms (0 tokens left)',
    'request 12: refused, retry in 200 ms (0 tokens left)',
    'one second later: allowed (4 tokens left)',
    'status: 4/10 tokens',
  ],
  lock: [
    'counter = 25 (expected 25)',
    'release by a non-owner: refused',
    ...[1, 2, 3, 4, 5].map((n) => `worker ${n} done`),
  ],
  purchase: [
    ...[0, 1, 2, 3, 4, 5].map((i) => `user${i}: bought 3, ${17 - 3 * i} left`),
    ...[6, 7, 8, 9].map((i) => `user${i}: refused, only 2 left`),
    'stock 2, sold 18',
  ],
  'queue-worker': ['charge card', 'refund', 'send receipt', 'send newsletter', 'resize image', 'clean cache'].map(
    (job, i) => `worker: [p${[0, 0, 1, 5, 5, 9][i]}] ${job}`,
  ),
  // The library is on the server from the test above; the lock's time left depends on the clock.
  functions: [
    'functions in the manifest: toolkit.counter_incr, toolkit.lock_acquire, toolkit.lock_release',
    'acquire: held; a second owner: refused, <ms> ms left',
    'counter = 3',
    'release by the owner: released',
  ],
};

test.each(Object.keys(PRINTS))('npx tsx examples/%s.ts runs as the README says and prints its outcome', (name) => {
  const res = spawnSync('npx', ['tsx', `examples/${name}.ts`], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, REDIS_URL: server.url },
  });
  expect(res.stderr).toBe('');
  expect(res.status).toBe(0);
  const lines = res.stdout.trimEnd().split('\n');
  const seen =
    name === 'lock'
      ? [...lines.slice(-2), ...lines.slice(0, -2).sort()]
      : lines.map((l) => l.replace(/refused, \d+ ms left/, 'refused, <ms> ms left'));
  expect(seen).toEqual(PRINTS[name]);
});

test("import { Scripts } from 'rscript' works for a user (package exports, built library)", () => {
  const code =
    "import { Scripts, ScriptReplyError } from 'rscript'; console.log(typeof Scripts, typeof ScriptReplyError)";
  const res = spawnSync('node', ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
  expect(res.stderr).toBe('');
  expect(res.stdout.trim()).toBe('function function');
});

test('the repository config benches every lua/ script and function within its budget on a sandbox (the quick start)', () => {
  const res = spawnSync('node', ['bin/rscript', 'bench', '--sandbox', '-n', '300', '--warmup', '50', '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  expect(res.status).toBe(0);
  const report = JSON.parse(res.stdout);
  const names = report.results.map((r: { script: string }) => r.script).sort();
  // Every entry of the catalog: each script, and each function of a library (as <lib>.<fn>).
  const library = JSON.parse(spawnSync('node', ['bin/rscript', 'ls', '--json'], { cwd: ROOT, encoding: 'utf8' }).stdout)
    .map((s: { name: string }) => s.name)
    .sort();
  expect(names).toEqual(library);
  expect(report.results.every((r: { verdict: string; errors: number }) => r.verdict === 'ok' && r.errors === 0)).toBe(
    true,
  );
  expect(report.withoutFixture).toEqual([]);
}, 60_000);

test('an example without a Redis says so and exits 2 instead of hanging', async () => {
  const { freePort } = await import('../helpers/redis-server.js');
  const res = spawnSync('npx', ['tsx', 'examples/lock.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, REDIS_URL: `redis://127.0.0.1:${await freePort()}` },
    timeout: 20_000,
  });
  expect(res.status).toBe(2);
  expect(res.stderr).toMatch(/^cannot connect to Redis .*; start one or set REDIS_URL/);
});
