/**
 * `--sandbox`: a throwaway redis-server that is gone afterwards, whatever happened: success, an error
 * reply, Ctrl-C (SIGINT sent to rscript alone, as a terminal's Ctrl-C would reach it: the server runs in
 * its own process group).
 */
import { spawn } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { BIN, makeProject, runCli, type Project } from '../helpers/cli.js';
import { assertRedisInstalled } from '../helpers/redis-server.js';

let project: Project;

beforeAll(() => {
  assertRedisInstalled();
  project = makeProject({
    'lua/fast.lua': 'return 1\n',
    'lua/counter.lua': `local n = redis.call('INCR', KEYS[1])
return n
`,
  });
  project.write(
    '.redisscriptsrc',
    JSON.stringify({
      // Never reached: --sandbox replaces it.
      url: 'redis://127.0.0.1:1',
      bench: {
        fast: { requests: 300 },
        counter: { keys: ['c'], setup: [['SET', 'c', '41']], requests: 100 },
      },
    }),
  );
});

afterAll(() => project?.cleanup());

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits (a little) for a killed process to be reaped. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 40 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !alive(pid);
}

const sandboxPid = (stderr: string) => Number(/sandbox: redis-server .*\(pid (\d+)\)/.exec(stderr)?.[1]);

describe('--sandbox', () => {
  it('benches the fixtures on a throwaway server and stops it', async () => {
    const r = await runCli(['bench', '--sandbox', '--json'], { cwd: project.dir, timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.sandbox.pid).toBeGreaterThan(0);
    expect(doc.results.map((x: { script: string }) => x.script)).toEqual(['fast', 'counter']);
    expect(doc.results.every((x: { verdict: string }) => x.verdict === 'ok')).toBe(true);
    // Nothing stays written: the server is thrown away.
    expect(doc.leftKeys).toEqual([]);
    expect(await gone(doc.sandbox.pid)).toBe(true);
  });

  it('stops the server after an error reply too', async () => {
    project.write('lua/broken.lua', "return redis.call('HGET', KEYS[1])\n");
    const r = await runCli(['bench', 'broken', '--sandbox', '-k', 'x', '-n', '10'], {
      cwd: project.dir,
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/lua\/broken\.lua:1: /);
    const pid = sandboxPid(r.stderr);
    expect(pid).toBeGreaterThan(0);
    expect(await gone(pid)).toBe(true);
  });

  it('stops cleanly on SIGINT: prints what was measured, exits 130, leaves no redis-server', async () => {
    const child = spawn(process.execPath, [BIN, 'bench', 'fast', '--sandbox', '--duration', '60s', '-c', '2'], {
      cwd: project.dir,
      env: { ...process.env, NO_COLOR: '1', NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    const started = new Promise<void>((resolve) =>
      child.stderr.setEncoding('utf8').on('data', (s: string) => {
        stderr += s;
        if (sandboxPid(stderr) > 0) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    await started;
    const pid = sandboxPid(stderr);
    expect(alive(pid)).toBe(true);
    // Let some calls run, then Ctrl-C.
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    const code = await exited;
    clearTimeout(killer);
    expect(code).toBe(130);
    expect(stdout).toMatch(/fast \(partial\)/);
    expect(stdout).toMatch(/interrupted/);
    expect(await gone(pid)).toBe(true);
  });

  it('runs exec on a sandbox after the fixture setup', async () => {
    const r = await runCli(['exec', 'counter', '--sandbox', '-k', 'c', '--json'], {
      cwd: project.dir,
      timeoutMs: 30_000,
    });
    expect(r.code).toBe(0);
    expect(JSON.stringify(JSON.parse(r.stdout).reply)).toContain('42');
  });

  it("exec --sandbox without keys and args takes the fixture's, and says where it ran", async () => {
    const r = await runCli(['exec', 'counter', '--sandbox'], { cwd: project.dir, timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    // The fixture's key c, set to 41 by its setup.
    expect(r.stdout).toMatch(/│ \(reply\) │ integer │ 42 +│/);
    const pid = sandboxPid(r.stderr);
    expect(r.stderr).toMatch(
      /^sandbox: redis-server \S* ?\(pid \d+\) on 127\.0\.0\.1:\d+, a throwaway server stopped when rscript exits$/m,
    );
    expect(r.stderr).toContain(
      'sandbox: the fixture bench["counter"] gives KEYS "c" and ARGV (none) (--keys or --args: your own instead)',
    );
    expect(await gone(pid)).toBe(true);
    // Keys of one's own: the fixture's are not used, and not mentioned.
    const own = await runCli(['exec', 'counter', '--sandbox', '-k', 'other'], { cwd: project.dir, timeoutMs: 30_000 });
    expect(own.stdout).toMatch(/│ \(reply\) │ integer │ 1 +│/);
    expect(own.stderr).not.toContain('fixture');
    // Too few keys: refused before any server is started.
    const none = await runCli(['exec', 'lua/counter.lua', '--sandbox', '-a', 'x'], {
      cwd: project.dir,
      timeoutMs: 30_000,
    });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^rscript: counter reads 1 key\(s\) and 0 arg\(s\); got 0 and 1\n/);
    expect(none.stderr).not.toMatch(/sandbox: redis-server/);
  });

  // The sandbox replaces the server: an explicit --url next to it is a mistake (which server did the
  // user mean?), while REDIS_URL and the config's url are settings for other commands (CI sets
  // REDIS_URL globally and runs bench --sandbox).
  const URL_FLAG = 'redis://127.0.0.1:2';
  const CONFLICT =
    'rscript: --sandbox and --url conflict: --sandbox runs on a throwaway local redis-server and would ignore the --url server; drop one of them\n';
  it.each<[string[]]>([
    [['exec', 'fast', '--sandbox', '--url', URL_FLAG]],
    [['exec', 'fast', '-u', URL_FLAG, '--sandbox']],
    [['--url', URL_FLAG, 'exec', 'fast', '--sandbox']],
    [['bench', 'fast', '--sandbox', `--url=${URL_FLAG}`]],
    [['-u', URL_FLAG, 'bench', '--sandbox']],
  ])('%j: refused with one line, exit 2, no server started', async (argv) => {
    const r = await runCli(argv, { cwd: project.dir, timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(CONFLICT);
    expect(r.stdout).toBe('');
  });

  it('the conflict with --json: the error as the JSON document', async () => {
    const r = await runCli(['bench', 'fast', '--sandbox', '--url', URL_FLAG, '--json'], {
      cwd: project.dir,
      timeoutMs: 30_000,
    });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      error: { message: CONFLICT.replace(/^rscript: |\n$/g, ''), exitCode: 2, detail: [] },
    });
  });

  it("REDIS_URL and the config file's url do not conflict: the sandbox runs", async () => {
    // The config's url (redis://127.0.0.1:1) and REDIS_URL both name ports nobody listens on.
    const env = { REDIS_URL: URL_FLAG };
    const bench = await runCli(['bench', 'fast', '--sandbox', '-n', '10', '--json'], {
      cwd: project.dir,
      env,
      timeoutMs: 60_000,
    });
    expect(bench.code).toBe(0);
    expect(JSON.parse(bench.stdout).results[0].verdict).toBe('ok');
    const exec = await runCli(['exec', 'fast', '--sandbox', '--json'], { cwd: project.dir, env, timeoutMs: 30_000 });
    expect(exec.code).toBe(0);
    expect(JSON.parse(exec.stdout).reply).toBe(1);
  });

  it('a server that exits before it is ready: its last log lines under the message, never an empty one', async () => {
    const p = makeProject({
      'lua/fast.lua': 'return 1\n',
      'tools/silent-server': '#!/bin/sh\nexit 1\n',
      'tools/chatty-server':
        '#!/bin/sh\necho "first words"\necho\necho "   "\necho "*** FATAL CONFIG FILE ERROR ***" >&2\nexit 3\n',
    });
    try {
      chmodSync(p.path('tools/silent-server'), 0o755);
      chmodSync(p.path('tools/chatty-server'), 0o755);
      p.write('.redisscriptsrc', JSON.stringify({ redisServer: 'tools/silent-server' }));
      const silent = await runCli(['exec', 'fast', '--sandbox'], { cwd: p.dir });
      expect({ code: silent.code, stderr: silent.stderr }).toEqual({
        code: 2,
        stderr: 'rscript: tools/silent-server exited (code 1) before it was ready\n',
      });
      p.write('.redisscriptsrc', JSON.stringify({ redisServer: 'tools/chatty-server' }));
      const chatty = await runCli(['exec', 'fast', '--sandbox'], { cwd: p.dir });
      expect(chatty.code).toBe(2);
      // stdout and stderr arrive in either order.
      const lines = chatty.stderr.trimEnd().split('\n');
      expect(lines[0]).toBe('rscript: tools/chatty-server exited (code 3) before it was ready');
      expect(lines.slice(1).sort()).toEqual(['  *** FATAL CONFIG FILE ERROR ***', '  first words']);
    } finally {
      p.cleanup();
    }
  });

  it('says how to install redis-server when it is missing', async () => {
    const p = makeProject({ 'lua/fast.lua': 'return 1\n' });
    try {
      p.write('.redisscriptsrc', JSON.stringify({ redisServer: 'no-such-redis-server-here' }));
      const r = await runCli(['bench', 'fast', '--sandbox'], { cwd: p.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--sandbox needs redis-server, and "no-such-redis-server-here" was not found on PATH/);
      expect(r.stderr).toMatch(/apt-get install redis-server/);
    } finally {
      p.cleanup();
    }
  });
});
