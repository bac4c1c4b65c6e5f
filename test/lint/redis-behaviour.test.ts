/**
 * The linter's claims, checked against a real Redis 7: what each rule says Redis does, Redis does.
 * Also checks that the command table for this server is what its COMMAND returns (failing when there
 * is none for it), and that the keys the bench reads from it (to route a fixture's setup on a
 * cluster) are the keys the server finds.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@redis/client';
import type * as lua from 'luaparse';
import type { CommandTable } from '../../src/redis/command-table.js';
import { generateCommandTable } from '../../src/server/generate-command-table.js';
import { COMMAND_TABLE, commandKeys } from '../../src/redis/commands.js';
import { lintSource } from '../../src/lint/lint.js';
import { stringValue } from '../../src/lint/analysis.js';
import { parseLua } from '../../src/lint/parse.js';
import { SANDBOX_GLOBALS } from '../../src/redis/lua-globals.js';
import { startRedis, type TestServer } from '../helpers/redis-server.js';
import { FIXTURES, SEED } from './helpers.js';

let server: TestServer;
let client: ReturnType<typeof createClient<{}, {}, {}, 2>>;

beforeAll(async () => {
  server = await startRedis();
  client = createClient({ url: server.url, RESP: 2 });
  await client.connect();
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

/** EVAL with one key; resolves to the reply, or to the error text. */
async function evalScript(script: string): Promise<unknown> {
  try {
    return await client.sendCommand(['EVAL', script, '1', 'lint:test:key']);
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

const rulesOf = (script: string): string[] => lintSource(script, 't.lua').map((f) => f.rule);

test.each([
  ['return {ok = true, remaining = 5}', 'no-string-keys-in-reply', []],
  ['return {1, 2, extra = 3}', 'no-string-keys-in-reply', [1, 2]],
  ['return {error = "boom"}', 'no-string-keys-in-reply', []],
  // A key written as a string is a string key, even one that reads as a number.
  ["local t = {} t[1] = 1 t['2'] = 2 return t", 'no-string-keys-in-reply', [1]],
  // A special field with a value of the wrong type makes no special reply: the table is an array.
  ['return {1, map = true}', 'no-string-keys-in-reply', [1]],
  ['return {1, ok = 1}', 'no-string-keys-in-reply', [1]],
  ["return {1, double = 'x'}", 'no-string-keys-in-reply', [1]],
  ['return {1, nil, 3}', 'no-nil-in-reply-array', [1]],
  ["return redis.call('GET', KEYS[1]) == nil", 'no-nil-compare', null],
])('%s: %s, and Redis replies %j', async (script, rule, reply) => {
  expect(rulesOf(script)).toContain(rule);
  expect(await evalScript(script)).toEqual(reply);
});

test.each([
  // Redis truncates the number: 10 / 4 = 2.5 arrives as 2.
  ['local n = 10 / 4 return n', 'no-float-reply', 2],
  [
    'local rcall = redis.call return rcall("GET", KEYS[1], "extra")',
    'wrong-arity',
    'error: ERR Wrong number of args calling Redis command from script',
  ],
])('%s: %s, and Redis replies %j', async (script, rule, reply) => {
  expect(rulesOf(script)).toContain(rule);
  expect(await evalScript(script)).toEqual(typeof reply === 'string' ? expect.stringContaining(reply) : reply);
});

test.each([
  // arg is Lua 5.1's table of a vararg function's extra arguments: Redis builds Lua with it.
  ['local function f(...) return arg.n end return f(1, 2)', 2],
  // An element past the end of an array reply really is nil (false only for a missing value).
  ["local r = redis.call('HMGET', KEYS[1], 'a') if r[2] == nil then return 1 end return 0", 1],
])('%s: no finding, and Redis replies %j', async (script, reply) => {
  expect(rulesOf(script).filter((r) => r !== 'header-keys-argv')).toEqual([]);
  expect(await evalScript(script)).toEqual(reply);
});

test.each([
  ['x = 1 return 1', 'no-global-assignment', 'Attempt to modify a readonly table'],
  ['function f() end return 1', 'no-global-assignment', 'Attempt to modify a readonly table'],
  ['string.x = 1 return 1', 'no-global-assignment', 'Attempt to modify a readonly table'],
  ['rawset(_G, "x", 1) return 1', 'no-global-assignment', 'Attempt to modify a readonly table'],
  ['return print', 'lua-api', "nonexistent global variable 'print'"],
  ['return os.time()', 'lua-api', "nonexistent global variable 'os'"],
  ['return server.call("PING")', 'lua-api', "nonexistent global variable 'server'"],
  ['local function f() return arg end return f()', 'no-undefined-global', "nonexistent global variable 'arg'"],
  ["return redis.call('GETT', KEYS[1])", 'unknown-command', 'Unknown Redis command called from script'],
  ["return redis.call('OBJECT', 'ENCODINGS', KEYS[1])", 'unknown-command', 'Unknown Redis command called from script'],
  [
    "return redis.call('GET', KEYS[1], 'extra')",
    'wrong-arity',
    'Wrong number of args calling Redis command from script',
  ],
  ["return redis.call('MULTI')", 'command-not-allowed-in-script', 'This Redis command is not allowed from script'],
  [
    "return redis.call('BLPOP', KEYS[1], 1)",
    'command-not-allowed-in-script',
    'This Redis command is not allowed from script',
  ],
  [
    "#!lua flags=no-writes\nreturn redis.call('SET', KEYS[1], 1)",
    'no-writes-violation',
    'Write commands are not allowed from read-only scripts',
  ],
  ['#!lua flags=no-writes,\nreturn 1', 'invalid-shebang', 'Unexpected flag in script shebang: '],
  ['#!lua name=lib\nreturn 1', 'invalid-shebang', 'Unknown lua shebang option: name=lib'],
  ['#!luajit\nreturn 1', 'invalid-shebang', 'Unexpected engine in script shebang: #!luajit'],
  ['#!lua', 'invalid-shebang', 'Invalid script shebang'],
  ['\uFEFF#!lua\nreturn 1', 'invalid-shebang', 'Error compiling script'],
  ['\uFEFFreturn 1', 'syntax-error', 'Error compiling script'],
])('%j: %s, and Redis fails with %s', async (script, rule, error) => {
  expect(rulesOf(script)).toContain(rule);
  expect(await evalScript(script)).toEqual(expect.stringContaining(error));
});

test("a number literal reads as the string the server's tostring makes of it (the key or argument Redis receives)", async () => {
  const literals = ['10', '-0', '0.1', '0.33333333333333331', '9.99999999999999', '100000000000000'];
  literals.push('1125899906842624', '-1.5e20', '0.0001', '0.00001', '0.000012345', '1e999', '-1e999');
  for (const text of literals) {
    const { chunk } = parseLua(`return ${text}`);
    const value = stringValue((chunk!.body[0] as lua.ReturnStatement).arguments[0]);
    expect([text, await evalScript(`return tostring(${text})`)]).toEqual([text, value]);
  }
});

test('the messages of invalid-shebang quote Redis word for word', async () => {
  for (const script of ['#!lua flags=foo\nreturn 1', '#!lua flags=no-writes opt=1\nreturn 1', '#! lua\nreturn 1']) {
    const server = String(await evalScript(script)).replace(/^error: ERR /, '');
    const ours = lintSource(script, 't.lua')
      .filter((f) => f.rule === 'invalid-shebang')
      .map((f) => f.message);
    expect(ours.some((m) => m.includes(`"${server}"`))).toBe(true);
  }
});

test('the sandbox globals are exactly what Redis 7 defines', async () => {
  const names = (await evalScript('local t = {} for k in pairs(_G) do t[#t + 1] = k end return t')) as string[];
  expect(new Set(names)).toEqual(SANDBOX_GLOBALS);
});

test('syntax errors are reported on the line Redis names', async () => {
  for (const path of [join(FIXTURES, 'syntax-error', 'bad.lua'), join(SEED, 'type_conversions.lua')]) {
    const source = readFileSync(path, 'utf8');
    const [finding] = lintSource(source, path).filter((f) => f.rule === 'syntax-error');
    const reply = String(await evalScript(source));
    expect(reply).toContain('Error compiling script');
    expect(reply).toContain(`user_script:${finding!.line}:`);
  }
  // And on scripts made to fail in the ways the syntax hints name.
  for (const source of [
    '-- x\nlocal a = 1\nlocal s = "hello\nreturn a\n',
    "local a = 1\r\nlocal s = 'hello\r\nreturn a\r\n",
    // An escaped line break continues the string; the next one ends it.
    'local x = "a\\\n\nreturn 1\n',
    'local s = [[never closed\nreturn 1\n',
    'local a = 1\nif a then\n  return 1\n\n',
    'local a = 1\nend end\n',
    'local a = 1\nreturn a\nreturn 2\n',
    'local a = 7\n\nreturn a // 2\n',
  ]) {
    const [finding] = lintSource(source, 'x.lua').filter((f) => f.rule === 'syntax-error');
    const reply = String(await evalScript(source));
    expect({ source, reply }).toEqual({ source, reply: expect.stringContaining(`user_script:${finding!.line}:`) });
  }
});

test('every script the linter parses, Redis compiles (good fixtures and the guide)', async () => {
  const paths = [
    ...readdirSync(FIXTURES)
      .filter((rule) => rule !== 'patterns')
      .map((rule) => join(FIXTURES, rule, 'good.lua')),
    ...readdirSync(SEED)
      .filter((f) => f.endsWith('.lua'))
      .map((f) => join(SEED, f)),
  ];
  for (const path of paths) {
    const source = readFileSync(path);
    const parses = !lintSource(source, path).some((f) => f.rule === 'syntax-error');
    let compiles = true;
    try {
      // A Functions library (`#!lua name=`) is compiled by FUNCTION LOAD, not SCRIPT LOAD.
      if (/^#!lua name=/.test(source.toString())) await client.sendCommand(['FUNCTION', 'LOAD', 'REPLACE', source]);
      else await client.sendCommand(['SCRIPT', 'LOAD', source]);
    } catch {
      compiles = false;
    }
    expect({ path, compiles }).toEqual({ path, compiles: parses });
  }
});

/**
 * The command table made for the test server: RSCRIPT_COMMAND_TABLE (a file, relative to the
 * repository) when set; else the shipped table when it is of this server; else a table named after
 * the server in src/redis/command-tables/ (`redis-8.0.2.json`, `valkey-8.1.1.json`). None: the test
 * fails naming the server and the files it looked for, never passes without comparing.
 */
function tableFor(server: { flavour: string; version: string }): { file: string; table: CommandTable } {
  const repo = fileURLToPath(new URL('../..', import.meta.url));
  const shipped = 'src/redis/redis-commands.json';
  const candidates = process.env.RSCRIPT_COMMAND_TABLE
    ? [process.env.RSCRIPT_COMMAND_TABLE]
    : [
        ...(server.flavour === 'redis' && COMMAND_TABLE.redisVersion === server.version ? [shipped] : []),
        `src/redis/command-tables/${server.flavour}-${server.version}.json`,
      ];
  for (const file of candidates) {
    if (existsSync(join(repo, file)))
      return { file, table: JSON.parse(readFileSync(join(repo, file), 'utf8')) as CommandTable };
  }
  throw new Error(
    `no command table for ${server.flavour} ${server.version} (the test server): looked for ${candidates.join(', ')}; ` +
      `the shipped ${shipped} is of Redis ${COMMAND_TABLE.redisVersion}. Generate one from this server ` +
      `(npm run build && node dist/server/generate-command-table.js <url> --out <file>) or name one with RSCRIPT_COMMAND_TABLE`,
  );
}

test("the command table is this server's COMMAND (regenerate it when this fails)", async () => {
  // Valkey reports a redis_version of compatibility (7.2.4) beside its own valkey_version.
  const info = server.cli('INFO', 'server');
  const flavour = /^server_name:(\S+)/m.exec(info)?.[1] ?? 'redis';
  const version =
    new RegExp(`^${flavour}_version:(\\S+)`, 'm').exec(info)?.[1] ?? /^redis_version:(\S+)/m.exec(info)![1]!;
  const { file, table } = tableFor({ flavour, version });
  const live = await generateCommandTable(server.url);
  expect({ file, redisVersion: table.redisVersion }).toEqual({ file, redisVersion: live.redisVersion });
  expect(live.commands).toEqual(table.commands);
});

test.each([
  [['SET', 'k', 'v']],
  [['MSET', 'a', '1', 'b', '2']],
  [['ZADD', 'k', '1', 'm']],
  [['BITOP', 'OR', 'dest', 'a', 'b']],
  [['ZUNIONSTORE', 'dest', '2', 'a', 'b', 'WEIGHTS', '1', '2']],
  [['EVAL', 'return 1', '2', 'a', 'b', 'arg']],
  [['LMPOP', '2', 'a', 'b', 'LEFT']],
  [['XADD', 's', '*', 'f', 'v']],
  [['OBJECT', 'ENCODING', 'k']],
  [['memory', 'usage', 'k']],
  [['CONFIG', 'SET', 'lua-time-limit', '5000']],
  [['FLUSHALL', 'ASYNC']],
  [['SCRIPT', 'FLUSH']],
])('commandKeys(%j) finds the keys COMMAND GETKEYS finds', async (argv) => {
  let keys: unknown;
  try {
    keys = await client.sendCommand(['COMMAND', 'GETKEYS', ...argv]);
  } catch (err) {
    expect((err as Error).message).toMatch(/no key arguments/);
    keys = [];
  }
  expect(commandKeys(argv)).toEqual(keys);
});

test('commandKeys knows nothing of a command the table lacks, nor of an unknown subcommand', () => {
  expect(commandKeys(['JSON.SET', 'k', '$', '1'])).toBeUndefined();
  expect(commandKeys(['OBJECT', 'NOSUCH', 'k'])).toBeUndefined();
});
