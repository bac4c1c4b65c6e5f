/**
 * `exec` against a real redis-server: NOSCRIPT recovery, error replies mapped to the file's lines,
 * typed replies (RESP3), binary-safe arguments, and EVALSHA_RO.
 */
import { symlinkSync } from 'node:fs';
import { exec, type ExecResult } from '../../src/commands/exec.js';
import { load } from '../../src/commands/load.js';
import type { TypedReply } from '../../src/redis/typed-reply.js';
import { checkFailure } from '../helpers/failure.js';
import { makeProject, runCli, type Project } from '../helpers/cli.js';
import { commandCalls } from '../helpers/commandstats.js';
import { startRedis, type TestServer } from '../helpers/redis-server.js';

let server: TestServer;
let project: Project;

const SCRIPTS: Record<string, string> = {
  'lua/one.lua': 'return 1',
  'lua/echo.lua': 'return {KEYS, ARGV, #KEYS, #ARGV}',
  'lua/get.lua': '#!lua flags=no-writes\nreturn redis.call("GET", KEYS[1])\n',
  'lua/set.lua': '#!lua\nreturn redis.call("SET", KEYS[1], ARGV[1])\n',
  'lua/set_compat.lua':
    '-- no shebang: writes are checked when they happen\nreturn redis.call("SET", KEYS[1], ARGV[1])\n',
  'lua/runtime.lua': '-- line 1\nlocal t = nil\nreturn t.field\n',
  'lua/wrongtype.lua': '-- line 1\n\nreturn redis.call("INCR", KEYS[1])\n',
  'lua/custom.lua': 'return redis.error_reply("MYERR custom failure")\n',
  'lua/status.lua': 'return redis.status_reply("FINE")',
  'lua/bulk.lua': 'return "FINE"',
  'lua/null.lua': 'return nil',
  'lua/nested.lua': 'return {1, {"a", {2, "b"}}, {}}',
  'lua/map.lua': 'return {map={count=5, tags={"x", "y"}}}',
  'lua/set_reply.lua': 'return {set={member=true}}',
  'lua/double.lua': 'return {double=3.5}',
  'lua/whole_double.lua': 'return {double=3}',
  'lua/error_item.lua': "return {1, redis.error_reply('ERR boom'), 3}",
  'lua/float.lua': 'return 3.9',
  'lua/resp3_bool.lua': 'redis.setresp(3)\nreturn {true, false}',
  'lua/resp2_bool.lua': 'return {true, false}',
  'lua/dropped_keys.lua': 'return {ok = true, remaining = 5}',
  'lua/binary.lua': 'return "\\255\\0ab"',
  'lua/big_int.lua': "return redis.call('INCRBY', KEYS[1], 0)",
  'lua/big_ints.lua': "return {redis.call('INCRBY', KEYS[1], 0), 2^60, -(2^53) - 2, 2^53 - 1, -7}",
  'lua/big_map.lua': 'return {map={n=2^62}}',
  'lua/queue/depth.lua': 'return 3',
};

beforeAll(async () => {
  server = await startRedis();
  project = makeProject(SCRIPTS);
  // Some scripts are wrong on purpose (dropped_keys, float): the linter would refuse them before the
  // server could show what it does with them, so this load skips it (load --no-lint).
  await load({
    paths: ['lua'],
    manifest: project.path('rscript.lock.json'),
    target: { url: server.url, timeoutMs: 5000 },
    cwd: project.dir,
    lint: false,
  });
});
afterAll(async () => {
  await server?.stop();
  project?.cleanup();
});

const run = (script: string, keys: string[] = [], args: string[] = [], readOnly?: boolean): Promise<ExecResult> =>
  exec({
    script,
    keys,
    args,
    readOnly,
    manifest: project.path('rscript.lock.json'),
    scripts: ['lua'],
    target: { url: server.url, timeoutMs: 5000 },
    cwd: project.dir,
  });

const failure = checkFailure;

const bulk = (value: string): TypedReply => ({ type: 'bulk string', value });
const int = (value: number): TypedReply => ({ type: 'integer', value });

describe('NOSCRIPT recovery', () => {
  test('after SCRIPT FLUSH, exec loads the script, retries once, and says so', async () => {
    server.cli('SCRIPT', 'FLUSH');
    const first = await run('one');
    expect(first).toMatchObject({
      script: 'one',
      sha: 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db',
      path: 'lua/one.lua',
      reloaded: true,
      reply: int(1),
    });
    expect(server.cli('SCRIPT', 'EXISTS', first.sha)).toBe('1');
    const loads = commandCalls(server, 'script|load');
    const second = await run('one');
    expect(second.reloaded).toBe(false);
    expect(commandCalls(server, 'script|load')).toBe(loads);
  });

  test('by path, by SHA, and a SHA nobody can load', async () => {
    server.cli('SCRIPT', 'FLUSH');
    expect((await run('lua/one.lua')).reloaded).toBe(true);
    // A path under the scripts folder is named as load and info name it, not by its file name; also
    // when the folder is a symlink and the file is given by its real path.
    expect(await run('lua/queue/depth.lua')).toMatchObject({ script: 'queue/depth', reply: int(3) });
    const linked = makeProject({ 'real/queue/depth.lua': 'return 3' });
    try {
      symlinkSync(linked.path('real'), linked.path('lua'));
      const viaReal = await exec({
        script: 'real/queue/depth.lua',
        keys: [],
        args: [],
        manifest: linked.path('rscript.lock.json'),
        scripts: ['lua'],
        target: { url: server.url, timeoutMs: 5000 },
        cwd: linked.dir,
      });
      expect(viaReal).toMatchObject({ script: 'queue/depth', reply: int(3) });
    } finally {
      linked.cleanup();
    }
    const bySha = await run('E0E1F9FABFC9D4800C877A703B823AC0578FF8DB');
    expect(bySha).toMatchObject({ script: 'one', reply: int(1), reloaded: false });
    const unknown = 'f'.repeat(40);
    const err = await failure(run(unknown));
    expect(err.message).toBe(
      `ffffffffffff: the server does not have sha ${unknown} and no local file is known to load it`,
    );
    expect(err.exitCode).toBe(1);
  });

  test('by name the file on disk wins over a stale manifest entry, and says so; by SHA that SHA runs', async () => {
    const before = project.read('lua/one.lua');
    const locked = 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db';
    try {
      server.cli('SCRIPT', 'LOAD', 'return 1');
      project.write('lua/one.lua', 'return 2');
      const result = await run('one');
      expect(result.reply).toEqual(int(2));
      expect(result.sha).toBe(server.cli('SCRIPT', 'LOAD', 'return 2'));
      expect(result.manifestSha).toBe(locked);
      const cli = await runCli(['exec', 'one', '--url', server.url], { cwd: project.dir });
      expect(cli.stderr).toBe(
        `note: lua/one.lua has changed since rscript.lock.json was written (sha e0e1f9fabfc9 there, ${result.sha.slice(0, 12)} now): this ran the file as it is; rscript load brings the manifest up to date\n`,
      );
      // The SHA the tables print (a prefix) or the whole SHA: that code, not the edited file.
      for (const sha of [locked.slice(0, 12), locked]) {
        const bySha = await run(sha);
        expect(bySha).toMatchObject({ script: 'one', sha: locked, reply: int(1) });
        expect(bySha.manifestSha).toBeUndefined();
      }
      // Not on the server, and the file can no longer give it: say so.
      server.cli('SCRIPT', 'FLUSH');
      const err = await failure(run(locked.slice(0, 12)));
      expect(err.message).toBe(
        `one: the server does not have sha ${locked}, and the file has changed since the manifest named it (it hashes to ${result.sha.slice(0, 12)} now)`,
      );
      expect(err.detail).toEqual([
        'Run it by name (rscript exec one) to run the file as it is, or rscript load to bring the manifest up to date.',
      ]);
    } finally {
      project.write('lua/one.lua', before);
    }
  });
});

describe('error replies', () => {
  test('a runtime error in Lua points at the line and quotes it', async () => {
    const err = await failure(run('runtime'));
    expect(err.message).toBe("lua/runtime.lua:3: attempt to index local 't' (a nil value)");
    expect(err.detail).toEqual(['3 | return t.field']);
    expect(err.exitCode).toBe(1);
  });

  test('a failed redis.call keeps the command error code and the line', async () => {
    server.cli('DEL', 'list');
    server.cli('RPUSH', 'list', 'a');
    const err = await failure(run('wrongtype', ['list']));
    expect(err.message).toBe('lua/wrongtype.lua:3: WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(err.detail).toEqual(['3 | return redis.call("INCR", KEYS[1])']);
  });

  test('redis.error_reply is a failure with its own text', async () => {
    const err = await failure(run('custom'));
    expect(err.message).toBe('lua/custom.lua: MYERR custom failure');
    expect(err.exitCode).toBe(1);
  });
});

describe('typed replies (RESP3)', () => {
  test.each<[string, TypedReply]>([
    ['one', int(1)],
    ['bulk', bulk('FINE')],
    ['status', { type: 'status', value: 'FINE' }],
    ['null', { type: 'null' }],
    ['float', int(3)],
    ['double', { type: 'double', value: 3.5 }],
    // A double with a whole value is still a double (redis-cli -3 prints it as one); it showed as an integer.
    ['whole_double', { type: 'double', value: 3 }],
    // An error inside an array is an element of the reply; it showed as an empty map.
    ['error_item', { type: 'array', items: [int(1), { type: 'error', value: 'ERR boom' }, int(3)] }],
    [
      'binary',
      { type: 'bulk string', value: Buffer.from([0xff, 0x00, 0x61, 0x62]).toString('base64'), encoding: 'base64' },
    ],
    [
      'nested',
      {
        type: 'array',
        items: [
          int(1),
          { type: 'array', items: [bulk('a'), { type: 'array', items: [int(2), bulk('b')] }] },
          { type: 'array', items: [] },
        ],
      },
    ],
    ['set_reply', { type: 'set', items: [bulk('member')] }],
    [
      'resp3_bool',
      {
        type: 'array',
        items: [
          { type: 'boolean', value: true },
          { type: 'boolean', value: false },
        ],
      },
    ],
    ['resp2_bool', { type: 'array', items: [int(1), { type: 'null' }] }],
    ['dropped_keys', { type: 'array', items: [] }],
  ])('%s', async (name, expected) => {
    expect((await run(name)).reply).toEqual(expected);
  });

  test('a {map=...} table arrives as a map', async () => {
    const reply = (await run('map')).reply;
    expect(reply.type).toBe('map');
    const entries = reply.type === 'map' ? reply.entries : [];
    expect(new Map(entries.map(([k, v]) => [JSON.stringify(k), v]))).toEqual(
      new Map([
        [JSON.stringify(bulk('count')), int(5)],
        [JSON.stringify(bulk('tags')), { type: 'array', items: [bulk('x'), bulk('y')] }],
      ]),
    );
  });
});

test('keys and args are binary-safe: spaces, unicode, an empty string', async () => {
  const keys = ['key with spaces', 'clé-ü-✓'];
  const args = ['', ' lead and trail ', '日本語', 'a\nb', '--json'];
  const result = await run('echo', keys, args);
  expect(result.reply).toEqual({
    type: 'array',
    items: [{ type: 'array', items: keys.map(bulk) }, { type: 'array', items: args.map(bulk) }, int(2), int(5)],
  });
});

// Lua numbers are doubles: Redis sends an integer reply as (long long) of one, and past 2^53 a JS
// number cannot hold it. redis-cli prints what the server sent; rscript must print the same digits.
describe('integers beyond 2^53', () => {
  test('a script returning INCRBY of a key holding a large integer: the digits redis-cli prints', async () => {
    for (const [key, value] of [
      ['big:max', '9223372036854775807'],
      ['big:odd', '9007199254740993'],
    ] as const) {
      server.cli('SET', key, value);
      const expected = server.cli('EVAL', SCRIPTS['lua/big_int.lua']!, '1', key);
      expect(expected).toMatch(/^-?\d{16,}$/);
      expect((await run('big_int', [key])).reply).toEqual({ type: 'integer', value: expected });
    }
  });

  test('as table elements and map values, beside safe integers that stay numbers', async () => {
    server.cli('SET', 'big:max', '9223372036854775807');
    const expected = server.cli('EVAL', SCRIPTS['lua/big_ints.lua']!, '1', 'big:max').split('\n');
    expect(expected.slice(1)).toEqual(['1152921504606846976', '-9007199254740994', '9007199254740991', '-7']);
    expect((await run('big_ints', ['big:max'])).reply).toEqual({
      type: 'array',
      items: [
        { type: 'integer', value: expected[0] },
        { type: 'integer', value: '1152921504606846976' },
        { type: 'integer', value: '-9007199254740994' },
        int(9007199254740991),
        int(-7),
      ],
    });
    expect((await run('big_map')).reply).toEqual({
      type: 'map',
      entries: [[bulk('n'), { type: 'integer', value: '4611686018427387904' }]],
    });
  });

  test('the CLI prints them exactly, in the table and in --json (as a string of digits)', async () => {
    server.cli('SET', 'big:max', '9223372036854775807');
    const expected = server.cli('EVAL', SCRIPTS['lua/big_ints.lua']!, '1', 'big:max').split('\n');
    const table = await runCli(['exec', 'big_ints', '-k', 'big:max', '--url', server.url], { cwd: project.dir });
    expect(table.code).toBe(0);
    const values = table.stdout.split('\n').flatMap((line) => /^│ \d+\s+│ integer\s+│ (\S+)/.exec(line)?.[1] ?? []);
    expect(values).toEqual(expected);
    const json = await runCli(['exec', 'big_ints', '-k', 'big:max', '--url', server.url, '--json'], {
      cwd: project.dir,
    });
    expect(json.code).toBe(0);
    const document = JSON.parse(json.stdout);
    expect(document.reply).toEqual([expected[0], '1152921504606846976', '-9007199254740994', 9007199254740991, -7]);
    expect(document.replyTyped.items.map((item: { value: unknown }) => item.value)).toEqual(document.reply);
  });
});

// `jq .reply` must read values, as it does from `redis-cli --json`; the typed tree moves to replyTyped.
describe('--json: reply as plain JSON, the typed tree beside it', () => {
  const json = async (name: string) => {
    const r = await runCli(['exec', name, '--url', server.url, '--json'], { cwd: project.dir });
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as { reply: unknown; replyTyped: TypedReply };
  };

  test.each(['one', 'bulk', 'status', 'null', 'double', 'whole_double', 'nested', 'map', 'set_reply', 'resp3_bool'])(
    '%s: the reply redis-cli -3 --json gives, and the typed tree in replyTyped',
    async (name) => {
      const document = await json(name);
      expect(document.reply).toEqual(JSON.parse(server.cli('-3', '--json', 'EVAL', SCRIPTS[`lua/${name}.lua`]!, '0')));
      expect(document.replyTyped).toEqual((await run(name)).reply);
    },
  );

  test("where redis-cli's JSON is not JSON: an error item, a binary string", async () => {
    expect(server.cli('-3', '--json', 'EVAL', SCRIPTS['lua/error_item.lua']!, '0')).toBe('[1,error:"ERR boom",3]');
    expect((await json('error_item')).reply).toEqual([1, { error: 'ERR boom' }, 3]);
    const binary = await json('binary');
    expect(binary.reply).toBe('\ufffd\u0000ab');
    expect(binary.replyTyped).toEqual({ type: 'bulk string', value: '/wBhYg==', encoding: 'base64' });
  });
});

describe('--ro (EVALSHA_RO)', () => {
  test('a no-writes script runs', async () => {
    server.cli('SET', 'ro:key', 'value');
    expect((await run('get', ['ro:key'], [], true)).reply).toEqual(bulk('value'));
  });

  test('a script with the write flag is refused by the server, exit 1', async () => {
    const err = await failure(run('set', ['ro:key'], ['x'], true));
    expect(err.message).toBe('lua/set.lua: ERR Can not execute a script with write flag using *_ro command.');
    expect(err.exitCode).toBe(1);
    expect(server.cli('GET', 'ro:key')).toBe('value');
  });

  test('a script without shebang fails at its first write, with the line', async () => {
    const err = await failure(run('set_compat', ['ro:key'], ['x'], true));
    expect(err.message).toBe('lua/set_compat.lua:2: ERR Write commands are not allowed from read-only scripts.');
    expect(err.detail).toEqual(['2 | return redis.call("SET", KEYS[1], ARGV[1])']);
    expect(server.cli('GET', 'ro:key')).toBe('value');
  });

  test('without --ro the write script writes', async () => {
    expect((await run('set', ['ro:key'], ['new'])).reply).toEqual({ type: 'status', value: 'OK' });
    expect(server.cli('GET', 'ro:key')).toBe('new');
  });
});
