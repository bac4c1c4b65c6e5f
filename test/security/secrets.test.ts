/**
 * A password given in the URL flag, in REDIS_URL or in a config file never reaches stdout, stderr,
 * `--json`, the manifest or an error message: every command, and the failures a user meets
 * (wrong password, refused connection, timeout, a URL that does not parse), with --verbose stacks.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { freePort } from '../helpers/redis-server.js';
import { startRedisProcess, type RedisProcess } from '../helpers/redis-process.js';
import {
  expectFailure,
  expectSuccess,
  rscript,
  tempProject,
  type RunResult,
  type TempProject,
} from '../helpers/rscript-process.js';

// Characters that must be percent-encoded in a URL, so both spellings are checked.
const PASSWORD = 'Zq8/kR@t1?x#Lm';
const ENCODED = encodeURIComponent(PASSWORD);
const WRONG = 'Wh0lly-Wr0ng-Pw';

let server: RedisProcess;
let project: TempProject;
let silent: Server;
const sockets = new Set<Socket>();
let silentPort: number;
let closedPort: number;

beforeAll(async () => {
  server = await startRedisProcess({ extra: ['--requirepass', PASSWORD] });
  project = tempProject({ 'lua/one.lua': 'return 1\n', 'lua/two.lua': 'return ARGV[1]\n' });
  silent = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentPort = (silent.address() as { port: number }).port;
  closedPort = await freePort();
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
  await server.stop();
  project.cleanup();
});

const url = (password: string, port: number, encode = true) =>
  `redis://default:${encode ? encodeURIComponent(password) : password}@127.0.0.1:${port}`;

type Source = 'flag' | 'REDIS_URL' | 'config file';
const SOURCES: Source[] = ['flag', 'REDIS_URL', 'config file'];

/** Runs rscript with the URL given the way `source` says. */
async function withUrl(source: Source, redisUrl: string, args: string[]): Promise<RunResult> {
  switch (source) {
    case 'flag':
      return rscript([...args, '--url', redisUrl], { cwd: project.dir });
    case 'REDIS_URL':
      return rscript(args, { cwd: project.dir, env: { REDIS_URL: redisUrl } });
    case 'config file':
      project.write('.redisscriptsrc.json', JSON.stringify({ url: redisUrl }));
      try {
        const r = await rscript(args, { cwd: project.dir });
        if (parses(redisUrl)) {
          expect(r.stderr).toMatch(
            /^warning: \.redisscriptsrc\.json holds a Redis password in plain text; prefer the REDIS_URL environment variable$/m,
          );
        }
        return r;
      } finally {
        project.remove('.redisscriptsrc.json');
      }
  }
}

function parses(u: string): boolean {
  try {
    return Boolean(new URL(u));
  } catch {
    return false;
  }
}

function expectNoSecret(r: RunResult, ...more: string[]): void {
  const files = project.list().includes('rscript.lock.json') ? project.read('rscript.lock.json').toString() : '';
  for (const secret of [PASSWORD, ENCODED, 'kR@t1', 'Zq8', ...more]) {
    for (const [where, text] of [
      ['stdout', r.stdout],
      ['stderr', r.stderr],
      ['the manifest', files],
    ] as const) {
      if (text.includes(secret)) throw new Error(`the secret "${secret}" appears in ${where}:\n${text}`);
    }
  }
}

describe.each(SOURCES)('password from the %s', (source) => {
  it('load, exec, exists, kill and flush --yes succeed without showing it (text, --json, --verbose)', async () => {
    project.remove('rscript.lock.json');
    const runs: string[][] = [
      ['load', '--verbose'],
      ['exec', 'two', '--args', 'x', '--json', '--verbose'],
      ['exec', 'one'],
      ['exists', '--json'],
      ['exists'],
      ['kill', '--json'],
      ['flush', '--yes', '--verbose'],
      ['load', '--json'],
    ];
    for (const args of runs) {
      const r = await withUrl(source, url(PASSWORD, server.port), args);
      expectSuccess(r);
      expectNoSecret(r);
    }
  });

  it.each<[string, () => string, string[], RegExp]>([
    [
      'a wrong password',
      () => url(WRONG, server.port),
      ['exists', '--verbose'],
      /authentication failed: wrong username or password/,
    ],
    ['a refused connection', () => url(PASSWORD, closedPort), ['load', '--json', '--verbose'], /connection refused/],
    [
      'a timeout',
      () => url(PASSWORD, silentPort),
      ['exec', 'one', '--timeout', '300', '--verbose'],
      /no answer within 300 ms/,
    ],
    [
      'an unencoded password that breaks the URL',
      () => url(PASSWORD, server.port, false),
      ['flush', '--yes', '--verbose'],
      /^rscript: invalid Redis URL "redis:\/\/default:\*\*\*@127\.0\.0\.1:\d+"/,
    ],
  ])('%s: exit 2, a clear message, and no password in it', async (_what, makeUrl, args, message) => {
    const r = await withUrl(source, makeUrl(), args);
    expectFailure(r, 2, message, { verbose: args.includes('--verbose') });
    expectNoSecret(r, WRONG);
    if (args.includes('--json')) expect(JSON.parse(r.stdout).error.message).toMatch(message);
  });
});

it('the README way: REDIS_URL set in the environment, nothing in any file', async () => {
  project.remove('rscript.lock.json');
  const r = await rscript(['load'], { cwd: project.dir, env: { REDIS_URL: url(PASSWORD, server.port) } });
  expectSuccess(r);
  expect(r.stderr).not.toMatch(/warning/);
  expectNoSecret(r);
});
