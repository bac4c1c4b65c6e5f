import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { UsageError } from '../errors.js';
import { entryAbsPath, type Manifest } from './manifest.js';
import { discoverScripts, toPosix } from '../registry/discover.js';
import { libraryKind, splitLibraries, type LocalLibrary } from '../registry/library.js';
import type { LocalScript } from '../registry/script.js';
import { assemble, type SourceMap } from '../registry/include.js';
import { sha1hex } from '../registry/script.js';

/** A function of a library of the manifest, named on the command line or in code. */
export interface ResolvedFunction {
  library: string;
  name: string;
  flags: string[];
  keys: string[];
  args: string[];
  /** How many keys / args a caller must pass, when the last ones may be left out. */
  minKeys?: number;
  minArgs?: number;
  /** The library's file (for error lines), when readable. */
  path: string;
  /** The library's assembled text (fragments spliced in), when its file is readable and still has the lockfile's SHA. */
  bytes?: Buffer;
  /** Its source map, when it includes fragments: error lines are named in the file they were written in. */
  map?: SourceMap;
  sha: string;
  /**
   * The library's file as it stands (assembled), also when it was edited since the load: what a
   * throwaway server loads (`--sandbox`), where the lockfile's copy is not at hand.
   */
  file?: { bytes: Buffer; map?: SourceMap; sha: string };
}

/**
 * `<lib>.<fn>`, or a bare function name that one library of the manifest registers; undefined when
 * `ref` names no function (or a script of the same name exists: a script's name wins, the
 * `<lib>.<fn>` form reaches the function).
 */
export function resolveFunction(
  ref: string,
  manifest: Manifest | null,
  manifestFile: string,
  cwd: string = process.cwd(),
): ResolvedFunction | undefined {
  const libs = manifest?.libraries;
  if (!libs || ref.endsWith('.lua')) return undefined;
  const dot = ref.indexOf('.');
  let library: string | undefined;
  let name = ref;
  if (dot > 0 && Object.hasOwn(libs, ref.slice(0, dot))) {
    library = ref.slice(0, dot);
    name = ref.slice(dot + 1);
    if (!Object.hasOwn(libs[library]!.functions, name)) {
      const known = Object.keys(libs[library]!.functions);
      throw new UsageError(
        `library "${library}" has no function "${name}" (it registers ${known.join(', ') || 'none'})`,
      );
    }
  } else {
    if (manifest && Object.hasOwn(manifest.scripts, ref)) return undefined;
    const owners = Object.keys(libs).filter((l) => Object.hasOwn(libs[l]!.functions, ref));
    if (owners.length === 0) return undefined;
    library = owners[0]!;
  }
  const entry = libs[library]!;
  const fn = entry.functions[name]!;
  const abs = entryAbsPath({ ...entry, flags: [] }, manifestFile);
  let bytes: Buffer | undefined;
  let map: SourceMap | undefined;
  let file: ResolvedFunction['file'];
  try {
    // Assembled as load assembled it, so that a line the server names is a line of this text.
    const assembled = assemble(abs, readFileSync(abs));
    const sha = sha1hex(assembled.bytes);
    file = { bytes: assembled.bytes, sha, ...(assembled.map ? { map: assembled.map } : {}) };
    // A file edited since the load: its lines are not the server's; error lines are left unquoted.
    if (sha === entry.sha) {
      bytes = assembled.bytes;
      map = assembled.map;
    }
  } catch {
    // The library runs from the server; without its file (or a fragment), error lines are not quoted.
  }
  return {
    library,
    name,
    ...contractOf(fn),
    path: toPosix(relative(cwd, abs)),
    bytes,
    ...(map ? { map } : {}),
    sha: entry.sha,
    ...(file ? { file } : {}),
  };
}

/**
 * A function of a library file under the script folders, read from the file itself (no lockfile
 * needed): what a throwaway server runs, so a library written a minute ago runs there before its
 * first `rscript load`. `<lib>.<fn>`, or a bare name one library registers and no script has.
 * Undefined when `ref` names no local function.
 */
export async function resolveLocalFunction(
  ref: string,
  options: { scripts: string[]; include?: string; cwd?: string },
): Promise<ResolvedFunction | undefined> {
  if (ref.endsWith('.lua')) return undefined;
  let files: LocalScript[];
  try {
    files = discoverScripts({
      paths: options.scripts,
      cwd: options.cwd,
      include: options.include ? [options.include] : [],
    });
  } catch {
    return undefined; // No scripts folder: the lockfile may still know the function.
  }
  if (!files.some((f) => libraryKind(f.bytes) !== null)) return undefined;
  const { scripts, libraries } = await splitLibraries(files);
  const dot = ref.indexOf('.');
  const owner = dot > 0 ? libraries.find((l) => l.library === ref.slice(0, dot)) : undefined;
  let library: LocalLibrary | undefined;
  let name = ref;
  if (owner) {
    library = owner;
    name = ref.slice(dot + 1);
    if (!owner.functions.some((f) => f.name === name)) {
      throw new UsageError(
        `library "${owner.library}" has no function "${name}" (${owner.script.path} registers ${owner.functions.map((f) => f.name).join(', ')})`,
      );
    }
  } else {
    if (scripts.some((s) => s.name === ref)) return undefined;
    library = libraries.find((l) => l.functions.some((f) => f.name === ref));
    if (!library) return undefined;
  }
  const fn = library.functions.find((f) => f.name === name)!;
  const { script } = library;
  return {
    library: library.library,
    name,
    ...contractOf(fn),
    path: toPosix(relative(options.cwd ?? process.cwd(), script.absPath)),
    bytes: script.bytes,
    ...(script.map ? { map: script.map } : {}),
    sha: script.sha,
    file: { bytes: script.bytes, sha: script.sha, ...(script.map ? { map: script.map } : {}) },
  };
}

/** What a caller of a function must know: its flags, and its keys and args with how many are required. */
function contractOf(fn: {
  flags: string[];
  keys: string[];
  args: string[];
  minKeys?: number;
  minArgs?: number;
}): Pick<ResolvedFunction, 'flags' | 'keys' | 'args' | 'minKeys' | 'minArgs'> {
  return {
    flags: fn.flags,
    keys: fn.keys,
    args: fn.args,
    ...(fn.minKeys !== undefined ? { minKeys: fn.minKeys } : {}),
    ...(fn.minArgs !== undefined ? { minArgs: fn.minArgs } : {}),
  };
}
