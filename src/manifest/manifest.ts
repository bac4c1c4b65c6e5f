import { readFileSync } from 'node:fs';
import { jsonErrorAtLine } from '../text.js';
import { dirname, relative, resolve, sep } from 'node:path';
import { ConfigError } from '../errors.js';
import { writeFileAtomic } from '../write-atomic.js';
import { compareNames, toPosix } from '../registry/discover.js';
import type { LocalScript } from '../registry/script.js';

export const MANIFEST_VERSION = 1;

/** One script as the lockfile records it. */
export interface ManifestEntry {
  /** Relative to the manifest's folder, posix separators. */
  path: string;
  sha: string;
  size: number;
  flags: string[];
  /** What each KEYS[i] means, from the script's header ('' when undocumented); length = KEYS read. */
  keys?: string[];
  /** What each ARGV[i] means, likewise. */
  args?: string[];
  /** How many of `keys` a caller must pass, when the last ones are optional (read with a default). */
  minKeys?: number;
  /** Likewise for `args`. */
  minArgs?: number;
  /**
   * For a script that includes fragments: every file it was built from (itself first, then the
   * fragments in the order they are spliced in), each with the SHA1 of its own bytes. `sha` is the
   * assembled text's.
   */
  sources?: SourceEntry[];
}

/** One file a script was built from; `path` is relative to the manifest's folder. */
export interface SourceEntry {
  path: string;
  sha: string;
}

/** One function of a library, as the lockfile records it. */
export interface LibraryFunctionEntry {
  flags: string[];
  /** What each keys[i] means, from the comments above the function ('' when undocumented). */
  keys: string[];
  args: string[];
  /** How many of `keys` a caller must pass, when the last ones are optional (read with a default). */
  minKeys?: number;
  /** Likewise for `args`. */
  minArgs?: number;
}

/** One Redis Functions library (`#!lua name=<lib>`), keyed by its library name. */
export interface LibraryEntry {
  /** Relative to the manifest's folder, posix separators. */
  path: string;
  /** SHA1 of the file's bytes: the code FUNCTION LIST WITHCODE must return. */
  sha: string;
  size: number;
  functions: Record<string, LibraryFunctionEntry>;
  /** For a library that includes fragments: the files it was built from, as for scripts; `sha` is the assembled text's. */
  sources?: SourceEntry[];
}

/** The committed lockfile: a format version, then scripts sorted by name, then libraries (when any). */
export interface Manifest {
  version: typeof MANIFEST_VERSION;
  scripts: Record<string, ManifestEntry>;
  /** Absent when the project has none: a lockfile without libraries stays as it was. */
  libraries?: Record<string, LibraryEntry>;
}

export function emptyManifest(): Manifest {
  return { version: MANIFEST_VERSION, scripts: {} };
}

/** Deterministic text: sorted names, 2-space indent, trailing newline, no timestamps. */
export function serializeManifest(manifest: Manifest): string {
  const scripts: Record<string, ManifestEntry> = {};
  for (const name of Object.keys(manifest.scripts).sort(compareNames)) {
    const e = manifest.scripts[name]!;
    scripts[name] = { path: e.path, sha: e.sha, size: e.size, flags: [...e.flags] };
    if (e.keys) scripts[name]!.keys = [...e.keys];
    if (e.args) scripts[name]!.args = [...e.args];
    if (e.minKeys !== undefined) scripts[name]!.minKeys = e.minKeys;
    if (e.minArgs !== undefined) scripts[name]!.minArgs = e.minArgs;
    if (e.sources) scripts[name]!.sources = e.sources.map((src) => ({ path: src.path, sha: src.sha }));
  }
  const libs = manifest.libraries ?? {};
  const names = Object.keys(libs).sort(compareNames);
  if (names.length === 0) return JSON.stringify({ version: manifest.version, scripts }, null, 2) + '\n';
  const libraries: Record<string, LibraryEntry> = {};
  for (const name of names) {
    const e = libs[name]!;
    const functions: Record<string, LibraryFunctionEntry> = {};
    for (const fn of Object.keys(e.functions).sort(compareNames)) {
      const f = e.functions[fn]!;
      functions[fn] = { flags: [...f.flags], keys: [...f.keys], args: [...f.args] };
      if (f.minKeys !== undefined) functions[fn]!.minKeys = f.minKeys;
      if (f.minArgs !== undefined) functions[fn]!.minArgs = f.minArgs;
    }
    libraries[name] = { path: e.path, sha: e.sha, size: e.size, functions };
    if (e.sources) libraries[name]!.sources = e.sources.map((src) => ({ path: src.path, sha: src.sha }));
  }
  return JSON.stringify({ version: manifest.version, scripts, libraries }, null, 2) + '\n';
}

/** Parses and validates a manifest's text; every problem names the file. */
export function parseManifest(text: string, file: string): Manifest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    // A committed lockfile breaks most often in a merge: say so, and what to do.
    if (/^(<{7}|>{7})( |$)/m.test(text)) {
      throw new ConfigError(
        `${file}: has git merge conflict markers; resolve the conflict, or delete it and run rscript load to write it from the scripts`,
      );
    }
    // V8 quotes the start of a short text, line breaks and all: one line for the message.
    const why = jsonErrorAtLine((err as Error).message, text).replace(/\r?\n/g, '\\n');
    throw new ConfigError(`${file}: not valid JSON (${why}); fix it or delete it and run rscript load`);
  }
  const bad = (what: string): never => {
    throw new ConfigError(`${file}: ${what}; fix it or delete it and run rscript load`);
  };
  if (!isRecord(data)) return bad('expected a JSON object');
  if (data.version !== MANIFEST_VERSION) {
    return bad(
      `unknown manifest version ${JSON.stringify(data.version)} (this rscript reads version ${MANIFEST_VERSION})`,
    );
  }
  for (const key of Object.keys(data)) {
    if (key !== 'version' && key !== 'scripts' && key !== 'libraries') bad(`unknown key "${key}"`);
  }
  if (!isRecord(data.scripts)) return bad('"scripts" must be an object');
  // Plain loops, no closure or pair array per entry: Object.entries, destructuring and every() made
  // an unchanged load of 10,000 scripts (which reads every entry) 25-40 ms slower.
  const raw = data.scripts;
  const scripts: Record<string, ManifestEntry> = {};
  for (const name of Object.keys(raw)) {
    const e = raw[name];
    if (!isRecord(e)) return bad(`scripts["${name}"] must be an object`);
    const path = e.path;
    const sha = e.sha;
    const size = e.size;
    const flags = e.flags;
    if (typeof path !== 'string' || path === '') return bad(`scripts["${name}"].path must be a non-empty string`);
    // rscript reads and sends the file a path names (exec loads a script the server lacks): a
    // manifest edited to name another file (../../etc/passwd, a key) must not make it send that.
    // Every script rscript finds ends in .lua.
    if (!path.endsWith('.lua'))
      return bad(`scripts["${name}"].path must name a .lua file, got ${JSON.stringify(path)}`);
    if (typeof sha !== 'string' || !SHA_HEX.test(sha))
      return bad(`scripts["${name}"].sha must be 40 lowercase hex digits`);
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0)
      return bad(`scripts["${name}"].size must be a whole number`);
    if (!isStringList(flags)) return bad(`scripts["${name}"].flags must be an array of strings`);
    const entry: ManifestEntry = { path, sha, size, flags };
    if (e.keys !== undefined) {
      if (!isStringList(e.keys)) return bad(`scripts["${name}"].keys must be an array of strings`);
      entry.keys = e.keys;
    }
    if (e.args !== undefined) {
      if (!isStringList(e.args)) return bad(`scripts["${name}"].args must be an array of strings`);
      entry.args = e.args;
    }
    for (const field of ['minKeys', 'minArgs'] as const) {
      const v = e[field];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
        return bad(`scripts["${name}"].${field} must be a whole number`);
      entry[field] = v;
    }
    if (e.sources !== undefined) entry.sources = parseSources(e.sources, `scripts["${name}"]`, bad);
    scripts[name] = entry;
  }
  if (data.libraries === undefined) return { version: MANIFEST_VERSION, scripts };
  if (!isRecord(data.libraries)) return bad('"libraries" must be an object');
  const libraries: Record<string, LibraryEntry> = {};
  for (const name of Object.keys(data.libraries)) {
    const e = data.libraries[name];
    const at = `libraries["${name}"]`;
    if (!isRecord(e)) return bad(`${at} must be an object`);
    if (typeof e.path !== 'string' || !e.path.endsWith('.lua')) return bad(`${at}.path must name a .lua file`);
    if (typeof e.sha !== 'string' || !SHA_HEX.test(e.sha)) return bad(`${at}.sha must be 40 lowercase hex digits`);
    if (typeof e.size !== 'number' || !Number.isInteger(e.size) || e.size < 0)
      return bad(`${at}.size must be a whole number`);
    if (!isRecord(e.functions)) return bad(`${at}.functions must be an object`);
    const functions: Record<string, LibraryFunctionEntry> = {};
    for (const fn of Object.keys(e.functions)) {
      const f = e.functions[fn];
      if (!isRecord(f) || !isStringList(f.flags) || !isStringList(f.keys) || !isStringList(f.args)) {
        return bad(`${at}.functions["${fn}"] must hold flags, keys and args, each an array of strings`);
      }
      functions[fn] = { flags: f.flags, keys: f.keys, args: f.args };
      for (const field of ['minKeys', 'minArgs'] as const) {
        const v = f[field];
        if (v === undefined) continue;
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
          return bad(`${at}.functions["${fn}"].${field} must be a whole number`);
        functions[fn]![field] = v;
      }
    }
    libraries[name] = { path: e.path, sha: e.sha, size: e.size, functions };
    if (e.sources !== undefined) libraries[name]!.sources = parseSources(e.sources, at, bad);
  }
  return { version: MANIFEST_VERSION, scripts, libraries };
}

/** An entry's `sources`: `{ path, sha }` pairs. */
function parseSources(value: unknown, at: string, bad: (what: string) => never): SourceEntry[] {
  if (!Array.isArray(value)) return bad(`${at}.sources must be an array`);
  const sources: SourceEntry[] = [];
  for (const src of value as unknown[]) {
    // Compared, never read: an include may name a file without .lua.
    if (
      !isRecord(src) ||
      typeof src.path !== 'string' ||
      src.path === '' ||
      typeof src.sha !== 'string' ||
      !SHA_HEX.test(src.sha)
    ) {
      return bad(`${at}.sources must hold { "path": "<file>", "sha": "<40 lowercase hex digits>" } entries`);
    }
    sources.push({ path: src.path, sha: src.sha });
  }
  return sources;
}

/** Reads the manifest; null when the file does not exist. A corrupt one is an error, never ignored. */
export function readManifest(file: string): Manifest | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigError(
      `${file}: cannot read the manifest (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  return parseManifest(text, file);
}

/**
 * Writes the manifest atomically: a temp file beside it, then rename, so a reader (or a concurrent
 * rscript) sees the old file or the new one, never half of one. Returns false when the text on disk
 * is already identical (nothing written).
 */
export function writeManifestAtomic(file: string, manifest: Manifest): boolean {
  const text = serializeManifest(manifest);
  try {
    if (readFileSync(file, 'utf8') === text) return false;
  } catch {
    // absent or unreadable: write it
  }
  try {
    writeFileAtomic(file, text);
  } catch (err) {
    throw new ConfigError(
      `${file}: cannot write the manifest (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  return true;
}

/** The manifest entry for a local script, its path relative to the manifest's folder. */
export function entryFor(script: LocalScript, manifestFile: string): ManifestEntry {
  return manifestPaths(manifestFile).entryFor(script);
}

/** Absolute path of an entry's file. */
export function entryAbsPath(entry: ManifestEntry, manifestFile: string): string {
  return manifestPaths(manifestFile).absPath(entry);
}

export interface ManifestPaths {
  entryFor(script: LocalScript): ManifestEntry;
  absPath(entry: ManifestEntry): string;
}

/**
 * entryFor and entryAbsPath for many scripts of one manifest, its folder resolved once. A plain
 * `a/b.lua` under the folder is joined or sliced as a string: path.resolve() and path.relative() for
 * every entry took longer than reading 10,000 script files.
 */
export function manifestPaths(manifestFile: string): ManifestPaths {
  const dir = dirname(resolve(manifestFile));
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  const posix = sep === '/';
  const pathOf = (abs: string) =>
    posix && abs.startsWith(prefix) ? abs.slice(prefix.length) : toPosix(relative(dir, abs));
  return {
    entryFor: (script) => {
      const entry: ManifestEntry = {
        path: pathOf(script.absPath),
        sha: script.sha,
        size: script.size,
        flags: script.flags,
      };
      if (script.map) entry.sources = script.map.sources.map((src) => ({ path: pathOf(src.absPath), sha: src.sha }));
      return entry;
    },
    absPath: (entry) => (posix && isPlainRelative(entry.path) ? prefix + entry.path : resolve(dir, entry.path)),
  };
}

/** A relative path that resolve() would leave as it is: no `.`/`..` segments, no empty segment. */
function isPlainRelative(path: string): boolean {
  return (
    path !== '' &&
    !path.startsWith('/') &&
    !path.endsWith('/') &&
    !path.includes('//') &&
    !/(^|\/)\.\.?(\/|$)/.test(path)
  );
}

const SHA_HEX = /^[0-9a-f]{40}$/;

function isStringList(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'string') return false;
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
