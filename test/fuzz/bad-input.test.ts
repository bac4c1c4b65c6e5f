/**
 * Hostile or odd input, through the built CLI against a real redis-server. Each case: one clear
 * `rscript:` line on stderr, the right exit code, no stack trace, and nothing lost (a manifest that
 * existed is unchanged byte for byte). Where the input is accepted, the SHA is the server's own.
 */
import { createHash } from 'node:crypto';
import { symlinkSync } from 'node:fs';
import { prng } from '../helpers/prng.js';
import { startRedisProcess, type RedisProcess } from '../helpers/redis-process.js';
import { expectFailure, expectSuccess, rscript, tempProject, type TempProject } from '../helpers/rscript-process.js';

let server: RedisProcess;
const projects: TempProject[] = [];

beforeAll(async () => {
  server = await startRedisProcess();
});
afterAll(async () => {
  await server.stop();
  for (const p of projects) p.cleanup();
});

function project(files: Record<string, string | Buffer> = {}): TempProject {
  const p = tempProject(files);
  projects.push(p);
  return p;
}

const sha1 = (b: Buffer | string) => createHash('sha1').update(b).digest('hex');
const run = (p: TempProject, ...args: string[]) => rscript([...args, '--url', server.url], { cwd: p.dir });
const manifestOf = (p: TempProject) =>
  JSON.parse(p.read('rscript.lock.json').toString()) as { scripts: Record<string, { sha: string; size: number }> };

/** Loads `lua/good.lua`, then adds `files`: the manifest bytes that must survive a failed run. */
async function withManifest(files: Record<string, string | Buffer>): Promise<{ p: TempProject; before: Buffer }> {
  const p = project({ 'lua/good.lua': 'return "good"\n' });
  expectSuccess(await run(p, 'load'));
  const before = p.read('rscript.lock.json');
  for (const [rel, content] of Object.entries(files)) p.write(rel, content);
  return { p, before };
}

describe('script files', () => {
  // Both paths: the local Lua check that load runs first, and the server's compiler (--no-lint).
  it.each([[[]], [['--no-lint']]])(
    'random bytes (load %j): exit 1 naming the file and line, control characters escaped, manifest unchanged',
    async (extra) => {
      const { p, before } = await withManifest({ 'lua/random.lua': prng(7).bytes(400) });
      const r = await run(p, 'load', ...extra);
      expectFailure(r, 1, /^rscript: lua\/random\.lua:\d+(:\d+)?: .*(syntax error|compile error)/);
      expect(p.read('rscript.lock.json').equals(before)).toBe(true);
    },
  );

  it('a 5 MB script loads, and its SHA is the one the server computes', async () => {
    const body = Buffer.from(`local s = "${'x'.repeat(5 * 1024 * 1024)}"\nreturn #s\n`);
    const p = project({ 'lua/huge.lua': body });
    expectSuccess(await run(p, 'load'));
    const entry = manifestOf(p).scripts.huge!;
    expect(entry).toMatchObject({ sha: sha1(body), size: body.length });
    expect(server.cli('SCRIPT', 'EXISTS', entry.sha)).toBe('1');
    const r = await run(p, 'exec', 'huge', '--json');
    expectSuccess(r);
    expect(JSON.parse(r.stdout).reply).toBe(5 * 1024 * 1024);
  });

  it.each([[[]], [['--no-lint']]])(
    'a 3 MB one-line script with an unfinished string (load %j): a short message, not the file echoed back',
    async (extra) => {
      const { p, before } = await withManifest({ 'lua/broken.lua': `return "${'y'.repeat(3 * 1024 * 1024)}\n` });
      const r = await run(p, 'load', ...extra);
      expectFailure(r, 1, /^rscript: lua\/broken\.lua:\d+(:\d+)?: .*unfinished string/);
      expect(r.stderr.length).toBeLessThan(2000);
      expect(p.read('rscript.lock.json').equals(before)).toBe(true);
    },
  );

  it('NUL bytes and invalid UTF-8: the SHA matches redis-cli SCRIPT LOAD and the reply is the exact bytes', async () => {
    const payload = Buffer.from([0x61, 0x00, 0x62, 0xff, 0xfe, 0xc3, 0x28]);
    const body = Buffer.concat([Buffer.from('return "'), payload, Buffer.from('"\n')]);
    const p = project({ 'lua/binary.lua': body });
    expectSuccess(await run(p, 'load'));
    const sha = manifestOf(p).scripts.binary!.sha;
    expect(sha).toBe(sha1(body));
    expect(server.cliWithInput(body, 'SCRIPT', 'LOAD')).toBe(sha);
    const r = await run(p, 'exec', 'binary', '--json');
    expectSuccess(r);
    // Every byte in the typed tree; `reply` holds text, as redis-cli --json does.
    expect(JSON.parse(r.stdout).replyTyped).toEqual({
      type: 'bulk string',
      value: payload.toString('base64'),
      encoding: 'base64',
    });
  });

  it('CRLF line endings: hashed as they are, and an error points at the right line without the \\r', async () => {
    const body = Buffer.from('local a = 1\r\nlocal b = nil\r\nreturn a + b\r\n');
    const p = project({ 'lua/crlf.lua': body });
    expectSuccess(await run(p, 'load'));
    const sha = manifestOf(p).scripts.crlf!.sha;
    expect(sha).toBe(sha1(body));
    expect(sha).not.toBe(sha1(body.toString().replace(/\r\n/g, '\n')));
    expect(server.cliWithInput(body, 'SCRIPT', 'LOAD')).toBe(sha);
    const r = await run(p, 'exec', 'crlf');
    expectFailure(r, 1, /^rscript: lua\/crlf\.lua:3: .*arithmetic/);
    expect(r.stderr).toContain('  3 | return a + b\n');
  });

  it('a folder with symlink loops: each script is found once, and load ends', async () => {
    const p = project({ 'lua/a.lua': 'return "a"\n', 'lua/sub/b.lua': 'return "b"\n' });
    symlinkSync('..', p.path('lua/sub/up'));
    symlinkSync('.', p.path('lua/self'));
    expectSuccess(await run(p, 'load'));
    expect(Object.keys(manifestOf(p).scripts)).toEqual(['a', 'sub/b']);
  });

  it.each([
    ['case', 'lua/Rate.lua', 'lua/rate.lua'],
    ['Unicode form (NFC and NFD)', `lua/${'café'.normalize('NFC')}.lua`, `lua/${'café'.normalize('NFD')}.lua`],
  ])('names that differ only by %s: exit 2 naming both files, nothing written', async (_what, first, second) => {
    const p = project({ [first]: 'return 1\n', [second]: 'return 2\n' });
    const r = await run(p, 'load');
    expectFailure(r, 2, /differ only by case or Unicode form/);
    expect(r.stderr).toContain(first);
    expect(r.stderr).toContain(second);
    expect(p.list()).not.toContain('rscript.lock.json');
  });

  it('two folders holding the same name: exit 2 naming both files', async () => {
    const p = project({ 'a/x.lua': 'return 1\n', 'b/x.lua': 'return 2\n' });
    expectFailure(await run(p, 'load', 'a', 'b'), 2, /two scripts are named "x": a\/x\.lua and b\/x\.lua/);
  });
});

describe('a manifest edited by hand', () => {
  it.each([
    ['invalid JSON', '{ "version": 1, "scripts": {\n', /rscript\.lock\.json: not valid JSON/],
    ['an unknown version', '{ "version": 2, "scripts": {} }\n', /rscript\.lock\.json: unknown manifest version 2/],
    [
      'a bad SHA',
      '{ "version": 1, "scripts": { "good": { "path": "lua/good.lua", "sha": "nope", "size": 1, "flags": [] } } }\n',
      /scripts\["good"\]\.sha must be 40 lowercase hex digits/,
    ],
    ['an array', '[]\n', /rscript\.lock\.json: expected a JSON object/],
  ])(
    '%s: load, exists and exec exit 2 naming the file, and the file is left as it was',
    async (_what, text, message) => {
      const p = project({ 'lua/good.lua': 'return "good"\n', 'rscript.lock.json': text });
      for (const command of [['load'], ['exists'], ['exec', 'good']]) {
        const r = await run(p, ...command);
        expectFailure(r, 2, message);
        expect(r.stderr).toMatch(/delete it and run rscript load/);
      }
      expect(p.read('rscript.lock.json').toString()).toBe(text);
    },
  );
});

describe('a config file that cannot be used', () => {
  it.each([
    [
      'redisscripts.config.js',
      'throw new Error("config exploded")\n',
      /^rscript: redisscripts\.config\.js: cannot load the config \(config exploded\)$/,
    ],
    [
      '.redisscriptsrc.cjs',
      'module.exports = (() => { throw new TypeError("bad host") })()\n',
      /^rscript: \.redisscriptsrc\.cjs: cannot load the config \(bad host\)$/,
    ],
    ['.redisscriptsrc.json', '{ "url": \n', /^rscript: \.redisscriptsrc\.json: cannot load the config \(.*JSON/],
    [
      '.redisscriptsrc.cjs',
      'module.exports = { url: 42 }\n',
      /^rscript: \.redisscriptsrc\.cjs: "url" must be a non-empty string$/,
    ],
    [
      '.redisscriptsrc.json',
      '{ "urll": "redis://127.0.0.1" }\n',
      /^rscript: \.redisscriptsrc\.json: "urll" is not a known key/,
    ],
  ])('%s (%#): exit 2 naming the file and the reason', async (file, text, message) => {
    const { p, before } = await withManifest({ [file]: text });
    for (const command of [['load'], ['exists']]) {
      // No --url: the URL would come from the config, which must fail first.
      expectFailure(await rscript(command, { cwd: p.dir }), 2, message);
    }
    expect(p.read('rscript.lock.json').equals(before)).toBe(true);
  });
});

describe('keys and arguments', () => {
  let p: TempProject;
  beforeAll(async () => {
    p = project({
      'lua/echo.lua':
        'local out = {}\nfor _, k in ipairs(KEYS) do out[#out + 1] = k end\nfor _, a in ipairs(ARGV) do out[#out + 1] = a end\nreturn out\n',
      'lua/count.lua': 'return {#ARGV, redis.sha1hex(table.concat(ARGV, ","))}\n',
    });
    expectSuccess(await run(p, 'load'));
  });

  it('unicode, protocol-looking and control characters reach the script unchanged', async () => {
    const keys = ['🔑:user:1', 'ключ', 'e\u0301 combining', 'עברית'];
    const args = ['naïve', '\r\n*1\r\n$4\r\nPING\r\n', 'tab\there\nnewline', '$-1', ' ', '-5'];
    const r = await run(p, 'exec', 'echo', '--keys', ...keys, '--args', ...args, '--json');
    expectSuccess(r);
    expect(JSON.parse(r.stdout).reply).toEqual([...keys, ...args]);
    const items = JSON.parse(r.stdout).replyTyped.items as Array<{ type: string; value: string }>;
    expect(items.map((i) => i.value)).toEqual([...keys, ...args]);
    expect(items.every((i) => i.type === 'bulk string')).toBe(true);
  });

  it('10,000 arguments arrive in order', async () => {
    const args = Array.from({ length: 10_000 }, (_, i) => `a${i}`);
    const r = await run(p, 'exec', 'count', '--args', ...args, '--json');
    expectSuccess(r);
    expect(JSON.parse(r.stdout).reply).toEqual([10_000, sha1(args.join(','))]);
  });
});
