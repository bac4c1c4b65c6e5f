import { readFileSync, realpathSync } from 'node:fs';
import { basename, relative, resolve as resolvePath, sep } from 'node:path';
import { UsageError } from '../errors.js';
import { entryAbsPath, readManifest, type Manifest, type ManifestEntry } from './manifest.js';
import { discoverScripts, toPosix } from '../registry/discover.js';
import { makeScript, type LocalScript } from '../registry/script.js';
import { suggest } from '../suggest.js';

/** A script named on the command line, with what is known of its source. */
export interface ResolvedScript {
  name: string;
  sha: string;
  /** The file, when it is known and readable: needed to reload on NOSCRIPT and to map error lines. */
  script?: LocalScript;
  /** What the manifest documents for KEYS and ARGV, when its entry describes this very SHA. */
  keys?: string[];
  args?: string[];
  /** How many keys and args a caller must pass (the last slots may be optional); default all. */
  minKeys?: number;
  minArgs?: number;
  /**
   * The manifest's SHA when the file no longer has it: by name, the file (edited since the last
   * `load`) is what runs; by SHA, that SHA runs, and the file cannot reload it.
   */
  manifestSha?: string;
  /** By SHA: the file's SHA now, when it differs from the SHA asked for. */
  fileSha?: string;
}

export interface ResolveOptions {
  manifest: string;
  scripts: string[];
  cwd?: string;
}

const SHA = /^[0-9a-fA-F]{40}$/;

/** The fewest hex digits that name a script by its SHA (the tables print 12): fewer would too often name two. */
export const MIN_SHA_PREFIX = 7;

/**
 * The name `load` gives the file at `abs`: its path under the innermost scripts folder that holds it
 * (`lua/queue/push.lua` -> `queue/push`), as `info` and the manifest name it; undefined outside them.
 */
function nameOfPath(abs: string, roots: readonly string[], cwd: string): string | undefined {
  const under = (file: string, folders: readonly string[]) => {
    let best: string | undefined;
    for (const root of folders) {
      const prefix = root.endsWith(sep) ? root : root + sep;
      if (file.startsWith(prefix) && (best === undefined || root.length > best.length)) best = root;
    }
    return best === undefined ? undefined : toPosix(relative(best, file)).slice(0, -'.lua'.length);
  };
  const folders = roots.map((r) => resolvePath(cwd, r));
  // Else through symlinks: a scripts folder that links elsewhere, a file given by its real path.
  return under(abs, folders) ?? under(realPath(abs), folders.map(realPath));
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * Resolves `<script>`: a path to a .lua file, a SHA, or a name from the manifest (or, failing that,
 * from the scripts folders). The file's current bytes win over the manifest's SHA.
 */
export function resolveScript(ref: string, options: ResolveOptions): ResolvedScript {
  const cwd = options.cwd ?? process.cwd();
  if (ref.endsWith('.lua')) {
    const abs = resolvePath(cwd, ref);
    let bytes: Buffer;
    try {
      bytes = readFileSync(abs);
    } catch {
      throw fileNotFound(ref, options, cwd);
    }
    const script = makeScript(
      nameOfPath(abs, options.scripts, cwd) ?? basename(ref, '.lua'),
      toPosix(relative(cwd, abs)),
      abs,
      bytes,
    );
    return { name: script.name, sha: script.sha, script };
  }
  const manifest = readManifest(options.manifest);
  if (SHA.test(ref)) {
    const sha = ref.toLowerCase();
    const entry = Object.entries(manifest?.scripts ?? {}).find(([, e]) => e.sha === sha);
    if (!entry) return { name: sha.slice(0, 12), sha };
    const script = tryRead(entry[0], entryAbsPath(entry[1], options.manifest), cwd);
    if (script && script.sha !== sha) return { name: entry[0], sha, fileSha: script.sha };
    return { name: entry[0], sha, script, ...(entry[1].keys && entry[1].args ? described(entry[1]) : {}) };
  }
  const entry = manifest?.scripts[ref];
  if (entry) {
    const script = tryRead(ref, entryAbsPath(entry, options.manifest), cwd);
    const sha = script?.sha ?? entry.sha;
    return {
      name: ref,
      sha,
      script,
      ...(sha === entry.sha && entry.keys && entry.args ? described(entry) : {}),
      ...(sha !== entry.sha ? { manifestSha: entry.sha } : {}),
    };
  }
  // A SHA prefix, as the tables print them (12 characters), when it names one manifest entry: that
  // SHA, not whatever the file holds now.
  const bySha = manifest ? entryBySha(manifest, ref) : undefined;
  if (bySha) return resolveScript(bySha[1].sha, options);
  let local: LocalScript[] = [];
  try {
    local = discoverScripts({ paths: options.scripts, cwd });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
  }
  const found = findLocal(ref, local, cwd);
  if (found.length > 1)
    throw new UsageError(
      `sha prefix ${ref} matches ${found.length} scripts (${found.map((s) => s.name).join(', ')}); give more characters`,
    );
  if (found[0]) return { name: found[0].name, sha: found[0].sha, script: found[0] };
  const known = [...new Set([...Object.keys(manifest?.scripts ?? {}), ...local.map((s) => s.name)])];
  const shas = [
    ...Object.entries(manifest?.scripts ?? {}).map(([name, e]) => ({ name, sha: e.sha })),
    ...local.map((s) => ({ name: s.name, sha: s.sha })),
  ];
  throw unknownScript(ref, known, shas);
}

/**
 * The local scripts `ref` names: by name, by path however it is written (`lua/x.lua`, `./lua/x.lua`,
 * absolute), or by SHA prefix (MIN_SHA_PREFIX hex digits or more). The name or path first: a SHA
 * prefix only when neither names one.
 */
export function findLocal(ref: string, scripts: readonly LocalScript[], cwd: string = process.cwd()): LocalScript[] {
  const abs = ref.endsWith('.lua') ? resolvePath(cwd, ref) : undefined;
  const named = scripts.filter((s) => s.name === ref || s.path === ref || s.absPath === abs);
  if (named.length > 0 || !isShaPrefix(ref)) return named;
  const prefix = ref.toLowerCase();
  return scripts.filter((s) => s.sha.startsWith(prefix));
}

/**
 * The manifest entry `ref` names: a name, the path of its file (however written), a SHA or a SHA
 * prefix; undefined when none does.
 */
export function manifestEntry(
  ref: string,
  manifest: Manifest,
  manifestFile: string,
  cwd: string = process.cwd(),
): [string, ManifestEntry] | undefined {
  if (Object.hasOwn(manifest.scripts, ref)) return [ref, manifest.scripts[ref]!];
  if (ref.endsWith('.lua')) {
    const abs = resolvePath(cwd, ref);
    return Object.entries(manifest.scripts).find(([, e]) => entryAbsPath(e, manifestFile) === abs);
  }
  return entryBySha(manifest, ref);
}

/**
 * `script file not found: counter.lua`, with the closest scripts: for a bare name with the extension
 * their names (`did you mean "counter"?`, which exec takes), for a path their paths.
 */
function fileNotFound(ref: string, options: ResolveOptions, cwd: string): UsageError {
  let local: LocalScript[] = [];
  try {
    local = discoverScripts({ paths: options.scripts, cwd });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
  }
  const manifest = options.manifest ? readManifest(options.manifest) : undefined;
  const bare = !ref.includes('/') && !ref.includes(sep);
  const known = bare
    ? [...new Set([...Object.keys(manifest?.scripts ?? {}), ...local.map((s) => s.name)])]
    : local.map((s) => s.path);
  const word = bare ? ref.slice(0, -'.lua'.length) : ref;
  // `counter.lua` where `counter` is a script: that one, not its neighbours too.
  const close = known.includes(word) ? [word] : suggest(word, known);
  return new UsageError(
    `script file not found: ${ref}${close.length > 0 ? `; did you mean ${close.map((n) => `"${n}"`).join(' or ')}?` : ''}`,
  );
}

/** True when `ref` is long enough to be taken as a SHA or a SHA prefix. */
export function isShaPrefix(ref: string): boolean {
  return ref.length >= MIN_SHA_PREFIX && ref.length <= 40 && /^[0-9a-fA-F]+$/.test(ref);
}

/**
 * The manifest entry a SHA or SHA prefix (MIN_SHA_PREFIX characters or more, as the tables print 12)
 * names; undefined when none does or `ref` is not one. Two entries for a prefix is an error.
 */
export function entryBySha(manifest: Manifest, ref: string): [string, ManifestEntry] | undefined {
  if (!isShaPrefix(ref)) return undefined;
  const prefix = ref.toLowerCase();
  const matches = Object.entries(manifest.scripts).filter(([, e]) => e.sha.startsWith(prefix));
  if (matches.length > 1) {
    throw new UsageError(
      `sha prefix ${ref} matches ${matches.length} scripts (${matches.map(([n]) => n).join(', ')}); give more characters`,
    );
  }
  return matches[0];
}

/**
 * `unknown script "x"`, with the closest known names; for hex too short to be taken as a SHA prefix
 * (`9f8fa`) that begins known `shas`, says how many digits it takes and which scripts it begins.
 * (From 4 digits, as git's shortest abbreviation: "e" or "add" is more likely a name.)
 */
export function unknownScript(
  ref: string,
  known: readonly string[],
  shas: ReadonlyArray<{ name: string; sha: string }> = [],
): UsageError {
  if (/^[0-9a-fA-F]{4,}$/.test(ref) && ref.length < MIN_SHA_PREFIX) {
    const prefix = ref.toLowerCase();
    const seen = new Set<string>();
    const begun = shas.filter(
      (s) => s.sha.startsWith(prefix) && !seen.has(`${s.name} ${s.sha}`) && seen.add(`${s.name} ${s.sha}`),
    );
    if (begun.length > 0) {
      const named = begun.slice(0, 3).map((s) => `${s.sha.slice(0, 12)} is "${s.name}"`);
      return new UsageError(`unknown script "${ref}": a SHA prefix needs at least ${MIN_SHA_PREFIX} hex digits`, [
        named.join(', ') + (begun.length > 3 ? ` (and ${begun.length - 3} more)` : ''),
      ]);
    }
  }
  const close = suggest(ref, [...known]);
  return new UsageError(
    `unknown script "${ref}"` +
      (close.length > 0
        ? `; did you mean ${close.map((n) => `"${n}"`).join(' or ')}?`
        : known.length > 0
          ? ''
          : ' (no scripts found: run rscript load first)'),
  );
}

function tryRead(name: string, abs: string, cwd: string): LocalScript | undefined {
  try {
    return makeScript(name, toPosix(relative(cwd, abs)), abs, readFileSync(abs));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The manifest's KEYS/ARGV description of an entry that has one. */
function described(e: {
  keys?: string[];
  args?: string[];
  minKeys?: number;
  minArgs?: number;
}): Pick<ResolvedScript, 'keys' | 'args' | 'minKeys' | 'minArgs'> {
  const out: Pick<ResolvedScript, 'keys' | 'args' | 'minKeys' | 'minArgs'> = { keys: e.keys!, args: e.args! };
  if (e.minKeys !== undefined) out.minKeys = e.minKeys;
  if (e.minArgs !== undefined) out.minArgs = e.minArgs;
  return out;
}
