/**
 * The compiled code the launcher keeps between runs (src/launch.ts): saved by a run that worked, used
 * by the next run of the same command, and never a reason for rscript to fail or to print anything
 * else. `DEBUG=rscript` says what happened to it, which is what these tests read (no timing here:
 * `npm run bench:cli` measures what the cache saves).
 */
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { makeProject, REPO, runCli, stackLines, type Project } from '../helpers/cli.js';
import { VALUE_OPTIONS } from '../../src/launch.js';
import { globalOptions } from '../../src/cli/options.js';

let project: Project;
let cache: string;

beforeEach(() => {
  project = makeProject({
    'lua/hello.lua': "return 'hello'\n",
    'lua/counter.lua': "-- KEYS[1]: the counter (string)\nreturn redis.call('INCR', KEYS[1])\n",
  });
  cache = mkdtempSync(join(tmpdir(), 'rscript-code-cache-test-'));
});
afterEach(() => {
  project.cleanup();
  rmSync(cache, { recursive: true, force: true });
});

/** `rscript ...args` with DEBUG=rscript; `debug` is the launcher's line about the code cache. */
async function run(args: string[], env: Record<string, string> = {}, bin?: string) {
  const result = await runCli(args, {
    cwd: project.dir,
    env: { RSCRIPT_CACHE_DIR: cache, DEBUG: 'rscript', ...env },
    bin,
  });
  const debug = result.stderr.split('\n').filter((l) => l.startsWith('rscript: code cache:'));
  expect(debug).toHaveLength(1);
  // DEBUG=rscript adds a stack trace to an error's message; a run that works prints none.
  if (result.code !== 2) expect(stackLines(result.stderr)).toEqual([]);
  return { ...result, debug: debug[0]! };
}

const codeFiles = (dir = cache) => readdirSync(dir).filter((f) => f.startsWith('code-'));

test('a second run of a command compiles nothing: it runs from the code its first run saved', async () => {
  // --no-cache: both runs lint, so both need the Lua parser (a part of its own).
  const first = await run(['lint', '--no-cache', 'lua']);
  expect(first.code).toBe(0);
  expect(first.debug).toMatch(
    /^rscript: code cache: cli compiled, luaparse compiled, saved to .*code-[0-9a-f]{16}-v\d+\.\d+\.\d+-\w+-[0-9a-f]{8}-lint\.bin$/,
  );
  expect(codeFiles()).toHaveLength(1);

  const second = await run(['lint', '--no-cache', 'lua']);
  expect(second.code).toBe(0);
  expect(second.debug).toBe('rscript: code cache: cli from cache, luaparse from cache');
  expect(second.stdout).toBe(first.stdout);
  expect(second.stdout).toMatch(/0 errors, 0 warnings in 2 files/);
});

test('each command keeps its own code; a part a later run needs is added to the command’s file', async () => {
  expect((await run(['--version'])).debug).toMatch(/cli compiled, saved to .*-version\.bin$/);
  expect((await run(['lint', 'lua'])).debug).toMatch(/cli compiled, luaparse compiled, saved to .*-lint\.bin$/);
  // The lint cache is warm now: this lint needs no parser, and its code is all in the file.
  expect((await run(['lint', 'lua'])).debug).toBe('rscript: code cache: cli from cache');
  expect((await run(['--version'])).debug).toBe('rscript: code cache: cli from cache');
  expect(
    codeFiles()
      .map((f) => f.replace(/^code-[0-9a-f]{16}-v[\d.]+-\w+-[0-9a-f]{8}-/, ''))
      .sort(),
  ).toEqual(['lint.bin', 'version.bin']);
});

test.each([
  ['random bytes', (_: Buffer) => Buffer.from('not a code cache at all, just some bytes that are long enough')],
  ['a cut file', (data: Buffer) => data.subarray(0, Math.floor(data.length / 2))],
  [
    'a header that promises more than the file holds',
    (data: Buffer) => Buffer.concat([data.subarray(0, 4 + data.readUInt32LE(0)), Buffer.alloc(10)]),
  ],
  ['zero bytes', (_: Buffer) => Buffer.alloc(0)],
])('a code cache file holding %s is compiled over and replaced; the output does not change', async (_, spoil) => {
  const reference = await run(['lint', '--format', 'json', '--no-cache', 'lua']);
  const [file] = codeFiles();
  const good = readFileSync(join(cache, file!));
  writeFileSync(join(cache, file!), spoil(good));

  const spoilt = await run(['lint', '--format', 'json', '--no-cache', 'lua']);
  expect(spoilt.code).toBe(0);
  expect(spoilt.stdout).toBe(reference.stdout);
  expect(spoilt.debug).toMatch(/^rscript: code cache: cli compiled.*, saved to /);
  expect((await run(['lint', '--format', 'json', '--no-cache', 'lua'])).debug).toBe(
    'rscript: code cache: cli from cache, luaparse from cache',
  );
});

test("the launcher knows which of the CLI's common options take a value", () => {
  const taking = globalOptions()
    .filter((o) => o.required)
    .flatMap((o) => [o.short, o.long].filter((f): f is string => f !== undefined));
  expect([...VALUE_OPTIONS].sort()).toEqual(taking.sort());
});

test('the cache file is named after the command, also behind options that come before it', async () => {
  await run(['--json', '--config', 'no-such.json', 'lint', 'lua']);
  await run(['-m', 'x.lock.json', '--timeout', '100', 'lint', '--help']);
  await run(['-V']);
  // code-<build>-<node>-<arch>-<install>-<command>.bin
  const names = () =>
    codeFiles()
      .map((f) =>
        f
          .split('-')
          .slice(5)
          .join('-')
          .replace(/\.bin$/, ''),
      )
      .sort();
  // The config named does not exist (exit 2): nothing is saved for that run.
  expect(names()).toEqual(['V', 'lint-help']);
  await run(['--url', 'redis://127.0.0.1:1', '--timeout', '100', 'lint', 'lua']);
  expect(names()).toEqual(['V', 'lint', 'lint-help']);
});

test('compiled code of another script is refused by V8 and replaced', async () => {
  await run(['--version']);
  await run(['lint', '--no-cache', 'lua']);
  const files = codeFiles();
  const version = files.find((f) => f.endsWith('-version.bin'))!;
  const lint = files.find((f) => f.endsWith('-lint.bin'))!;
  // The lint file's sections, named "cli" and "luaparse", over the --version file: the "cli" data
  // was made for the same dist/cli.cjs by another command, so it serves; "luaparse" goes unused.
  writeFileSync(join(cache, version), readFileSync(join(cache, lint)));
  const swapped = await run(['--version']);
  expect(swapped.code).toBe(0);
  expect(swapped.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  expect(swapped.debug).toBe('rscript: code cache: cli from cache');

  // Then each section's bytes under the other's name, each with the CRC-32 of its bytes and the
  // source CRC of the name it now has: past rscript's checks, V8's own must refuse them.
  const data = readFileSync(join(cache, lint));
  const headerEnd = 4 + data.readUInt32LE(0);
  const sections = JSON.parse(data.toString('utf8', 4, headerEnd)) as Array<[string, number, number, number]>;
  expect(sections.map(([name]) => name)).toEqual(['cli', 'luaparse']);
  const [cli, parser] = [
    data.subarray(headerEnd, headerEnd + sections[0]![1]),
    data.subarray(headerEnd + sections[0]![1]),
  ];
  const header = Buffer.from(
    JSON.stringify([
      ['cli', parser.length, crc32(parser), sections[0]![3]],
      ['luaparse', cli.length, crc32(cli), sections[1]![3]],
    ]),
  );
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  writeFileSync(join(cache, lint), Buffer.concat([length, header, parser, cli]));
  const refused = await run(['lint', '--no-cache', 'lua']);
  expect(refused.code).toBe(0);
  expect(refused.stdout).toMatch(/0 errors, 0 warnings in 2 files/);
  expect(refused.debug).toMatch(
    /^rscript: code cache: cli compiled \(cache rejected\), luaparse compiled \(cache rejected\), saved to /,
  );
});

test('a code cache file with bytes flipped inside V8’s data is refused before V8 reads it', async () => {
  // V8 trusts data whose header it accepts: a flipped byte inside can crash the process. The CRC-32
  // of each section is what stops it.
  const reference = await run(['lint', '--no-cache', 'lua']);
  const [file] = codeFiles();
  const data = readFileSync(join(cache, file!));
  const headerEnd = 4 + data.readUInt32LE(0);
  for (let i = 0; i < 64; i++)
    data[headerEnd + 1000 + Math.floor(((data.length - headerEnd - 2000) * i) / 64)]! ^= 0xff;
  writeFileSync(join(cache, file!), data);

  const flipped = await run(['lint', '--no-cache', 'lua']);
  expect(flipped.code).toBe(0);
  expect(flipped.stdout).toBe(reference.stdout);
  expect(flipped.debug).toMatch(
    /^rscript: code cache: cli compiled \(cache rejected\), luaparse compiled \(cache rejected\), saved to /,
  );
  expect((await run(['lint', '--no-cache', 'lua'])).debug).toBe(
    'rscript: code cache: cli from cache, luaparse from cache',
  );
});

test('a cache folder that cannot be written costs the saving only', async () => {
  const notAFolder = join(cache, 'file');
  writeFileSync(notAFolder, 'x');
  const result = await run(['lint', 'lua'], { RSCRIPT_CACHE_DIR: notAFolder });
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/0 errors, 0 warnings in 2 files/);
  expect(result.debug).toMatch(
    /^rscript: code cache: cli compiled, luaparse compiled, not saved \(.* cannot be written\)$/,
  );
  expect(result.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('rscript: code cache:'))).toEqual([]);
});

test('a cache folder that cannot be made (under /proc) costs the saving only, and ends', async () => {
  // Node 20's mkdirSync({ recursive: true }) retries /proc/<missing>/... for ever; rscript hung on it.
  if (!existsSync('/proc/self')) return; // not Linux
  for (const args of [['--version'], ['lint', 'lua']]) {
    const result = await runCli(args, {
      cwd: project.dir,
      env: { RSCRIPT_CACHE_DIR: '/proc/rscript-missing/cache', DEBUG: 'rscript' },
      timeoutMs: 10_000,
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /rscript: code cache: cli compiled.*, not saved \(\/proc\/rscript-missing\/cache\/code-.* cannot be written\)\n$/,
    );
  }
});

test('RSCRIPT_CACHE_DIR empty: no code cache, nothing written', async () => {
  const home = mkdtempSync(join(tmpdir(), 'rscript-home-'));
  try {
    const result = await run(['--version'], { RSCRIPT_CACHE_DIR: '', HOME: home, XDG_CACHE_HOME: '' });
    expect(result.code).toBe(0);
    expect(result.debug).toBe('rscript: code cache: off');
    expect(readdirSync(home)).toEqual([]);
    expect(codeFiles()).toEqual([]);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('a run that fails saves no compiled code: its code is an error path', async () => {
  // Nothing listens on port 1: connection refused, exit 2.
  const result = await run(['flush', '--yes', '--url', 'redis://127.0.0.1:1']);
  expect(result.code).toBe(2);
  expect(result.debug).toMatch(/^rscript: code cache: cli compiled, redis compiled$/);
  expect(codeFiles()).toEqual([]);
});

test('a run that saves removes the code of other builds not written nor used for a week, and keeps the rest', async () => {
  const week = 7 * 24 * 3600;
  const now = Date.now() / 1000;
  const files = {
    oldBuild: 'code-0123456789abcdef-v20.0.0-x64-01234567-lint.bin',
    recentBuild: 'code-fedcba9876543210-v20.0.0-x64-01234567-lint.bin',
    cutShort: '.code-0123456789abcdef-v20.0.0-x64-01234567-lint.bin.123.abcd.tmp',
    lintResults: 'lint-0123456789abcdef-0123456789abcdef.json',
  };
  for (const name of Object.values(files)) writeFileSync(join(cache, name), 'x');
  utimesSync(join(cache, files.oldBuild), now - week - 3600, now - week - 3600);
  utimesSync(join(cache, files.recentBuild), now - week + 3600, now - week + 3600);
  utimesSync(join(cache, files.lintResults), now - 2 * week, now - 2 * week);
  utimesSync(join(cache, files.cutShort), now - 2 * week, now - 2 * week);

  await run(['--version']);
  const left = readdirSync(cache);
  expect(left).not.toContain(files.oldBuild);
  expect(left).not.toContain(files.cutShort);
  expect(left).toContain(files.recentBuild);
  expect(left).toContain(files.lintResults);
  const own = left.filter((f) => f.endsWith('-version.bin'));
  expect(own).toHaveLength(1);
  // A file unwritten for two weeks but in use is kept: using it renews its modification time.
  utimesSync(join(cache, own[0]!), now - 2 * week, now - 2 * week);
  expect((await run(['--version'])).debug).toBe('rscript: code cache: cli from cache');
  expect(Date.now() - statSync(join(cache, own[0]!)).mtimeMs).toBeLessThan(60_000);
  await run(['lint', 'lua']);
  expect(readdirSync(cache)).toContain(own[0]);
  // One not used for two weeks goes when another command saves.
  utimesSync(join(cache, own[0]!), now - 2 * week, now - 2 * week);
  rmSync(join(cache, codeFiles().find((f) => f.endsWith('-lint.bin'))!));
  await run(['lint', 'lua']);
  expect(readdirSync(cache)).not.toContain(own[0]);
});

test('the cache is the user’s own: a file or folder that others can write is not used', async () => {
  if (typeof process.getuid !== 'function') return; // Windows: modes say little there
  const reference = await run(['lint', '--no-cache', 'lua']);
  const [file] = codeFiles();
  expect(statSync(cache).mode & 0o777).toBe(0o700);
  expect(statSync(join(cache, file!)).mode & 0o777).toBe(0o600);

  chmodSync(join(cache, file!), 0o666);
  const groupWritable = await run(['lint', '--no-cache', 'lua']);
  expect(groupWritable.stdout).toBe(reference.stdout);
  expect(groupWritable.debug).toMatch(
    /^rscript: code cache: cli compiled, luaparse compiled \(not used: .* can be written by others\)$/,
  );
  chmodSync(join(cache, file!), 0o600);

  chmodSync(cache, 0o777);
  expect((await run(['lint', '--no-cache', 'lua'])).debug).toMatch(/\(not used: /);
  // A shared folder with the sticky bit (as /tmp): others cannot replace this user's files.
  chmodSync(cache, 0o1777);
  expect((await run(['lint', '--no-cache', 'lua'])).debug).toBe(
    'rscript: code cache: cli from cache, luaparse from cache',
  );
  chmodSync(cache, 0o700);
});

describe('another copy of rscript', () => {
  let copy: string;
  beforeEach(() => {
    copy = mkdtempSync(join(tmpdir(), 'rscript-copy-'));
    for (const part of ['bin', 'dist/rscript.cjs', 'dist/cli.cjs', 'dist/parts', 'package.json'])
      cpSync(join(REPO, part), join(copy, part), { recursive: true });
  });
  afterEach(() => rmSync(copy, { recursive: true, force: true }));
  const runCopy = (args: string[]) => run(args, {}, join(copy, 'bin', 'rscript'));

  test('keeps its own files: another install of the same build, sharing the cache folder', async () => {
    await run(['--version']);
    await runCopy(['--version']);
    expect(codeFiles().filter((f) => f.endsWith('-version.bin'))).toHaveLength(2);
    expect((await runCopy(['--version'])).debug).toBe('rscript: code cache: cli from cache');
  });

  test('reads a TypeScript config with the project’s TypeScript when its own install has none', async () => {
    project.write(
      'redisscripts.config.ts',
      "const config: { manifest: string } = { manifest: 'ts.lock.json' };\nexport default config;\n",
    );
    mkdirSync(join(project.dir, 'node_modules'));
    // The copy sits in a temp folder: no node_modules above it holds TypeScript.
    // Without DEBUG, as a user runs it. rscript installs no TypeScript of its own (a devDependency):
    // the one line says what to do, not where Node looked.
    const without = await runCli(['load', '--check'], {
      cwd: project.dir,
      env: { RSCRIPT_CACHE_DIR: cache },
      bin: join(copy, 'bin', 'rscript'),
    });
    expect(without.code).toBe(2);
    expect(without.stderr).toBe(
      'rscript: redisscripts.config.ts: a TypeScript config needs the typescript package, which this project does not have: npm install --save-dev typescript\n',
    );
    symlinkSync(join(REPO, 'node_modules', 'typescript'), join(project.dir, 'node_modules', 'typescript'), 'dir');
    const withTs = await runCopy(['load', '--check']);
    expect(withTs.code).toBe(1);
    expect(withTs.stdout).toMatch(/ts\.lock\.json is out of date/);
  });

  test('an edit of the bundle that keeps its length is compiled, not run from the old code', async () => {
    await runCopy(['--help']);
    expect((await runCopy(['--help'])).debug).toBe('rscript: code cache: cli from cache');
    const bundle = join(copy, 'dist', 'cli.cjs');
    const text = readFileSync(bundle, 'utf8');
    expect(text).toContain('Manage, check, run and benchmark');
    writeFileSync(bundle, text.replace('Manage, check, run and benchmark', 'MANAGE, CHECK, RUN AND BENCHMARK'));
    const edited = await runCopy(['--help']);
    expect(edited.stdout).toContain('MANAGE, CHECK, RUN AND BENCHMARK');
    expect(edited.debug).toMatch(/^rscript: code cache: cli compiled \(cache rejected\), saved to /);
  });
});

test('a TypeScript config with a syntax error is refused, naming the place (TypeScript itself would emit it)', async () => {
  project.write('redisscripts.config.ts', "const config = { manifest: 'broken.lock.json'\nexport default config;\n");
  const result = await run(['load', '--check']);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/^rscript: redisscripts\.config\.ts:2:1: not valid TypeScript: ',' expected\.$/m);
  expect(result.stdout).toBe('');
});

test('import() works from compiled and from cached code: a TypeScript config, through cosmiconfig', async () => {
  project.write(
    'redisscripts.config.ts',
    "const config: { manifest: string } = { manifest: 'scripts.lock.json' };\nexport default config;\n",
  );
  for (const expected of [
    /cli compiled, cosmiconfig compiled, luaparse compiled, saved to/,
    /^rscript: code cache: cli from cache, cosmiconfig from cache$/,
  ]) {
    const result = await run(['load', '--check']);
    // No manifest yet: the check fails (exit 1) and names the file the TypeScript config chose.
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/scripts\.lock\.json is out of date/);
    expect(result.debug).toMatch(expected);
  }
});
