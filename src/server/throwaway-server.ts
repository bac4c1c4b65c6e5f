/**
 * `--sandbox`: a throwaway redis-server on a free loopback port, persistence off, in a temp folder,
 * stopped afterwards on every path (success, error, Ctrl-C, SIGTERM, SIGHUP, process exit), so no
 * process is left behind. It runs in its own process group: a Ctrl-C in the terminal reaches rscript
 * only, which stops its work cleanly and then the server, instead of the server dying mid-bench.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckFailedError, ConfigError } from '../errors.js';
import { connect, type RedisConnection } from './connection.js';
import { replyCode } from './failures.js';
import type { Target } from './target.js';

export interface SandboxOptions {
  /** The redis-server binary: a name looked up on PATH, or a path (config `redisServer`). */
  binary: string;
  /** Connect and per-request timeout for the sandbox's connections, ms. */
  timeoutMs: number;
  /** More `--name value` arguments, made anew for each attempt (a cluster node's bus port). */
  extraArgs?: () => Promise<string[]>;
}

export interface Sandbox {
  readonly target: Target;
  readonly port: number;
  readonly pid: number;
  /** `7.0.15`, from the server's start-up log, when it says. */
  readonly version?: string;
  /** Stops the server (SIGKILL: nothing is persisted) and removes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

const INSTALL_HINT = [
  'Install Redis: Debian/Ubuntu: sudo apt-get install redis-server; Fedora: sudo dnf install redis; macOS: brew install redis;',
  'or set "redisServer" in the config file (.redisscriptsrc or the one --config names) to the path of a redis-server binary.',
];

// Every live sandbox, so that any way out of the process stops them.
const live = new Map<ChildProcess, string>();
let hooked = false;

function stopAllSync(): void {
  for (const [child, dir] of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
  live.clear();
}

function hookProcessExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', stopAllSync);
  const signals = { SIGTERM: 143, SIGHUP: 129, SIGINT: 130 } as const;
  for (const [signal, code] of Object.entries(signals)) {
    process.on(signal, function onSignal() {
      // A command that handles Ctrl-C itself (bench stops and reports) has its own listener: it stops
      // the sandbox when it is done. Otherwise this one takes the signal's default role.
      if (signal === 'SIGINT' && process.listenerCount('SIGINT') > 1) return;
      stopAllSync();
      process.exit(code);
    });
  }
}

/** A free TCP port on 127.0.0.1 (another process may still take it first: the caller retries). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port')),
      );
    });
  });
}

/** Starts a throwaway redis-server; throws a ConfigError that says how to install it when it is missing. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  hookProcessExit();
  const dir = mkdtempSync(join(tmpdir(), 'rscript-sandbox-'));
  try {
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const started = await spawnServer(
        options.binary,
        port,
        dir,
        Math.max(options.timeoutMs, 10_000),
        (await options.extraArgs?.()) ?? [],
      );
      if (started.ok) return started.sandbox;
      if (!started.portTaken || attempt >= 4) throw started.error;
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

type Started = { ok: true; sandbox: Sandbox } | { ok: false; portTaken: boolean; error: Error };

function spawnServer(binary: string, port: number, dir: string, readyMs: number, extra: string[]): Promise<Started> {
  const args = [
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
    '--daemonize',
    'no',
    '--logfile',
    '',
    ...extra,
  ];
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (err) {
      resolve({
        ok: false,
        portTaken: false,
        error: new ConfigError(`cannot start ${binary}: ${(err as Error).message}`, INSTALL_HINT),
      });
      return;
    }
    live.set(child, dir);
    let log = '';
    let settled = false;
    const finish = (result: Started) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!result.ok) {
        live.delete(child);
        child.kill('SIGKILL');
      }
      resolve(result);
    };
    const onOutput = (chunk: Buffer) => {
      // Keep the start of the log (the version, the reason of a failure), not all of it.
      if (log.length < 16_384) log += chunk.toString();
      if (!settled && /Ready to accept connections/.test(log)) {
        // Redis logs `Redis version=7.0.15, bits=64`; Valkey (run as redis-server too) `Valkey version=9.1.2, ...`.
        const version = /(?:Redis|Valkey) version=([^\s,]+)/.exec(log)?.[1];
        finish({ ok: true, sandbox: makeSandbox(child, port, dir, version) });
      }
    };
    child.stdout!.on('data', onOutput);
    child.stderr!.on('data', onOutput);
    child.on('error', (err: NodeJS.ErrnoException) => {
      const message =
        err.code === 'ENOENT'
          ? `--sandbox needs redis-server, and "${binary}" was not found${binary.includes('/') ? '' : ' on PATH'}`
          : `cannot start ${binary}: ${err.message}`;
      finish({ ok: false, portTaken: false, error: new ConfigError(message, INSTALL_HINT) });
    });
    child.on('exit', (code, signal) => {
      live.delete(child);
      finish({
        ok: false,
        portTaken: /Address already in use/i.test(log),
        error: new ConfigError(`${binary} exited (${signal ?? `code ${code}`}) before it was ready`, lastLines(log)),
      });
    });
    const timer = setTimeout(
      () =>
        finish({
          ok: false,
          portTaken: false,
          error: new ConfigError(`${binary} did not get ready within ${readyMs} ms`, lastLines(log)),
        }),
      readyMs,
    );
  });
}

/** The last lines of a server's log that say something (a silent one gives none), as detail lines. */
function lastLines(log: string): string[] {
  return log
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(-5);
}

function makeSandbox(child: ChildProcess, port: number, dir: string, version: string | undefined): Sandbox {
  let stopping: Promise<void> | undefined;
  return {
    target: { url: `redis://127.0.0.1:${port}`, timeoutMs: 5000 },
    port,
    pid: child.pid!,
    ...(version ? { version } : {}),
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGKILL');
          await exited;
        }
        live.delete(child);
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

export interface PrepareOptions {
  /** Script bodies to SCRIPT LOAD. */
  load?: Buffer[];
  /**
   * Functions libraries to FUNCTION LOAD, before the setup; `failed` makes the error thrown for the
   * server's refusal (a compile error, with file:line).
   */
  libraries?: Array<{ code: Buffer; failed: (message: string) => Error }>;
  /** Commands to run first (a fixture's `setup`), and how to name them in an error. */
  setup?: string[][];
  setupLabel?: string;
}

/** Loads scripts and runs setup commands on a connection; an error reply names the command. */
export async function prepare(conn: RedisConnection, options: PrepareOptions): Promise<void> {
  for (const body of options.load ?? []) {
    try {
      await conn.send(['SCRIPT', 'LOAD', body]);
    } catch (err) {
      if (replyCode(err) === undefined) throw err;
      // The caller reports compile errors with file:line when it runs the script.
    }
  }
  for (const library of options.libraries ?? []) {
    try {
      await conn.send(['FUNCTION', 'LOAD', 'REPLACE', library.code]);
    } catch (err) {
      if (replyCode(err) === undefined) throw err;
      throw library.failed((err as Error).message);
    }
  }
  await runSetup(conn, options.setup ?? [], options.setupLabel ?? 'setup');
}

/**
 * Runs setup commands in order (they may depend on each other). An error reply fails with the
 * command's place in the config: `bench.rate_limit.setup[1] (HSET ...): WRONGTYPE ...`.
 */
export async function runSetup(conn: RedisConnection, setup: string[][], label: string): Promise<void> {
  for (const [i, command] of setup.entries()) {
    try {
      await conn.send(command);
    } catch (err) {
      if (replyCode(err) === undefined) throw err;
      const shown = command.join(' ');
      throw new CheckFailedError(
        `${label}[${i}] (${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}): ${(err as Error).message}`,
      );
    }
  }
}

/**
 * Runs `fn` against a fresh sandbox prepared with `prepare`, and stops the sandbox afterwards, also
 * when `fn` throws.
 */
export async function withSandbox<T>(
  options: SandboxOptions & PrepareOptions & { onStart?: (sandbox: Sandbox) => void },
  fn: (target: Target, sandbox: Sandbox) => Promise<T>,
): Promise<T> {
  const sandbox = await startSandbox(options);
  try {
    options.onStart?.(sandbox);
    const target = { ...sandbox.target, timeoutMs: options.timeoutMs };
    if (options.load?.length || options.libraries?.length || options.setup?.length) {
      const conn = await connect(target);
      try {
        await prepare(conn, options);
      } finally {
        await conn.close();
      }
    }
    return await fn(target, sandbox);
  } finally {
    await sandbox.stop();
  }
}
