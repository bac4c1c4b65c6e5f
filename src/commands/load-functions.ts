/**
 * `load` for Redis Functions libraries: the lockfile's library entries, and the safe deploy on every
 * primary. FUNCTION LOAD REPLACE only where a node's code differs; each changed primary's FUNCTION
 * DUMP is kept first, and when any load fails every node already changed gets its dump back, so that
 * no cluster is left running two versions of a library.
 */
import { resolve, sep } from 'node:path';
import { CheckFailedError } from '../errors.js';
import { manifestPaths, type LibraryEntry, type Manifest } from '../manifest/manifest.js';
import type { LocalStatus } from '../manifest/plan.js';
import type { LocalLibrary } from '../registry/library.js';
import { functionDump, functionList, functionLoad, functionRestore, type ServerLibrary } from '../server/functions.js';
import type { NodeRole, Topology, TopologyNode } from '../server/topology.js';
import { locateFunctionError } from '../redis/script-errors.js';
import { lineMapper } from '../registry/include.js';

/** What happened to a library on one node. */
export type LibraryAction = 'added' | 'replaced' | 'unchanged' | 'would add' | 'would replace' | 'received' | 'lagging';

export interface LibraryRow {
  library: string;
  path: string;
  sha: string;
  size: number;
  status: LocalStatus;
  functions: Array<{ name: string; flags: string[] }>;
  /** For a changed library that includes fragments: the files whose bytes changed (a fragment edited). */
  changedSources?: string[];
  /** Every node asked: primaries (written) and replicas (checked). */
  nodes: Array<{ node: string; role: NodeRole; action: LibraryAction }>;
}

/** A replica that did not show the new code within the wait. */
export interface LaggingReplica {
  node: string;
  primary?: string;
  libraries: string[];
}

export interface LibraryPlan {
  rows: LibraryRow[];
  removed: string[];
  next: Record<string, LibraryEntry>;
  changed: boolean;
}

/** Local libraries against the manifest's: new, changed, unchanged, removed, and the next entries. */
export function planLibraries(
  libraries: LocalLibrary[],
  manifest: Manifest | null,
  manifestFile: string,
  roots: string[],
  cwd: string,
): LibraryPlan {
  const previous = manifest?.libraries ?? {};
  const paths = manifestPaths(manifestFile);
  const absRoots = roots.map((r) => resolve(cwd, r));
  const under = (abs: string) =>
    absRoots.some((root) => abs === root || abs.startsWith(root.endsWith(sep) ? root : root + sep));
  const next: Record<string, LibraryEntry> = {};
  const removed: string[] = [];
  const local = new Set(libraries.map((l) => l.library));
  for (const [name, entry] of Object.entries(previous)) {
    if (!under(paths.absPath({ ...entry, flags: [] }))) next[name] = entry;
    else if (!local.has(name)) removed.push(name);
  }
  const rows: LibraryRow[] = libraries.map((lib) => {
    const { path, sources } = paths.entryFor(lib.script);
    const functions: LibraryEntry['functions'] = {};
    // In the lockfile's order (sorted), so that an entry read back compares equal.
    for (const fn of [...lib.functions].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) {
      functions[fn.name] = { flags: fn.flags, keys: fn.keys, args: fn.args };
      if (fn.minKeys !== undefined) functions[fn.name]!.minKeys = fn.minKeys;
      if (fn.minArgs !== undefined) functions[fn.name]!.minArgs = fn.minArgs;
    }
    const entry: LibraryEntry = { path, sha: lib.script.sha, size: lib.script.size, functions };
    if (sources) entry.sources = sources;
    next[lib.library] = entry;
    const before = previous[lib.library];
    const status: LocalStatus = !before
      ? 'new'
      : JSON.stringify(before) === JSON.stringify(entry)
        ? 'unchanged'
        : 'changed';
    const was = new Map((before?.sources ?? []).map((src) => [src.path, src.sha]));
    const changedSources =
      status === 'changed' && sources
        ? sources.filter((src) => was.get(src.path) !== src.sha).map((src) => src.path)
        : [];
    return {
      library: lib.library,
      path: lib.script.path,
      ...(changedSources.length > 0 ? { changedSources } : {}),
      sha: lib.script.sha,
      size: lib.script.size,
      status,
      functions: lib.functions.map((f) => ({ name: f.name, flags: f.flags })),
      nodes: [],
    };
  });
  const changed =
    manifest === null ||
    removed.length > 0 ||
    rows.some((r) => r.status !== 'unchanged') ||
    (manifest.libraries === undefined) !== (Object.keys(next).length === 0);
  return { rows, removed, next, changed };
}

export interface SyncLibrariesOptions {
  dryRun?: boolean;
  /** How long replicas get to show the new code (ms). */
  replicaWaitMs?: number;
  /** Said in the failure's last line: what became of the manifest. */
  manifestNote: string;
}

/**
 * Brings every primary's libraries to the local code, then checks the replicas. Fills `rows[].nodes`;
 * returns the replicas that lag. Throws (after the rollback) when a load failed.
 */
export async function syncLibraries(
  topology: Topology,
  libraries: LocalLibrary[],
  rows: LibraryRow[],
  options: SyncLibrariesOptions,
): Promise<LaggingReplica[]> {
  if (libraries.length === 0) return [];
  const nodes = topology.nodes;
  const lists = await Promise.all(nodes.map((n) => functionList(n.conn)));
  const listOf = new Map(nodes.map((n, i) => [n, lists[i]!]));
  const primaries = nodes.filter((n) => n.role === 'primary');
  const todo = new Map<TopologyNode, LocalLibrary[]>();
  for (const node of primaries) {
    const held = listOf.get(node)!;
    const changes = libraries.filter((lib) => held.get(lib.library)?.sha !== lib.script.sha);
    if (changes.length > 0) todo.set(node, changes);
  }
  const actionOn = (node: TopologyNode, lib: LocalLibrary, done: boolean): LibraryAction => {
    const held = listOf.get(node)!.get(lib.library);
    if (held?.sha === lib.script.sha) return 'unchanged';
    if (options.dryRun || !done) return held ? 'would replace' : 'would add';
    return held ? 'replaced' : 'added';
  };
  const fill = (done: boolean) =>
    libraries.forEach((lib, i) => {
      rows[i]!.nodes = primaries.map((node) => ({
        node: node.label,
        role: node.role,
        action: actionOn(node, lib, done),
      }));
    });
  if (options.dryRun || todo.size === 0) {
    fill(false);
    if (todo.size === 0) return checkReplicas(topology, libraries, rows, listOf, 0);
    return [];
  }

  // Each changed primary's libraries as they are, before anything is written.
  const dumps = new Map<TopologyNode, Buffer>();
  await Promise.all([...todo.keys()].map(async (node) => dumps.set(node, await functionDump(node.conn))));
  const failures: Array<{ node: TopologyNode; lib: LocalLibrary; error: string }> = [];
  const changedNodes: Array<{ node: TopologyNode; loaded: string[] }> = [];
  await Promise.all(
    [...todo].map(async ([node, libs]) => {
      const loaded: string[] = [];
      for (const lib of libs) {
        const error = await functionLoad(node.conn, lib.script.bytes, true);
        if (error !== undefined) {
          failures.push({ node, lib, error });
          break;
        }
        loaded.push(lib.library);
      }
      if (loaded.length > 0) changedNodes.push({ node, loaded });
    }),
  );
  if (failures.length > 0) throw await rollBack(failures, changedNodes, dumps, listOf, options.manifestNote);
  fill(true);
  return checkReplicas(topology, libraries, rows, listOf, options.replicaWaitMs ?? 2000);
}

/**
 * FUNCTION RESTORE of each changed node's dump with the FLUSH policy: the node gets back exactly the
 * libraries it had (REPLACE would keep a library the failed deploy added). Returns the error to throw.
 */
async function rollBack(
  failures: Array<{ node: TopologyNode; lib: LocalLibrary; error: string }>,
  changed: Array<{ node: TopologyNode; loaded: string[] }>,
  dumps: Map<TopologyNode, Buffer>,
  listOf: Map<TopologyNode, Map<string, ServerLibrary>>,
  manifestNote: string,
): Promise<CheckFailedError> {
  const restored: string[] = [];
  const notRestored: string[] = [];
  await Promise.all(
    changed.map(async ({ node, loaded }) => {
      try {
        await functionRestore(node.conn, dumps.get(node)!, 'FLUSH');
        restored.push(`${node.label} (${loaded.join(', ')})`);
      } catch (err) {
        notRestored.push(
          `${node.label}: FUNCTION RESTORE failed (${(err as Error).message}); it runs the new code of ${loaded.join(', ')}`,
        );
      }
    }),
  );
  // The same error on every node (a compile error) is said once, with the nodes it came from.
  const byError = new Map<string, { text: string; source?: string; nodes: string[] }>();
  for (const f of failures) {
    const located = locateFunctionError(f.error, f.lib.script.path, f.lib.script.bytes, lineMapper(f.lib.script.map));
    let text = located.text;
    const taken = /^ERR Function (\S+) already exists/.exec(f.error)?.[1];
    if (taken) {
      const owner = [...listOf.get(f.node)!.values()].find(
        (l) => l.name !== f.lib.library && l.functions.some((fn) => fn.name === taken),
      );
      if (owner)
        text += ` (library "${owner.name}" on that node defines it: rename the function, or FUNCTION DELETE ${owner.name} there)`;
    }
    const seen = byError.get(text);
    if (seen) seen.nodes.push(f.node.label);
    else byError.set(text, { text, source: located.source, nodes: [f.node.label] });
  }
  const [first, ...others] = [...byError.values()];
  const lines: string[] = [];
  if (first!.source) lines.push(first!.source);
  for (const o of others) lines.push(`${o.text} (on ${o.nodes.join(', ')})`);
  lines.push(
    restored.length > 0
      ? `rolled back to the libraries they had (FUNCTION RESTORE ... FLUSH): ${restored.join('; ')}`
      : 'nothing was changed on any node (every load that was sent failed)',
  );
  lines.push(...notRestored);
  lines.push(manifestNote);
  const where = first!.nodes.length === 1 ? `${first!.nodes[0]}: ` : `on ${first!.nodes.length} nodes: `;
  return new CheckFailedError(`FUNCTION LOAD failed ${where}${first!.text}`, lines);
}

/**
 * Each replica must show every local library with the local code (they come by replication): asked
 * until `waitMs` has passed. The replicas that still lack one are returned, and marked `lagging`.
 */
async function checkReplicas(
  topology: Topology,
  libraries: LocalLibrary[],
  rows: LibraryRow[],
  listOf: Map<TopologyNode, Map<string, ServerLibrary>>,
  waitMs: number,
): Promise<LaggingReplica[]> {
  const replicas = topology.nodes.filter((n) => n.role === 'replica');
  const behind = (held: Map<string, ServerLibrary>) =>
    libraries.filter((lib) => held.get(lib.library)?.sha !== lib.script.sha).map((l) => l.library);
  const deadline = Date.now() + waitMs;
  let lagging = replicas
    .map((node) => ({ node, missing: behind(listOf.get(node)!) }))
    .filter((r) => r.missing.length > 0);
  while (lagging.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    const again = await Promise.all(
      lagging.map(async (r) => ({ node: r.node, missing: behind(await functionList(r.node.conn)) })),
    );
    lagging = again.filter((r) => r.missing.length > 0);
  }
  const late = new Map(lagging.map((r) => [r.node, r.missing]));
  libraries.forEach((lib, i) => {
    for (const node of replicas) {
      const missing = late.get(node)?.includes(lib.library);
      const before = listOf.get(node)!.get(lib.library)?.sha === lib.script.sha;
      rows[i]!.nodes.push({
        node: node.label,
        role: 'replica',
        action: missing ? 'lagging' : before ? 'unchanged' : 'received',
      });
    }
  });
  const primaryLabel = (id?: string) => topology.nodes.find((n) => n.id === id)?.label;
  return lagging.map((r) => ({
    node: r.node.label,
    ...(primaryLabel(r.node.primaryId) ? { primary: primaryLabel(r.node.primaryId) } : {}),
    libraries: r.missing,
  }));
}
