/**
 * Real redis-server processes for the test suite: started on a free loopback port with persistence
 * off, in a temp directory, and stopped (process and files) afterwards. Never a mock.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN, engineModuleArgs, SERVER_BIN, serverUnderTest } from './server-under-test.js';

export interface TestServer {
  port: number;
  url: string;
  dir: string;
  process: ChildProcess;
  /** Runs redis-cli against this server and returns its trimmed stdout. */
  cli(...args: string[]): string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1: the same helper the sandbox uses. */
export { freePort } from '../../src/server/throwaway-server.js';
import { freePort } from '../../src/server/throwaway-server.js';

/** Throws when the server under test (RSCRIPT_TEST_SERVER, default the redis-server on PATH) cannot run. */
export function assertRedisInstalled(): void {
  serverUnderTest();
}

/** Starts a throwaway redis-server; `extra` are more `--name value` arguments. */
export async function startRedis(extra: string[] = []): Promise<TestServer> {
  assertRedisInstalled();
  const dir = mkdtempSync(join(tmpdir(), 'rscript-test-'));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(
      SERVER_BIN,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        ...engineModuleArgs(),
        ...extra,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const ready = await waitForPing(port, child);
    if (ready) {
      return makeServer(port, dir, child);
    }
    child.kill('SIGKILL');
    if (attempt >= 3) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`redis-server did not start on port ${port}:\n${log}`);
    }
  }
}

function cliSync(port: number, args: string[]): string {
  const res = spawnSync(CLI_BIN, ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8' });
  return (res.stdout ?? '').trim();
}

async function waitForPing(port: number, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) return false;
    // A server started with --requirepass answers NOAUTH: it is up all the same.
    if (/^(PONG|NOAUTH)/.test(cliSync(port, ['PING']))) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

function makeServer(port: number, dir: string, child: ChildProcess): TestServer {
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    process: child,
    cli: (...args: string[]) => cliSync(port, args),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
