/**
 * Includes in Functions libraries, end to end: a `#!lua name=` library that `--- @include`s the
 * fragments of the includes fixture is assembled, hashed, linted, loaded and recorded as scripts are,
 * and every position the user sees (lint, FUNCTION LOAD, FCALL through the CLI and the runtime API)
 * names the fragment's own file and line and the library it was included into. Real redis-server.
 */
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type RedisClientType } from '@redis/client';
import { Scripts, ScriptReplyError } from '../../src/index.js';
import { sha1hex } from '../../src/registry/script.js';
import { makeProject, REPO, runCli, type Project } from '../helpers/cli.js';
import { startRedis, type TestServer } from '../helpers/redis-server.js';

const TREE = join(REPO, 'test/fixtures/includes/lua');

const LIBRARY = `#!lua name=jobs
--- @include "include/attempts"

-- job_attempt: counts one more attempt of a job and returns the count
--
-- KEYS[1]: jobs, fields <id>:data and <id>:attempts (hash)
-- ARGV[1]: job id (string)
-- Returns: the attempts so far (integer)
local function job_attempt(keys, args)
  return countAttempt(keys[1], args[1])
end

redis.register_function('job_attempt', job_attempt)
`;

let server: TestServer;
let project: Project;
const cli = (...args: string[]) => runCli(args, { cwd: project.dir, env: { REDIS_URL: server.url } });

beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.stop();
});
beforeEach(() => {
  project = makeProject();
  cpSync(TREE, project.path('lua'), { recursive: true });
  project.write('lua/jobs.lua', LIBRARY);
  server.cli('FLUSHALL');
  server.cli('FUNCTION', 'FLUSH');
});
afterEach(() => project?.cleanup());

type Lock = {
  libraries: Record<string, { sha: string; size: number; sources?: Array<{ path: string; sha: string }> }>;
};
const lockfile = () => JSON.parse(project.read('rscript.lock.json').toString()) as Lock;

/** The 1-based line of `file` (in the project) that holds `text`. */
function lineOf(file: string, text: string): number {
  const at =
    readFileSync(project.path(file), 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(text)) + 1;
  expect(at).toBeGreaterThan(0);
  return at;
}

const ATTEMPT = "redis.call('HINCRBY'";

test('the assembled library is what is loaded, hashed and recorded, with the files it was built from', async () => {
  const r = await cli('load');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lib = lockfile().libraries.jobs!;
  expect(lib.sources).toEqual([
    { path: 'lua/jobs.lua', sha: sha1hex(project.read('lua/jobs.lua')) },
    { path: 'lua/include/attempts.lua', sha: sha1hex(project.read('lua/include/attempts.lua')) },
    { path: 'lua/include/keys.lua', sha: sha1hex(project.read('lua/include/keys.lua')) },
  ]);
  // The server holds the assembled text: its SHA1 is the lockfile's, and the include line is gone.
  const code = server.cli('FUNCTION', 'LIST', 'LIBRARYNAME', 'jobs', 'WITHCODE');
  expect(code).toContain('local function countAttempt(jobs, id)');
  expect(code).not.toContain('@include');
  const built = await cli('build', 'lua/jobs.lua');
  expect(built.code).toBe(0);
  expect(sha1hex(built.stdout)).toBe(lib.sha);
  // It runs: the fragment's helpers are there.
  const run = await cli('exec', 'jobs.job_attempt', '-k', 'q:jobs', '-a', '7', '--json');
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout) as { reply: unknown; replyTyped: unknown }).toMatchObject({
    reply: 1,
    replyTyped: { type: 'integer', value: 1 },
  });
  expect(server.cli('HGET', 'q:jobs', '7:attempts')).toBe('1');
  expect((await cli('exists')).code).toBe(0);
});

test('a fragment edited without a reload marks the library changed through it; load --check exits 1', async () => {
  expect((await cli('load')).code).toBe(0);
  const before = lockfile().libraries.jobs!.sha;
  project.write(
    'lua/include/attempts.lua',
    project.read('lua/include/attempts.lua').toString().replace("'attempts'), 1)", "'attempts'), 2)"),
  );
  const check = await cli('load', '--check');
  expect(check.code).toBe(1);
  expect(check.stdout).toMatch(/jobs\s+│ \w+ │ changed/);
  expect(check.stdout).toContain('jobs: changed through lua/include/attempts.lua');
  expect(check.stdout).toContain('moveToActive: changed through lua/include/attempts.lua');
  expect((await cli('load')).code).toBe(0);
  expect(lockfile().libraries.jobs!.sha).not.toBe(before);
  expect((await cli('exec', 'jobs.job_attempt', '-k', 'q:jobs', '-a', '7')).code).toBe(0);
  expect(server.cli('HGET', 'q:jobs', '7:attempts')).toBe('2');
  expect((await cli('load', '--check')).code).toBe(0);
});

test("an FCALL error inside a fragment names the fragment's line and the library (CLI)", async () => {
  expect((await cli('load')).code).toBe(0);
  server.cli('HSET', 'q:jobs', '7:attempts', 'many');
  const r = await cli('exec', 'jobs.job_attempt', '-k', 'q:jobs', '-a', '7');
  expect(r.code).toBe(1);
  const line = lineOf('lua/include/attempts.lua', ATTEMPT);
  expect(r.stderr).toBe(
    `rscript: lua/include/attempts.lua:${line}: ERR hash value is not an integer (included into lua/jobs.lua)\n` +
      `  ${line} |   return redis.call('HINCRBY', jobs, jobField(id, 'attempts'), 1)\n`,
  );
});

test("an FCALL error inside a fragment names the fragment's line and the library (runtime API)", async () => {
  expect((await cli('load')).code).toBe(0);
  server.cli('HSET', 'q:jobs', '7:attempts', 'many');
  const scripts = Scripts.fromManifest(project.path('rscript.lock.json'));
  const client = createClient({ url: server.url }) as RedisClientType;
  await client.connect();
  try {
    const err = await scripts
      .run(client, 'jobs.job_attempt', { keys: ['q:jobs'], args: ['7'] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScriptReplyError);
    const e = err as ScriptReplyError;
    const line = lineOf('lua/include/attempts.lua', ATTEMPT);
    expect(e.message).toBe(
      `jobs.job_attempt: lua/include/attempts.lua:${line}: ERR hash value is not an integer (included into lua/jobs.lua)`,
    );
    expect({ file: e.file, line: e.line, sha: e.sha }).toEqual({
      file: 'lua/include/attempts.lua',
      line,
      sha: lockfile().libraries.jobs!.sha,
    });
    // The server's own text stays available, as it came.
    expect(e.reply).toMatch(/@user_function:\d+/);
    // An error in the library's own lines is named in the library (the bare function name works too).
    project.write(
      'lua/jobs.lua',
      LIBRARY.replace('return countAttempt', "redis.call('INCR', keys[1])\n  return countAttempt"),
    );
    expect((await cli('load')).code).toBe(0);
    const again = Scripts.fromManifest(project.path('rscript.lock.json'));
    const own = (await again
      .run(client, 'job_attempt', { keys: ['q:jobs'], args: ['7'] })
      .catch((x: unknown) => x)) as ScriptReplyError;
    expect(own.message).toBe(
      `jobs.job_attempt: lua/jobs.lua:${lineOf('lua/jobs.lua', "'INCR'")}: WRONGTYPE Operation against a key holding the wrong kind of value`,
    );
  } finally {
    client.destroy();
  }
});

test("FUNCTION LOAD refusing a fragment's load-time code names the fragment's line (linter off)", async () => {
  project.write(
    'lua/include/attempts.lua',
    `${project.read('lua/include/attempts.lua').toString()}\nredis.call('SET', 'x', 1)\n`,
  );
  const r = await cli('load', '--no-lint');
  expect(r.code).toBe(1);
  const line = lineOf('lua/include/attempts.lua', "redis.call('SET'");
  expect(r.stderr.split('\n').slice(0, 2)).toEqual([
    `rscript: FUNCTION LOAD failed ${server.url.replace('redis://', '')}: lua/include/attempts.lua:${line}: refused at load time: Script attempted to access nonexistent global variable 'call' (included into lua/jobs.lua)`,
    `  ${line} | redis.call('SET', 'x', 1)`,
  ]);
  expect(server.cli('FUNCTION', 'LIST', 'LIBRARYNAME', 'jobs')).toBe('');
});

test("a fragment that does not parse is refused before sending, at the fragment's line", async () => {
  project.write(
    'lua/include/attempts.lua',
    `${project.read('lua/include/attempts.lua').toString()}\nlocal broken = 1 + * 2\n`,
  );
  const r = await cli('load', '--no-lint');
  expect(r.code).toBe(1);
  const line = lineOf('lua/include/attempts.lua', 'local broken');
  expect(r.stderr.split('\n')[0]).toBe(
    `rscript: lua/include/attempts.lua:${line}: compile error: <expression> expected near '*' (included into lua/jobs.lua)`,
  );
  expect(project.exists('rscript.lock.json')).toBe(false);
});

test("lint findings in a fragment a library includes are shown at the fragment, in lint and in load's gate", async () => {
  project.write(
    'lua/include/attempts.lua',
    `${project.read('lua/include/attempts.lua').toString()}\nlocal function peek(k)\n  return redis.call('GETT', k)\nend\n`,
  );
  const line = lineOf('lua/include/attempts.lua', "'GETT'");
  const r = await cli('lint', '--json');
  const { findings } = JSON.parse(r.stdout) as {
    findings: Array<{ rule: string; file: string; line: number; includedInto?: string }>;
  };
  // Once, under the fragment, however many scripts and libraries include it.
  expect(findings.filter((f) => f.rule === 'unknown-command')).toEqual([
    expect.objectContaining({ file: 'lua/include/attempts.lua', line }),
  ]);
  // Only the library includes it: the load gate names the library.
  project.remove('lua/moveToActive.lua');
  const load = await cli('load');
  expect(load.code).toBe(1);
  expect(load.stderr.split('\n').slice(0, 2)).toEqual([
    `rscript: lua/include/attempts.lua:${line}:21: 'GETT' is not a Redis 7.0 command: redis.call fails with "ERR Unknown Redis command called from script" (unknown-command) (included into lua/jobs.lua)`,
    `  ${line} |   return redis.call('GETT', k)`,
  ]);
});

test('a function registered in a fragment is located in the fragment (info, and a name defined twice)', async () => {
  project.write(
    'lua/include/register.lua',
    "-- job_peek: the attempts of a job\n--\n-- KEYS[1]: jobs (hash)\n-- ARGV[1]: job id (string)\nredis.register_function{function_name = 'job_peek', flags = {'no-writes'},\n  callback = function(keys, args) return redis.call('HGET', keys[1], args[1] .. ':attempts') end}\n",
  );
  project.write('lua/jobs.lua', `${LIBRARY}--- @include "include/register"\n`);
  const info = await cli('info', 'jobs.job_peek');
  expect(info.code).toBe(0);
  expect(info.stdout.split('\n')[0]).toMatch(/^jobs\.job_peek {2}lua\/include\/register\.lua:5 {2}/);
  project.write('lua/other.lua', "#!lua name=other\nredis.register_function('job_peek', function() return 1 end)\n");
  const lint = await cli('lint', '--json');
  const { findings } = JSON.parse(lint.stdout) as {
    findings: Array<{ rule: string; file: string; line: number; message: string }>;
  };
  const clash = findings.filter((f) => f.rule === 'library-register');
  expect(clash).toHaveLength(1);
  expect(clash[0]!.message).toContain('function "job_peek" is also defined by');
  const load = await cli('load');
  expect(load.code).toBe(1);
  expect(load.stderr).toContain('function "job_peek" is defined by two libraries');
});
