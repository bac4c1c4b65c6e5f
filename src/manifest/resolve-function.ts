import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { UsageError } from '../errors.js';
import { entryAbsPath, type Manifest } from './manifest.js';
import { toPosix } from '../registry/discover.js';
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
    flags: fn.flags,
    keys: fn.keys,
    args: fn.args,
    ...(fn.minKeys !== undefined ? { minKeys: fn.minKeys } : {}),
    ...(fn.minArgs !== undefined ? { minArgs: fn.minArgs } : {}),
    path: toPosix(relative(cwd, abs)),
    bytes,
    ...(map ? { map } : {}),
    sha: entry.sha,
    ...(file ? { file } : {}),
  };
}
