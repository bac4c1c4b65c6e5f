/**
 * Functions libraries against a real standalone redis-server: load (add, replace only what differs,
 * dry run), the safe replace's rollback, bad input with the lockfile untouched, exists, exec
 * (FCALL / FCALL_RO), flush --functions, info and the runtime API. Checked on the server with redis-cli.
 */
import { createHash } from 'node:crypto';
import { createClient } from '@redis/client';
import { load } from '../../src/commands/load.js';
import { exists } from '../../src/commands/exists.js';
import { exec } from '../../src/commands/exec.js';
import { Scripts, ScriptReplyError } from '../../src/runtime.js';
import { checkFailure } from '../helpers/failure.js';
import { makeProject, runCli, type Project } from '../helpers/cli.js';
import { serverUnderTest } from '../helpers/server-under-test.js';
import { commandCalls } from '../helpers/commandstats.js';
import { useRedis } from '../helpers/use-redis.js';
import { COUNTERS } from '../helpers/libraries.js';

const server = useRedis();
let project: Project;

beforeEach(() => {
  server.cli('FUNCTION', 'FLUSH');
  server.cli('FLUSHALL');
});
afterEach(() => project?.cleanup());

const COUNTER = COUNTERS;

const MANIFEST = 'rscript.lock.json';
const run = (options: { dryRun?: boolean } = {}) =>
  load({
    paths: ['lua'],
    manifest: project.path(MANIFEST),
    target: { url: server.url, timeoutMs: 5000 },
    dryRun: options.dryRun,
    cwd: project.dir,
  });
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
/** The code a library has on the server, read with redis-cli. */
const codeOn = (lib: string) => {
  const lines = server.cli('FUNCTION', 'LIST', 'LIBRARYNAME', lib, 'WITHCODE').split('\n');
  const at = lines.indexOf('library_code');
  return at < 0 ? undefined : lines.slice(at + 1).join('\n');
};

test('a library is added, recorded in the lockfile, left alone when unchanged and replaced when changed', async () => {
  project = makeProject({ 'lua/counters.lua': COUNTER, 'lua/one.lua': 'return 1\n' });
  const first = await run();
  expect(first.libraries!.map((l) => [l.library, l.status, l.nodes.map((n) => n.action)])).toEqual([
    ['counters', 'new', ['added']],
  ]);
  expect(server.cli('FCALL', 'counter_add', '1', 'c', '5')).toBe('5');
  const lock = JSON.parse(project.read(MANIFEST).toString());
  expect(lock.libraries).toEqual({
    counters: {
      path: 'lua/counters.lua',
      sha: sha1(COUNTER),
      size: Buffer.byteLength(COUNTER),
      functions: {
        counter_add: { flags: [], keys: ['the counter (string holding an integer)'], args: ['increment (integer)'] },
        counter_get: { flags: ['no-writes'], keys: ['the counter'], args: [] },
      },
    },
  });
  expect(Object.keys(lock.scripts)).toEqual(['one']);

  const loads = commandCalls(server, 'function|load');
  const again = await run();
  expect(again.libraries![0]!.nodes[0]!.action).toBe('unchanged');
  expect(again.manifestWritten).toBe(false);
  expect(commandCalls(server, 'function|load')).toBe(loads);

  const changed = COUNTER.replace("'INCRBY', keys[1], args[1]", "'INCRBY', keys[1], args[1] * 2");
  project.write('lua/counters.lua', changed);
  const dry = await run({ dryRun: true });
  expect(dry.libraries![0]!.nodes[0]!.action).toBe('would replace');
  expect(codeOn('counters')).toBe(COUNTER.trimEnd());
  const third = await run();
  expect(third.libraries![0]!).toMatchObject({ status: 'changed', nodes: [{ action: 'replaced' }] });
  expect(codeOn('counters')).toBe(changed.trimEnd());
  expect(server.cli('FCALL', 'counter_add', '1', 'c', '5')).toBe('15');
  expect(JSON.parse(project.read(MANIFEST).toString()).libraries.counters.sha).toBe(sha1(changed));
});

test('a load that one library fails rolls back the library already replaced, and says so', async () => {
  project = makeProject({
    'lua/a.lua': COUNTER,
    'lua/b.lua': "#!lua name=b\nredis.register_function('b1', function() return 1 end)\n",
  });
  await run();
  const lockBefore = project.read(MANIFEST);
  // Another library on the server already defines the function b now registers.
  server.cli('FUNCTION', 'LOAD', "#!lua name=other\nredis.register_function('taken', function() return 'other' end)");
  project.write('lua/a.lua', COUNTER.replace('adds to a counter', 'adds to a counter, v2'));
  project.write(
    'lua/b.lua',
    "#!lua name=b\nredis.register_function('b1', function() return 1 end)\nredis.register_function('taken', function() return 'b' end)\n",
  );
  const err = await checkFailure(run());
  expect(err.message).toBe(
    `FUNCTION LOAD failed 127.0.0.1:${server.port}: lua/b.lua: ERR Function taken already exists (library "other" on that node defines it: rename the function, or FUNCTION DELETE other there)`,
  );
  expect(err.detail).toContain(
    `rolled back to the libraries they had (FUNCTION RESTORE ... FLUSH): 127.0.0.1:${server.port} (counters)`,
  );
  expect(err.detail[err.detail.length - 1]).toBe(`the manifest ${project.path(MANIFEST)} was not changed`);
  expect(codeOn('counters')).toBe(COUNTER.trimEnd());
  expect(server.cli('FCALL', 'taken', '0')).toBe('other');
  expect(project.read(MANIFEST).equals(lockBefore)).toBe(true);
});

test.each([
  [
    'no name=',
    '#!lua\nredis.register_function("f", function() return 1 end)\n',
    'lua/bad.lua:1: calls redis.register_function but its first line is not #!lua name=<library> (Redis: ERR Library name was not given)',
  ],
  [
    'a function defined twice',
    "#!lua name=bad\nredis.register_function('counter_get', function() return 1 end)\n",
    'function "counter_get" is defined by two libraries: lua/a.lua (library "counters") and lua/bad.lua (library "bad"); Redis refuses that even with REPLACE',
  ],
  [
    'a compile failure',
    "#!lua name=bad\nredis.register_function('f', function() return 1 end\n",
    "lua/bad.lua:3: compile error: ')' expected near '<eof>'",
  ],
  [
    'a load-time loop, caught by the linter',
    "#!lua name=bad\nlocal i = 0\nwhile true do i = i + 1 end\nredis.register_function('f', function() return 1 end)\n",
    'lua/bad.lua:3:1: a loop at load time runs at every FUNCTION LOAD, on every node, and Redis stops a load past 500 ms (ERR FUNCTION LOAD timeout) (library-load-time)',
  ],
  [
    'a load past 500 ms (--no-lint)',
    "#!lua name=bad\nlocal i = 0\nwhile true do i = i + 1 end\nredis.register_function('f', function() return 1 end)\n",
    `FUNCTION LOAD failed 127.0.0.1:PORT: lua/bad.lua: the library's load-time code ran past the 500 ms Redis allows FUNCTION LOAD (ERR FUNCTION LOAD timeout): keep the top level to register_function calls`,
  ],
])('bad input (%s): one clear line, exit 1, lockfile untouched', async (what, code, line) => {
  project = makeProject({ 'lua/a.lua': COUNTER });
  await run();
  const before = project.read(MANIFEST);
  project.write('lua/bad.lua', code);
  const r = await runCli(['load', '--url', server.url, ...(what.includes('--no-lint') ? ['--no-lint'] : [])], {
    cwd: project.dir,
  });
  expect(r.code).toBe(1);
  expect(r.stderr.split('\n')[0]).toBe(`rscript: ${line.replace('PORT', String(server.port))}`);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(project.read(MANIFEST).equals(before)).toBe(true);
  expect(server.cli('FUNCTION', 'LIST', 'LIBRARYNAME', 'bad')).toBe('');
});

test('exists: present with the same code, drift (other code, missing) exits 1', async () => {
  project = makeProject({ 'lua/a.lua': COUNTER });
  await run();
  const ok = await runCli(['exists', '--url', server.url], { cwd: project.dir });
  expect(ok.code).toBe(0);
  expect(ok.stdout).toContain("the library is on the server with the manifest's code");
  server.cli('FUNCTION', 'LOAD', 'REPLACE', COUNTER.replace('reads it', 'reads'));
  const drift = await exists({
    names: [],
    manifest: project.path(MANIFEST),
    target: { url: server.url, timeoutMs: 5000 },
  });
  expect(drift.libraries![0]!.driftOn.map((n) => n.node)).toEqual([`127.0.0.1:${server.port}`]);
  const r = await runCli(['exists', '--url', server.url], { cwd: project.dir });
  expect(r.code).toBe(1);
  expect(r.stdout).toContain(`OTHER CODE on 127.0.0.1:${server.port}`);
  server.cli('FUNCTION', 'DELETE', 'counters');
  const gone = await runCli(['exists', '--url', server.url], { cwd: project.dir });
  expect(gone.code).toBe(1);
  expect(gone.stdout).toContain(`MISSING on 127.0.0.1:${server.port}`);
});

test('exists: scripts missing while the library is there: the last line says what is missing', async () => {
  // A CI log's tail is the verdict a reader sees; exit 1 must not end on the library's "on the server".
  project = makeProject({ 'lua/a.lua': COUNTER, 'lua/one.lua': 'return 1\n' });
  await run();
  server.cli('SCRIPT', 'FLUSH');
  const r = await runCli(['exists', '--url', server.url], { cwd: project.dir });
  expect(r.code).toBe(1);
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines.at(-1)).toBe(`1 of 1 script missing on the server (${serverUnderTest().name}): run rscript load`);
  expect(r.stdout).toContain("the library is on the server with the manifest's code");
});

test('exec: lib.fn or the bare name, FCALL_RO for no-writes, too few keys refused, error lines in the library file', async () => {
  project = makeProject({
    'lua/a.lua': COUNTER,
    'lua/w.lua':
      "#!lua name=w\nredis.register_function('wrong', function(keys)\n  return redis.call('INCRBY', keys[1], 'ten')\nend)\n",
  });
  await run();
  const target = { url: server.url, timeoutMs: 5000 };
  const call = (script: string, keys: string[], args: string[] = [], readOnly = false) =>
    exec({
      script,
      keys,
      args,
      readOnly,
      manifest: project.path(MANIFEST),
      scripts: ['lua'],
      target,
      cwd: project.dir,
    });
  const added = await call('counters.counter_add', ['c'], ['7']);
  expect(added.reply).toEqual({ type: 'integer', value: 7 });
  expect(added.function).toEqual({ library: 'counters', name: 'counter_add', command: 'FCALL' });
  const roBefore = commandCalls(server, 'fcall_ro');
  const got = await call('counter_get', ['c']);
  expect(got.function!.command).toBe('FCALL_RO');
  expect(commandCalls(server, 'fcall_ro')).toBe(roBefore + 1);
  const few = await runCli(['exec', 'counter_add', '--keys', 'c', '--url', server.url], { cwd: project.dir });
  expect(few.code).toBe(2);
  expect(few.stderr).toContain('rscript: counters.counter_add reads 1 key(s) and 1 arg(s); got 1 and 0');
  const err = await checkFailure(call('wrong', ['x']));
  expect(err.message).toBe('lua/w.lua:3: ERR value is not an integer or out of range');
  expect(err.detail).toEqual(["3 |   return redis.call('INCRBY', keys[1], 'ten')"]);
  const ro = await runCli(['exec', 'counter_add', '--ro', '-k', 'c', '-a', '1', '--url', server.url], {
    cwd: project.dir,
  });
  expect(ro.code).toBe(2);
  expect(ro.stderr).toContain('counters.counter_add is not registered with the no-writes flag');
  server.cli('FUNCTION', 'FLUSH');
  const missing = await checkFailure(call('counter_get', ['c']));
  expect(missing.message).toBe(
    'counters.counter_get: the server has no function counter_get (library counters is not loaded there)',
  );
});

test('flush --functions deletes every library after --yes; info lists the functions with flags, keys and args', async () => {
  project = makeProject({ 'lua/a.lua': COUNTER });
  await run();
  const info = await runCli(['info'], { cwd: project.dir });
  expect(info.code).toBe(0);
  expect(info.stdout).toMatch(/counters\.counter_get .*the counter .*none .*no-writes/);
  expect(info.stdout).toContain('0 scripts and 2 functions of 1 library');
  const refused = await runCli(['flush', '--functions', '--url', server.url], { cwd: project.dir });
  expect(refused.code).toBe(2);
  expect(server.cli('FUNCTION', 'LIST')).not.toBe('');
  const r = await runCli(['flush', '--functions', '--yes', '--url', server.url], { cwd: project.dir });
  expect(r.code).toBe(0);
  expect(r.stdout.trim()).toBe(`every Functions library deleted (FUNCTION FLUSH) on 127.0.0.1:${server.port}`);
  expect(server.cli('FUNCTION', 'LIST')).toBe('');
});

test('the runtime API runs functions by name through the manifest', async () => {
  project = makeProject({ 'lua/a.lua': COUNTER, 'lua/one.lua': 'return 1\n' });
  await run();
  const scripts = Scripts.fromManifest(project.path(MANIFEST));
  expect(scripts.functions()).toEqual(['counters.counter_add', 'counters.counter_get']);
  const client = createClient({ url: server.url });
  await client.connect();
  try {
    expect(await scripts.run(client, 'counters.counter_add', { keys: ['rc'], args: [3] })).toBe(3);
    expect(await scripts.run(client, 'counter_get', { keys: ['rc'] })).toBe('3');
    expect(await scripts.run(client, 'one')).toBe(1);
    await expect(scripts.run(client, 'counter_add', { keys: ['rc'] })).rejects.toThrow(
      'counters.counter_add: expects 1 key(s) and 1 arg(s), got 1 and 0',
    );
    server.cli('FUNCTION', 'FLUSH');
    await expect(scripts.run(client, 'counter_get', { keys: ['rc'] })).rejects.toBeInstanceOf(ScriptReplyError);
  } finally {
    await client.close();
  }
});

test('functions dump --out, then restore: append refuses a library already there, flush (with --yes) brings the dump back', async () => {
  project = makeProject({ 'lua/a.lua': COUNTER });
  await run();
  const url = ['--url', server.url];
  const dump = await runCli(['functions', 'dump', '--out', 'backup.bin', ...url], { cwd: project.dir });
  expect(dump.code).toBe(0);
  expect(dump.stdout).toContain('written to backup.bin: counters (counter_add, counter_get)');
  // The server's own format: redis-cli restores it too.
  server.cli('FUNCTION', 'FLUSH');
  const append = await runCli(['functions', 'restore', 'backup.bin', ...url], { cwd: project.dir });
  expect(append.code).toBe(0);
  expect(codeOn('counters')).toBe(COUNTER.trimEnd());
  const again = await runCli(['functions', 'restore', 'backup.bin', ...url], { cwd: project.dir });
  expect(again.code).toBe(1);
  expect(again.stderr.split('\n')[0]).toBe(
    'rscript: FUNCTION RESTORE APPEND of backup.bin failed on 127.0.0.1:' +
      server.port +
      ': ERR Library counters already exists',
  );
  server.cli('FUNCTION', 'LOAD', "#!lua name=extra\nredis.register_function('extra_fn', function() return 1 end)");
  const noYes = await runCli(['functions', 'restore', 'backup.bin', '--policy', 'flush', ...url], { cwd: project.dir });
  expect(noYes.code).toBe(2);
  const flushed = await runCli(['functions', 'restore', 'backup.bin', '--policy', 'flush', '--yes', ...url], {
    cwd: project.dir,
  });
  expect(flushed.code).toBe(0);
  expect(flushed.stdout.trim()).toBe(
    `backup.bin restored (FLUSH) on 127.0.0.1:${server.port}; libraries now: counters`,
  );
  expect(server.cli('FUNCTION', 'LIST', 'LIBRARYNAME', 'extra')).toBe('');
});
