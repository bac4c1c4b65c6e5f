/**
 * The CLI users run is the esbuild bundle, and each command loads only what it uses. Every JavaScript
 * file a real `node bin/rscript ...` process reads is recorded (a preloaded hook on the reads of Node's
 * CommonJS loader and of the launcher, src/launch.ts), and the bundle's metafile tells which sources
 * each file holds. No timing here: `npm run bench:cli` measures.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(REPO, 'bin', 'rscript');
const META = join(REPO, 'dist', 'rscript.meta.json');

/** What esbuild's metafile says of each output file: the source files it holds. */
interface Metafile {
  outputs: Record<string, { inputs: Record<string, unknown>; entryPoint?: string }>;
}

// Preloaded (--require): appends every JavaScript file the process reads to a log. Node's CommonJS
// loader and the launcher both read through fs.readFileSync.
const READS = `
const fs = require('node:fs');
const { appendFileSync } = fs;
const read = fs.readFileSync;
const log = (file) => appendFileSync(process.env.RSCRIPT_LOAD_LOG, String(file) + '\\n');
fs.readFileSync = function (file, ...rest) {
  if (typeof file === 'string' && /(\\.c?js|[\\/]bin[\\/]rscript)$/.test(file)) log(file);
  return read.call(this, file, ...rest);
};
// Node loads its ES module loader only for an ES module: one in the process is logged too.
process.on('exit', () => {
  if (process.moduleLoadList.includes('NativeModule internal/modules/esm/module_job')) log('(an ES module)');
});
`;

let work: string;
let meta: Metafile;
let preload: string;

beforeAll(() => {
  if (!existsSync(META)) throw new Error('dist/rscript.meta.json is missing: run npm run build first (npm test does)');
  meta = JSON.parse(readFileSync(META, 'utf8')) as Metafile;
  work = mkdtempSync(join(tmpdir(), 'rscript-bundle-test-'));
  mkdirSync(join(work, 'lua'));
  writeFileSync(join(work, 'lua', 'hello.lua'), "return 'hello'\n");
  preload = join(work, 'record-reads.cjs');
  writeFileSync(preload, READS);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Loaded {
  status: number | null;
  /** JavaScript files read, in order, relative to the repository (`bin/rscript`, `dist/cli.cjs`...). */
  files: string[];
  /** The packages whose code came in through the files read (`@redis/client`, `luaparse`). */
  packages: Set<string>;
  stdout: string;
}

/** Runs `node bin/rscript ...args` in the temp project and records what it loaded. */
function runRecorded(args: string[], extraEnv: Record<string, string> = {}): Loaded {
  const log = join(work, `loads-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(log, '');
  // An empty cache (lint results, compiled code) of its own unless the test shares one.
  const cache = mkdtempSync(join(work, 'cache-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RSCRIPT_LOAD_LOG: log,
    NO_COLOR: '1',
    RSCRIPT_CACHE_DIR: cache,
    ...extraEnv,
  };
  for (const k of ['NODE_OPTIONS', 'REDIS_URL', 'DEBUG']) delete env[k];
  const result = spawnSync(process.execPath, ['--require', preload, BIN, ...args], {
    cwd: work,
    env,
    encoding: 'utf8',
    timeout: 20000,
  });
  const files = readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line !== '' && line !== preload)
    .map((line) => (line.startsWith('(') ? line : relative(REPO, line).split('\\').join('/')));
  const packages = new Set<string>();
  for (const file of files) {
    for (const input of Object.keys(meta.outputs[file]?.inputs ?? {})) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
      if (pkg) packages.add(pkg);
    }
  }
  return { status: result.status, files, packages, stdout: result.stdout };
}

/** The parts (dist/parts/<name>.cjs) among the files read. */
const partsOf = (files: string[]) =>
  files.filter((f) => f.startsWith('dist/parts/')).map((f) => f.slice('dist/parts/'.length, -'.cjs'.length));

test('bin/rscript runs the bundle: its launcher and dist/cli.cjs, nothing from node_modules or tsc output', () => {
  const { status, files, stdout } = runRecorded(['--version']);
  expect(status).toBe(0);
  expect(stdout).toBe(`${JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version}\n`);
  expect(files).toEqual(['bin/rscript', 'dist/rscript.cjs', 'dist/cli.cjs']);
  // Every file read is an output of this build, as the metafile lists it.
  for (const file of files.slice(1)) expect(meta.outputs[file]).toBeDefined();
});

test('a command that loads a part reads it from dist/parts, and nothing else', () => {
  const { status, files } = runRecorded(['lint', 'lua']);
  expect(status).toBe(0);
  expect(files).toEqual(['bin/rscript', 'dist/rscript.cjs', 'dist/cli.cjs', 'dist/parts/luaparse.cjs']);
});

test.each([[['--help']], [['--version']], [['load', '--help']]])(
  '%j loads neither the Redis client nor the Lua parser nor the config loader nor the YAML parser',
  (args) => {
    const { status, files, packages } = runRecorded(args);
    expect(status).toBe(0);
    expect(partsOf(files)).toEqual([]);
    for (const pkg of ['@redis/client', 'luaparse', 'cosmiconfig', 'yaml']) expect(packages.has(pkg)).toBe(false);
  },
);

test('rscript test reads the YAML parser from its part, to read a spec', () => {
  writeFileSync(join(work, 'broken.spec.yaml'), 'script: hello\ncases:\n  - name: [unclosed\n');
  // The spec is read before any connection: nothing listens on port 1, and the YAML error comes first.
  const { status, files, packages } = runRecorded(['test', 'broken.spec.yaml', '--url', 'redis://127.0.0.1:1']);
  expect(status).toBe(2);
  expect(partsOf(files)).toContain('yaml');
  expect(packages.has('yaml')).toBe(true);
});

test('load --check (no server) loads no Redis code', () => {
  const { status, packages } = runRecorded(['load', '--check']);
  // No manifest yet: the check fails (exit 1), without a server.
  expect(status).toBe(1);
  expect(packages.has('@redis/client')).toBe(false);
});

// The controls: the recording sees a part with node-redis or luaparse code when one is loaded.
test('a command that connects loads the Redis client (node-redis RESP decoder)', () => {
  // Nothing listens on port 1: connection refused, exit 2, after the client was loaded.
  const { status, packages } = runRecorded(['flush', '--yes', '--url', 'redis://127.0.0.1:1']);
  expect(status).toBe(2);
  expect(packages.has('@redis/client')).toBe(true);
  expect(packages.has('luaparse')).toBe(false);
});

test('lint loads the Lua parser and no Redis code', () => {
  const { packages } = runRecorded(['lint', 'lua']);
  expect(packages.has('luaparse')).toBe(true);
  expect(packages.has('@redis/client')).toBe(false);
});

test('with the lint cache warm, lint and load load no Lua parser, and lint prints the same', () => {
  const cache = mkdtempSync(join(work, 'shared-cache-'));
  // Scripts with findings, so that cached findings are what is compared: an error, and a note (a
  // script reading KEYS without a header, as most scripts written elsewhere do).
  writeFileSync(join(work, 'lua', 'reply.lua'), 'return { ok = 1 }\n');
  writeFileSync(join(work, 'lua', 'bare.lua'), "return redis.call('GET', KEYS[1])\n");
  const first = runRecorded(['lint', '--format', 'json', 'lua'], { RSCRIPT_CACHE_DIR: cache });
  expect(first.packages.has('luaparse')).toBe(true);
  const second = runRecorded(['lint', '--format', 'json', 'lua'], { RSCRIPT_CACHE_DIR: cache });
  expect(second.packages.has('luaparse')).toBe(false);
  expect(second.stdout).toBe(first.stdout);
  const severities = JSON.parse(second.stdout).findings.map((f: { severity: string }) => f.severity);
  expect(new Set(severities)).toEqual(new Set(['error', 'info']));
  // load --check reads the new script's KEYS/ARGV for the manifest from the same cache.
  const check = runRecorded(['load', '--check'], { RSCRIPT_CACHE_DIR: cache });
  expect(check.status).toBe(1);
  expect(check.packages.has('luaparse')).toBe(false);
  // --no-cache checks again.
  expect(runRecorded(['lint', '--no-cache', 'lua'], { RSCRIPT_CACHE_DIR: cache }).packages.has('luaparse')).toBe(true);
});
