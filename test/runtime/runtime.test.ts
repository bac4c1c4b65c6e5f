/** The runtime API an application uses, against a real server, with a manifest `rscript load` wrote. */
import { createClient, type RedisClientType } from '@redis/client';
import { load } from '../../src/commands/load.js';
import {
  Scripts,
  ScriptArgumentsError,
  ScriptReplyError,
  UnknownScriptError,
  type ScriptArg,
} from '../../src/index.js';
import { makeProject, type Project } from '../helpers/cli.js';
import { commandCalls } from '../helpers/commandstats.js';
import { startRedis, type TestServer } from '../helpers/redis-server.js';

const INCR = `-- incr: adds to a counter
--
-- KEYS[1]: the counter (string)
-- ARGV[1]: increment (integer)
-- Returns: the new value (integer)
return redis.call('INCRBY', KEYS[1], ARGV[1])
`;
const REFUSE = `-- refuse: always says no
--
-- Returns: never
return redis.error_reply('ERR not today')
`;

// ARGV[1] is read with a default: a caller may leave it out.
const STEP = `-- step: adds a step (1 by default) to a counter
--
-- KEYS[1]: the counter (string)
-- ARGV[1]: step (integer)
-- Returns: the new value (integer)
return redis.call('INCRBY', KEYS[1], tonumber(ARGV[1]) or 1)
`;

let server: TestServer;
let project: Project;
let client: RedisClientType;
let scripts: Scripts;

beforeAll(async () => {
  server = await startRedis();
  project = makeProject({ 'lua/incr.lua': INCR, 'lua/refuse.lua': REFUSE, 'lua/step.lua': STEP });
  await load({
    paths: ['lua'],
    manifest: project.path('rscript.lock.json'),
    target: { url: server.url, timeoutMs: 5000 },
    cwd: project.dir,
  });
  scripts = Scripts.fromManifest(project.path('rscript.lock.json'));
  client = createClient({ url: server.url }) as RedisClientType;
  await client.connect();
});
afterAll(async () => {
  client?.destroy();
  await server?.stop();
  project?.cleanup();
});

test('runs a script by name', async () => {
  expect(await scripts.run(client, 'incr', { keys: ['c'], args: [5] })).toBe(5);
  expect(scripts.names()).toEqual(['incr', 'refuse', 'step']);
});

test('an optional argument (read with a default) may be left out; a key may not', async () => {
  expect(await scripts.run(client, 'step', { keys: ['opt:s'] })).toBe(1);
  expect(await scripts.run(client, 'step', { keys: ['opt:s'], args: [5] })).toBe(6);
  await expect(scripts.run(client, 'step', {})).rejects.toBeInstanceOf(ScriptArgumentsError);
});

test('too few keys or args, from the manifest, is refused before anything is sent', async () => {
  const before = commandCalls(server, 'evalsha');
  await expect(scripts.run(client, 'incr', { keys: ['c'] })).rejects.toBeInstanceOf(ScriptArgumentsError);
  expect(commandCalls(server, 'evalsha')).toBe(before);
});

test('a key or arg that is not a string, finite number or Buffer (plain JavaScript) is refused, naming the script, list, index and type', async () => {
  const before = commandCalls(server, 'evalsha');
  // What a JavaScript caller can pass that the types rule out; node-redis would throw its own TypeError.
  const run = (options: Record<string, unknown>) =>
    scripts.run(client, 'incr', options as never).catch((e: unknown) => e);
  const cases: Array<[Record<string, unknown>, string]> = [
    [
      { keys: ['c'], args: [undefined] },
      'incr: args[0] is undefined; keys and args must be strings, finite numbers or Buffers',
    ],
    [{ keys: ['c'], args: [null] }, 'incr: args[0] is null; keys and args must be strings, finite numbers or Buffers'],
    [
      { keys: ['c'], args: [1, 2n] },
      'incr: args[1] is a bigint; keys and args must be strings, finite numbers or Buffers',
    ],
    [
      { keys: [{ id: 1 }], args: [1] },
      'incr: keys[0] is an object; keys and args must be strings, finite numbers or Buffers',
    ],
    [
      { keys: [new Date(0)], args: [1] },
      'incr: keys[0] is an object (Date); keys and args must be strings, finite numbers or Buffers',
    ],
    [
      { keys: ['c'], args: [true] },
      'incr: args[0] is a boolean; keys and args must be strings, finite numbers or Buffers',
    ],
    [{ keys: 'c', args: [1] }, 'incr: keys must be an array of strings, finite numbers or Buffers, got a string'],
  ];
  for (const [options, message] of cases) {
    const err = await run(options);
    expect(err).toBeInstanceOf(ScriptArgumentsError);
    expect((err as Error).message).toBe(message);
  }
  expect(commandCalls(server, 'evalsha')).toBe(before);
  // Strings, finite numbers and Buffers still go through.
  expect(await scripts.run(client, 'incr', { keys: [Buffer.from('buf')], args: ['2'] })).toBe(2);
  expect(await scripts.run(client, 'incr', { keys: ['buf'], args: [3] })).toBe(5);
});

test('NaN, Infinity and -Infinity are refused before anything is sent, not passed on as that text', async () => {
  const before = commandCalls(server, 'evalsha');
  const cases: Array<[ScriptArg[], ScriptArg[], string]> = [
    [['c'], [NaN], 'incr: args[0] is NaN; keys and args must be strings, finite numbers or Buffers'],
    [['c'], [1, Infinity], 'incr: args[1] is Infinity; keys and args must be strings, finite numbers or Buffers'],
    [[-Infinity], [1], 'incr: keys[0] is -Infinity; keys and args must be strings, finite numbers or Buffers'],
  ];
  for (const [keys, args, message] of cases) {
    const err = await scripts.run(client, 'incr', { keys, args }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScriptArgumentsError);
    expect((err as Error).message).toBe(message);
  }
  expect(commandCalls(server, 'evalsha')).toBe(before);
  // A finite number still goes through, as its decimal text.
  expect(await scripts.run(client, 'incr', { keys: ['finite'], args: [1e3] })).toBe(1000);
});

test('an unknown name and an error reply have their own error classes', async () => {
  await expect(scripts.run(client, 'inc', {})).rejects.toBeInstanceOf(UnknownScriptError);
  const err = await scripts.run(client, 'refuse').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ScriptReplyError);
  expect((err as ScriptReplyError).message).toBe('refuse: ERR not today');
});

test('after SCRIPT FLUSH the next call loads the script and retries once (SCRIPT LOAD, never EVAL)', async () => {
  server.cli('SCRIPT', 'FLUSH');
  const loads = commandCalls(server, 'script|load');
  expect(await scripts.run(client, 'incr', { keys: ['c'], args: [1] })).toBe(6);
  expect(commandCalls(server, 'script|load')).toBe(loads + 1);
  expect(commandCalls(server, 'eval')).toBe(0);
});

test('a manifest whose file changed since is refused when Scripts is made', () => {
  project.write('lua/incr.lua', INCR + '-- edited\n');
  try {
    expect(() => Scripts.fromManifest(project.path('rscript.lock.json'))).toThrow(
      /lua\/incr\.lua does not match the manifest .*run rscript load/,
    );
  } finally {
    project.write('lua/incr.lua', INCR);
  }
});
