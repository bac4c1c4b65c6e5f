import { resolve } from 'node:path';
import { extractMetadata, shortName, type ScriptMetadata } from '../lint/metadata.js';
import { discoverScripts } from '../registry/discover.js';
import { displayPath } from '../registry/include.js';
import { findLocal, resolveScript, unknownScript } from '../manifest/resolve.js';
import { positionIn, splitLibraries, type LocalLibrary } from '../registry/library.js';

export interface InfoOptions {
  /** One script name, or every script when undefined. */
  script?: string;
  paths: string[];
  /** The include folder: fragments, not scripts. */
  include?: string[];
  cwd?: string;
}

export interface ScriptInfo extends ScriptMetadata {
  name: string;
  path: string;
  sha: string;
  size: number;
  /** The fragments it includes (`--- @include`), in the order they are spliced in; absent when none. */
  includes?: string[];
  /** A Functions library's function (`name` is `<library>.<function>`): its library. */
  library?: string;
}

/** One row per function of each library: name `<library>.<function>`, the keys and args it documents. */
function functionRows(libraries: LocalLibrary[]): ScriptInfo[] {
  return libraries.flatMap((lib) =>
    lib.functions.map((fn) => ({
      name: `${lib.library}.${fn.name}`,
      library: lib.library,
      path: positionIn(lib.script, fn.line).text,
      sha: lib.script.sha,
      size: lib.script.size,
      keys: fn.keys.map((doc) => slotDoc(doc)),
      args: fn.args.map((doc) => slotDoc(doc)),
      errors: [],
      flags: fn.flags,
      ...((fn.summary ?? fn.description) ? { summary: fn.summary ?? fn.description } : {}),
    })),
  );
}

function slotDoc(doc: string): { doc?: string; name?: string } {
  if (!doc) return {};
  const name = shortName(doc);
  return name ? { doc, name } : { doc };
}

/** The catalog: what each script expects (KEYS, ARGV, with their documented meaning), flags, returns. */
export async function info(options: InfoOptions): Promise<ScriptInfo[]> {
  const found = discoverScripts({ paths: options.paths, cwd: options.cwd, include: options.include });
  const { scripts, libraries } = await splitLibraries(found);
  const functions = functionRows(libraries);
  let chosen = scripts;
  if (options.script !== undefined) {
    const ref = options.script;
    // A name, a path however it is written, or a SHA or its first characters, as exec takes them.
    chosen = findLocal(ref, scripts, options.cwd);
    // A function (`lib.fn` or its bare name), or every function of a library (its name or file).
    const fns = functions.filter((f) => f.name === ref || f.name.endsWith(`.${ref}`) || f.library === ref);
    const libFile = findLocal(
      ref,
      libraries.map((l) => l.script),
      options.cwd,
    )[0];
    if (chosen.length === 0 && (fns.length > 0 || libFile))
      return fns.length > 0
        ? fns
        : functions.filter((f) => f.library === libraries.find((l) => l.script === libFile)!.library);
    const abs = ref.endsWith('.lua') ? resolve(options.cwd ?? process.cwd(), ref) : undefined;
    // A .lua file outside the script folders: read as exec reads it.
    if (chosen.length === 0 && abs !== undefined) {
      const { script } = resolveScript(ref, { manifest: '', scripts: [], cwd: options.cwd });
      if (script) chosen = [script];
    }
    if (chosen.length === 0)
      throw unknownScript(
        ref,
        scripts.map((s) => s.name),
        scripts,
      );
  }
  const rows: ScriptInfo[] = chosen.map((s) => ({
    name: s.name,
    path: s.path,
    sha: s.sha,
    size: s.size,
    ...(s.map ? { includes: s.map.sources.slice(1).map((src) => displayPath(src.absPath, options.cwd)) } : {}),
    ...extractMetadata(s.bytes),
  }));
  return options.script === undefined ? [...rows, ...functions] : rows;
}
