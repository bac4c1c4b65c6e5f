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
import { FINDING_SEVERITIES, type Finding, type Severity } from './finding.js';
import type { ScriptMetadata, SlotDoc } from './metadata.js';

declare const RSCRIPT_LINT_FINGERPRINT: string | undefined;

/** The build's fingerprint of src/lint and luaparse, or undefined outside the bundled CLI. */
const LINT_FINGERPRINT = typeof RSCRIPT_LINT_FINGERPRINT === 'string' ? RSCRIPT_LINT_FINGERPRINT : undefined;

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
  /** lint.target and lint.headers (see lint.ts's LintOptions). */
  target?: string;
  headers?: 'convention' | 'always';
  /** False: no cache (`--no-cache`). */
  cache?: boolean;
  /** Names the project's cache file. */
  cwd: string;
  /** The linter's build; default LINT_FINGERPRINT (tests give their own). */
  fingerprint?: string;
  env?: NodeJS.ProcessEnv;
}

type Entry = { f: Array<Omit<Finding, 'file'>>; m: ScriptMetadata };

/**
 * The file's form, compact because 10,000 scripts with a warning each made 3.9 MB of JSON that took
 * 50 ms to parse: every string (rule, message, hint, a metadata's JSON) once in `strings`, and per
 * script `[findings, metadata]`, a finding as `[rule, severity, message, hint, line, column, endLine,
 * endColumn]` with string indexes and -1 for an absent field.
 */
interface CacheFile {
  version: 2;
  strings: string[];
  entries: Record<string, [number[][], number]>;
}

/** At most this many scripts per project file; beyond it only the ones of the last run are kept. */
const MAX_ENTRIES = 50_000;

/** `checkScript` for every script, in order, through the cache; the cache is written before it returns. */
export async function checkScripts(scripts: readonly ScriptToCheck[], options: CheckOptions): Promise<Checked[]> {
  const run = await checkScriptsDeferringSave(scripts, options);
  run.save();
  return run.checked;
}

export interface CheckRun {
  checked: Checked[];
  /** Writes the cache file when anything was new (once, however often it is called). */
  save(): void;
}

/**
 * `checkScripts`, leaving the cache write to the caller: `load` does it while the server compiles
 * the scripts it sent (encoding 10,000 new entries takes some 50 ms in a cold process).
 */
export async function checkScriptsDeferringSave(
  scripts: readonly ScriptToCheck[],
  options: CheckOptions,
): Promise<CheckRun> {
  const fingerprint = options.fingerprint ?? LINT_FINGERPRINT;
  const dir = options.cache === false || fingerprint === undefined ? undefined : cacheDir(options.env);
  // The target and the header mode change findings as the severities do: part of the file's name.
  const rules =
    JSON.stringify(Object.entries(options.rules ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) +
    (options.target || options.headers ? `\0${options.target ?? ''}\0${options.headers ?? ''}` : '');
  const file = `lint-${fingerprint}-${sha1hex(`${options.cwd}\0${rules}`).slice(0, 16)}.json`;
  const stored = dir === undefined ? undefined : asCacheFile(readCache(dir, file));
  const used = new Map<string, Entry>();
  let checkScript: typeof import('./lint.js').checkScript | undefined;
  const checked: Checked[] = [];
  for (const script of scripts) {
    let entry = used.get(script.sha) ?? (stored && decode(stored, script.sha));
    if (entry === undefined) {
      checkScript ??= (await import('./lint.js')).checkScript;
      const lintOptions: import('./lint.js').RuleOptions = { rules: options.rules };
      if (options.target) lintOptions.target = options.target;
      if (options.headers) lintOptions.headers = options.headers;
      const { findings, metadata } = checkScript(script.bytes, script.path, lintOptions);
      entry = { f: findings.map(({ file: _, ...rest }) => rest), m: metadata };
    }
    used.set(script.sha, entry);
    checked.push({ findings: entry.f.map((f) => withFile(f, script.path)), metadata: entry.m });
  }
  // Written only when something was new: a run that found everything writes nothing.
  let pending = dir !== undefined && checkScript !== undefined;
  const save = (): void => {
    if (!pending || dir === undefined) return;
    pending = false;
    const keep = new Map<string, Entry>();
    if (stored && Object.keys(stored.entries).length + used.size <= MAX_ENTRIES) {
      for (const sha of Object.keys(stored.entries)) {
        const entry = used.has(sha) ? undefined : decode(stored, sha);
        if (entry) keep.set(sha, entry);
      }
    }
    for (const [sha, entry] of used) keep.set(sha, entry);
    writeCache(dir, file, encode(keep));
  };
  return { checked, save };
}

/** A finding with its file, its fields in the order checkScript gives them (JSON output keeps it). */
function withFile(
  { rule, severity, message, line, column, endLine, endColumn, hint }: Entry['f'][number],
  file: string,
): Finding {
  const finding: Finding = { rule, severity, message, file, line, column };
  if (endLine !== undefined) finding.endLine = endLine;
  if (endColumn !== undefined) finding.endColumn = endColumn;
  if (hint !== undefined) finding.hint = hint;
  return finding;
}

function encode(entries: ReadonlyMap<string, Entry>): CacheFile {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const id = (s: string | undefined): number => {
    if (s === undefined) return -1;
    let i = index.get(s);
    if (i === undefined) index.set(s, (i = strings.push(s) - 1));
    return i;
  };
  const out: CacheFile['entries'] = {};
  for (const [sha, { f, m }] of entries) {
    const findings = f.map((x) => [
      id(x.rule),
      id(x.severity),
      id(x.message),
      id(x.hint),
      x.line,
      x.column,
      x.endLine ?? -1,
      x.endColumn ?? -1,
    ]);
    out[sha] = [findings, id(JSON.stringify(m))];
  }
  return { version: 2, strings, entries: out };
}

/** One script's entry; undefined when absent or malformed (then it is linted again). */
function decode(file: CacheFile, sha: string): Entry | undefined {
  const raw = Object.hasOwn(file.entries, sha) ? file.entries[sha] : undefined;
  if (!Array.isArray(raw) || !Array.isArray(raw[0])) return undefined;
  const str = (i: unknown) =>
    typeof i === 'number' && i >= 0 && i < file.strings.length ? file.strings[i] : undefined;
  const f: Entry['f'] = [];
  for (const t of raw[0]) {
    if (!Array.isArray(t) || t.length !== 8) return undefined;
    const [rule, severity, message, hint, line, column, endLine, endColumn] = t as unknown[];
    const sev = FINDING_SEVERITIES.find((s) => s === str(severity));
    if (typeof str(rule) !== 'string' || sev === undefined || typeof str(message) !== 'string') return undefined;
    if (
      typeof line !== 'number' ||
      typeof column !== 'number' ||
      typeof endLine !== 'number' ||
      typeof endColumn !== 'number'
    )
      return undefined;
    const finding: Entry['f'][number] = { rule: str(rule)!, severity: sev, message: str(message)!, line, column };
    if (endLine >= 0) finding.endLine = endLine;
    if (endColumn >= 0) finding.endColumn = endColumn;
    if (hint !== -1) {
      if (str(hint) === undefined) return undefined;
      finding.hint = str(hint);
    }
    f.push(finding);
  }
  let m: unknown;
  try {
    m = JSON.parse(str(raw[1]) ?? '');
  } catch {
    return undefined;
  }
  return isMetadata(m) ? { f, m } : undefined;
}

/** The shape checkScript gives, field by field: a cache entry is only data from a file. */
function isMetadata(m: unknown): m is ScriptMetadata {
  const optionalString = (v: unknown) => v === undefined || typeof v === 'string';
  const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
  const slots = (v: unknown) =>
    Array.isArray(v) &&
    v.every(
      (x) =>
        typeof x === 'object' &&
        x !== null &&
        !Array.isArray(x) &&
        optionalString((x as SlotDoc).name) &&
        optionalString((x as SlotDoc).doc),
    );
  const meta = m as Partial<ScriptMetadata> | null;
  return (
    typeof meta === 'object' &&
    meta !== null &&
    slots(meta.keys) &&
    slots(meta.args) &&
    (meta.moreKeys === undefined || slots([meta.moreKeys])) &&
    (meta.moreArgs === undefined || slots([meta.moreArgs])) &&
    strings(meta.errors) &&
    strings(meta.flags) &&
    optionalString(meta.returns) &&
    optionalString(meta.summary)
  );
}

function asCacheFile(data: unknown): CacheFile | undefined {
  const d = data as Partial<CacheFile> | null;
  if (!d || d.version !== 2 || !Array.isArray(d.strings) || typeof d.entries !== 'object' || d.entries === null)
    return undefined;
  return d as CacheFile;
}
