/**
 * lua/toolkit.lua, the Functions library made of lua/lock_acquire.lua, lua/lock_release.lua and
 * lua/counter_incr.lua: on a real server, each function answers as its script does, replies and
 * errors alike, for the same calls.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createClient } from '@redis/client';
import { startRedis, type TestServer } from '../helpers/redis-server.js';

const LUA = fileURLToPath(new URL('../../lua/', import.meta.url));
const read = (file: string) => readFileSync(LUA + file, 'utf8');

let server: TestServer;
let client: ReturnType<typeof createClient>;

beforeAll(async () => {
  server = await startRedis();
  client = createClient({ url: server.url });
  await client.connect();
  expect(await client.sendCommand(['FUNCTION', 'LOAD', read('toolkit.lua')])).toBe('toolkit');
});
afterAll(async () => {
  await client?.close();
  await server?.stop();
});

/** The reply, or the error text, of one call. */
const outcome = async (args: string[]) => {
  try {
    const reply = await client.sendCommand(args);
    // {0, ttl_ms_left}: a PTTL read a few ms apart; what counts is that some time is left, no more than set.
    if (Array.isArray(reply) && reply[0] === 0 && typeof reply[1] === 'number')
      return { reply: [0, reply[1] > 0 && reply[1] <= 5000 ? 'left' : reply[1]] };
    return { reply };
  } catch (err) {
    return { error: (err as Error).message.replace(/ script: \S+, on @user_\w+:\d+\.$/, '') };
  }
};

const CASES: Array<[fn: string, keys: string[], args: string[]]> = [
  ['lock_acquire', ['lock'], ['t1', '5000']],
  ['lock_acquire', ['lock'], ['t2', '5000']],
  ['lock_acquire', ['lock'], ['t1', '7000']],
  ['lock_release', ['lock'], ['t2']],
  ['lock_release', ['lock'], ['t1']],
  ['lock_release', ['lock'], ['t1']],
  ['lock_acquire', ['lock'], ['', '5000']],
  ['lock_acquire', ['lock'], ['t1', '0']],
  ['lock_acquire', ['lock'], ['t1']],
  ['counter_incr', ['n'], ['5']],
  ['counter_incr', ['n'], ['-7']],
  ['counter_incr', ['n'], ['-0']],
  ['counter_incr', ['n'], ['1.5']],
  ['counter_incr', ['n'], ['9007199254740992']],
  ['counter_incr', [], ['1']],
];

test('every function answers as the script of the same name, call after call', async () => {
  for (const prefix of ['fn:', 'script:']) {
    await client.sendCommand(['DEL', `${prefix}lock`, `${prefix}n`]);
  }
  for (const [fn, keys, args] of CASES) {
    const viaFunction = await outcome(['FCALL', fn, String(keys.length), ...keys.map((k) => `fn:${k}`), ...args]);
    const viaScript = await outcome([
      'EVAL',
      read(`${fn}.lua`),
      String(keys.length),
      ...keys.map((k) => `script:${k}`),
      ...args,
    ]);
    expect({ fn, keys, args, ...viaFunction }).toEqual({ fn, keys, args, ...viaScript });
  }
  expect(await client.get('fn:n')).toBe('-2');
});
