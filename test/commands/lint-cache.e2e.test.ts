/**
 * The lint cache through the built binary (only the bundled CLI carries the linter's fingerprint):
 * what a cached run prints is what a fresh run prints, a change to a script or to the rules is seen
 * at once, a broken cache file is an empty cache, and --no-cache and RSCRIPT_CACHE_DIR= leave no file.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { makeProject, runCli, stackLines, type Project } from '../helpers/cli.js';
import { startRedis, type TestServer } from '../helpers/redis-server.js';

const GOOD = `-- counts
--
-- KEYS[1]: the counter (string)
-- Returns: the new value (integer)
return redis.call('INCR', KEYS[1])
`;
// Redis turns a string-keyed table into an empty array: an error-level finding.
const BAD = `-- bad
--
-- KEYS[1]: the counter (string)
-- Returns: a record
return { value = redis.call('INCR', KEYS[1]) }
`;

let project: Project;
let cache: string;
const lint = (...args: string[]) =>
  runCli(['lint', '--format', 'json', ...args], { cwd: project.dir, env: { RSCRIPT_CACHE_DIR: cache } });
const cacheFiles = () => readdirSync(cache).filter((f) => f.endsWith('.json'));

beforeEach(() => {
  project = makeProject({ 'lua/good.lua': GOOD, 'lua/bad.lua': BAD, 'lua/copy.lua': BAD });
  cache = mkdtempSync(join(tmpdir(), 'rscript-lint-cache-'));
});
afterEach(() => {
  project.cleanup();
  rmSync(cache, { recursive: true, force: true });
});

test('a second run prints exactly what the first printed, from the cache file', async () => {
  const first = await lint('lua');
  expect(first.code).toBe(1);
  expect(cacheFiles()).toHaveLength(1);
  const second = await lint('lua');
  expect(second).toMatchObject({ code: 1, stdout: first.stdout, stderr: '' });
  // Two files with the same bytes share an entry but each finding names its own file.
  const files = JSON.parse(second.stdout).findings.map((f: { file: string; rule: string }) => `${f.file} ${f.rule}`);
  expect(files).toEqual(['lua/bad.lua no-string-keys-in-reply', 'lua/copy.lua no-string-keys-in-reply']);
  // The fields keep the order of a finding made by the linter itself.
  expect(Object.keys(JSON.parse(second.stdout).findings[0])).toEqual([
    'rule',
    'severity',
    'message',
    'file',
    'line',
    'column',
    'endLine',
    'endColumn',
    'hint',
  ]);
  const uncached = await runCli(['lint', '--format', 'json', '--no-cache', 'lua'], {
    cwd: project.dir,
    env: { RSCRIPT_CACHE_DIR: cache },
  });
  expect(uncached.stdout).toBe(first.stdout);
});

test('a changed script and a changed rule severity are linted again', async () => {
  await lint('lua');
  project.write('lua/good.lua', GOOD.replace("redis.call('INCR', KEYS[1])", "{ n = redis.call('INCR', KEYS[1]) }"));
  const changed = JSON.parse((await lint('lua')).stdout);
  expect(changed.findings.map((f: { file: string }) => f.file)).toContain('lua/good.lua');
  project.write('.redisscriptsrc', JSON.stringify({ lint: { rules: { 'no-string-keys-in-reply': 'off' } } }));
  const off = await lint('lua');
  expect(off.code).toBe(0);
  expect(JSON.parse(off.stdout).findings).toEqual([]);
});

test('a broken cache file counts as empty and is written again', async () => {
  const first = await lint('lua');
  const [file] = cacheFiles();
  const stored = JSON.parse(readFileSync(join(cache, file!), 'utf8'));
  const [sha] = Object.keys(stored.entries);
  const broken = (entry: unknown, strings: unknown = stored.strings) =>
    JSON.stringify({ ...stored, strings, entries: { ...stored.entries, [sha!]: entry } });
  for (const junk of [
    '{not json',
    '[]',
    '{"version":1,"entries":{}}',
    broken('no'),
    broken([[[0, 1, 2]], 0]),
    broken([[[999, 1, 2, -1, 1, 1, -1, -1]], 0]),
    broken([[], 999]),
    broken(stored.entries[sha!], ['not', 'the', 'strings']),
    // Metadata of the wrong shape: load reads each slot's doc.
    broken([[], stored.strings.length], [...stored.strings, '{"keys":[null],"args":[],"errors":[],"flags":[]}']),
    broken([[], stored.strings.length], [...stored.strings, '{"keys":[{"doc":1}],"args":[],"errors":[],"flags":[]}']),
  ]) {
    writeFileSync(join(cache, file!), junk);
    const r = await lint('lua');
    expect(r).toMatchObject({ code: 1, stdout: first.stdout, stderr: '' });
    expect(stackLines(r.stderr)).toEqual([]);
    expect(JSON.parse(readFileSync(join(cache, file!), 'utf8')).version).toBe(2);
  }
});

test("the cache file is the user's alone; one others could write is not used (it could hide a finding)", async () => {
  const first = await lint('lua');
  const [file] = cacheFiles();
  const path = join(cache, file!);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  // Every entry rewritten to "no findings", in a file the group may write: not believed.
  const stored = JSON.parse(readFileSync(path, 'utf8'));
  const clean = Object.fromEntries(
    Object.entries(stored.entries as Record<string, [unknown, number]>).map(([sha, [, meta]]) => [sha, [[], meta]]),
  );
  writeFileSync(path, JSON.stringify({ ...stored, entries: clean }));
  chmodSync(path, 0o664);
  const planted = await lint('lua');
  expect(planted).toMatchObject({ code: 1, stdout: first.stdout });
  // The same file, this user's alone: it is the cache (and says what it says).
  writeFileSync(path, JSON.stringify({ ...stored, entries: clean }));
  chmodSync(path, 0o600);
  expect((await lint('lua')).code).toBe(0);
});

test('load reads KEYS/ARGV from the cache and survives a broken entry', async () => {
  project.write('lua/bad.lua', GOOD.replace('counts', 'counts too'));
  project.write('lua/copy.lua', GOOD.replace('counts', 'counts again'));
  const load = () => runCli(['load', '--check'], { cwd: project.dir, env: { RSCRIPT_CACHE_DIR: cache } });
  await lint('lua');
  const [file] = cacheFiles();
  const stored = JSON.parse(readFileSync(join(cache, file!), 'utf8'));
  const meta = stored.strings.length;
  stored.strings.push('{"keys":[null],"args":[],"errors":[],"flags":[]}');
  for (const sha of Object.keys(stored.entries)) stored.entries[sha][1] = meta;
  writeFileSync(join(cache, file!), JSON.stringify(stored));
  // No manifest yet: --check says it is out of date (exit 1), in one line, with no crash.
  const r = await load();
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/out of date/);
  expect(r.stderr).toBe('');
});

describe('load against a real server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });

  // `load` writes the cache while the server compiles what it sent, or at the end when there was
  // nothing to send: the next lint of the same scripts parses nothing, whichever way the load went.
  test('every load keeps what it linted: refused, loaded, or found already cached', async () => {
    const cached = () => Object.keys(JSON.parse(readFileSync(join(cache, cacheFiles()[0]!), 'utf8')).entries).length;
    const load = () => runCli(['load', '--url', server.url], { cwd: project.dir, env: { RSCRIPT_CACHE_DIR: cache } });
    const refused = await load();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/load refused before loading anything/);
    expect(cached()).toBe(2); // good.lua, and bad.lua = copy.lua

    project.write('lua/bad.lua', GOOD.replace('counts', 'counts too'));
    project.write('lua/copy.lua', GOOD.replace('counts', 'counts again'));
    const loaded = await load();
    expect(loaded.code).toBe(0);
    expect(loaded.stdout).toMatch(/3 loaded/);
    expect(cached()).toBe(4);

    // The server has them all; an emptied cache is filled again.
    for (const f of cacheFiles()) rmSync(join(cache, f));
    const again = await runCli(['load', '--url', server.url, '-m', 'other.lock.json'], {
      cwd: project.dir,
      env: { RSCRIPT_CACHE_DIR: cache },
    });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0 loaded, 3 already cached/);
    expect(cached()).toBe(3);
  });

  /**
   * A proxy that holds the server's replies from the first SCRIPT LOAD on until `release()` is true:
   * a load that wrote its lint cache only once the server had answered would wait for its --timeout.
   */
  function holdingProxy(release: () => boolean): Promise<{ url: string; close: () => void }> {
    const sockets: Socket[] = [];
    const proxy = createServer((client) => {
      const upstream = createConnection(server.port, '127.0.0.1');
      sockets.push(client, upstream);
      let holding = false;
      const held: Buffer[] = [];
      const timer = setInterval(() => {
        if (holding && release()) {
          holding = false;
          for (const b of held.splice(0)) client.write(b);
        }
      }, 5);
      client.on('data', (d: Buffer) => {
        if (d.includes('$4\r\nLOAD\r\n')) holding = true;
        upstream.write(d);
      });
      upstream.on('data', (d: Buffer) => (holding ? held.push(d) : client.write(d)));
      const end = () => {
        clearInterval(timer);
        client.destroy();
        upstream.destroy();
      };
      client.on('close', end).on('error', end);
      upstream.on('close', end).on('error', end);
    });
    return new Promise((resolve) =>
      proxy.listen(0, '127.0.0.1', () =>
        resolve({
          url: `redis://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
          close: () => {
            for (const s of sockets) s.destroy();
            proxy.close();
          },
        }),
      ),
    );
  }

  test('load writes the lint cache without waiting for the server to answer its SCRIPT LOADs', async () => {
    project.write('lua/bad.lua', GOOD.replace('counts', 'counts too'));
    project.write('lua/copy.lua', GOOD.replace('counts', 'counts again'));
    server.cli('SCRIPT', 'FLUSH');
    const proxy = await holdingProxy(() => cacheFiles().length > 0);
    try {
      const r = await runCli(['load', '--url', proxy.url, '--timeout', '3000'], {
        cwd: project.dir,
        env: { RSCRIPT_CACHE_DIR: cache },
      });
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      expect(r.stdout).toMatch(/3 loaded/);
    } finally {
      proxy.close();
    }
  });
});

test('an unwritable cache folder is no error', async () => {
  writeFileSync(join(cache, 'blocked'), '');
  const r = await runCli(['lint', 'lua'], {
    cwd: project.dir,
    env: { RSCRIPT_CACHE_DIR: join(cache, 'blocked', 'sub') },
  });
  expect(r.code).toBe(1);
  expect(r.stderr).toBe('');
});

test('--no-cache and an empty RSCRIPT_CACHE_DIR write no cache file, anywhere', async () => {
  await runCli(['lint', '--no-cache', 'lua'], { cwd: project.dir, env: { RSCRIPT_CACHE_DIR: cache } });
  await runCli(['load', '--check', '--no-cache'], { cwd: project.dir, env: { RSCRIPT_CACHE_DIR: cache } });
  // --no-cache is the lint cache's: the launcher's compiled code (code-*.bin) is kept all the same.
  expect(cacheFiles()).toEqual([]);
  // Where a cache would go without RSCRIPT_CACHE_DIR (~/.cache/rscript, $XDG_CACHE_HOME/rscript) is
  // a folder of the test's own, which must stay empty: an empty RSCRIPT_CACHE_DIR means no cache at
  // all, not the default folder.
  const home = mkdtempSync(join(tmpdir(), 'rscript-home-'));
  try {
    const env = { RSCRIPT_CACHE_DIR: '', HOME: home, XDG_CACHE_HOME: home };
    const r = await runCli(['lint', 'lua'], { cwd: project.dir, env });
    expect(r.code).toBe(1);
    expect(
      JSON.parse((await runCli(['lint', '--format', 'json', 'lua'], { cwd: project.dir, env })).stdout).errors,
    ).toBe(2);
    expect((await runCli(['load', '--check'], { cwd: project.dir, env })).code).toBe(1);
    expect(readdirSync(home)).toEqual([]);
    expect(project.exists('.cache')).toBe(false);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  expect(cacheFiles()).toEqual([]);
});
