import type { Target } from '../server/connection.js';
import { scriptFlush } from '../server/scripts.js';
import { withTopology, type NodeRole, type TopologySummary } from '../server/topology.js';

export interface FlushOptions {
  mode?: 'ASYNC' | 'SYNC';
  target: Target;
}

export interface FlushResult {
  flushed: true;
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
    await Promise.all(topology.nodes.map((node) => scriptFlush(node.conn, options.mode)));
    const server = topology.nodes.map((n) => n.label).join(', ');
    if (!topology.cluster) return { flushed: true, mode: options.mode ?? 'default', server };
    return {
      flushed: true,
      mode: options.mode ?? 'default',
      server,
      nodes: topology.nodes.map((n) => ({ node: n.label, role: n.role })),
      cluster: topology.summary(),
    };
  });
}
