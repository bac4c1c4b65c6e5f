/**
 * Includes end to end: a BullMQ-style tree (scripts that `--- @include` shared fragments, written for
 * these tests) loaded, run and checked through the built CLI and the runtime API, against a real
 * redis-server; its errors shown at the fragment's own file and line.
 */
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type RedisClientType } from '@redis/client';
import { Scripts, ScriptReplyError } from '../../src/index.js';
import { sha1hex } from '../../src/registry/script.js';
import { makeProject, REPO, runCli, type Project } from '../helpers/cli.js';
import { useRedis } from '../helpers/use-redis.js';

const TREE = join(REPO, 'test/fixtures/includes/lua');

const server = useRedis();
let project: Project;
const cli = (...args: string[]) => runCli(args, { cwd: project.dir, env: { REDIS_URL: server.url } });

beforeEach(() => {
  project = makeProject();
  cpSync(TREE, project.path('lua'), { recursive: true });
  server.cli('FLUSHALL');
  server.cli('SCRIPT', 'FLUSH');
});
afterEach(() => project?.cleanup());

const lockfile = () =>
  JSON.parse(project.read('rscript.lock.json').toString()) as {
    scripts: Record<string, { sha: string; sources?: Array<{ path: string; sha: string }> }>;
  };

test('the tree loads: fragments are not scripts, each script records the files it was built from', async () => {
  const r = await cli('load');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lock = lockfile();
  expect(Object.keys(lock.scripts)).toEqual(['addJob', 'counts', 'moveToActive']);
  // A diamond (events and wait both include keys): keys once, where first used.
  expect(lock.scripts.addJob!.sources).toEqual([
    { path: 'lua/addJob.lua', sha: sha1hex(project.read('lua/addJob.lua')) },
    { path: 'lua/include/events.lua', sha: sha1hex(project.read('lua/include/events.lua')) },
    { path: 'lua/include/keys.lua', sha: sha1hex(project.read('lua/include/keys.lua')) },
    { path: 'lua/include/wait.lua', sha: sha1hex(project.read('lua/include/wait.lua')) },
  ]);
  // A script without includes keeps the entry it always had.
  expect(lock.scripts.counts!.sources).toBeUndefined();
  expect(lock.scripts.counts!.sha).toBe(sha1hex(project.read('lua/counts.lua')));
  // What the server holds is the assembled text: its SHA is the manifest's.
  expect(server.cli('SCRIPT', 'EXISTS', lock.scripts.addJob!.sha)).toBe('1');
  // info reads the header of the assembled text and names the fragments.
  const info = await cli('info', 'addJob');
  expect(info.stdout).toContain('\nincludes: lua/include/events.lua, lua/include/keys.lua, lua/include/wait.lua\n');
  expect(info.stdout).toContain('KEYS[4]  events (stream)');
});

test('the scripts run: jobs are added, moved to active with their payload and attempts, counted', async () => {
  expect((await cli('load')).code).toBe(0);
  const keys = ['-k', 'q:wait', 'q:seq', 'q:jobs', 'q:events'];
  for (const payload of ['first', 'second']) {
    const add = await cli('exec', 'addJob', ...keys, '-a', payload, '--json');
    expect(add.code).toBe(0);
  }
  const moved = await cli('exec', 'moveToActive', '-k', 'q:wait', 'q:active', 'q:jobs', 'q:events', '--json');
  expect(moved.stderr).toBe('');
  const reply = (JSON.parse(moved.stdout) as { reply: unknown }).reply;
  expect(JSON.stringify(reply)).toContain('"first"');
  expect(server.cli('HGET', 'q:jobs', '1:attempts')).toBe('1');
  expect(server.cli('XLEN', 'q:events')).toBe('3');
  const counts = await cli('exec', 'counts', '-k', 'q:wait', 'q:active', '--ro');
  expect(counts.code).toBe(0);
  expect(counts.stdout).toMatch(/1\s*│[\s\S]*1/);
});

test('a fragment edited without a reload: load --check fails, and every script that includes it is changed', async () => {
  expect((await cli('load')).code).toBe(0);
  const before = lockfile();
  project.write('lua/include/keys.lua', project.read('lua/include/keys.lua').toString().replace("':'", "'/'"));
  const check = await cli('load', '--check');
  expect(check.code).toBe(1);
  expect(check.stdout).toMatch(/addJob\s+│ \w+ │ changed/);
  expect(check.stdout).toMatch(/moveToActive\s+│ \w+ │ changed/);
  expect(check.stdout).toMatch(/counts\s+│ \w+ │ unchanged/);
  expect(check.stdout).toContain('addJob: changed through lua/include/keys.lua');
  expect(check.stdout).toContain('is out of date');
  const load = await cli('load');
  expect(load.code).toBe(0);
  const after = lockfile();
  expect(after.scripts.addJob!.sha).not.toBe(before.scripts.addJob!.sha);
  expect(after.scripts.counts!.sha).toBe(before.scripts.counts!.sha);
  expect(after.scripts.moveToActive!.sources!.find((s) => s.path === 'lua/include/keys.lua')!.sha).toBe(
    sha1hex(project.read('lua/include/keys.lua')),
  );
  expect((await cli('load', '--check')).code).toBe(0);
});

test("a runtime error inside a fragment names the fragment's line and the script (CLI)", async () => {
  expect((await cli('load')).code).toBe(0);
  server.cli('RPUSH', 'q:wait', '7');
  server.cli('HSET', 'q:jobs', '7:attempts', 'many');
  const r = await cli('exec', 'moveToActive', '-k', 'q:wait', 'q:active', 'q:jobs', 'q:events');
  expect(r.code).toBe(1);
  const line = fragmentLine('lua/include/attempts.lua', "redis.call('HINCRBY'");
  expect(r.stderr).toBe(
    `rscript: lua/include/attempts.lua:${line}: ERR hash value is not an integer (included into lua/moveToActive.lua)\n` +
      `  ${line} |   return redis.call('HINCRBY', jobs, jobField(id, 'attempts'), 1)\n`,
  );
});

test("a runtime error inside a fragment names the fragment's line and the script (runtime API)", async () => {
  expect((await cli('load')).code).toBe(0);
  server.cli('RPUSH', 'q:wait', '7');
  server.cli('HSET', 'q:jobs', '7:attempts', 'many');
  const scripts = Scripts.fromManifest(project.path('rscript.lock.json'));
  const client = createClient({ url: server.url }) as RedisClientType;
  await client.connect();
  try {
    const err = await scripts
      .run(client, 'moveToActive', { keys: ['q:wait', 'q:active', 'q:jobs', 'q:events'] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScriptReplyError);
    const line = fragmentLine('lua/include/attempts.lua', "redis.call('HINCRBY'");
    const e = err as ScriptReplyError;
    expect({ file: e.file, line: e.line }).toEqual({ file: 'lua/include/attempts.lua', line });
    expect(e.message).toBe(
      `moveToActive: lua/include/attempts.lua:${line}: ERR hash value is not an integer (included into lua/moveToActive.lua)`,
    );
    // The server's own text stays available, as it came.
    expect(e.reply).toMatch(/@user_script:\d+/);
  } finally {
    client.destroy();
  }
});

test("the runtime API maps a plain script's @user_script line too", async () => {
  project.write(
    'lua/bad_incr.lua',
    "-- bad_incr: INCR on a key that may hold text\n--\n-- KEYS[1]: a counter (string)\n-- Returns: the new value (integer)\nlocal n = 1\nreturn redis.call('INCR', KEYS[1])\n",
  );
  expect((await cli('load')).code).toBe(0);
  server.cli('SET', 'text', 'abc');
  const scripts = Scripts.fromManifest(project.path('rscript.lock.json'));
  const client = createClient({ url: server.url }) as RedisClientType;
  await client.connect();
  try {
    const err = (await scripts
      .run(client, 'bad_incr', { keys: ['text'] })
      .catch((e: unknown) => e)) as ScriptReplyError;
    expect(err.message).toBe('bad_incr: lua/bad_incr.lua:6: ERR value is not an integer or out of range');
    expect({ file: err.file, line: err.line }).toEqual({ file: 'lua/bad_incr.lua', line: 6 });
  } finally {
    client.destroy();
  }
});

test("a compile error in a fragment (SCRIPT LOAD, linter off) names the fragment's line", async () => {
  project.write('lua/include/keys.lua', project.read('lua/include/keys.lua').toString() + '\nlocal broken = 1 + * 2\n');
  const r = await cli('load', '--no-lint');
  expect(r.code).toBe(1);
  const line = fragmentLine('lua/include/keys.lua', 'local broken');
  expect(r.stderr.split('\n').slice(0, 2)).toEqual([
    `rscript: lua/include/keys.lua:${line}: compile error: unexpected symbol near '*' (included into lua/addJob.lua)`,
    `  ${line} | local broken = 1 + * 2`,
  ]);
  expect(project.exists('rscript.lock.json')).toBe(false);
});

test('lint findings in a fragment are shown once, at the fragment, whichever scripts include it', async () => {
  project.write(
    'lua/include/keys.lua',
    project.read('lua/include/keys.lua').toString() + "\nlocal function peek(k)\n  return redis.call('GETT', k)\nend\n",
  );
  const line = fragmentLine('lua/include/keys.lua', "'GETT'");
  const r = await cli('lint', '--json');
  const { findings } = JSON.parse(r.stdout) as {
    findings: Array<{ rule: string; file: string; line: number; includedInto?: string }>;
  };
  const unknown = findings.filter((f) => f.rule === 'unknown-command');
  expect(unknown).toEqual([
    expect.objectContaining({ file: 'lua/include/keys.lua', line, includedInto: 'lua/addJob.lua' }),
  ]);
  const text = await cli('lint');
  expect(text.stdout).toContain(`lua/include/keys.lua\n  ${line}:`);
  expect(text.stdout).toContain("  return redis.call('GETT', k)");
  // The load gate reports it at the fragment too, before loading anything.
  const load = await cli('load');
  expect(load.code).toBe(1);
  expect(load.stderr).toMatch(
    new RegExp(
      `^rscript: lua/include/keys\\.lua:${line}:\\d+: .*\\(unknown-command\\) \\(included into lua/addJob\\.lua\\)`,
    ),
  );
});

test('a cycle and a missing include fail the CLI with one line and exit 1', async () => {
  project.write('lua/include/keys.lua', '--- @include "wait"\n' + project.read('lua/include/keys.lua').toString());
  const cycle = await cli('load', '--check');
  expect(cycle.code).toBe(1);
  expect(cycle.stderr.split('\n')[0]).toBe(
    'rscript: lua/include/wait.lua:1: include cycle: lua/include/keys.lua -> lua/include/wait.lua -> lua/include/keys.lua',
  );
  project.write('lua/include/keys.lua', '--- @include "gone"\n');
  const missing = await cli('lint');
  expect(missing.code).toBe(1);
  expect(missing.stderr.split('\n')[0]).toBe('rscript: lua/include/keys.lua:1: included file not found: "gone"');
});

test('build prints the assembled text the server runs, or writes it to a folder', async () => {
  expect((await cli('load')).code).toBe(0);
  const lock = lockfile();
  const printed = await cli('build', 'addJob');
  expect(printed.code).toBe(0);
  expect(sha1hex(printed.stdout)).toBe(lock.scripts.addJob!.sha);
  expect(printed.stdout).not.toContain('@include');
  const written = await cli('build', '--out', 'dist');
  expect(written.code).toBe(0);
  expect(written.stdout).toContain('3 scripts written to dist/');
  for (const name of ['addJob', 'counts', 'moveToActive'])
    expect(sha1hex(project.read(`dist/${name}.lua`))).toBe(lock.scripts[name]!.sha);
  const unknown = await cli('build', 'addjob');
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('did you mean "addJob"');
});

/** The 1-based line of `file` (in the tree) that holds `text`. */
function fragmentLine(file: string, text: string): number {
  return (
    readFileSync(project.path(file), 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(text)) + 1
  );
}

test('rscript test runs a script with its fragments spliced in, as load sends it', async () => {
  project.write(
    'lua/addJob.spec.yaml',
    [
      'cases:',
      '  - name: adds a job through the fragments',
      '    call: { keys: [q:wait, q:seq, q:jobs, q:events], args: [first] }',
      '    reply: 1',
      '    keyspace:',
      '      q:seq: "1"',
      '      q:jobs: { hash: { "1:data": first, "1:attempts": "0" } }',
      '',
    ].join('\n'),
  );
  const r = await cli('test', 'lua/addJob.spec.yaml', '--resp', '3');
  expect(r.stdout).toMatch(/^1 passed, 0 failed$/m);
  expect(r.code).toBe(0);
});
