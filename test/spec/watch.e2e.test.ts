/**
 * `rscript test --watch` and `rscript load --watch`, as a user leaves them running in a terminal: a
 * save of a script runs again the specs that depend on it (and only those), a save of a spec runs
 * it, a broken script is linted; `load --watch` loads the changed script into the server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, makeProject, type Project } from '../helpers/cli.js';
import { startRedis, type TestServer } from '../helpers/redis-server.js';
import { serverUnderTest } from '../helpers/server-under-test.js';
import { targetLabel, targetOfServer } from '../../src/lint/target-ids.js';

let project: Project;
let server: TestServer;

const ADD = `return redis.call('INCRBY', KEYS[1], ARGV[1])
`;
const ECHO = `return ARGV[1]
`;

beforeAll(async () => {
  server = await startRedis();
  project = makeProject({
    'lua/add.lua': ADD,
    'lua/add.spec.yaml': `cases:
  - name: adds
    call: { keys: [c], args: ["2"] }
    reply: 2
`,
    'lua/echo.lua': ECHO,
    'lua/echo.spec.yaml': `cases:
  - name: echoes
    call: { args: [x] }
    reply: x
`,
  });
});

afterAll(async () => {
  project?.cleanup();
  await server?.stop();
});

/** A running `rscript ...`, its output so far, and a way to wait for a line. */
function start(args: string[]): {
  child: ChildProcess;
  output: () => string;
  waitFor: (re: RegExp, from?: number) => Promise<number>;
} {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: project.dir,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (out += s));
  const waitFor = (re: RegExp, from = 0) =>
    new Promise<number>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`no ${re} within 20 s; output:\n${out}`)), 20_000);
      const check = () => {
        const m = re.exec(out.slice(from));
        if (m) {
          clearTimeout(deadline);
          clearInterval(poll);
          resolve(from + m.index + m[0].length);
        }
      };
      const poll = setInterval(check, 20);
      check();
    });
  return { child, output: () => out, waitFor };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.kill('SIGINT');
  return closed;
}

describe('rscript test --watch', () => {
  it('runs again the specs of a saved script, then of a saved spec, and lints a broken script', async () => {
    const w = start(['test', '--watch', '--resp', '3']);
    try {
      let at = await w.waitFor(/watching .*\(Ctrl-C to stop\)\n/);
      expect(w.output()).toMatch(/^2 passed, 0 failed$/m);

      // A script saved with a change that breaks its spec: only that script's spec runs.
      project.write('lua/add.lua', `return redis.call('INCRBY', KEYS[1], ARGV[1] + 1)\n`);
      at = await w.waitFor(/^\d+ passed, \d+ failed$/m, at);
      let round = w.output().slice(w.output().lastIndexOf('changed:'));
      expect(round).toMatch(/changed: lua\/add\.lua$/m);
      expect(round).toMatch(/^✗ lua\/add\.spec\.yaml:2 {2}adds/m);
      expect(round).toMatch(/expected {2}2\n\s+actual {4}3/);
      expect(round).not.toContain('echo.spec.yaml');
      expect(round).toMatch(/^0 passed, 1 failed$/m);

      // The spec updated to the new behaviour.
      project.write(
        'lua/add.spec.yaml',
        `cases:\n  - name: adds one more\n    call: { keys: [c], args: ["2"] }\n    reply: 3\n`,
      );
      at = await w.waitFor(/^\d+ passed, \d+ failed$/m, at);
      round = w.output().slice(w.output().lastIndexOf('changed:'));
      expect(round).toMatch(/changed: lua\/add\.spec\.yaml$/m);
      expect(round).toMatch(/^✓ lua\/add\.spec\.yaml:2 {2}adds one more/m);

      // A syntax error: the linter's report, then the spec fails on the server's compile error.
      project.write('lua/echo.lua', 'return ARGV[1]\nx = 1\n');
      at = await w.waitFor(/^\d+ passed, \d+ failed$/m, at);
      round = w.output().slice(w.output().lastIndexOf('changed:'));
      expect(round).toMatch(/lua\/echo\.lua\n\s+2:1\s+error\s+Lua 5\.1 syntax error/);
      expect(round).toMatch(/actual {4}error "ERR Error compiling script/);
    } finally {
      expect(await stop(w.child)).toBe(130);
    }
  }, 60_000);
});

describe('rscript load --watch', () => {
  it('loads a saved script into the server and refuses a broken one, watching on', async () => {
    project.write('lua/echo.lua', ECHO);
    const w = start(['load', '--watch', '--url', server.url]);
    try {
      let at = await w.waitFor(/watching .*\(Ctrl-C to stop\)\n/);
      expect(w.output()).toMatch(/│ echo +│ [0-9a-f]{12} │ (new|changed) +│ loaded/);
      project.write('lua/echo.lua', 'return "v2"\n');
      at = await w.waitFor(/rscript\.lock\.json written\n/, at);
      const round = w.output().slice(w.output().lastIndexOf('changed:'));
      expect(round).toMatch(/│ echo +│ [0-9a-f]{12} │ changed +│ loaded/);
      project.write('lua/echo.lua', 'return "v3"\nx = 1\n');
      at = await w.waitFor(/load refused before loading anything/, at);
      project.write('lua/echo.lua', 'return "v4"\n');
      await w.waitFor(/│ echo +│ [0-9a-f]{12} │ changed +│ loaded/, at);
    } finally {
      expect(await stop(w.child)).toBe(130);
    }
    const manifest = JSON.parse(project.read('rscript.lock.json').toString());
    const sha = JSON.stringify(manifest)
      .match(/"([0-9a-f]{40})"/g)!
      .map((s: string) => s.slice(1, -1));
    expect(sha.some((s) => server.cli('EVALSHA', s, '0') === 'v4')).toBe(true);
  }, 60_000);
  it("lints a saved script for the server's release, also when the first load was refused", async () => {
    // The config names another target than the server's release; os.time is reported for the
    // server's, which the message names ("Redis 7.0 has no os library", "... in Redis 8.0's sandbox").
    const own = targetOfServer(serverUnderTest())!;
    const other = own === 'redis-7.0' ? 'redis-7.4' : 'redis-7.0';
    project.write('.redisscriptsrc.json', JSON.stringify({ lint: { target: other } }));
    project.write('lua/clock.lua', 'return os.time()\n');
    const w = start(['load', '--watch', '--url', server.url]);
    try {
      let at = await w.waitFor(/watching .*\(Ctrl-C to stop\)\n/);
      expect(w.output()).toMatch(/load refused before loading anything/);
      project.write('lua/clock.lua', '-- still the clock\nreturn os.time()\n');
      at = await w.waitFor(/changed: lua\/clock\.lua\n/, at);
      const refused = await w.waitFor(/load refused before loading anything/, at);
      // What the save's lint printed, before the load that follows it.
      const saved = w.output().slice(at, refused);
      const lint = saved.slice(0, saved.indexOf('rscript: '));
      expect(lint).toMatch(/2:8 +error +.*lua-api/);
      expect(lint).toContain(`${targetLabel(own)}`);
      expect(lint).not.toContain(`${targetLabel(other)} `);
      expect(lint).not.toContain(`${targetLabel(other)}'s`);
    } finally {
      expect(await stop(w.child)).toBe(130);
      project.remove('.redisscriptsrc.json');
      project.remove('lua/clock.lua');
    }
  }, 60_000);
});
