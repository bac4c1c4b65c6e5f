/**
 * End-to-end helpers: spawn the built `bin/rscript` the way a user runs it (no TTY, NO_COLOR=1) and
 * make throwaway project folders holding `lua/` files.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/helpers/cli.ts). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The entry point spawned: `bin/rscript`, or RSCRIPT_BIN to run the same tests against another build. */
export const BIN = process.env.RSCRIPT_BIN ? resolve(process.env.RSCRIPT_BIN) : join(REPO, 'bin', 'rscript');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time of the whole process, in ms. */
  ms: number;
}

export interface RunCliOptions {
  cwd: string;
  /** Added to a clean environment (REDIS_URL, DEBUG, FORCE_COLOR and NODE_OPTIONS removed). */
  env?: Record<string, string>;
  /** Kill the process after this many ms (the test then fails on code null). */
  timeoutMs?: number;
  /** Another copy of bin/rscript to run (default BIN). */
  bin?: string;
}

/** Runs `node bin/rscript ...args` and collects its exit code and output. stdin is empty, not a TTY. */
export function runCli(args: string[], options: RunCliOptions): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['REDIS_URL', 'DEBUG', 'FORCE_COLOR', 'NODE_OPTIONS']) delete env[k];
  // The lint cache of the tests' own (one per test worker), never the user's.
  Object.assign(env, { NO_COLOR: '1', RSCRIPT_CACHE_DIR: testCacheDir() }, options.env);
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [options.bin ?? BIN, ...args], {
      cwd: options.cwd,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.end();
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

export interface TerminalResult {
  code: number | null;
  /** stdout and stderr as the terminal showed them, mixed, with its echo and cursor moves. */
  output: string;
}

/**
 * Runs `node bin/rscript ...args` on a pseudo-terminal (util-linux `script`, part of every Debian),
 * so that stdin, stdout and stderr are TTYs as in a user's shell; `answer` is typed once `prompt`
 * has been shown. Environment as in runCli.
 */
export function runCliOnTerminal(
  args: string[],
  options: RunCliOptions & { prompt: string; answer: string },
): Promise<TerminalResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['REDIS_URL', 'DEBUG', 'FORCE_COLOR', 'NODE_OPTIONS']) delete env[k];
  Object.assign(env, { NO_COLOR: '1', RSCRIPT_CACHE_DIR: testCacheDir() }, options.env);
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, options.bin ?? BIN, ...args].map(quote).join(' ');
  return new Promise((resolvePromise, reject) => {
    // -q: no "Script started" lines; -e: script's exit code is the command's; no log file.
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {
      cwd: options.cwd,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let answered = false;
    const onData = (s: string) => {
      output += s;
      if (!answered && output.includes(options.prompt)) {
        answered = true;
        child.stdin.write(options.answer);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    });
  });
}

let cacheDirOfWorker: string | undefined;
function testCacheDir(): string {
  return (cacheDirOfWorker ??= mkdtempSync(join(tmpdir(), 'worker-cache-')));
}

/** Lines of stderr that look like a stack trace (`    at fn (file:line)`). */
export function stackLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /^\s+at\s/.test(l));
}

export interface Project {
  dir: string;
  /** Absolute path of a file of the project. */
  path(rel: string): string;
  write(rel: string, content: string | Buffer): void;
  read(rel: string): Buffer;
  exists(rel: string): boolean;
  remove(rel: string): void;
  cleanup(): void;
}

/**
 * A temp project folder: `files` maps relative paths (`lua/a.lua`) to contents. A package.json marks
 * the project root, so config search stops there as it would in a real project.
 */
export function makeProject(files: Record<string, string | Buffer> = {}): Project {
  const dir = mkdtempSync(join(tmpdir(), 'rscript-proj-'));
  const project: Project = {
    dir,
    path: (rel) => join(dir, rel),
    write(rel, content) {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), content);
    },
    read: (rel) => readFileSync(join(dir, rel)),
    exists: (rel) => existsSync(join(dir, rel)),
    remove: (rel) => rmSync(join(dir, rel), { recursive: true, force: true }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  project.write('package.json', '{ "name": "rscript-test-project", "private": true }\n');
  for (const [rel, content] of Object.entries(files)) project.write(rel, content);
  return project;
}
