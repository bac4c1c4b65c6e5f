/**
 * The target tables and Lua API facts, against real servers: Debian's Redis 7.0 on PATH, and the
 * newer Redis and Valkey builds of scripts/build-server.sh (in ~/.cache/rscript/servers/), when
 * they are there (the test says so when they are not, and checks the base alone).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import { generateCommandTable, newerCommands, readServer } from '../../src/server/generate-command-table.js';
import { lintSource } from '../../src/lint/lint.js';
import { startSandbox } from '../../src/server/throwaway-server.js';
import { startRedis, type TestServer } from '../helpers/redis-server.js';

const BUILDS = ['redis-8.0.2', 'valkey-8.1.1', 'valkey-9.1.2'];
const root = process.env.RSCRIPT_SERVERS_DIR ?? join(homedir(), '.cache', 'rscript', 'servers');
const built = BUILDS.filter((b) => existsSync(join(root, b, 'bin', 'redis-server')));

interface Running {
  url: string;
  stop(): Promise<void>;
}

/** Starts the build's redis-server (rscript's own sandbox, which takes a binary's path). */
async function startBuild(build: string): Promise<Running> {
  const sandbox = await startSandbox({ binary: join(root, build, 'bin', 'redis-server'), timeoutMs: 10_000 });
  return { url: `redis://127.0.0.1:${sandbox.port}`, stop: () => sandbox.stop() };
}

const servers: Array<{ build: string; server: Running }> = [];
let base: TestServer;

beforeAll(async () => {
  base = await startRedis();
  for (const build of built) servers.push({ build, server: await startBuild(build) });
  if (built.length < BUILDS.length)
    console.log(`target tables: ${BUILDS.filter((b) => !built.includes(b)).join(', ')} not built: not compared`);
}, 60_000);

afterAll(async () => {
  await base?.stop();
  for (const { server } of servers) await server.stop();
});

test('newer-commands.json is what the newer servers add to the base table (regenerate it when this fails)', async () => {
  if (built.length < BUILDS.length) return;
  const table = await generateCommandTable(base.url);
  const read = [];
  for (const { server } of servers) read.push(await readServer(server.url));
  const shipped = JSON.parse(readFileSync(new URL('../../src/redis/newer-commands.json', import.meta.url), 'utf8'));
  expect(newerCommands(table, read)).toEqual(shipped);
}, 60_000);

async function evalOn(server: Running, script: string): Promise<string> {
  const client = createClient({ url: server.url, RESP: 2 });
  await client.connect();
  try {
    return String(await client.sendCommand(['EVAL', script, '0']));
  } catch (err) {
    return `error: ${(err as Error).message}`;
  } finally {
    await client.close();
  }
}

const TARGET_OF: Record<string, string> = {
  'redis-8.0.2': 'redis-8.0',
  'valkey-8.1.1': 'valkey-8.1',
  'valkey-9.1.2': 'valkey-9.1',
};

test.each([
  'return os.clock() >= 0 and 1 or 0',
  'return server.call("PING")',
  'return os.time()',
  'print(1) return 1',
  "return redis.call('HEXPIRE', 'h', 60, 'FIELDS', 1, 'f')",
])(
  '%s: an error finding for the target exactly when that server fails it',
  async (script) => {
    const cases: Array<[Running, string]> = [
      [base, 'redis-7.0'],
      ...servers.map(({ build, server }) => [server, TARGET_OF[build]!] as [Running, string]),
    ];
    for (const [server, target] of cases) {
      const reply = await evalOn(server, script);
      const failsOnServer = reply.startsWith('error:') && !/WRONGTYPE|no such key/i.test(reply);
      const errors = lintSource(script, 't.lua', { target }).filter(
        (f) => f.severity === 'error' && f.rule !== 'header-keys-argv',
      );
      expect({ target, reply, flagged: errors.length > 0 }).toEqual({ target, reply, flagged: failsOnServer });
    }
  },
  60_000,
);
