/**
 * The lua/ library under test. Its manifest is built in memory from the files with the same pure
 * functions `rscript load` uses (nothing is written), and every script runs through the runtime API
 * an application calls (`Scripts.run`: EVALSHA, NOSCRIPT -> SCRIPT LOAD -> retry) against a real
 * redis-server.
 */
import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import { createClient } from '@redis/client';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planManifest } from '../../src/manifest/plan.js';
import { libraryKind } from '../../src/registry/library.js';
import { discoverScripts } from '../../src/registry/discover.js';
import type { LocalScript } from '../../src/registry/script.js';
import { ScriptReplyError, Scripts, type ScriptArg } from '../../src/runtime.js';
import { startRedis, type TestServer } from './redis-server.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const LUA_DIR = join(REPO_ROOT, 'lua');
/** Where the manifest would live; only used to resolve script paths, never written. */
const MANIFEST_FILE = join(REPO_ROOT, 'rscript.lock.json');

/** Every script under lua/, as the registry discovers it (names like `queue/priority_push`). */
export function localLuaScripts(): LocalScript[] {
  // Functions libraries (`#!lua name=`, lua/toolkit.lua) are not EVAL scripts: test/lua/toolkit.test.ts has them.
  return discoverScripts({ paths: ['lua'], cwd: REPO_ROOT }).filter((s) => libraryKind(s.bytes) === null);
}

/** The runtime object for lua/, from the manifest `rscript load` would write. */
export function luaScripts(): Scripts {
  const plan = planManifest(localLuaScripts(), null, MANIFEST_FILE, ['lua'], REPO_ROOT);
  return new Scripts(plan.next, MANIFEST_FILE);
}

/** What the tests need of a node-redis client. */
export interface Client {
  sendCommand(args: Array<string | Buffer>): Promise<unknown>;
  destroy(): void;
}

export interface RunFlags {
  /** EVALSHA_RO instead of EVALSHA. */
  readOnly?: boolean;
  /** Another connection than the harness's RESP3 client. */
  client?: Client;
}

export interface LuaHarness {
  server: TestServer;
  scripts: Scripts;
  /** A RESP3 connection (node-redis 6's default). */
  client: Client;
  /** Opens one more connection; the harness closes it in stop(). */
  connect(resp?: 2 | 3): Promise<Client>;
  /** Runs a lua/ script by name and returns its reply. */
  run(name: string, keys?: ScriptArg[], args?: ScriptArg[], flags?: RunFlags): Promise<unknown>;
  /** Runs a script that must answer with an error reply, and returns that reply's text. */
  runError(name: string, keys?: ScriptArg[], args?: ScriptArg[], flags?: RunFlags): Promise<string>;
  /** Sends one plain command on the RESP3 client. */
  cmd(...args: string[]): Promise<unknown>;
  stop(): Promise<void>;
}

/** Starts a redis-server and connects to it; call stop() in afterAll. */
export async function startLuaHarness(): Promise<LuaHarness> {
  const scripts = luaScripts();
  const server = await startRedis();
  const clients: Client[] = [];
  const connect = async (resp: 2 | 3 = 3): Promise<Client> => {
    const client = createClient({ url: server.url, RESP: resp });
    client.on('error', () => {
      // Errors surface on the pending command; the listener keeps node-redis from throwing globally.
    });
    await client.connect();
    clients.push(client as unknown as Client);
    return client as unknown as Client;
  };
  const client = await connect(3);
  const run = (name: string, keys: ScriptArg[] = [], args: ScriptArg[] = [], flags: RunFlags = {}) =>
    scripts.run(flags.client ?? client, name, { keys, args, readOnly: flags.readOnly });
  return {
    server,
    scripts,
    client,
    connect,
    run,
    async runError(name, keys = [], args = [], flags = {}) {
      let reply: unknown;
      try {
        reply = await run(name, keys, args, flags);
      } catch (err) {
        if (err instanceof ScriptReplyError) return err.reply;
        throw err;
      }
      throw new Error(`${name} answered ${JSON.stringify(reply)}, expected an error reply`);
    },
    cmd: (...args: string[]) => client.sendCommand(args),
    async stop() {
      for (const c of clients) c.destroy();
      await server.stop();
    },
  };
}

/** `count` numbers from a fixed seed: test "randomness" that fails the same way on every run. */
export function seededNumbers(seed: number, count: number, below: number): number[] {
  const out: number[] = [];
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out.push(state % below);
  }
  return out;
}

/**
 * The harness of one test file (or describe block): starts the server before its tests, empties it
 * before each test (FLUSHALL), stops it after them. Use it at the top of the describe block.
 */
export function useLuaHarness(): LuaHarness {
  let started: LuaHarness | undefined;
  beforeAll(async () => {
    started = await startLuaHarness();
  });
  afterAll(async () => {
    await started?.stop();
  });
  beforeEach(async () => {
    await harness().cmd('FLUSHALL');
  });
  const harness = (): LuaHarness => {
    if (!started) throw new Error('the Lua harness is used before its beforeAll started the server');
    return started;
  };
  return {
    get server() {
      return harness().server;
    },
    get scripts() {
      return harness().scripts;
    },
    get client() {
      return harness().client;
    },
    connect: (resp) => harness().connect(resp),
    run: (...args) => harness().run(...args),
    runError: (...args) => harness().runError(...args),
    cmd: (...args) => harness().cmd(...args),
    stop: () => harness().stop(),
  };
}
