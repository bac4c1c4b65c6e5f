import { readFileSync } from 'node:fs';
import { ConfigError, UsageError } from '../errors.js';
import { entryAbsPath, readManifest, type Manifest, type ManifestEntry } from '../manifest/manifest.js';
import { manifestEntry, unknownScript } from '../manifest/resolve.js';
import type { Target } from '../server/target.js';
import { noScriptShow, offersScriptShow } from '../server/identity.js';
import { evictedScripts, scriptExists, serverCopyOf } from '../server/scripts.js';
import { withTopology, type NodeRole, type ServerSummary, type TopologySummary } from '../server/topology.js';
import { functionList } from '../server/functions.js';
import { assemble } from '../registry/include.js';

export interface ExistsOptions {
  /** Scripts to check, as manifest names, paths of their files or SHAs (prefixes too); all when empty. */
  names: string[];
  manifest: string;
  target: Target;
  cwd?: string;
  /** Read each cached script back (SCRIPT SHOW, Valkey 8+) and compare it with the local file. */
  serverCopy?: boolean;
}

/**
 * The server's copy of a script (SCRIPT SHOW) against the manifest's file: `same`, `differs` (the
 * file changed since rscript load), `no file` (the manifest names a file that is gone).
 */
export type ServerCopy = 'same' | 'differs' | 'no file';

export interface ExistsRow {
  name: string;
  sha: string;
  /** On a cluster: true when every node has it. */
  cached: boolean;
  /** Cluster only: the nodes that lack it. */
  missingOn?: Array<{ node: string; role: NodeRole }>;
  /** With `serverCopy`, on a server that offers SCRIPT SHOW and has the script. */
  serverCopy?: ServerCopy;
  /** The server's source, when it differs from the file. */
  serverSource?: string;
}

/** A node that has evicted scripts (INFO stats `evicted_scripts`, Redis 7.4+ and Valkey 8+). */
export interface EvictedScripts {
  node: string;
  evictedScripts: number;
}

export interface ExistsResult {
  rows: ExistsRow[];
  /** Redis or Valkey, and its version. */
  server?: ServerSummary;
  /** Nodes whose `evicted_scripts` is above zero: a client there runs scripts through EVAL. */
  evicted?: EvictedScripts[];
  /** Why SCRIPT SHOW was not asked though `serverCopy` was (the server does not offer it). */
  serverCopyNote?: string;
  /** Scripts missing (on a cluster: on at least one node). */
  missing: number;
  /** Cluster only: the nodes that were asked. */
  cluster?: TopologySummary;
  /** The manifest's Functions libraries, when it has any. */
  libraries?: LibraryExistsRow[];
  /** Libraries missing or holding other code on at least one node. */
  librariesMissing?: number;
}

/** A library is present when every node holds it with the manifest's code. */
export interface LibraryExistsRow {
  library: string;
  sha: string;
  present: boolean;
  /** Nodes without the library. */
  missingOn: Array<{ node: string; role: NodeRole }>;
  /** Nodes holding other code under that name (its SHA1). */
  driftOn: Array<{ node: string; role: NodeRole; sha: string }>;
}

/**
 * The text rscript load sent for a manifest entry: its file with the fragments spliced in; undefined
 * when the file is gone.
 */
function localText(entry: ManifestEntry, manifestFile: string): Buffer | undefined {
  const abs = entryAbsPath(entry, manifestFile);
  let bytes: Buffer;
  try {
    bytes = readFileSync(abs);
  } catch {
    return undefined;
  }
  return assemble(abs, bytes).bytes;
}

/**
 * The manifest name `ref` stands for: a name, the path of a script's file (`lua/x.lua`), or a SHA or
 * the 12 characters the tables print, as `exec` takes them (manifest/resolve.ts resolves it).
 */
function manifestName(ref: string, manifest: Manifest, manifestFile: string, cwd: string): string {
  const entry = manifestEntry(ref, manifest, manifestFile, cwd);
  if (entry) return entry[0];
  if (ref.endsWith('.lua'))
    throw new UsageError(`${ref} is not a script of the manifest ${manifestFile} (rscript load adds it)`);
  throw unknownScript(
    ref,
    Object.keys(manifest.scripts),
    Object.entries(manifest.scripts).map(([name, e]) => ({ name, sha: e.sha })),
  );
}

/**
 * Asks the server, in one SCRIPT EXISTS, whether it has every script of the manifest. On a cluster,
 * every node is asked (replicas too: a replica that lacks a script fails after a failover).
 * @see https://redis.io/commands/script-exists/
 */
export async function exists(options: ExistsOptions): Promise<ExistsResult> {
  const manifest = readManifest(options.manifest);
  if (!manifest) throw new ConfigError(`${options.manifest}: no manifest; run rscript load first`);
  const all = Object.keys(manifest.scripts);
  const cwd = options.cwd ?? process.cwd();
  const libs = manifest.libraries ?? {};
  const libRefs = options.names.filter((ref) => Object.hasOwn(libs, ref) && !Object.hasOwn(manifest.scripts, ref));
  const scriptRefs = options.names.filter((ref) => !libRefs.includes(ref));
  const names =
    options.names.length > 0
      ? [...new Set(scriptRefs.map((ref) => manifestName(ref, manifest, options.manifest, cwd)))]
      : all;
  const libNames = options.names.length > 0 ? libRefs : Object.keys(libs);
  const shas = names.map((n) => manifest.scripts[n]!.sha);
  return withTopology(options.target, {}, async (topology) => {
    const [perNode, evictedPerNode] = await Promise.all([
      Promise.all(topology.nodes.map((node) => scriptExists(node.conn, shas))),
      Promise.all(topology.nodes.map((node) => evictedScripts(node.conn))),
    ]);
    const rows: ExistsRow[] = names.map((name, i) => {
      const lacking = topology.nodes.filter((_, j) => !perNode[j]![i]);
      return {
        name,
        sha: shas[i]!,
        cached: lacking.length === 0,
        ...(topology.cluster ? { missingOn: lacking.map((n) => ({ node: n.label, role: n.role })) } : {}),
      };
    });
    let serverCopyNote: string | undefined;
    if (options.serverCopy) {
      const show = topology.nodes.filter((n) => offersScriptShow(n.conn.server));
      if (show.length === 0) {
        serverCopyNote = `${noScriptShow(topology.server())}: the server's copies cannot be read back`;
      } else {
        await Promise.all(
          rows.map(async (row, i) => {
            // The first node that has it: a copy is the same on every node (same SHA, same bytes).
            const node = show.find((n) => perNode[topology.nodes.indexOf(n)]![i]);
            if (!node) return;
            const copy = await serverCopyOf(
              node.conn,
              row.sha,
              localText(manifest.scripts[row.name]!, options.manifest),
            );
            if (copy.status === 'not cached') return;
            row.serverCopy = copy.status === 'same' ? 'same' : copy.status === 'differs' ? 'differs' : 'no file';
            if (copy.status === 'differs') row.serverSource = copy.source;
          }),
        );
      }
    }
    const evicted = topology.nodes.flatMap((n, j) =>
      evictedPerNode[j]! > 0 ? [{ node: n.label, evictedScripts: evictedPerNode[j]! }] : [],
    );
    const cluster = topology.summary();
    const server = topology.server();
    const result: ExistsResult = {
      rows,
      missing: rows.filter((r) => !r.cached).length,
      ...(server ? { server } : {}),
      ...(evicted.length > 0 ? { evicted } : {}),
      ...(serverCopyNote ? { serverCopyNote } : {}),
      ...(cluster ? { cluster } : {}),
    };
    if (libNames.length > 0) {
      const lists = await Promise.all(topology.nodes.map((node) => functionList(node.conn)));
      result.libraries = libNames.map((library) => {
        const sha = libs[library]!.sha;
        const missingOn: LibraryExistsRow['missingOn'] = [];
        const driftOn: LibraryExistsRow['driftOn'] = [];
        topology.nodes.forEach((node, i) => {
          const held = lists[i]!.get(library);
          if (!held) missingOn.push({ node: node.label, role: node.role });
          else if (held.sha !== sha) driftOn.push({ node: node.label, role: node.role, sha: held.sha });
        });
        return { library, sha, present: missingOn.length === 0 && driftOn.length === 0, missingOn, driftOn };
      });
      result.librariesMissing = result.libraries.filter((l) => !l.present).length;
    }
    return result;
  });
}
