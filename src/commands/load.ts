import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { CheckFailedError, ConfigError, UsageError } from '../errors.js';
import { readManifest, writeManifestAtomic } from '../manifest/manifest.js';
import { planManifest, type LocalStatus } from '../manifest/plan.js';
import { discoverScripts } from '../registry/discover.js';
import type { RedisConnection } from '../server/connection.js';
import { parseTarget, type Target } from '../server/target.js';
import type { LocalScript } from '../registry/script.js';
import { mapFindings, sourceOf } from '../lint/map-findings.js';
import { loadFailure, scriptExists, sendScriptLoads, type SentScriptLoads } from '../server/scripts.js';
import {
  withTopology,
  type NodeRole,
  type ServerSummary,
  type Topology,
  type TopologySummary,
} from '../server/topology.js';
import type { Severity } from '../lint/finding.js';
import { chooseTarget, DEFAULT_TARGET, type ChosenTarget } from '../lint/target-ids.js';
import type { Manifest, ManifestEntry } from '../manifest/manifest.js';
import type { PlanRow } from '../manifest/plan.js';
import { splitLibraries, type LocalLibrary } from '../registry/library.js';
import { planLibraries, syncLibraries, type LaggingReplica, type LibraryRow } from './load-functions.js';

export interface LoadOptions {
  paths: string[];
  /** The configured script folders: paths inside them keep the names they have there. */
  scriptRoots?: string[];
  /** The include folder (`include` in the config): fragments, not scripts. */
  include?: string[];
  manifest: string;
  target: Target;
  /** Show the plan; load nothing, write nothing. */
  dryRun?: boolean;
  /** Compare files and manifest only; no server. */
  check?: boolean;
  /** Run the linter's error-level rules on new and changed scripts first (default true). */
  lint?: boolean;
  /** Lint rule severities from the config. */
  rules?: Record<string, Severity>;
  /** lint.target and lint.headers of the config; the connected server's release comes before lint.target. */
  lintTarget?: string;
  lintHeaders?: 'convention' | 'always';
  /** `--target`: the linter's target, before the server's. */
  lintTargetFlag?: string;
  /** Told the linter's target once it is chosen, also when the load is then refused. */
  onLintTarget?: (target: ChosenTarget) => void;
  cwd?: string;
  /** False: neither read nor write the lint cache (`--no-cache`). */
  cache?: boolean;
}

export type ServerStatus = 'loaded' | 'cached' | 'would load' | 'unknown';

export interface LoadRow {
  name: string;
  path: string;
  sha: string;
  size: number;
  status: LocalStatus;
  /** A changed script that includes fragments: which of its files changed (manifest paths). */
  changedSources?: string[];
  /** On a cluster: `loaded` when any node got it, `cached` when every node had it. */
  server: ServerStatus;
  /** Cluster only: what each node did with this script. */
  nodes?: Array<{ node: string; role: NodeRole; server: ServerStatus }>;
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
  /** Cluster only: the nodes that were synced. */
  cluster?: TopologySummary;
  /** Redis or Valkey, and its version (not with --check, which asks no server). */
  server?: ServerSummary;
  /** Redis Functions libraries (`#!lua name=`), when the tree has any. */
  libraries?: LibraryRow[];
  /** Library names of the manifest whose files are gone (still on the server: FUNCTION DELETE removes one). */
  removedLibraries?: string[];
  /** Replicas that did not show the new library code in time. */
  laggingReplicas?: LaggingReplica[];
  /** The server the linter checked new and changed scripts against, and why that one (absent with --no-lint). */
  lintTarget?: ChosenTarget;
}

/**
 * Syncs local scripts, the manifest and the server's script cache: one SCRIPT EXISTS for every SHA,
 * SCRIPT LOAD only for the missing ones (pipelined), each returned SHA checked against the local one,
 * then the manifest written atomically. Nothing is written when anything failed.
 */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const started = performance.now();
  // TLS flags beside a redis:// URL are refused before any work, with --check too: it connects to
  // nothing, but it should not pass flags that `load` then refuses. The URL is parsed here only when
  // such flags are given; without them it is looked at when something connects.
  if (options.target.tlsFlags?.length) parseTarget(options.target);
  const cwd = options.cwd ?? process.cwd();
  const found = discoverScripts({
    paths: options.paths,
    cwd,
    nameRoots: options.scriptRoots,
    include: options.include,
  });
  // Libraries are checked before anything else: no name=, no function, one function in two files.
  const { scripts, libraries } = await splitLibraries(found);
  if (found.length === 0) {
    throw new UsageError(`no .lua files found under ${options.paths.join(', ')}`);
  }
  const previous = readManifest(options.manifest);
  const plan = planManifest(scripts, previous, options.manifest, options.paths, cwd);
  const libPlan = planLibraries(libraries, previous, options.manifest, options.paths, cwd);
  if (Object.keys(libPlan.next).length > 0) plan.next.libraries = libPlan.next;
  plan.changed ||= libPlan.changed;
  let laggingReplicas: LaggingReplica[] = [];
  const rows: LoadRow[] = plan.rows.map(({ script, status, changedSources }) => ({
    name: script.name,
    path: script.path,
    sha: script.sha,
    size: script.size,
    status,
    ...(changedSources ? { changedSources } : {}),
    server: 'unknown',
  }));
  let cluster: TopologySummary | undefined;
  let server: ServerSummary | undefined;
  let lintTarget: ChosenTarget | undefined;
  const result = (manifestWritten: boolean): LoadResult => ({
    rows,
    removed: plan.removed,
    manifest: options.manifest,
    manifestWritten,
    stale: plan.changed,
    dryRun: !!options.dryRun,
    check: !!options.check,
    elapsedMs: performance.now() - started,
    ...(cluster ? { cluster } : {}),
    ...(server ? { server } : {}),
    ...(libPlan.rows.length > 0 || libPlan.removed.length > 0
      ? { libraries: libPlan.rows, removedLibraries: libPlan.removed, laggingReplicas }
      : {}),
    ...(lintTarget ? { lintTarget } : {}),
  });
  const lint = options.lint !== false;
  const targetOf = (servers: ReadonlyArray<ServerSummary | undefined>) => {
    const chosen = chooseTarget({ flag: options.lintTargetFlag, servers, config: options.lintTarget });
    options.onLintTarget?.(chosen);
    return chosen;
  };

  // KEYS and ARGV read anew go into the next manifest.
  const describe = async (target: ChosenTarget | undefined, lacking?: ReadonlySet<string>) => {
    const described = await describeScripts(plan.rows, previous, options, target, lacking);
    for (const [name, doc] of described.docs) Object.assign(plan.next.scripts[name]!, doc);
    return described;
  };

  if (options.check) {
    // No server: the manifest's KEYS and ARGV are read for the config's target (nothing is refused).
    if (lint) lintTarget = targetOf([]);
    (await describe(lintTarget)).saveLintCache();
    return result(false);
  }
  // Said before the server is touched: a load whose manifest cannot be written leaves the server
  // ahead of the lockfile.
  if (!options.dryRun && !isDirectory(dirname(options.manifest))) {
    throw new ConfigError(
      `${options.manifest}: cannot write the manifest: the folder ${dirname(options.manifest)} does not exist (create it, or change "manifest")`,
    );
  }
  let saveLintCache = (): void => undefined;
  let described = 0;
  try {
    cluster = await withTopology(options.target, {}, async (topology) => {
      server = topology.server();
      // Every node's SCRIPT EXISTS first: the linter checks the scripts a node lacks, which this load
      // sends, against the server's release (its oldest node's on a cluster), known once connected.
      const shas = scripts.map((s) => s.sha);
      const cached = await Promise.all(topology.nodes.map((node) => scriptExists(node.conn, shas)));
      const lacking = new Set(scripts.filter((_, i) => cached.some((c) => !c[i])).map((s) => s.name));
      if (lint) {
        lintTarget = targetOf(topology.nodes.map((n) => n.conn.server));
        await lintLibraries(libraries, libPlan.rows, previous, options, lintTarget);
      }
      ({ described, saveLintCache } = await describe(lintTarget, lacking));
      const summary = await syncNodes(topology, scripts, cached, options, previous, rows, saveLintCache);
      laggingReplicas = await syncLibraries(topology, libraries, libPlan.rows, {
        dryRun: options.dryRun,
        replicaWaitMs: Math.min(2000, options.target.timeoutMs),
        manifestNote: untouched(options.manifest, previous),
      });
      return summary;
    });
  } finally {
    // Done already when a server had scripts to compile (see syncNodes); else now.
    saveLintCache();
  }

  // Nothing new, changed or removed, and no KEYS/ARGV read anew: the manifest says what it said. It
  // is left as it is, also when formatted by hand (no serialization: 15 ms for 10,000 scripts).
  const same = previous !== null && !plan.changed && described === 0;
  const written = options.dryRun || same ? false : writeManifestAtomic(options.manifest, plan.next);
  return result(written);
}

/**
 * Every node, replicas too: SCRIPT LOAD is not replicated, and a failover must find the scripts there.
 * `cached`: every node's SCRIPT EXISTS (asked before the linter ran); then every node's SCRIPT LOADs
 * at once; the lint cache is written once they are all sent, while the servers compile and before any
 * deadline starts.
 */
async function syncNodes(
  topology: Topology,
  scripts: LocalScript[],
  cached: boolean[][],
  options: LoadOptions,
  previous: Manifest | null,
  rows: LoadRow[],
  saveLintCache: () => void,
): Promise<TopologySummary | undefined> {
  const sent = await Promise.all(topology.nodes.map((node, i) => sendMissing(node.conn, scripts, cached[i]!, options)));
  if (sent.some((node) => node.loads !== undefined)) saveLintCache();
  const perNode = await Promise.all(sent.map((node) => checkLoaded(node, options.target.timeoutMs)));
  rows.forEach((row, i) => {
    const statuses = perNode.map((n) => n.statuses[i]!);
    row.server = statuses.includes('would load') ? 'would load' : statuses.includes('loaded') ? 'loaded' : 'cached';
    if (topology.cluster)
      row.nodes = topology.nodes.map((node, j) => ({ node: node.label, role: node.role, server: statuses[j]! }));
  });
  // A compile error is the same on every node: say it once.
  const problems = [...new Set(perNode.flatMap((n) => n.problems))];
  if (problems.length > 0) {
    // The others are on the server now: say which, so that nobody thinks nothing happened.
    const failed = new Set(perNode.flatMap((n) => n.failed));
    const loaded = rows.filter((r) => r.server === 'loaded' && !failed.has(r.name)).map((r) => r.name);
    const cachedCount = rows.filter((r) => r.server === 'cached').length;
    throw new CheckFailedError(problems[0]!, [
      ...problems.slice(1),
      // One line (a bad-input error keeps to three detail lines): what failed, what is on the server now.
      `${plural(failed.size || 1, 'script')} failed to load: ${names([...failed])}; ${loaded.length > 0 ? `${plural(loaded.length, 'script')} loaded on the server: ${names(loaded)}` : 'no other script loaded'}${cachedCount > 0 ? `; ${plural(cachedCount, 'script')} already there` : ''}`,
      `${untouched(options.manifest, previous)}: fix the failing script(s) and run rscript load again`,
    ]);
  }
  return topology.summary();
}

/** One node's SCRIPT LOADs of the scripts it lacks, written, their replies not awaited yet. */
interface NodeLoads {
  statuses: ServerStatus[];
  /** The scripts sent, in the order of `loads`' replies. */
  missing: LocalScript[];
  /** None on a dry run, or when the node has every script. */
  loads?: SentScriptLoads;
}

/** One node: SCRIPT LOAD (pipelined) of the scripts it lacks (`cached`: its SCRIPT EXISTS), sent. */
async function sendMissing(
  conn: RedisConnection,
  scripts: LocalScript[],
  cached: boolean[],
  options: LoadOptions,
): Promise<NodeLoads> {
  const missing = scripts.filter((_, i) => !cached[i]);
  const statuses: ServerStatus[] = cached.map((c) => (c ? 'cached' : options.dryRun ? 'would load' : 'loaded'));
  if (options.dryRun || missing.length === 0) return { statuses, missing };
  const loads = await sendScriptLoads(
    conn,
    missing.map((s) => s.bytes),
  );
  return { statuses, missing, loads };
}

/** One node's SCRIPT LOAD replies, under the deadline: compile errors located in their files, SHAs compared. */
async function checkLoaded(
  { statuses, missing, loads }: NodeLoads,
  timeoutMs: number,
): Promise<{ statuses: ServerStatus[]; problems: string[]; failed: string[] }> {
  const problems: string[] = [];
  const failed: string[] = [];
  const outcomes = loads ? await loads.replies(timeoutMs) : [];
  outcomes.forEach((outcome, i) => {
    const script = missing[i]!;
    const failure = loadFailure(script, outcome);
    if (failure) {
      problems.push(...failure);
      failed.push(script.name);
    }
  });
  return { statuses, problems, failed };
}

/** A script's KEYS and ARGV as the manifest records them. */
type ScriptDocs = Pick<ManifestEntry, 'keys' | 'args' | 'minKeys' | 'minArgs'>;

/**
 * Each script's KEYS and ARGV (their documented meaning) for the next manifest, by name, read from the
 * new and changed scripts; error-level lint findings (unless --no-lint) in those and in the unchanged
 * scripts a node lacks (`lacking`: what this load sends; absent with --check, which refuses nothing)
 * refuse the load before anything is loaded. One parse per script checked (none for a script the lint
 * cache knows); the others keep what the manifest says, so a load with nothing new, onto a server that
 * has every script, never loads the Lua parser. `described` counts the scripts read anew.
 */
async function describeScripts(
  rows: readonly PlanRow[],
  previous: Manifest | null,
  options: LoadOptions,
  target: ChosenTarget | undefined,
  lacking?: ReadonlySet<string>,
): Promise<{ docs: Map<string, ScriptDocs>; described: number; saveLintCache: () => void }> {
  const docs = new Map<string, ScriptDocs>();
  const todo = rows.filter(({ script, status }) => {
    const before = previous?.scripts[script.name];
    if (status === 'unchanged' && before?.keys && before.args) {
      const kept: ScriptDocs = { keys: before.keys, args: before.args };
      if (before.minKeys !== undefined) kept.minKeys = before.minKeys;
      if (before.minArgs !== undefined) kept.minArgs = before.minArgs;
      docs.set(script.name, kept);
      return false;
    }
    return true;
  });
  // Unchanged scripts are checked only for the gate: the server lacks them, and may be older than the
  // one of the load that checked them first.
  const gateOnly = lacking ? rows.filter((row) => !todo.includes(row) && lacking.has(row.script.name)) : [];
  // --no-lint is also the fast path for bulk loads: no parse at all, so new and changed scripts get
  // no KEYS/ARGV metadata until a load with the linter (exec then reads the header itself).
  if (todo.length + gateOnly.length === 0 || options.lint === false)
    return { docs, described: 0, saveLintCache: () => undefined };
  const { checkScriptsDeferringSave } = await import('../lint/cached.js');
  const { checked, save } = await checkScriptsDeferringSave(
    [...todo, ...gateOnly].map((row) => row.script),
    {
      rules: options.rules,
      target: target?.id,
      headers: options.lintHeaders,
      cache: options.cache,
      cwd: options.cwd ?? process.cwd(),
    },
  );
  const problems: string[] = [];
  for (const [i, { script }] of [...todo, ...gateOnly].entries()) {
    const { findings, metadata } = checked[i]!;
    if (i < todo.length) {
      const doc: ScriptDocs = {
        keys: metadata.keys.map((k) => k.doc ?? ''),
        args: metadata.args.map((a) => a.doc ?? ''),
      };
      const minKeys = required(metadata.keys);
      const minArgs = required(metadata.args);
      if (minKeys < metadata.keys.length) doc.minKeys = minKeys;
      if (minArgs < metadata.args.length) doc.minArgs = minArgs;
      docs.set(script.name, doc);
    }
    if (!lacking) continue;
    for (const f of mapFindings(script, findings)) {
      if (f.severity !== 'error') continue;
      const lines = sourceOf(script, f).split('\n');
      // The same shape as the server's compile errors: file:line, the message, the line quoted.
      problems.push(
        `${f.file}:${f.line}:${f.column}: ${f.message} (${f.rule})${f.includedInto ? ` (included into ${f.includedInto})` : ''}`,
      );
      const source = lines[f.line - 1];
      if (source !== undefined) problems.push(`${f.line} | ${source.replace(/\r$/, '').slice(0, 200)}`);
    }
  }
  if (problems.length > 0) {
    save();
    throw lintRefusal(problems, options, previous, target);
  }
  return { docs, described: todo.length, saveLintCache: save };
}

/** The linter's error-level findings on new and changed libraries refuse the load, as for scripts. */
async function lintLibraries(
  libraries: LocalLibrary[],
  rows: LibraryRow[],
  previous: Manifest | null,
  options: LoadOptions,
  target: ChosenTarget,
): Promise<void> {
  const todo = libraries.filter((_, i) => rows[i]!.status !== 'unchanged');
  if (todo.length === 0) return;
  const { checkScripts } = await import('../lint/cached.js');
  const checked = await checkScripts(
    todo.map((l) => l.script),
    {
      rules: options.rules,
      target: target.id,
      headers: options.lintHeaders,
      cache: options.cache,
      cwd: options.cwd ?? process.cwd(),
    },
  );
  const problems: string[] = [];
  todo.forEach((lib, i) => {
    // A library that includes fragments is linted assembled; each finding is shown where it was written.
    for (const f of mapFindings(lib.script, checked[i]!.findings)) {
      if (f.severity !== 'error') continue;
      problems.push(
        `${f.file}:${f.line}:${f.column}: ${f.message} (${f.rule})${f.includedInto ? ` (included into ${f.includedInto})` : ''}`,
      );
      const source = sourceOf(lib.script, f).split('\n')[f.line - 1];
      if (source !== undefined) problems.push(`${f.line} | ${source.replace(/\r$/, '').slice(0, 200)}`);
    }
  });
  if (problems.length > 0) throw lintRefusal(problems, options, previous, target);
}

/**
 * The load refused by error-level findings: each, then what was (not) done and what to do. The
 * linter's target is named when it is not the one `rscript lint` takes by itself.
 */
function lintRefusal(
  problems: string[],
  options: LoadOptions,
  previous: Manifest | null,
  target: ChosenTarget | undefined,
): CheckFailedError {
  // `rscript lint` alone takes lint.target, else the default.
  const offline = options.lintTarget ?? DEFAULT_TARGET;
  const lint =
    !target || target.id === offline
      ? 'rscript lint explains them'
      : target.from === 'server'
        ? `rscript lint --target ${target.id} explains them: load checks against the server's release, ${target.server}`
        : `rscript lint --target ${target.id} explains them`;
  return new CheckFailedError(problems[0]!, [
    ...problems.slice(1),
    `load refused before loading anything; ${untouched(options.manifest, previous)}. Fix the error(s) (${lint}) or pass --no-lint`,
  ]);
}

/** `a, b, c` up to ten names, then `and N more`. */
function names(list: string[]): string {
  const shown = list.slice(0, 10).join(', ');
  return list.length > 10 ? `${shown} and ${list.length - 10} more` : shown;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** What a failed load did to the manifest: nothing (there may be none yet). */
function untouched(manifest: string, previous: Manifest | null): string {
  return previous === null ? `the manifest ${manifest} was not written` : `the manifest ${manifest} was not changed`;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** How many slots a caller must pass: up to the last one that is not optional. */
function required(slots: ReadonlyArray<{ optional?: true }>): number {
  let n = slots.length;
  while (n > 0 && slots[n - 1]!.optional) n--;
  return n;
}
