import type { Target } from '../server/target.js';
import { functionFlush } from '../server/functions.js';
import { scriptFlush } from '../server/scripts.js';
import { withTopology, type NodeRole, type TopologySummary } from '../server/topology.js';

export interface FlushOptions {
  mode?: 'ASYNC' | 'SYNC';
  /** FUNCTION FLUSH (every library) on the primaries instead of SCRIPT FLUSH. */
  functions?: boolean;
  target: Target;
}

export interface FlushResult {
  flushed: true;
  /** Set when the Functions libraries were deleted (`--functions`) rather than the script cache. */
  what?: 'functions';
  mode: 'ASYNC' | 'SYNC' | 'default';
  /** `host:port`; on a cluster, every node's, comma-separated. */
  server: string;
  /** Cluster only: every node that was flushed. */
  nodes?: Array<{ node: string; role: NodeRole }>;
  cluster?: TopologySummary;
}

/**
 * Empties the server's script cache; on a cluster, every node's (SCRIPT FLUSH is not replicated).
 * Confirmation is the caller's business (the CLI asks).
 * @see https://redis.io/commands/script-flush/
 */
export async function flush(options: FlushOptions): Promise<FlushResult> {
  return withTopology(options.target, { needsLua: false }, async (topology) => {
    // Functions are data: FUNCTION FLUSH is a write, sent to primaries, and replicas follow them.
    const targets = options.functions ? topology.primaries() : topology.nodes;
    await Promise.all(
      targets.map((node) =>
        options.functions ? functionFlush(node.conn, options.mode) : scriptFlush(node.conn, options.mode),
      ),
    );
    const server = targets.map((n) => n.label).join(', ');
    const what = options.functions ? { what: 'functions' as const } : {};
    if (!topology.cluster) return { flushed: true, ...what, mode: options.mode ?? 'default', server };
    return {
      flushed: true,
      ...what,
      mode: options.mode ?? 'default',
      server,
      nodes: targets.map((n) => ({ node: n.label, role: n.role })),
      cluster: topology.summary(),
    };
  });
}
