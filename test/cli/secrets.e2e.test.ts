/**
 * The password given in the URL never reaches stdout or stderr, whatever the command does: succeed,
 * fail on the server, fail to authenticate, fail to parse, or print a stack trace with --verbose.
 */
import { makeProject, runCli, type CliResult, type Project } from '../helpers/cli.js';
import { startRedis, type TestServer } from '../helpers/redis-server.js';

const PASSWORD = 'p@ss w0rd%Secret';
const ENCODED = encodeURIComponent(PASSWORD);
const WRONG = 'Wr0ngSecret-77';

let server: TestServer;
let project: Project;
let url: string;

beforeAll(async () => {
  server = await startRedis(['--requirepass', PASSWORD]);
  url = `redis://:${ENCODED}@127.0.0.1:${server.port}`;
  project = makeProject({
    'lua/ok.lua': 'return "fine"',
    'lua/boom.lua': '-- line 1\nreturn redis.call("INCR", KEYS[1])\n',
  });
});
afterAll(async () => {
  await server?.stop();
  project?.cleanup();
});

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: project.dir, env });

function expectNoSecret(result: CliResult, ...secrets: string[]): void {
  for (const secret of [PASSWORD, ENCODED, 'w0rd', ...secrets]) {
    expect(result.stdout).not.toContain(secret);
    expect(result.stderr).not.toContain(secret);
  }
}

test('commands that succeed', async () => {
  const runs: Array<[string[], number]> = [
    [['load', '--url', url], 0],
    [['load', '--url', url, '--json', '--verbose'], 0],
    [['load', '--dry-run', '--url', url], 0],
    [['exec', 'ok', '--url', url, '-v'], 0],
    [['exec', 'ok', '--url', url, '--json'], 0],
    [['exists', '--url', url], 0],
    [['exists', '--url', url, '--json'], 0],
    [['kill', '--url', url], 0],
  ];
  for (const [args, code] of runs) {
    const result = await cli(args);
    expect({ args, code: result.code }).toEqual({ args, code });
    expectNoSecret(result);
  }
  // Last: the flush empties the cache the others used.
  const flush = await cli(['flush', '--yes', '--url', url]);
  expect(flush.code).toBe(0);
  expect(flush.stdout.trim()).toBe(`script cache flushed on 127.0.0.1:${server.port}`);
  expectNoSecret(flush);
});

test('the same through REDIS_URL and through a config file (which also warns)', async () => {
  const env = await cli(['exec', 'ok', '--json'], { REDIS_URL: url });
  expect(env.code).toBe(0);
  expectNoSecret(env);

  project.write('.redisscriptsrc', JSON.stringify({ url }));
  try {
    const file = await cli(['load']);
    expect(file.code).toBe(0);
    expect(file.stderr).toMatch(/^warning: \.redisscriptsrc holds a Redis password in plain text/);
    expectNoSecret(file);
  } finally {
    project.remove('.redisscriptsrc');
  }
});

test('commands that fail', async () => {
  server.cli('-a', PASSWORD, '--no-auth-warning', 'SET', 'text', 'abc');
  const runs: Array<[string[], number, RegExp]> = [
    [['exec', 'boom', '-k', 'text', '--url', url], 1, /^rscript: lua\/boom\.lua:2: ERR value is not an integer/],
    [['exec', 'boom', '-k', 'text', '--url', url, '--verbose', '--json'], 1, /^rscript: lua\/boom\.lua:2: /],
    [['exec', 'nope', '--url', url], 2, /^rscript: unknown script "nope"/],
    [['exists', 'nope', '--url', url, '-v'], 2, /^rscript: unknown script "nope"/],
    [['load', '--url', `${url}/99`, '-v'], 2, /the server refused the connection: ERR DB index is out of range/],
    [['load', '--url', `redis://127.0.0.1:${server.port}`], 2, /the server requires a password/],
    [['load', '--url', `redis://:${ENCODED}@`], 2, /^rscript: invalid Redis URL "redis:\/\/:\*\*\*@"/],
    [
      ['load', '--url', `http://:${ENCODED}@127.0.0.1:${server.port}`, '-v'],
      2,
      /^rscript: invalid Redis URL "http:\/\/:\*\*\*@127\.0\.0\.1:\d+": the scheme/,
    ],
    [['flush', '--url', url], 2, /^rscript: refusing to flush without confirmation/],
  ];
  for (const [args, code, message] of runs) {
    const result = await cli(args);
    expect({ args, code: result.code }).toEqual({ args, code });
    expect(result.stderr).toMatch(message);
    expectNoSecret(result);
  }
});

test('a wrong password: exit 2, authentication failed, neither password shown', async () => {
  for (const extra of [[], ['--verbose'], ['--json']]) {
    const result = await cli(['load', '--url', `redis://default:${WRONG}@127.0.0.1:${server.port}`, ...extra]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`^rscript: 127\\.0\\.0\\.1:${server.port}: authentication failed: wrong username or password`),
    );
    expectNoSecret(result, WRONG);
  }
});
