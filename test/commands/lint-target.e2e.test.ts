/**
 * The linter's target from the server: `load` checks what it sends against the release of the server
 * it loads to, `lint --url` against the server it names, and exec's check of a file load has not seen
 * against the server that ran it. Server-specific by design: HGETEX came with Redis 8.0 and Valkey
 * 9.0, so Redis 8.0 runs it and Redis 7.0 and Valkey 8.1 refuse it ("ERR Unknown Redis command called
 * from script"). Started here side by side: the Redis on PATH (7.0 on Debian 12), and the Redis 8.0.2
 * and Valkey 8.1.1 builds of scripts/build-server.sh when they are there (the test says when not).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/server/throwaway-server.js';
import { makeProject, runCli, type Project } from '../helpers/cli.js';

const root = process.env.RSCRIPT_SERVERS_DIR ?? join(homedir(), '.cache', 'rscript', 'servers');
const binaryOf = (build: string) => (build === 'path' ? 'redis-server' : join(root, build, 'bin', 'redis-server'));

// Runs HGETEX only when asked: the script itself runs on every server.
const HGETEX =
  "-- KEYS[1]: the hash (hash)\n-- ARGV[1]: mode (string)\nif ARGV[1] == 'hgetex' then\n  return redis.call('HGETEX', KEYS[1], 'EX', 60, 'FIELDS', 1, 'f')\nend\nreturn 'ok'\n";

interface Running {
  build: string;
  /** `Redis 7.0.15`, as rscript names it. */
  name: string;
  /** The lint target of that release, and its label in findings. */
  target: string;
  label: string;
  url: string;
  sandbox: Sandbox;
}

const running: Running[] = [];

beforeAll(async () => {
  const wanted: Array<[string, string, RegExp]> = [
    ['path', 'redis-7.0', /^7\.0\./],
    ['redis-8.0.2', 'redis-8.0', /^8\.0\./],
    ['valkey-8.1.1', 'valkey-8.1', /^8\.1\./],
  ];
  const missing: string[] = [];
  for (const [build, target, version] of wanted) {
    if (build !== 'path' && !existsSync(binaryOf(build))) {
      missing.push(build);
      continue;
    }
    const sandbox = await startSandbox({ binary: binaryOf(build), timeoutMs: 10_000 });
    // The Redis on PATH is 7.0 on the machines this runs on; another release is left out, said below.
    if (!version.test(sandbox.version ?? '')) {
      missing.push(`${build} (it is ${sandbox.version})`);
      await sandbox.stop();
      continue;
    }
    const flavour = target.startsWith('valkey') ? 'Valkey' : 'Redis';
    running.push({
      build,
      name: `${flavour} ${sandbox.version}`,
      target,
      label: `${flavour} ${target.split('-')[1]}`,
      url: `redis://127.0.0.1:${sandbox.port}`,
      sandbox,
    });
  }
  if (missing.length > 0) console.log(`lint target from the server: not run on ${missing.join(', ')}`);
}, 60_000);

afterAll(async () => {
  for (const r of running) await r.sandbox.stop();
});

let project: Project;
afterEach(() => project?.cleanup());

const on = (build: string) => running.find((r) => r.build === build);
const cli = (...args: string[]) => runCli(args, { cwd: project.dir });
const runsHgetex = (r: Running) => r.target === 'redis-8.0';

/** Whether the server's script cache holds `text` (SCRIPT EXISTS through redis-cli). */
function cached(server: Running, text: string): boolean {
  const sha = createHash('sha1').update(text).digest('hex');
  const out = spawnSync('redis-cli', ['-p', String(server.sandbox.port), 'SCRIPT', 'EXISTS', sha], {
    encoding: 'utf8',
  });
  return out.stdout.trim() === '1';
}

test('load checks the scripts against the release of the server it loads to', async () => {
  for (const server of running) {
    project = makeProject({ 'lua/h.lua': HGETEX, 'lua/one.lua': "return 'one'\n" });
    const r = await cli('load', '--url', server.url);
    if (runsHgetex(server)) {
      expect({ build: server.build, code: r.code, stderr: r.stderr }).toEqual({
        build: server.build,
        code: 0,
        stderr: '',
      });
      expect(r.stdout).toContain(`2 loaded, 0 already cached on ${server.name}`);
      const json = JSON.parse((await cli('load', '--url', server.url, '--json')).stdout);
      expect(json.lintTarget).toEqual({ id: server.target, from: 'server', server: server.name });
    } else {
      expect({ build: server.build, code: r.code }).toEqual({ build: server.build, code: 1 });
      expect(r.stderr).toContain(`rscript: lua/h.lua:4:21: 'HGETEX' is not a ${server.label} command: it came with`);
      // The way to see the findings again: rscript lint alone takes redis-7.0 here (no lint.target).
      const explain =
        server.target === 'redis-7.0'
          ? 'rscript lint explains them'
          : `rscript lint --target ${server.target} explains them: load checks against the server's release, ${server.name}`;
      expect(r.stderr).toContain(
        `load refused before loading anything; the manifest rscript.lock.json was not written. Fix the error(s) (${explain}) or pass --no-lint`,
      );
      expect(project.exists('rscript.lock.json')).toBe(false);
      // Nothing was loaded there, not even the script without findings.
      for (const text of [HGETEX, "return 'one'\n"]) expect(cached(server, text)).toBe(false);
    }
    project.cleanup();
  }
});

test('the server comes before lint.target; --target before both', async () => {
  const old = on('path');
  if (!old) return;
  project = makeProject({ 'lua/h.lua': HGETEX });
  project.write('.redisscriptsrc.json', JSON.stringify({ lint: { target: 'redis-8.0' } }));
  // Offline, the config's target: HGETEX is a Redis 8.0 command.
  const offline = await cli('lint');
  expect(offline.code).toBe(0);
  expect(offline.stdout).not.toContain('checked against');
  // Loaded to Redis 7.0, whatever the config says, it is refused: the server would fail it.
  const refused = await cli('load', '--url', old.url);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("'HGETEX' is not a Redis 7.0 command");
  // --target is the user's word over the server's.
  const forced = await cli('load', '--url', old.url, '--target', 'redis-8.0', '--json');
  expect(forced.code).toBe(0);
  expect(JSON.parse(forced.stdout).lintTarget).toEqual({ id: 'redis-8.0', from: 'flag' });
});

test('an unchanged script is checked again when the server it goes to lacks it', async () => {
  const newer = on('redis-8.0.2');
  const old = on('path');
  if (!newer || !old) return;
  // The test before left it there.
  spawnSync('redis-cli', ['-p', String(old.sandbox.port), 'SCRIPT', 'FLUSH']);
  project = makeProject({ 'lua/h.lua': HGETEX });
  expect((await cli('load', '--url', newer.url)).code).toBe(0);
  const lock = project.read('rscript.lock.json');
  // The same lockfile deployed to an older server: the script is unchanged, and that server would fail it.
  const deploy = await cli('load', '--url', old.url);
  expect(deploy.code).toBe(1);
  expect(deploy.stderr).toContain("lua/h.lua:4:21: 'HGETEX' is not a Redis 7.0 command");
  expect(deploy.stderr).toContain('the manifest rscript.lock.json was not changed');
  expect(project.read('rscript.lock.json').equals(lock)).toBe(true);
  // Once the server has it (--no-lint), a load sends nothing and checks nothing.
  expect((await cli('load', '--url', old.url, '--no-lint')).code).toBe(0);
  const again = await cli('load', '--url', old.url);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain('0 loaded, 1 already cached on Redis 7.0');
});

test('lint --url lints for that server and says so; before the command name it is left aside', async () => {
  project = makeProject({ 'lua/h.lua': HGETEX });
  for (const server of running) {
    const r = await cli('lint', '--url', server.url);
    expect({ build: server.build, code: r.code }).toEqual({ build: server.build, code: runsHgetex(server) ? 0 : 1 });
    expect(r.stdout).toContain(`checked against ${server.label} (the server's release, ${server.name})`);
    if (!runsHgetex(server)) expect(r.stdout).toContain(`'HGETEX' is not a ${server.label} command`);
    const json = JSON.parse((await cli('lint', '--url', server.url, '--json')).stdout);
    expect(json.target).toEqual({ id: server.target, from: 'server', server: server.name });
  }
  const old = on('path');
  if (old) {
    // SARIF carries the target in its run's properties: a code-scanning upload says what was checked for.
    const sarif = JSON.parse((await cli('lint', '--url', old.url, '--format', 'sarif')).stdout);
    expect(sarif.runs[0].properties.lintTarget).toEqual({ id: 'redis-7.0', from: 'server', server: old.name });
    // Both name the server to lint for: refused rather than one of them dropped.
    const both = await cli('lint', '--url', old.url, '--target', 'redis-8.0');
    expect({ code: both.code, stdout: both.stdout }).toEqual({ code: 2, stdout: '' });
    expect(both.stderr).toBe(
      'rscript: lint: --target and --url both name the server to lint for: choose one (--target names a release, --url reads it from a server)\n',
    );
  }
  const newer = on('redis-8.0.2');
  if (newer) {
    // An alias passing --url to every command: lint stays offline, on the default target.
    const aside = await cli('--url', newer.url, 'lint', '--json');
    expect(JSON.parse(aside.stdout).target).toEqual({ id: 'redis-7.0', from: 'default' });
    expect(aside.code).toBe(1);
  }
});

test('exec checks a file load has not seen against the server that runs it', async () => {
  for (const server of running) {
    // Not under lua/: no load has read its header, so exec lints it (and runs it anyway).
    project = makeProject({ 'other/h.lua': HGETEX });
    const r = await cli('exec', 'other/h.lua', '--url', server.url, '--keys', 'h', '--args', 'plain');
    expect({ build: server.build, code: r.code, out: r.stdout }).toMatchObject({ build: server.build, code: 0 });
    expect(r.stdout).toContain('ok');
    if (runsHgetex(server)) expect(r.stderr).toBe('');
    else expect(r.stderr).toContain(`warning: other/h.lua:4:21: 'HGETEX' is not a ${server.label} command`);
    project.cleanup();
  }
});
