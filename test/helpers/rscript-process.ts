/**
 * Fault tests run the built CLI as a user does (`node bin/rscript`, no TTY, NO_COLOR=1) and need the
 * child process itself: to signal it mid-run, or to run several at once. Also: throwaway project
 * folders, and the checks every failure must pass (one `rscript:` line, the exit code, no stack trace).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeProject, type Project } from './cli.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(REPO, 'bin', 'rscript');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time of the process, ms (only for generous "it did not hang" bounds). */
  ms: number;
}

export interface RunOptions {
  cwd: string;
  /** Added to a clean environment (REDIS_URL, DEBUG, FORCE_COLOR, NODE_OPTIONS removed). */
  env?: Record<string, string>;
  /** SIGKILL after this many ms; the result then has signal SIGKILL, which fails any exit-code check. */
  killAfterMs?: number;
}

export interface Running {
  child: ChildProcess;
  done: Promise<RunResult>;
}

/** Starts `node bin/rscript ...args`; stdin is empty and not a terminal. */
export function startRscript(args: string[], options: RunOptions): Running {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['REDIS_URL', 'DEBUG', 'FORCE_COLOR', 'NODE_OPTIONS']) delete env[k];
  Object.assign(env, { NO_COLOR: '1' }, options.env);
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin!.end();
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 20000);
  const done = new Promise<RunResult>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
  return { child, done };
}

/** Waits for `event` (a fault proxy's trigger); fails at once if the process ends first. */
export async function beforeExit(running: Running, event: Promise<void>): Promise<void> {
  await Promise.race([
    event,
    running.done.then((r) => {
      throw new Error(`rscript ended (exit ${r.code}) before the fault was injected:\n${r.stderr}${r.stdout}`);
    }),
  ]);
}

/** Runs rscript to the end. */
export function rscript(args: string[], options: RunOptions): Promise<RunResult> {
  return startRscript(args, options).done;
}

/**
 * What a user must see when a command fails: the exit code, a first stderr line `rscript: <message>`
 * matching `message`, at most a few indented detail lines, no stack trace (unless `verbose`: then one
 * must follow the message), no raw control characters.
 */
export function expectFailure(
  result: RunResult,
  exitCode: number,
  message: RegExp,
  options: { verbose?: boolean } = {},
): void {
  const context = `exit ${result.code} (${result.signal ?? 'no signal'})\nstderr:\n${result.stderr}\nstdout:\n${result.stdout}`;
  let lines = result.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('warning: '));
  if (options.verbose) {
    // --verbose asks for the stack trace: it follows the message, headed by the error's class name.
    const stack = lines.findIndex((l) => /^[A-Z]\w*Error: /.test(l));
    if (stack < 0) throw new Error(`--verbose: expected a stack trace after the message, got ${context}`);
    lines = lines.slice(0, stack);
  }
  if (result.code !== exitCode) throw new Error(`expected exit ${exitCode}, got ${context}`);
  if (!/^rscript: /.test(lines[0] ?? '')) throw new Error(`expected a first line "rscript: ...", got ${context}`);
  if (!message.test(lines[0]!)) throw new Error(`expected the message to match ${message}, got ${context}`);
  if (lines.slice(1).some((l) => !l.startsWith('  ') || /^\s+at /.test(l))) {
    throw new Error(`expected only indented detail lines and no stack trace, got ${context}`);
  }
  if (lines.length > 4) throw new Error(`expected at most 3 detail lines, got ${context}`);
  if (/unexpected error/.test(result.stderr)) throw new Error(`an unexpected (untyped) error escaped: ${context}`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: that is what is checked
  if (/[\x00-\x08\x0b-\x1f\x7f]/.test(result.stderr)) throw new Error(`raw control characters on stderr: ${context}`);
}

/** Asserts a successful run, showing its output when it was not. */
export function expectSuccess(result: RunResult, exitCode = 0): void {
  if (result.code !== exitCode) {
    throw new Error(
      `expected exit ${exitCode}, got ${result.code} (${result.signal ?? 'no signal'})\nstderr:\n${result.stderr}\nstdout:\n${result.stdout}`,
    );
  }
}

export interface TempProject extends Project {
  /** Names in the folder of `rel` (default: the project folder): spots leftover temp files. */
  list(rel?: string): string[];
}

/** A temp project (see makeProject) that can also list a folder's names. */
export function tempProject(files: Record<string, string | Buffer> = {}): TempProject {
  const project = makeProject(files);
  return { ...project, list: (rel = '.') => readdirSync(join(project.dir, rel)).sort() };
}
