/**
 * A bench against a Redis Cluster: every call goes to the primary that owns its keys' slot (a keyless
 * script's to the node its fixture prepared), and the server-side figures are the sum over the
 * primaries.
 */
import { ConnectionError } from '../errors.js';
import { COMMAND_TABLE, commandKeys } from '../redis/commands.js';
import type { Arg, RedisConnection, SendOptions } from '../server/connection.js';
import { keySlot, SLOT_COUNT } from '../redis/slot.js';
import type { Topology, TopologyNode } from '../server/topology.js';
import { slotDrawnPerCall } from './rand-int.js';
import type { LatencyCdf, ServerSnapshot } from '../redis/server-stats.js';
import { takeServerSnapshot } from '../server/snapshot.js';

/** What the routing of one script's bench on a cluster looks at. */
export interface RoutedBench {
  name: string;
  /** The script's keys, `__rand_int__` not drawn yet. */
  keys: readonly string[];
  /** The fixture's setup commands. */
  setup: readonly string[][];
}

/** Gives each script's bench its connections; `label` names the server in the report. */
export interface BenchRouter {
  label: string;
  route(bench: RoutedBench): BenchRoute;
}

/** How one script's bench runs: where its commands go. */
export interface BenchRoute {
  /** Sends the script's calls and its setup commands, each to its node. */
  conn: RedisConnection;
  /**
   * `count` connections for the calls (`-c`, as redis-benchmark's clients): `conn` first, then new
   * ones (on a cluster, each made of a new connection to every node the calls go to); `close` closes
   * the new ones.
   */
  connections(count: number): Promise<BenchConnections>;
  /** For a keyless script: the one node it ran on, and why that one. */
  note?: string;
}

export interface BenchConnections {
  conns: RedisConnection[];
  close(): Promise<void>;
}

/** The router of a standalone server: every command on its one node. */
export function nodeRouter(topology: Topology): BenchRouter {
  const node = topology.nodes[0]!;
  const route: BenchRoute = {
    conn: node.conn,
    connections: (count) =>
      openConnections(node.conn, count, async () => {
        const conn = await topology.openConnection(node);
        return { conn, close: () => conn.close() };
      }),
  };
  return { label: node.conn.label, route: () => route };
}

/** `first`, and `count - 1` more from `open`; when one cannot be opened, the others are closed. */
async function openConnections(
  first: RedisConnection,
  count: number,
  open: () => Promise<{ conn: RedisConnection; close(): Promise<void> }>,
): Promise<BenchConnections> {
  const settled = await Promise.allSettled(Array.from({ length: Math.max(0, count - 1) }, open));
  const opened = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const close = async () => {
    await Promise.all(opened.map((o) => o.close()));
  };
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) {
    await close();
    throw failed.reason;
  }
  return { conns: [first, ...opened.map((o) => o.conn)], close };
}

/**
 * The router of a cluster's benches: gives each script's bench a connection that sends every command
 * to its node.
 * - `EVALSHA sha numkeys key...` (and `FCALL fn numkeys key...`) goes to the primary of its first key's slot (a script's keys share
 *   one slot, or the server refuses them with CROSSSLOT, which the bench reports).
 * - A keyless script (numkeys 0) sees only the keys of the node it runs on (a SCAN, a DBSIZE), so it
 *   runs on the node its fixture's setup wrote to when that is one node, else on the first primary.
 * - A setup command goes by its first key where the command table puts it (BITOP's is its third
 *   word; a command the table does not know, by its second word); one without keys (CONFIG SET,
 *   FLUSHALL) goes to every node the script's calls go to, so that it prepares what is measured.
 */
export function clusterRouter(topology: Topology): BenchRouter {
  const primaries = topology.primaries();
  if (primaries.length === 0) throw new ConnectionError('the cluster has no reachable primary');
  // Slot -> node, built once: a lookup per call, no allocation.
  const bySlot: TopologyNode[] = new Array(SLOT_COUNT);
  for (const node of primaries) for (const [from, to] of node.slots) for (let s = from; s <= to; s++) bySlot[s] = node;
  const first = primaries[0]!;
  const nodeOf = (key: Arg): TopologyNode => bySlot[keySlot(key)] ?? first;
  const label = `cluster of ${primaries.length} primaries`;
  const route = (bench: RoutedBench): BenchRoute => {
    let runsOn: TopologyNode[];
    let note: string | undefined;
    if (bench.keys.length > 0) {
      runsOn = slotDrawnPerCall(bench.keys[0]!) ? primaries : [nodeOf(bench.keys[0]!)];
    } else {
      const wrote = [...new Set(bench.setup.flatMap(setupKeys).map(nodeOf))];
      const node = wrote.length === 1 ? wrote[0]! : first;
      runsOn = [node];
      const why =
        wrote.length === 1
          ? ', where its setup wrote'
          : wrote.length > 1
            ? ` only (its setup wrote to ${wrote.length} nodes)`
            : ' only';
      note = `${bench.name} takes no keys: run on ${node.label}${why}`;
    }
    /** A connection that sends each command to its node's connection in `connOf`. */
    const routed = (connOf: (node: TopologyNode) => RedisConnection): RedisConnection => {
      const keyless = runsOn.map(connOf);
      const send = (args: Arg[], options?: SendOptions): Promise<unknown> => {
        const key = keyOf(args);
        if (key !== undefined) return connOf(nodeOf(key)).send(args, options);
        if (keyless.length === 1) return keyless[0]!.send(args, options);
        // The replies of the nodes are alike (OK): the first stands for all; an error reply fails all.
        return Promise.all(keyless.map((conn) => conn.send(args, options))).then(([reply]) => reply);
      };
      return { label, send, close: async () => undefined };
    };
    const conn = routed((node) => node.conn); // the topology owns these connections
    // More connections for the calls: each a new connection to every node the calls go to.
    const more = async () => {
      const own = new Map<TopologyNode, RedisConnection>();
      const close = async () => {
        await Promise.all([...own.values()].map((c) => c.close()));
      };
      try {
        for (const node of runsOn) own.set(node, await topology.openConnection(node));
      } catch (err) {
        await close();
        throw err;
      }
      return { conn: routed((node) => own.get(node) ?? node.conn), close };
    };
    return {
      conn,
      connections: (count: number) => openConnections(conn, count, more),
      ...(note !== undefined ? { note } : {}),
    };
  };
  return { label, route };
}

/** The key a command is routed by: an EVALSHA's first key, a setup command's first key; undefined without. */
function keyOf(args: Arg[]): Arg | undefined {
  const command = String(args[0]).toUpperCase();
  // FCALL name numkeys key... has its keys where EVALSHA sha numkeys key... has them.
  if (
    command === 'EVALSHA' ||
    command === 'EVALSHA_RO' ||
    command === 'EVAL' ||
    command === 'FCALL' ||
    command === 'FCALL_RO'
  )
    return Number(args[2]) > 0 ? args[3] : undefined;
  return setupKeys(args.map(String))[0];
}

/**
 * A setup command's keys: from the command table; for a command the table lacks (a module's), its
 * second word, where most commands keep their key; none for an unknown subcommand of a command it
 * knows (`CLIENT NO-TOUCH`, newer than the table), whose second word is that subcommand.
 */
export function setupKeys(argv: readonly string[]): string[] {
  const keys = commandKeys(argv);
  if (keys) return keys;
  return Object.hasOwn(COMMAND_TABLE.commands, (argv[0] ?? '').toLowerCase()) ? [] : argv.slice(1, 2);
}

/** `takeServerSnapshot` on every primary, added up: calls and time, and the latency histograms. */
export async function clusterSnapshot(topology: Topology, command?: string): Promise<ServerSnapshot> {
  const snapshots = await Promise.all(topology.primaries().map((node) => takeServerSnapshot(node.conn, command)));
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
