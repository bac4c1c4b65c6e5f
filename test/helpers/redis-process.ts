/**
 * A real redis-server the fault tests may break: kill it (any signal), restart it on the same port
 * (an empty script cache, as after a crash or a failover), freeze it with SIGSTOP, or serve TLS only.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertRedisInstalled, freePort } from './redis-server.js';
import { CLI_BIN, engineModuleArgs, SERVER_BIN } from './server-under-test.js';

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

export interface RedisProcessOptions {
  /** More `--name value` arguments for redis-server. */
  extra?: string[];
  /** Serve TLS only (`--port 0 --tls-port P`), with these files; clients are not asked for a certificate. */
  tls?: TlsFiles;
}

export interface RedisProcess {
  port: number;
  /** `redis://127.0.0.1:P`, or `rediss://` for a TLS server. */
  url: string;
  /** redis-cli against this server; trimmed stdout (error replies included: redis-cli prints them there). */
  cli(...args: string[]): string;
  /** redis-cli with `input` as its last argument (`-x`): binary-safe, for SCRIPT LOAD of exact bytes. */
  cliWithInput(input: Buffer, ...args: string[]): string;
  /** Sends `signal` and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** A new server on the same port (the old one killed first if still running). */
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT: the server keeps its sockets open and answers nothing. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

export async function startRedisProcess(options: RedisProcessOptions = {}): Promise<RedisProcess> {
  assertRedisInstalled();
  const dir = mkdtempSync(join(tmpdir(), 'rscript-redis-'));
  const port = await freePort();
  const tlsArgs = options.tls
    ? [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--tls-cert-file',
        options.tls.cert,
        '--tls-key-file',
        options.tls.key,
        '--tls-ca-cert-file',
        options.tls.ca,
        '--tls-auth-clients',
        'no',
      ]
    : ['--port', String(port)];
  const args = [
    ...tlsArgs,
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    ...engineModuleArgs(),
    ...(options.extra ?? []),
  ];
  const cliBase = [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    ...(options.tls ? ['--tls', '--cacert', options.tls.ca] : []),
  ];
  const cli = (...a: string[]) => (spawnSync(CLI_BIN, [...cliBase, ...a], { encoding: 'utf8' }).stdout ?? '').trim();
  let child: ChildProcess;
  let log = '';

  const launch = async () => {
    log = '';
    child = spawn(SERVER_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) break;
      // NOAUTH: up, and asking for the password the test gave it (--requirepass).
      if (/^(PONG|NOAUTH)/.test(cli('PING'))) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGKILL');
    throw new Error(`redis-server did not start on port ${port}:\n${log}`);
  };
  const running = () => child.exitCode === null && child.signalCode === null;
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (!running()) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  };

  try {
    await launch();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    url: `${options.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    cli,
    cliWithInput: (input, ...a) =>
      (spawnSync(CLI_BIN, [...cliBase, '-x', ...a], { input, encoding: 'utf8' }).stdout ?? '').trim(),
    kill,
    async restart() {
      await kill('SIGKILL');
      await launch();
    },
    freeze: () => void child.kill('SIGSTOP'),
    thaw: () => void child.kill('SIGCONT'),
    async stop() {
      if (running()) child.kill('SIGCONT');
      await kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
