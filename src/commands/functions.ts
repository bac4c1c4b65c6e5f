/**
 * `rscript functions dump|restore`: the Functions libraries of every primary as one FUNCTION DUMP
 * payload, and that payload restored on every primary, for the empty-start and disaster cases. The
 * payload is the server's own binary format (what `redis-cli --raw FUNCTION DUMP` prints), so either
 * tool reads the other's file.
 */
import { CheckFailedError } from '../errors.js';
import type { Target } from '../server/target.js';
import { functionDump, functionList, functionRestore, type RestorePolicy } from '../server/functions.js';
import { withTopology, type NodeRole, type TopologySummary } from '../server/topology.js';

export interface FunctionsDumpResult {
  /** The payload (FUNCTION DUMP of one primary: every primary holds the same libraries). */
  payload: Buffer;
  libraries: Array<{ library: string; functions: string[] }>;
  /** The primaries that were read. */
  nodes: Array<{ node: string; role: NodeRole }>;
  cluster?: TopologySummary;
}

/**
 * FUNCTION LIST WITHCODE on every primary, then one FUNCTION DUMP. Primaries that hold different
 * libraries (drift) make the dump an error: which one would be the backup?
 * @see https://redis.io/commands/function-dump/
 */
export async function functionsDump(options: { target: Target }): Promise<FunctionsDumpResult> {
  return withTopology(options.target, {}, async (topology) => {
    const primaries = topology.primaries();
    const lists = await Promise.all(primaries.map((n) => functionList(n.conn)));
    const shape = (list: (typeof lists)[number]) =>
      JSON.stringify([...list.values()].map((l) => [l.name, l.sha]).sort());
    const first = shape(lists[0]!);
    const differing = primaries.filter((_, i) => shape(lists[i]!) !== first);
    if (differing.length > 0) {
      throw new CheckFailedError(
        `the primaries hold different libraries (${primaries[0]!.label} and ${differing.map((n) => n.label).join(', ')} differ): nothing dumped`,
        ['rscript exists shows which node drifts; rscript load brings every primary to the code of the tree.'],
      );
    }
    const payload = await functionDump(primaries[0]!.conn);
    const cluster = topology.summary();
    return {
      payload,
      libraries: [...lists[0]!.values()]
        .map((l) => ({ library: l.name, functions: l.functions.map((f) => f.name).sort() }))
        .sort((a, b) => (a.library < b.library ? -1 : 1)),
      nodes: primaries.map((n) => ({ node: n.label, role: n.role })),
      ...(cluster ? { cluster } : {}),
    };
  });
}

export interface FunctionsRestoreResult {
  policy: RestorePolicy;
  /** The libraries each primary holds after the restore. */
  libraries: string[];
  nodes: Array<{ node: string; role: NodeRole }>;
  cluster?: TopologySummary;
}

/**
 * FUNCTION RESTORE on every primary (replicas follow them). Each primary's libraries are dumped first;
 * when the restore fails on one (APPEND over a library it has, a payload it cannot read), every
 * primary already restored gets its dump back, as `load` does.
 * @see https://redis.io/commands/function-restore/
 */
export async function functionsRestore(options: {
  target: Target;
  payload: Buffer;
  policy: RestorePolicy;
  file: string;
}): Promise<FunctionsRestoreResult> {
  return withTopology(options.target, {}, async (topology) => {
    const primaries = topology.primaries();
    const dumps = await Promise.all(primaries.map((n) => functionDump(n.conn)));
    const outcomes = await Promise.allSettled(
      primaries.map((n) => functionRestore(n.conn, options.payload, options.policy)),
    );
    const failed = outcomes.flatMap((o, i) =>
      o.status === 'rejected' ? [{ node: primaries[i]!, error: (o.reason as Error).message }] : [],
    );
    if (failed.length > 0) {
      const restored = primaries.filter((_, i) => outcomes[i]!.status === 'fulfilled');
      await Promise.all(restored.map((n) => functionRestore(n.conn, dumps[primaries.indexOf(n)]!, 'FLUSH')));
      const errors = [...new Set(failed.map((f) => f.error))];
      throw new CheckFailedError(
        `FUNCTION RESTORE ${options.policy} of ${options.file} failed on ${failed.map((f) => f.node.label).join(', ')}: ${errors[0]}`,
        [
          ...errors.slice(1),
          restored.length > 0
            ? `rolled back to the libraries they had: ${restored.map((n) => n.label).join(', ')}`
            : 'no node was changed',
          ...(/already exists/.test(errors[0]!)
            ? ['--policy replace overwrites libraries of the same name; --policy flush deletes every library first']
            : []),
        ],
      );
    }
    const after = await functionList(primaries[0]!.conn);
    const cluster = topology.summary();
    return {
      policy: options.policy,
      libraries: [...after.keys()].sort(),
      nodes: primaries.map((n) => ({ node: n.label, role: n.role })),
      ...(cluster ? { cluster } : {}),
    };
  });
}
