import { resolve } from 'node:path';
import { extractMetadata, shortName, type ScriptMetadata } from '../lint/metadata.js';
import { discoverScripts } from '../registry/discover.js';
import { displayPath } from '../registry/include.js';
import { findLocal, resolveScript, unknownScript } from '../manifest/resolve.js';
import { positionIn, splitLibraries, type LocalLibrary } from '../registry/library.js';
import type { LocalScript } from '../registry/script.js';
import { entryAbsPath, readManifest } from '../manifest/manifest.js';
import type { Target } from '../server/target.js';
import type { ServerCopy } from '../server/scripts.js';

export interface InfoOptions {
  /** One script name, or every script when undefined. */
  script?: string;
  paths: string[];
  /** The include folder: fragments, not scripts. */
  include?: string[];
  cwd?: string;
  /**
   * Read each script's copy back from this server (SCRIPT SHOW, Valkey 8.0+): the copy of the
   * manifest's SHA, which rscript load put there, against the file.
   */
  serverCopy?: { target: Target; manifest: string };
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
  /** With `serverCopy` (scripts, not functions): the server's copy against the file. */
  serverCopy?: InfoServerCopy;
}

/** The server's copy of a script; on a cluster, the nodes that lack it (the copy is read from one that has it). */
export interface InfoServerCopy extends ServerCopy {
  missingOn?: string[];
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
  if (options.serverCopy) await readServerCopies(chosen, rows, options.serverCopy);
  return options.script === undefined ? [...rows, ...functions] : rows;
}

/**
 * Each script's copy on the server: the manifest's SHA for it (the copy rscript load put there, and
 * the one the runtime API calls), else the file's. On a cluster every node is asked (SCRIPT EXISTS,
 * one round trip each) and the copy is read from the first that has it: a SHA names the same text
 * on every node. A server without SCRIPT SHOW gets the reason, not an error.
 */
async function readServerCopies(
  scripts: LocalScript[],
  rows: ScriptInfo[],
  options: { target: Target; manifest: string },
): Promise<void> {
  if (scripts.length === 0) return;
  const manifest = readManifest(options.manifest);
  const shas = scripts.map((s) => {
    const entry = manifest && Object.hasOwn(manifest.scripts, s.name) ? manifest.scripts[s.name] : undefined;
    return entry && entryAbsPath(entry, options.manifest) === s.absPath ? entry.sha : s.sha;
  });
  // Imported here: info without --server-copy loads no Redis client.
  const { withTopology } = await import('../server/topology.js');
  const { scriptExists, serverCopyOf } = await import('../server/scripts.js');
  const { noScriptShow } = await import('../server/identity.js');
  await withTopology(options.target, {}, async (topology) => {
    const missing = noScriptShow(topology.server());
    const show = topology.nodes.filter((n) => !noScriptShow(n.conn.server));
    if (show.length === 0) {
      rows.forEach((row, i) => (row.serverCopy = { status: 'unavailable', sha: shas[i]!, reason: missing }));
      return;
    }
    const held = topology.cluster ? await Promise.all(show.map((n) => scriptExists(n.conn, shas))) : undefined;
    await Promise.all(
      rows.map(async (row, i) => {
        const node = held ? show.find((_, j) => held[j]![i]) : show[0]!;
        const copy: InfoServerCopy = node
          ? await serverCopyOf(node.conn, shas[i]!, scripts[i]!.bytes)
          : { status: 'not cached', sha: shas[i]!, reason: `no node has sha ${shas[i]!.slice(0, 12)}` };
        const lacking = held ? show.filter((_, j) => !held[j]![i]).map((n) => n.label) : [];
        if (node && lacking.length > 0) copy.missingOn = lacking;
        row.serverCopy = copy;
      }),
    );
  });
}
