import { CheckFailedError } from '../errors.js';
import type { Target } from '../server/target.js';
import { killOn, type KillOutcome } from '../server/scripts.js';
import { withTopology, type NodeRole, type TopologySummary } from '../server/topology.js';

export interface KillOptions {
  target: Target;
  /**
   * Called when a node accepts the connection but answers nothing within the target's timeout: a
   * script runs there and busy-reply-threshold has not passed yet. kill then waits (up to `waitMs`).
   */
  onBusyWait?: (node: string, waitedMs: number, maxWaitMs: number) => void;
  /** How long to wait for such a node (`--wait`); default KILL_BUSY_WAIT_MS. */
  waitMs?: number;
}

/**
 * How long kill waits, after --timeout, for a node that accepted the connection but is silent. Redis
 * answers once busy-reply-threshold has passed: 5 s by default; a minute covers the values seen set.
 */
export const KILL_BUSY_WAIT_MS = 60_000;

export type { KillOutcome };

export interface KillResult {
  outcome: KillOutcome;
  /** The node that ran the killed script; on a cluster with nothing running, every node, comma-separated. */
  server: string;
  /** Cluster only: each node's answer (primaries and replicas). */
  nodes?: Array<{ node: string; role: NodeRole; outcome: KillOutcome | 'failed'; error?: string }>;
  cluster?: TopologySummary;
}

/**
 * Stops a running script with SCRIPT KILL, sent on a connection of its own (the busy server still
 * answers it, once busy-reply-threshold has passed: before that it answers nothing, and kill waits). A running FUNCTION is stopped with FUNCTION KILL instead. On a cluster, every node
 * (primaries and replicas) is asked.
 * @see https://redis.io/commands/script-kill/
 */
export async function kill(options: KillOptions): Promise<KillResult> {
  const busyWait = {
    maxWaitMs: options.waitMs ?? Math.max(KILL_BUSY_WAIT_MS, options.target.timeoutMs),
    onWait: options.onBusyWait ?? (() => undefined),
  };
  const topologyOptions = { lazy: true, seedOnlyWhenBusy: true, needsLua: false, busyWait };
  return withTopology(options.target, topologyOptions, async (topology) => {
    if (!topology.cluster) {
      const node = topology.nodes[0]!;
      return { outcome: await killOn(node.conn), server: node.label };
    }
    // Every node at once, replicas too (a no-writes script runs on a replica through EVALSHA_RO):
    // any of them may be the busy one, and one kill is a success.
    const all = topology.nodes;
    const settled = await Promise.allSettled(all.map((node) => killOn(node.conn)));
    const nodes: NonNullable<KillResult['nodes']> = all.map((node, i) => {
      const s = settled[i]!;
      return s.status === 'fulfilled'
        ? { node: node.label, role: node.role, outcome: s.value }
        : {
            node: node.label,
            role: node.role,
            outcome: 'failed',
            error: (s.reason as Error)?.message ?? String(s.reason),
          };
    });
    const killed = nodes.filter((n) => n.outcome === 'killed script' || n.outcome === 'killed function');
    const cluster = topology.summary();
    if (killed.length > 0) {
      return {
        outcome: killed[0]!.outcome as KillOutcome,
        server: killed.map((n) => n.node).join(', '),
        nodes,
        cluster,
      };
    }
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    // An UNKILLABLE script (a check failure) says more than a node that could not be reached.
    const failure = failures.find((f) => f instanceof CheckFailedError) ?? failures[0];
    if (failure !== undefined) throw failure;
    return { outcome: 'nothing running', server: nodes.map((n) => n.node).join(', '), nodes, cluster };
  });
}
