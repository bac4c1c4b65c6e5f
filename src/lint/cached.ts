/**
 * The linter behind a cache: the findings and metadata of a script depend only on its bytes, the rule
 * severities and the linter's own code, so they are kept by the script's SHA1 in a cache file named
 * after the linter's build and the project (see src/cache/store.ts). A script seen before is neither
 * parsed nor checked, and when every script was seen before the Lua parser is not even loaded:
 * `rscript lint` of an unchanged library, or the lint gate of a `load` after a `lint`.
 *
 * The linter's build is a fingerprint of its sources that the bundled CLI carries (build-cli.mjs);
 * without one (the TypeScript sources, the library build) nothing is cached.
 */
import { sha1hex } from '../registry/script.js';
import { cacheDir, readCache, writeCache } from '../cache/store.js';
import type { Finding, Severity } from './finding.js';
import type { ScriptMetadata } from './metadata.js';

declare const RSCRIPT_LINT_FINGERPRINT: string | undefined;

/** The build's fingerprint of src/lint and luaparse, or undefined outside the bundled CLI. */
export const LINT_FINGERPRINT = typeof RSCRIPT_LINT_FINGERPRINT === 'string' ? RSCRIPT_LINT_FINGERPRINT : undefined;

export interface ScriptToCheck {
  bytes: Buffer;
  /** SHA1 of `bytes` (the registry computed it already). */
  sha: string;
  /** Copied into the findings. */
  path: string;
}

export interface Checked {
  findings: Finding[];
  metadata: ScriptMetadata;
}

export interface CheckOptions {
  rules?: Record<string, Severity>;
  /** False: no cache (`--no-cache`). */
  cache?: boolean;
  /** Names the project's cache file. */
  cwd: string;
  /** The linter's build; default LINT_FINGERPRINT (tests give their own). */
  fingerprint?: string;
  env?: NodeJS.ProcessEnv;
}

type Entry = { f: Array<Omit<Finding, 'file'>>; m: ScriptMetadata };

/** At most this many scripts per project file; beyond it only the ones of the last run are kept. */
const MAX_ENTRIES = 50_000;

/** `checkScript` for every script, in order, through the cache. */
export async function checkScripts(scripts: readonly ScriptToCheck[], options: CheckOptions): Promise<Checked[]> {
  const fingerprint = options.fingerprint ?? LINT_FINGERPRINT;
  const dir = options.cache === false || fingerprint === undefined ? undefined : cacheDir(options.env);
  const rules = JSON.stringify(Object.entries(options.rules ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const file = `lint-${fingerprint}-${sha1hex(`${options.cwd}\0${rules}`).slice(0, 16)}.json`;
  const entries = dir === undefined ? new Map<string, Entry>() : readEntries(readCache(dir, file));
  const used = new Map<string, Entry>();
  let checkScript: typeof import('./lint.js').checkScript | undefined;
  const out: Checked[] = [];
  for (const script of scripts) {
    let entry = used.get(script.sha) ?? entries.get(script.sha);
    if (entry === undefined) {
      checkScript ??= (await import('./lint.js')).checkScript;
      const { findings, metadata } = checkScript(script.bytes, script.path, { rules: options.rules });
      entry = { f: findings.map(({ file: _, ...rest }) => rest), m: metadata };
    }
    used.set(script.sha, entry);
    out.push({ findings: entry.f.map((f) => ({ ...f, file: script.path })), metadata: entry.m });
  }
  // Written only when something was new: a run that found everything writes nothing.
  if (dir !== undefined && checkScript !== undefined) {
    const keep = entries.size + used.size <= MAX_ENTRIES ? new Map([...entries, ...used]) : used;
    writeCache(dir, file, { version: 1, entries: Object.fromEntries(keep) });
  }
  return out;
}

/** The entries of a cache file; anything malformed counts as absent. */
function readEntries(data: unknown): Map<string, Entry> {
  const map = new Map<string, Entry>();
  if (typeof data !== 'object' || data === null || (data as { version?: unknown }).version !== 1) return map;
  const entries = (data as { entries?: unknown }).entries;
  if (typeof entries !== 'object' || entries === null) return map;
  for (const [sha, entry] of Object.entries(entries as Record<string, unknown>)) {
    const e = entry as Partial<Entry> | null;
    if (e && Array.isArray(e.f) && typeof e.m === 'object' && e.m !== null && Array.isArray(e.m.keys) && Array.isArray(e.m.args)) {
      map.set(sha, e as Entry);
    }
  }
  return map;
}
