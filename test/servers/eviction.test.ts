/**
 * Script eviction. Server-specific: Redis 7.4+ and Valkey 8+ keep at most 500 scripts added by EVAL
 * and evict the least recently used (INFO stats `evicted_scripts`); scripts added by SCRIPT LOAD
 * stay. Redis 7.0 (and 7.2) evict nothing. rscript and its runtime API never send EVAL, so what they
 * load is never evicted: 600 distinct EVAL scripts evict each other, never one of rscript's.
 */
import { createHash } from 'node:crypto';
import { createClient, type RedisClientType } from '@redis/client';
import { Scripts } from '../../src/index.js';
import { makeProject, runCli, type Project } from '../helpers/cli.js';
import { commandCalls } from '../helpers/commandstats.js';
import { startRedis, type TestServer } from '../helpers/redis-server.js';
import { serverUnderTest } from '../helpers/server-under-test.js';

const sut = serverUnderTest();
/** Where the server evicts EVAL scripts (Redis 7.4's change; Valkey took it in 8.0). */
const EVICTS = sut.atLeast('redis', '7.4.0') || sut.atLeast('valkey', '8.0.0');

let server: TestServer;
let project: Project;
let client: RedisClientType;

beforeAll(async () => {
  server = await startRedis();
  project = makeProject({
    'lua/one.lua': "return 'one'\n",
    'lua/two.lua': "return 'two'\n",
    // Loaded by nobody but the runtime API (EVALSHA, NOSCRIPT, SCRIPT LOAD, EVALSHA).
    'lua/runtime_only.lua': "return 'runtime'\n",
  });
  client = createClient({ url: server.url }) as RedisClientType;
  await client.connect();
});
afterAll(async () => {
  client?.destroy();
  await server?.stop();
  project?.cleanup();
});

const cli = (...args: string[]) => runCli([...args, '--url', server.url], { cwd: project.dir });
const evicted = () => /evicted_scripts:(\d+)/.exec(server.cli('INFO', 'stats'))?.[1];
const exists = (sha: string) => server.cli('SCRIPT', 'EXISTS', sha) === '1';

test(`${sut.name}: 600 EVAL scripts ${EVICTS ? 'evict each other but never a script rscript loaded' : 'all stay (this server evicts nothing)'}; rscript sends no EVAL`, async () => {
  const loaded = await cli('load', '--json');
  expect(loaded.code).toBe(0);
  const shas: Record<string, string> = Object.fromEntries(
    JSON.parse(loaded.stdout).rows.map((r: { name: string; sha: string }) => [r.name, r.sha]),
  );
  server.cli('SCRIPT', 'FLUSH');
  expect(exists(shas.one!)).toBe(false);
  // load, exec, exists and the runtime API: not one EVAL among them.
  expect((await cli('load')).code).toBe(0);
  expect((await cli('exec', 'two')).code).toBe(0);
  const scripts = Scripts.fromManifest(project.path('rscript.lock.json'));
  server.cli('SCRIPT', 'FLUSH');
  expect(await scripts.run(client, 'runtime_only')).toBe('runtime');
  expect((await cli('load')).code).toBe(0);
  expect(commandCalls(server, 'eval')).toBe(0);
  expect(commandCalls(server, 'script|load')).toBeGreaterThanOrEqual(4);

  // 600 distinct scripts through EVAL, after rscript's: the oldest EVAL ones are the least recently used.
  // One pipeline on one connection: the server runs them in this order, so LRU order is kept.
  await Promise.all(Array.from({ length: 600 }, (_, i) => client.sendCommand(['EVAL', `return ${i}`, '0'])));
  const firstEval = createHash('sha1').update('return 0').digest('hex');
  const lastEval = createHash('sha1').update('return 599').digest('hex');
  expect(exists(lastEval)).toBe(true);
  if (EVICTS) {
    expect(Number(evicted())).toBe(100);
    // The oldest EVAL script is gone; every script rscript loaded is still there.
    expect(exists(firstEval)).toBe(false);
  } else {
    expect(evicted()).toBeUndefined();
    expect(exists(firstEval)).toBe(true);
  }
  for (const sha of Object.values(shas)) expect(exists(sha)).toBe(true);
  expect(commandCalls(server, 'eval')).toBe(600);

  // exists reports the eviction per node and why it matters (stdout and --json), or nothing.
  const checked = await cli('exists');
  expect(checked.code).toBe(0);
  const json = JSON.parse((await cli('exists', '--json')).stdout);
  if (EVICTS) {
    expect(checked.stdout).toMatch(
      new RegExp(
        `^127\\.0\\.0\\.1:${server.port}: \\d+ scripts evicted from the cache since the server started \\(INFO evicted_scripts\\)$`,
        'm',
      ),
    );
    expect(checked.stdout).toContain('keep at most 500 scripts added by EVAL');
    expect(json.evicted).toEqual([{ node: `127.0.0.1:${server.port}`, evictedScripts: Number(evicted()) }]);
  } else {
    expect(checked.stdout).not.toContain('evicted');
    expect(json.evicted).toBeUndefined();
  }
  expect(checked.stdout.trimEnd().split('\n').at(-1)).toBe(`all 3 scripts are cached on the server (${sut.name})`);
});
