/**
 * `rscript test --watch` and `rscript load --watch`: on each save of a script or a spec, lint what
 * changed, then run again the specs that depend on it on the same throwaway server (or load the
 * changed scripts into the dev server). One fs.watch per folder; saves within 30 ms are
 * taken together (an editor writes a file in several steps). A changed .lua that no spec calls (a
 * shared include) runs every spec again, since which scripts include it is not known here.
 * Ends on Ctrl-C, stopping the server; resolves to the exit code.
 */
import { existsSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { lint } from './lint.js';
import { findSpecs, openTestServer, resolveSpecScripts, runSpecs, type TestOptions, type TestResult } from './test.js';
import { readSpec, SPEC_SUFFIX } from '../spec/parse.js';
import type { SpecFile } from '../spec/spec.js';
import type { LintResult } from './lint.js';
import { EXIT_INTERRUPTED, RscriptError } from '../errors.js';
import { load, type LoadOptions, type LoadResult } from './load.js';
import { discoverScripts } from '../registry/discover.js';
import { isUnder } from '../registry/include.js';
import type { Severity } from '../lint/finding.js';

/** The project's lint settings (the config's include folder and lint section), as `rscript lint` uses them. */
export interface WatchLint {
  include?: string[];
  rules?: Record<string, Severity>;
  target?: string;
  headers?: 'convention' | 'always';
}

/**
 * Lints what a save changed, with the project's settings: a saved script, and for a saved fragment
 * (a file of the include folder) every script and library that includes it, assembled as load sends
 * them, so that the fragment's findings are shown at its lines and not as a script of its own.
 */
export async function lintSaved(
  saved: string[],
  roots: string[],
  settings: WatchLint,
  cwd: string,
): Promise<LintResult | undefined> {
  const folders = (settings.include ?? []).map((f) => resolve(cwd, f));
  const isFragment = (f: string) => folders.some((dir) => isUnder(f, dir));
  const fragments = new Set(saved.filter(isFragment));
  const paths = new Set(saved.filter((f) => !isFragment(f)));
  if (fragments.size > 0) {
    const existing = roots.filter((r) => existsSync(resolve(cwd, r)));
    for (const script of discoverScripts({ paths: existing, cwd, allowBom: true, include: settings.include })) {
      if (script.map?.sources.some((src) => fragments.has(src.absPath))) paths.add(script.absPath);
    }
  }
  if (paths.size === 0) return undefined;
  return lint({
    paths: [...paths].map((f) => display(f, cwd)),
    cwd,
    include: settings.include,
    rules: settings.rules,
    target: settings.target,
    headers: settings.headers,
  });
}

export interface WatchIO {
  print(text: string): void;
  summary(result: TestResult): string;
  /** The lint report of changed scripts (only when it finds something). */
  lintReport?(result: LintResult): string;
}

/**
 * Waits for saves under `folders` and calls `onChange` with the changed files, one batch at a time.
 * One non-recursive watcher per folder, not Node's recursive one: on Linux that one stops reporting a
 * file once an editor has replaced it by a rename (sed -i, vim's backup copy). Folders created later
 * are picked up at the next change.
 */
export function watchFolders(
  folders: string[],
  onChange: (files: string[]) => Promise<void>,
  signal: AbortSignal,
  onReady?: () => void,
): Promise<void> {
  return new Promise((resolveDone) => {
    const watchers = new Map<string, FSWatcher>();
    let pending = new Set<string>();
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> = Promise.resolve();
    const flush = () => {
      const files = [...pending];
      pending = new Set();
      addFolders();
      running = running.then(() => onChange(files)).catch(() => undefined);
    };
    const watchOne = (dir: string) => {
      if (watchers.has(dir)) return;
      try {
        const w = watch(dir, (_event, name) => {
          if (!name) return;
          const file = join(dir, name.toString());
          if (!file.endsWith('.lua') && !file.endsWith(SPEC_SUFFIX)) return;
          pending.add(file);
          clearTimeout(timer);
          timer = setTimeout(flush, 30);
        });
        w.on('error', () => watchers.delete(dir));
        watchers.set(dir, w);
      } catch {
        // Gone since it was listed.
      }
    };
    const addFolders = () => {
      for (const folder of folders) for (const dir of subfolders(folder)) watchOne(dir);
    };
    addFolders();
    // Said once every folder is watched, so that a save right after it is seen.
    onReady?.();
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        for (const w of watchers.values()) w.close();
        void running.then(() => resolveDone());
      },
      { once: true },
    );
  });
}

/** `dir` and the folders under it (dot folders and node_modules left out). */
function subfolders(dir: string): string[] {
  const out = [dir];
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules')
      out.push(...subfolders(join(dir, e.name)));
  }
  return out;
}

/** The folders to watch: the spec folders and the script folders that exist, without nesting twice. */
function watchRoots(paths: string[], cwd: string): string[] {
  const dirs = [
    ...new Set(
      paths
        .map((p) => resolve(cwd, p))
        .filter((p) => existsSync(p))
        .map((p) => (p.endsWith('.yaml') || p.endsWith('.lua') ? dirname(p) : p)),
    ),
  ];
  return dirs.filter((d) => !dirs.some((o) => o !== d && d.startsWith(o + '/')));
}

export async function watchTests(options: TestOptions, io: WatchIO, settings: WatchLint = {}): Promise<number> {
  const cwd = options.cwd ?? process.cwd();
  const read = () => {
    const specs = findSpecs(options.paths, options.scriptRoots, cwd).map((s) => readSpec(s.abs, s.path));
    return { specs, scripts: resolveSpecScripts(specs, options.scriptRoots, cwd) };
  };
  let state = read();
  const server = await openTestServer({ ...options, confirm: options.confirm });
  if ('tested' in server) return 0;
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.on('SIGINT', onSigint);
  try {
    options.onServer?.(server.label, server.sandbox);
    io.print(io.summary(await runSpecs(server, state.specs, state.scripts, options)));
    const roots = watchRoots([...options.paths, ...options.scriptRoots], cwd);
    await watchFolders(
      roots,
      async (files) => {
        const started = process.hrtime.bigint();
        io.print(
          `\n${new Date().toISOString().slice(11, 19)} changed: ${files.map((f) => display(f, cwd)).join(', ')}`,
        );
        try {
          state = read();
        } catch (err) {
          // A spec saved half-written: say where, and wait for the next save.
          io.print(`rscript: ${(err as Error).message}`);
          return;
        }
        const scripts = files.filter((f) => f.endsWith('.lua') && existsSync(f));
        if (scripts.length > 0) {
          try {
            const linted = await lintSaved(scripts, options.scriptRoots, settings, cwd);
            if (linted && (linted.errors > 0 || linted.warnings > 0) && io.lintReport) io.print(io.lintReport(linted));
          } catch (err) {
            io.print(`rscript: ${(err as Error).message}`);
          }
        }
        const affected = dependents(state.specs, state.scripts, files);
        if (affected.length === 0) {
          io.print('no spec depends on it');
          return;
        }
        const result = await runSpecs(
          server,
          affected,
          state.scripts,
          { ...options, signal: controller.signal },
          started,
        );
        io.print(io.summary(result));
      },
      controller.signal,
      () => io.print(`watching ${roots.join(', ')} (Ctrl-C to stop)`),
    );
    return EXIT_INTERRUPTED;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await server.stop();
  }
}

/**
 * The specs to run again after `files` changed: a changed spec, and every spec that calls a changed
 * script; all of them when a .lua that no spec calls changed (an include, maybe).
 */
export function dependents(specs: SpecFile[], scripts: Map<string, { absPath: string }>, files: string[]): SpecFile[] {
  const changed = new Set(files);
  const calls = new Map<string, Set<string>>();
  for (const [key, script] of scripts) {
    const spec = key.split('\0')[0]!;
    if (!calls.has(spec)) calls.set(spec, new Set());
    calls.get(spec)!.add(script.absPath);
  }
  const known = new Set([...scripts.values()].map((s) => s.absPath));
  if (files.some((f) => f.endsWith('.lua') && !known.has(f))) return specs;
  return specs.filter((s) => changed.has(s.absPath) || [...(calls.get(s.absPath) ?? [])].some((f) => changed.has(f)));
}

function display(abs: string, cwd: string): string {
  return abs.startsWith(cwd + '/') ? abs.slice(cwd.length + 1) : abs;
}

export interface WatchLoadIO {
  print(text: string): void;
  render(result: LoadResult): string;
  lintReport?(result: LintResult): string;
}

/**
 * `rscript load --watch`: loads once, then on each save lints the changed scripts and loads again
 * (only new and changed scripts are sent, and the manifest is rewritten). A failed load (a lint
 * error, a server that went away) is printed and the watch goes on. Resolves to the exit code on Ctrl-C.
 */
export async function watchLoad(options: LoadOptions, io: WatchLoadIO): Promise<number> {
  const cwd = options.cwd ?? process.cwd();
  // The saved scripts are linted for the target the last load chose (the dev server's release), also
  // when that load was refused.
  let target = options.lintTargetFlag ?? options.lintTarget;
  const loadOptions: LoadOptions = {
    ...options,
    onLintTarget: (chosen) => {
      target = chosen.id;
      options.onLintTarget?.(chosen);
    },
  };
  const attempt = async () => {
    try {
      const result = await load(loadOptions);
      io.print(io.render(result));
    } catch (err) {
      if (!(err instanceof RscriptError)) throw err;
      io.print([`rscript: ${err.message}`, ...err.detail.map((d) => `  ${d}`)].join('\n'));
    }
  };
  await attempt();
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.on('SIGINT', onSigint);
  try {
    const roots = watchRoots(options.paths, cwd);
    await watchFolders(
      roots,
      async (files) => {
        const scripts = files.filter((f) => f.endsWith('.lua'));
        if (scripts.length === 0) return;
        io.print(
          `\n${new Date().toISOString().slice(11, 19)} changed: ${scripts.map((f) => display(f, cwd)).join(', ')}`,
        );
        const present = scripts.filter((f) => existsSync(f));
        if (present.length > 0 && io.lintReport) {
          try {
            const linted = await lintSaved(
              present,
              options.scriptRoots ?? options.paths,
              {
                include: options.include,
                rules: options.rules,
                target,
                headers: options.lintHeaders,
              },
              cwd,
            );
            if (linted && (linted.errors > 0 || linted.warnings > 0)) io.print(io.lintReport(linted));
          } catch (err) {
            io.print(`rscript: ${(err as Error).message}`);
          }
        }
        await attempt();
      },
      controller.signal,
      () => io.print(`watching ${roots.join(', ')} (Ctrl-C to stop)`),
    );
    return EXIT_INTERRUPTED;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
