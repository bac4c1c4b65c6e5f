/** The runtime API an application uses, against a real server, with a manifest `rscript load` wrote. */
import { createClient, type RedisClientType } from '@redis/client';
import { load } from '../../src/commands/load.js';
import { Scripts, ScriptArgumentsError, ScriptReplyError, UnknownScriptError } from '../../src/index.js';
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

let server: TestServer;
let project: Project;
let client: RedisClientType;
let scripts: Scripts;

beforeAll(async () => {
  server = await startRedis();
  project = makeProject({ 'lua/incr.lua': INCR, 'lua/refuse.lua': REFUSE });
  await load({ paths: ['lua'], manifest: project.path('rscript.lock.json'), target: { url: server.url, timeoutMs: 5000 }, cwd: project.dir });
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
  expect(scripts.names()).toEqual(['incr', 'refuse']);
});

test('too few keys or args, from the manifest, is refused before anything is sent', async () => {
  const before = commandCalls(server, 'evalsha');
  await expect(scripts.run(client, 'incr', { keys: ['c'] })).rejects.toBeInstanceOf(ScriptArgumentsError);
  expect(commandCalls(server, 'evalsha')).toBe(before);
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
    expect(() => Scripts.fromManifest(project.path('rscript.lock.json'))).toThrow(/lua\/incr\.lua does not match the manifest .*run rscript load/);
  } finally {
    project.write('lua/incr.lua', INCR);
  }
});
