/**
 * The manifest and the lint cache are written to a temp file beside them, then renamed over them: a
 * reader (or another rscript) sees the old file or the new one, never part of one, and a process
 * killed in the middle of the write leaves the old file whole.
 *
 * The write is caught in the middle by a preloaded hook of the test's own (node --require): for a
 * file under the test's folder, fs.writeFileSync writes the first half, says so in a marker file,
 * and then waits to be killed, or fails as a full disk does (ENOSPC). The files themselves are real,
 * on the real file system, and the server a real redis-server.
 */
import { existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisProcess, type RedisProcess } from '../helpers/redis-process.js';
import { expectSuccess, rscript, startRscript, tempProject, type TempProject } from '../helpers/rscript-process.js';

const HOOK = `
const fs = require('node:fs');
const write = fs.writeFileSync;
const { RSCRIPT_TEST_WRITES_UNDER: under, RSCRIPT_TEST_WRITE_FAULT: fault, RSCRIPT_TEST_WRITE_MARK: mark } = process.env;
fs.writeFileSync = function (file, data, ...rest) {
  if (typeof file !== 'string' || !require('node:path').resolve(file).startsWith(under)) return write.call(this, file, data, ...rest);
  const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  write.call(this, file, bytes.subarray(0, bytes.length >> 1), ...rest);
  write(mark, require('node:path').resolve(file));
  if (fault === 'enospc') throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);
  return write.call(this, file, data, ...rest);
};
`;

let server: RedisProcess;
let work: string;
let hook: string;
let project: TempProject;
let cache: string;

beforeAll(async () => {
  server = await startRedisProcess();
  work = mkdtempSync(join(tmpdir(), 'rscript-atomic-test-'));
  hook = join(work, 'hook.cjs');
  writeFileSync(hook, HOOK);
});
afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});
beforeEach(() => {
  project = tempProject({ 'lua/base.lua': 'return "base"\n' });
  cache = mkdtempSync(join(work, 'cache-'));
});
afterEach(() => {
  project.cleanup();
  rmSync(cache, { recursive: true, force: true });
});

const MANIFEST = 'rscript.lock.json';
const run = (args: string[], env: Record<string, string> = {}) =>
  rscript(args, { cwd: project.dir, env: { RSCRIPT_CACHE_DIR: cache, ...env } });
/** Environment that catches the first write of a file under `under`. */
const faulty = (under: string, fault: 'stall' | 'enospc') => ({
  NODE_OPTIONS: `--require ${hook}`,
  RSCRIPT_TEST_WRITES_UNDER: under,
  RSCRIPT_TEST_WRITE_FAULT: fault,
  RSCRIPT_TEST_WRITE_MARK: join(work, 'mark'),
});
const addScripts = (n: number) => {
  for (let i = 0; i < n; i++) project.write(`lua/more/s${i}.lua`, `return ${i}\n`);
};
const lintCacheFile = () => {
  const files = readdirSync(cache).filter((f) => f.endsWith('.json'));
  expect(files).toHaveLength(1);
  return join(cache, files[0]!);
};

/**
 * Starts rscript with the hook, waits until it is in the middle of a write (the marker file), and
 * SIGKILLs it there. Returns the file it was writing.
 */
async function killDuringWrite(args: string[], under: string): Promise<string> {
  const mark = join(work, 'mark');
  rmSync(mark, { force: true });
  const running = startRscript(args, {
    cwd: project.dir,
    env: { RSCRIPT_CACHE_DIR: cache, ...faulty(under, 'stall') },
    killAfterMs: 60000,
  });
  let ended = false;
  void running.done.then(() => (ended = true));
  for (let i = 0; i < 1500 && !existsSync(mark) && !ended; i++) await new Promise((r) => setTimeout(r, 10));
  if (!existsSync(mark))
    throw new Error(`rscript ${args.join(' ')} ended without writing under ${under}: ${(await running.done).stderr}`);
  running.child.kill('SIGKILL');
  const r = await running.done;
  expect(r.signal).toBe('SIGKILL');
  return readFileSync(mark, 'utf8');
}

describe('the manifest', () => {
  it('is replaced by a new file, never rewritten in place: a reader of the old one keeps it whole', async () => {
    expectSuccess(await run(['load', '--url', server.url]));
    const before = project.read(MANIFEST);
    const inode = statSync(project.path(MANIFEST)).ino;
    // A second name for the old file, as a reader that opened it holds it.
    linkSync(project.path(MANIFEST), join(work, `held-${process.pid}`));
    addScripts(50);
    expectSuccess(await run(['load', '--url', server.url]));
    expect(Object.keys(JSON.parse(project.read(MANIFEST).toString()).scripts)).toHaveLength(51);
    expect(statSync(project.path(MANIFEST)).ino).not.toBe(inode);
    expect(readFileSync(join(work, `held-${process.pid}`)).equals(before)).toBe(true);
    rmSync(join(work, `held-${process.pid}`));
  });

  it('killed in the middle of its write: the old manifest is left whole, and the next load completes', async () => {
    expectSuccess(await run(['load', '--url', server.url]));
    const before = project.read(MANIFEST);
    addScripts(200);
    const writing = await killDuringWrite(['load', '--url', server.url], project.dir);
    expect(writing.startsWith(project.dir)).toBe(true);
    expect(project.read(MANIFEST).equals(before)).toBe(true);
    // What the kill left is at most a temp file; the next load does its work all the same.
    expect(project.list().filter((f) => f !== 'lua' && f !== 'package.json' && f !== MANIFEST)).toEqual([
      expect.stringMatching(/^\.rscript\.lock\.json\..*\.tmp$/),
    ]);
    expectSuccess(await run(['load', '--url', server.url]));
    expect(Object.keys(JSON.parse(project.read(MANIFEST).toString()).scripts)).toHaveLength(201);
  });

  it('a write that fails (disk full) leaves the old manifest and no temp file, with a one-line error (exit 2)', async () => {
    expectSuccess(await run(['load', '--url', server.url]));
    const before = project.read(MANIFEST);
    addScripts(20);
    const r = await run(['load', '--url', server.url], faulty(project.dir, 'enospc'));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^rscript: .*(ENOSPC|no space left)/i)]);
    expect(project.read(MANIFEST).equals(before)).toBe(true);
    expect(project.list()).toEqual(['lua', 'package.json', MANIFEST]);
  });
});

describe('the lint cache', () => {
  it('is replaced by a new file, never rewritten in place', async () => {
    expect((await run(['lint', 'lua'])).code).toBe(0);
    const file = lintCacheFile();
    const before = readFileSync(file);
    const inode = statSync(file).ino;
    linkSync(file, join(work, `held-cache-${process.pid}`));
    addScripts(5);
    expect((await run(['lint', 'lua'])).code).toBe(0);
    expect(lintCacheFile()).toBe(file);
    expect(readFileSync(file).equals(before)).toBe(false);
    expect(statSync(file).ino).not.toBe(inode);
    expect(readFileSync(join(work, `held-cache-${process.pid}`)).equals(before)).toBe(true);
    rmSync(join(work, `held-cache-${process.pid}`));
  });

  it('killed in the middle of its write: the old cache file is left whole, and the next lint writes the new one', async () => {
    expect((await run(['lint', 'lua'])).code).toBe(0);
    const file = lintCacheFile();
    const before = readFileSync(file);
    addScripts(100);
    const writing = await killDuringWrite(['lint', 'lua'], cache);
    expect(writing.startsWith(cache)).toBe(true);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect((await run(['lint', 'lua'])).code).toBe(0);
    expect(lintCacheFile()).toBe(file);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).entries ?? {}).length).toBeGreaterThan(
      Object.keys(JSON.parse(before.toString()).entries ?? {}).length,
    );
  });
});
