/**
 * A bench against a Redis Cluster: every call goes to the primary that owns its keys' slot, and the
 * server-side figures are the sum over the primaries.
 */
import { ConnectionError } from '../errors.js';
import type { Arg, RedisConnection, SendOptions } from '../server/connection.js';
import { keySlot } from '../server/slot.js';
import type { Topology } from '../server/topology.js';
import type { LatencyCdf, ServerSnapshot } from './server-stats.js';
import { takeServerSnapshot } from './snapshot.js';

/**
 * A connection that routes each command by its keys: `EVALSHA sha numkeys key...` by its first key
 * (a script's keys share one slot, or the server refuses them with CROSSSLOT, which the bench
 * reports), any other command (a fixture's setup: SET, HSET, ZADD...) by its first argument.
 * Commands without a key go to the first primary.
 */
export function routedConnection(topology: Topology): RedisConnection {
  const primaries = topology.primaries();
  if (primaries.length === 0) throw new ConnectionError('the cluster has no reachable primary');
  // Slot -> connection, built once: a lookup per call, no allocation.
  const bySlot: RedisConnection[] = new Array(16384);
  for (const node of primaries) for (const [from, to] of node.slots) for (let s = from; s <= to; s++) bySlot[s] = node.conn;
  const fallback = primaries[0]!.conn;
  const route = (args: Arg[]): RedisConnection => {
    const command = String(args[0]).toUpperCase();
    let key: Arg | undefined;
    if (command === 'EVALSHA' || command === 'EVALSHA_RO' || command === 'EVAL') key = Number(args[2]) > 0 ? args[3] : undefined;
    else key = args[1];
    return key === undefined ? fallback : (bySlot[keySlot(key)] ?? fallback);
  };
  return {
    label: `cluster of ${primaries.length} primaries`,
    send: (args: Arg[], options?: SendOptions) => route(args).send(args, options),
    close: async () => undefined, // the topology owns the connections
  };
}

/** `takeServerSnapshot` on every primary, added up: calls and time, and the latency histograms. */
export async function clusterSnapshot(topology: Topology): Promise<ServerSnapshot> {
  const snapshots = await Promise.all(topology.primaries().map((node) => takeServerSnapshot(node.conn)));
  return mergeSnapshots(snapshots);
}

/** Sums snapshots of several nodes; a figure is available only when every node gave it. */
export function mergeSnapshots(snapshots: ServerSnapshot[]): ServerSnapshot {
  const statsAvailable = snapshots.every((s) => s.statsAvailable);
  const latencyAvailable = snapshots.every((s) => s.latencyAvailable);
  const out: ServerSnapshot = { statsAvailable, latencyAvailable };
  if (statsAvailable) {
    const stats = snapshots.map((s) => s.stats).filter((s) => s !== undefined);
    if (stats.length > 0) {
      out.stats = stats.reduce((a, b) => ({
        calls: a.calls + b.calls,
        usec: a.usec + b.usec,
        failedCalls: a.failedCalls + b.failedCalls,
        rejectedCalls: a.rejectedCalls + b.rejectedCalls,
      }));
    }
  }
  if (latencyAvailable) {
    const cdfs = snapshots.map((s) => s.latency).filter((l): l is LatencyCdf => l !== undefined);
    if (cdfs.length > 0) out.latency = mergeCdfs(cdfs);
  }
  return out;
}

/** Adds cumulative histograms: at each bucket bound, the sum of every node's count up to it. */
export function mergeCdfs(cdfs: LatencyCdf[]): LatencyCdf {
  const bounds = [...new Set(cdfs.flatMap((c) => c.buckets.map(([upper]) => upper)))].sort((a, b) => a - b);
  const upTo = (cdf: LatencyCdf, bound: number) => {
    let count = 0;
    for (const [upper, cumulative] of cdf.buckets) if (upper <= bound) count = cumulative;
    return count;
  };
  return {
    calls: cdfs.reduce((n, c) => n + c.calls, 0),
    buckets: bounds.map((b) => [b, cdfs.reduce((n, c) => n + upTo(c, b), 0)] as [number, number]),
  };
}
