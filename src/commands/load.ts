import { CheckFailedError } from '../errors.js';
import { readManifest, writeManifestAtomic } from '../manifest/manifest.js';
import { planManifest, type LocalStatus } from '../manifest/plan.js';
import { discoverScripts } from '../registry/discover.js';
import type { Target } from '../server/connection.js';
import { locateScriptError } from '../server/script-errors.js';
import { scriptExists, scriptLoadMany } from '../server/scripts.js';
import { withConnection } from '../server/session.js';

export interface LoadOptions {
  paths: string[];
  manifest: string;
  target: Target;
  /** Show the plan; load nothing, write nothing. */
  dryRun?: boolean;
  /** Compare files and manifest only; no server. */
  check?: boolean;
  cwd?: string;
}

export type ServerStatus = 'loaded' | 'cached' | 'would load' | 'unknown';

export interface LoadRow {
  name: string;
  path: string;
  sha: string;
  size: number;
  status: LocalStatus;
  server: ServerStatus;
}

export interface LoadResult {
  rows: LoadRow[];
  removed: string[];
  manifest: string;
  manifestWritten: boolean;
  /** True when the manifest on disk does not match the files (before this run). */
  stale: boolean;
  dryRun: boolean;
  check: boolean;
  elapsedMs: number;
}

/**
 * Syncs local scripts, the manifest and the server's script cache: one SCRIPT EXISTS for every SHA,
 * SCRIPT LOAD only for the missing ones (pipelined), each returned SHA checked against the local one,
 * then the manifest written atomically. Nothing is written when anything failed.
 */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const started = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const scripts = discoverScripts({ paths: options.paths, cwd });
  if (scripts.length === 0) {
    throw new CheckFailedError(`no .lua files found under ${options.paths.join(', ')}`);
  }
  const previous = readManifest(options.manifest);
  const plan = planManifest(scripts, previous, options.manifest, options.paths, cwd);
  const rows: LoadRow[] = plan.rows.map(({ script, status }) => ({
    name: script.name,
    path: script.path,
    sha: script.sha,
    size: script.size,
    status,
    server: 'unknown',
  }));
  const result = (manifestWritten: boolean): LoadResult => ({
    rows,
    removed: plan.removed,
    manifest: options.manifest,
    manifestWritten,
    stale: plan.changed,
    dryRun: !!options.dryRun,
    check: !!options.check,
    elapsedMs: performance.now() - started,
  });

  if (options.check) return result(false);

  await withConnection(options.target, async (conn) => {
    const cached = await scriptExists(conn, scripts.map((s) => s.sha));
    const missing = scripts.filter((_, i) => !cached[i]);
    rows.forEach((row, i) => (row.server = cached[i] ? 'cached' : options.dryRun ? 'would load' : 'loaded'));
    if (options.dryRun || missing.length === 0) return;

    const outcomes = await scriptLoadMany(conn, missing.map((s) => s.bytes), options.target.timeoutMs);
    const problems: string[] = [];
    outcomes.forEach((outcome, i) => {
      const script = missing[i]!;
      if (outcome.error !== undefined) {
        const located = locateScriptError(outcome.error, script.path, script.bytes);
        problems.push(located.text, ...(located.source ? [located.source] : []));
      } else if (outcome.sha !== script.sha) {
        problems.push(`${script.path}: the server hashed it to ${outcome.sha}, the local SHA1 is ${script.sha}`);
      }
    });
    if (problems.length > 0) {
      const failed = outcomes.filter((o) => o.error !== undefined || o.sha === undefined).length || 1;
      throw new CheckFailedError(problems[0]!, [
        ...problems.slice(1),
        `${failed} script(s) failed to load; the manifest ${options.manifest} was not changed`,
      ]);
    }
  });

  const written = options.dryRun ? false : writeManifestAtomic(options.manifest, plan.next);
  return result(written);
}
