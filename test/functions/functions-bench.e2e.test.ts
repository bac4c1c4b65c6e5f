/**
 * Functions in `rscript bench` and `rscript exec --sandbox`, through the CLI, on a real standalone
 * redis-server and on throwaway ones: FCALL (FCALL_RO for a no-writes function) counted by the
 * server, fixtures named `<lib>.<fn>`, and a bench that never deploys a library to a real server.
 */
import { createHash } from 'node:crypto';
import { makeProject, runCli, type Project } from '../helpers/cli.js';
import { commandCalls } from '../helpers/commandstats.js';
import { useRedis } from '../helpers/use-redis.js';
import { COUNTERS } from '../helpers/libraries.js';

const server = useRedis();
let project: Project;

const LIB = COUNTERS;

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
/** Runs rscript with the words of `line` (none of them holds a space). */
const cli = (line: string) => runCli(line.split(' '), { cwd: project.dir, timeoutMs: 60_000 });
const loadLib = async () => {
  const r = await cli(`load --url ${server.url}`);
  expect(r.code).toBe(0);
};

beforeEach(() => {
  server.cli('FUNCTION', 'FLUSH');
  server.cli('FLUSHALL');
  server.cli('CONFIG', 'RESETSTAT');
  project = makeProject({ 'lua/counters.lua': LIB });
});
afterEach(() => project?.cleanup());

test('bench <lib>.<fn> sends FCALL and reads its server time; a no-writes function runs through FCALL_RO', async () => {
  await loadLib();
  const fcalls = commandCalls(server, 'fcall');
  const r = await cli(`bench counters.counter_add -k n -a 1 -n 500 --warmup 0 -c 2 --json --url ${server.url}`);
  expect(r.code).toBe(0);
  const row = JSON.parse(r.stdout).results[0];
  expect(row).toMatchObject({ script: 'counters.counter_add', sha: sha1(LIB), path: 'lua/counters.lua', errors: 0 });
  // The figures are FCALL's: the server counted the 500 calls, and each one ran the function.
  expect(row.serverCalls).toBe(500);
  expect(commandCalls(server, 'fcall')).toBe(fcalls + 500);
  expect(commandCalls(server, 'evalsha')).toBe(0);
  expect(server.cli('GET', 'n')).toBe('500');

  const ro = commandCalls(server, 'fcall_ro');
  const get = await cli(`bench counter_get -k n -n 200 --warmup 0 -c 1 --json --url ${server.url}`);
  expect(get.code).toBe(0);
  expect(JSON.parse(get.stdout).results[0]).toMatchObject({ script: 'counters.counter_get', serverCalls: 200 });
  expect(commandCalls(server, 'fcall_ro')).toBe(ro + 200);
});

test('bench never deploys a library: a server without it, or with other code, is refused before any call', async () => {
  await loadLib();
  server.cli('FUNCTION', 'FLUSH');
  const missing = await cli(`bench counters.counter_add -k n -a 1 -n 10 --url ${server.url}`);
  expect(missing.code).toBe(1);
  expect(missing.stderr.split('\n')[0]).toBe(
    `rscript: counters.counter_add: 127.0.0.1:${server.port} has no library counters`,
  );
  expect(missing.stderr).toContain('Deploy it with rscript load (bench does not deploy libraries)');
  expect(server.cli('FUNCTION', 'LIST')).toBe('');
  expect(commandCalls(server, 'fcall')).toBe(0);

  const other = LIB.replace("'INCRBY', keys[1], args[1]", "'INCRBY', keys[1], args[1] * 2");
  server.cli('FUNCTION', 'LOAD', other);
  const drift = await cli(`bench counters.counter_add -k n -a 1 -n 10 --url ${server.url}`);
  expect(drift.code).toBe(1);
  expect(drift.stderr.split('\n')[0]).toBe(
    `rscript: counters.counter_add: library counters on 127.0.0.1:${server.port} is not the lockfile's (sha ${sha1(other).slice(0, 12)}, lockfile ${sha1(LIB).slice(0, 12)})`,
  );
  expect(commandCalls(server, 'fcall')).toBe(0);
});

test('bench --sandbox: fixtures name functions as <lib>.<fn>; functions without one are listed', async () => {
  await loadLib();
  project.write(
    '.redisscriptsrc',
    JSON.stringify({
      bench: { 'counters.counter_add': { keys: ['n'], args: ['2'], setup: [['SET', 'n', '40']], requests: 300 } },
    }),
  );
  const r = await cli('bench --sandbox --json');
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.stdout);
  expect(
    doc.results.map((x: { script: string; serverCalls: number; verdict: string }) => [
      x.script,
      x.serverCalls,
      x.verdict,
    ]),
  ).toEqual([['counters.counter_add', 300, 'ok']]);
  expect(doc.withoutFixture).toEqual(['counters.counter_get']);
  // The calls went to the sandbox: the real server, which holds the library too, counted none.
  expect(server.cli('FUNCTION', 'LIST', 'LIBRARYNAME', 'counters')).not.toBe('');
  expect(commandCalls(server, 'fcall')).toBe(0);
});

test('bench and exec --sandbox run the library file as it stands, with error lines in that file', async () => {
  await loadLib();
  // Edited after the load: the sandbox runs this text, and its error names line 7 of it.
  const broken = LIB.replace(
    "  return redis.call('INCRBY', keys[1], args[1])",
    "  local n = 1\n  return redis.call('INCRBY', keys[1], 'x')",
  );
  project.write('lua/counters.lua', broken);
  const b = await cli(`bench counters.counter_add --sandbox -k n -a 1 -n 20 --json`);
  expect(b.code).toBe(1);
  const row = JSON.parse(b.stdout).results[0];
  expect(row.sha).toBe(sha1(broken));
  expect(row.error).toBe('lua/counters.lua:8: ERR value is not an integer or out of range');

  project.write('lua/counters.lua', LIB);
  project.write(
    '.redisscriptsrc',
    JSON.stringify({ bench: { 'counters.counter_add': { keys: ['n'], args: ['5'], setup: [['SET', 'n', '10']] } } }),
  );
  const fromFixture = await cli(`exec counters.counter_add --sandbox --json`);
  expect(fromFixture.stderr).toBe('');
  expect(fromFixture.code).toBe(0);
  expect(JSON.parse(fromFixture.stdout)).toMatchObject({ script: 'counters.counter_add', reply: 15 });
  const own = await cli(`exec counter_add --sandbox -k m -a 3`);
  expect(own.code).toBe(0);
  expect(own.stdout).toMatch(/│ \(reply\) │ integer │ 3 {5}│/);
  expect(own.stderr).toMatch(/^sandbox: redis-server .* a throwaway server stopped when rscript exits\n$/);
  // Nothing reached the real server.
  expect(server.cli('EXISTS', 'm')).toBe('0');
});

test('a library never loaded runs on a throwaway server from its file; no-writes read from its code', async () => {
  project.write(
    '.redisscriptsrc',
    JSON.stringify({ bench: { 'counters.counter_get': { keys: ['n'], setup: [['SET', 'n', '7']] } } }),
  );
  const exec = await cli('exec counters.counter_add --sandbox -k a -a 2 --json');
  expect(exec.stderr).toBe('');
  expect(exec.code).toBe(0);
  expect(JSON.parse(exec.stdout)).toMatchObject({ reply: 2, function: { library: 'counters', command: 'FCALL' } });
  const get = await cli('exec counter_get --sandbox --json');
  expect(JSON.parse(get.stdout)).toMatchObject({ reply: '7', function: { name: 'counter_get', command: 'FCALL_RO' } });
  const bench = await cli('bench --sandbox --json');
  expect(bench.code).toBe(0);
  expect(JSON.parse(bench.stdout).results.map((x: { script: string; sha: string }) => [x.script, x.sha])).toEqual([
    ['counters.counter_get', sha1(LIB)],
  ]);
  const typo = await cli('exec counters.counter_ad --sandbox -k a -a 2');
  expect(typo.code).toBe(2);
  expect(typo.stderr).toBe(
    'rscript: library "counters" has no function "counter_ad" (lua/counters.lua registers counter_add, counter_get)\n',
  );
  // Nothing was written: no lockfile, nothing on the real server.
  expect(project.exists('rscript.lock.json')).toBe(false);
  expect(server.cli('FUNCTION', 'LIST')).toBe('');
});
