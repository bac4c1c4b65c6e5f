/**
 * Random argv and random config files fed to the CLI's entry point, `run(argv)`, in-process:
 * whatever the input, it resolves to 0, 1 or 2, never throws, raises no unhandled rejection, prints
 * no "unexpected error" and no stack trace (unless asked with --verbose), and with --json writes
 * only JSON to stdout. Seeded: RSCRIPT_FUZZ_SEED=<n> replays a run, RSCRIPT_FUZZ_CASES=<n> sizes it.
 * The only servers it can reach: a closed port, and its own throwaway redis-server.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/program.js';
import { prng, type Prng } from '../helpers/prng.js';
import { freePort } from '../helpers/redis-server.js';
import { startRedisProcess, type RedisProcess } from '../helpers/redis-process.js';

const SEED = Number(process.env.RSCRIPT_FUZZ_SEED ?? 20261125);
const CASES = Number(process.env.RSCRIPT_FUZZ_CASES ?? 1000);

let server: RedisProcess;
let dir: string;
let urls: string[];
const savedCwd = process.cwd();
const savedEnv = { ...process.env };

beforeAll(async () => {
  server = await startRedisProcess();
  const closed = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'rscript-fuzz-'));
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  mkdirSync(join(dir, 'lua/sub'), { recursive: true });
  writeFileSync(join(dir, 'lua/one.lua'), 'return 1\n');
  writeFileSync(join(dir, 'lua/sub/echo.lua'), '-- KEYS[1] key\nreturn ARGV\n');
  writeFileSync(join(dir, 'lua/bad.lua'), 'return (\n');
  mkdirSync(join(dir, 'nul'));
  writeFileSync(join(dir, 'nul/zero.lua'), Buffer.from([0, 0x0a]));
  writeFileSync(
    join(dir, 'lua/binary.lua'),
    Buffer.from([0x72, 0x65, 0x74, 0x75, 0x72, 0x6e, 0x20, 0x22, 0xff, 0x00, 0x1b, 0x22]),
  );
  writeFileSync(join(dir, 'broken.json'), '{ "version": 1, "scripts": {');
  urls = [
    server.url,
    `redis://:pw@127.0.0.1:${server.port}/3`,
    `redis://127.0.0.1:${closed}`,
    `rediss://127.0.0.1:${closed}`,
    `redis://127.0.0.1:${server.port}/999`,
    'redis://',
    'http://127.0.0.1',
    'redis://[::1',
    'not a url',
    '',
    `redis://u:p/a@ss@127.0.0.1:${closed}`,
  ];
  process.chdir(dir);
  // Nothing in the environment may point anywhere else (the default would be 127.0.0.1:6379).
  process.env.REDIS_URL = `redis://127.0.0.1:${closed}`;
  process.env.NO_COLOR = '1';
  delete process.env.DEBUG;
});
afterAll(async () => {
  process.chdir(savedCwd);
  process.env = savedEnv;
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const TOKENS = [
  '',
  ' ',
  '-',
  '--',
  '-1',
  '0',
  'one',
  'sub/echo',
  'lua',
  'lua/one.lua',
  'lua/bad.lua',
  'nope.lua',
  'lua/',
  'nul',
  'nul/zero.lua',
  'e0e1f9fabfc9d4800c877a703b823ac0578ff8db',
  'E0E1F9FABFC9D4800C877A703B823AC0578FF8DB',
  'ключ',
  '🔑',
  'a'.repeat(300),
  '%s%n',
  '${HOME}',
  '\r\n*1\r\n$4\r\nPING',
  '--url',
  '-k',
  '=',
  'broken.json',
  '.',
  '*',
];

function token(r: Prng): string {
  return r.next() < 0.8
    ? r.pick(TOKENS)
    : r
        .bytes(1 + r.int(12))
        .toString('latin1')
        .replace(/\0/g, '');
}

/** A config file of some kind, some of them valid, most of them not. */
function configFile(r: Prng, n: number): string {
  const kinds = ['json', 'json-garbage', 'cjs-throws', 'cjs-weird', 'mjs', 'yaml'];
  const kind = r.pick(kinds);
  const value = (): unknown =>
    r.pick<() => unknown>([
      () => r.pick(urls),
      () => r.int(100000) - 50,
      () => token(r),
      () => null,
      () => true,
      () => [token(r)],
      () => ({ [token(r)]: token(r) }),
    ])();
  const obj: Record<string, unknown> = {};
  for (const key of [
    'url',
    'scripts',
    'manifest',
    'timeoutMs',
    'tls',
    'bench',
    'lint',
    'cluster',
    'budgetMs',
    token(r),
  ]) {
    if (r.next() < 0.4)
      obj[key] = key === 'url' ? r.pick(urls) : key === 'scripts' ? r.pick(['lua', ['lua'], [], 'nope', 5]) : value();
  }
  const name = (ext: string) => `cfg-${n}.${ext}`;
  switch (kind) {
    case 'json':
      writeFileSync(name('json'), JSON.stringify(obj));
      return name('json');
    case 'json-garbage':
      writeFileSync(name('json'), JSON.stringify(obj).slice(0, r.int(40)));
      return name('json');
    case 'cjs-throws':
      writeFileSync(
        name('cjs'),
        r.pick([
          'throw new Error("cfg")',
          'throw "str"',
          'throw null',
          'null.x',
          'module.exports = Promise.reject(new Error("later"))',
        ]),
      );
      return name('cjs');
    case 'cjs-weird':
      writeFileSync(
        name('cjs'),
        `module.exports = ${r.pick(['42', '"str"', '[]', '() => ({})', 'undefined', JSON.stringify(obj)])}`,
      );
      return name('cjs');
    case 'mjs':
      writeFileSync(name('mjs'), `export default ${JSON.stringify(obj)};`);
      return name('mjs');
    default:
      writeFileSync(name('yaml'), `url: ${String(r.pick(urls))}\ntimeoutMs: ${token(r)}\n: [\n`);
      return name('yaml');
  }
}

function argv(r: Prng, n: number): string[] {
  const command = r.pick([
    'load',
    'load',
    'exec',
    'exec',
    'exists',
    'flush',
    'kill',
    'lint',
    'info',
    'help',
    '',
    token(r),
  ]);
  const positional: Record<string, number> = { load: 2, exec: 1, exists: 2, lint: 2, info: 1 };
  const args: string[] = command ? [command] : [];
  // Mostly the count a command takes, sometimes more.
  const count = r.next() < 0.85 ? r.int((positional[command] ?? 0) + 1) : r.int(4);
  for (let i = 0; i < count; i++)
    args.push(
      command === 'exec' && r.next() < 0.7 ? r.pick(['one', 'sub/echo', 'lua/one.lua', 'lua/bad.lua']) : token(r),
    );
  const global: Array<() => string[]> = [
    () => [r.pick(['--url', '-u']), r.pick(urls)],
    () => [r.pick(['--url', '-u']), r.pick(urls)],
    () => ['--timeout', r.pick(['0', '-1', 'abc', '1e3', '50', '300', '2000', '99999999999999999999', '', token(r)])],
    () => ['--json'],
    () => [r.pick(['-v', '--verbose'])],
    () => [
      r.pick(['--manifest', '-m']),
      r.pick(['rscript.lock.json', 'broken.json', 'lua', 'new.json', 'x/y/z.json', token(r)]),
    ],
    () => ['--config', configFile(r, n)],
    () => ['--tls-ca', r.pick(['nope.pem', 'lua/one.lua', 'broken.json'])],
    () => ['--tls-insecure'],
    () => ['--cluster'],
  ];
  const own: Record<string, Array<() => string[]>> = {
    load: [() => ['--dry-run'], () => ['--check'], () => ['--no-lint']],
    exec: [
      () => [r.pick(['-k', '--keys']), token(r), token(r)],
      () => [r.pick(['-a', '--args']), token(r)],
      () => ['--ro'],
    ],
    flush: [() => [r.pick(['--yes', '-y'])], () => [r.pick(['--yes', '-y'])], () => ['--async'], () => ['--sync']],
    lint: [
      () => ['--format', r.pick(['text', 'json', 'sarif', 'xml'])],
      () => ['--max-warnings', r.pick(['0', '3', '-3', 'x'])],
    ],
  };
  const stray: Array<() => string[]> = [
    () => [r.pick(['--help', '-h', '--version', '-V', '--', `--${token(r)}`, `-${token(r).slice(0, 1)}`])],
    ...Object.values(own).flat(),
  ];
  for (let i = r.int(6); i > 0; i--) {
    const roll = r.next();
    const option =
      roll < 0.6 ? r.pick(global)() : roll < 0.9 && own[command] ? r.pick(own[command]!)() : r.pick(stray)();
    // After the command, where its options belong; rarely before it.
    const at = command && r.next() < 0.95 ? 1 + r.int(args.length) : r.int(args.length + 1);
    args.splice(at, 0, ...option);
  }
  // A config found by searching, instead of --config.
  rmSync('.redisscriptsrc.json', { force: true });
  if (r.next() < 0.15)
    writeFileSync('.redisscriptsrc.json', JSON.stringify({ url: r.pick(urls), timeoutMs: r.pick([300, 0, -1, 'x']) }));
  return args;
}

interface Captured {
  code: unknown;
  stdout: string;
  stderr: string;
  problems: string[];
}

async function runCaptured(args: string[]): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const problems: string[] = [];
  const onRejection = (reason: unknown) => problems.push(`unhandled rejection: ${String(reason)}`);
  const onException = (err: unknown) => problems.push(`uncaught exception: ${String(err)}`);
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => (
    (stdout += String(chunk)), true
  )) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (
    (stderr += String(chunk)), true
  )) as typeof process.stderr.write;
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  let code: unknown;
  try {
    code = await run(args);
    // Let a stray rejection surface before judging.
    await new Promise((resolve) => setImmediate(resolve));
  } catch (e) {
    problems.push(`run() threw: ${(e as Error)?.stack ?? String(e)}`);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  }
  return { code, stdout, stderr, problems };
}

it(`${CASES} random command lines and config files: no crash, exit 0/1/2, clean output (seed ${SEED})`, async () => {
  const r = prng(SEED);
  const failures: string[] = [];
  const codes = new Map<unknown, number>();
  for (let n = 0; n < CASES && failures.length < 5; n++) {
    const args = argv(r, n);
    const c = await runCaptured(args);
    codes.set(c.code, (codes.get(c.code) ?? 0) + 1);
    const beforeDashDash = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
    const verbose = beforeDashDash.some((a) => a === '-v' || a === '--verbose');
    const helpOrVersion = beforeDashDash.some((a) => ['--help', '-h', '--version', '-V', 'help'].includes(a));
    const problems = [...c.problems];
    if (![0, 1, 2].includes(c.code as number)) problems.push(`exit code ${String(c.code)}`);
    if (/unexpected error/.test(c.stderr)) problems.push('an untyped error reached the user ("unexpected error")');
    if (!verbose && /^\s+at \S+.*[:(]\d+/m.test(c.stderr)) problems.push('a stack trace without --verbose');
    if (beforeDashDash.includes('--json') && !helpOrVersion && c.stdout.trim() !== '') {
      try {
        JSON.parse(c.stdout);
      } catch {
        problems.push('--json, but stdout is not one JSON document');
      }
    }
    if (problems.length > 0) {
      failures.push(
        `case ${n} (seed ${SEED}): rscript ${JSON.stringify(args)}\n  ${problems.join('\n  ')}\n  exit ${String(c.code)}\n  stderr: ${c.stderr.slice(0, 1500)}\n  stdout: ${c.stdout.slice(0, 500)}`,
      );
    }
  }
  expect(failures).toEqual([]);
  // The generator must reach every outcome, or it is not testing much.
  expect([...codes.keys()].sort()).toEqual([0, 1, 2]);
}, 60000);
