/**
 * Node fan-out: which nodes a command talks to. A standalone server is a topology of one primary, so
 * every command is written once against `nodes`, `primaries()` and `nodeForSlot()`. A cluster's nodes
 * come from CLUSTER SHARDS (7.0+) or CLUSTER NODES, and each gets its own connection with the URL's
 * credentials and TLS.
 */
import { ConnectionError, UsageError } from '../errors.js';
import {
  asRecord,
  parseClusterNodes,
  parseClusterShards,
  type ClusterNodeInfo,
  type NodeRole,
} from './cluster-nodes.js';
import { type BusyWait, connectNode, type Arg, type RedisConnection, type SendOptions } from './connection.js';
import { isBusyFailure, noLuaError, replyCode } from './failures.js';
import { nodeLabel, parseTarget, type ParsedUrl, type Target } from './target.js';

import { describeServers, type ServerIdentity } from './identity.js';

export type { NodeRole } from './cluster-nodes.js';

/** One node rscript talks to. */
export interface TopologyNode {
  conn: RedisConnection;
  /** `host:port` as the cluster announces it (the URL's host:port for a standalone server). */
  label: string;
  role: NodeRole;
  id?: string;
  /** A replica's primary. */
  primaryId?: string;
  /** Inclusive slot ranges a primary serves (cluster only). */
  slots: Array<[number, number]>;
}

/** Redis or Valkey, and its version, as `--json` reports it. */
export interface ServerSummary {
  flavour: string;
  version: string;
  /** `Redis 8.0.2`; on a cluster whose nodes differ (a rolling upgrade): each with its count. */
  name: string;
}

/** A node the cluster lists but rscript cannot use (it is marked failed, or has no address yet). */
export interface SkippedNode {
  label: string;
  role: NodeRole;
  id: string;
  reason: string;
}

/** The cluster's shape as commands report it in `--json` (absent for a standalone server). */
export interface TopologySummary {
  nodes: Array<{ node: string; role: NodeRole; id?: string; slots?: string }>;
  skipped: SkippedNode[];
  /** Set when only the node of the URL could be asked (it was busy running a script). */
  note?: string;
}

export interface TopologyOptions {
  /** Treat the server as a cluster (`--cluster`, config `cluster: true`): an error if it is not one. */
  cluster?: boolean;
  /** Connect to a node when it is first used (exec, kill) instead of to every node up front. */
  lazy?: boolean;
  /** When the URL's node is busy running a script, use it alone instead of failing (kill). */
  seedOnlyWhenBusy?: boolean;
  /** Wait for a node whose socket accepts but whose handshake is unanswered (kill: a script before busy-reply-threshold). */
  busyWait?: BusyWait;
  /**
   * The command loads or runs Lua (default true): a server without Lua is refused at connect with
   * one clear error. flush and kill work there and say false.
   */
  needsLua?: boolean;
}

/** The nodes of one server or cluster, with open connections. */
export interface Topology {
  readonly cluster: boolean;
  readonly nodes: readonly TopologyNode[];
  readonly skipped: readonly SkippedNode[];
  primaries(): TopologyNode[];
  /** The node that serves `slot`: its primary, or with `readOnly` one of that primary's replicas when it has one. */
  nodeForSlot(slot: number, options?: { readOnly?: boolean }): TopologyNode;
  /**
   * Runs `fn` on the node for `slot` (any primary when undefined). A MOVED reply (a failover or a slot
   * moved since the node list was read) refreshes the node list once and runs `fn` again.
   */
  onSlot<T>(
    slot: number | undefined,
    options: { readOnly?: boolean },
    fn: (node: TopologyNode) => Promise<T>,
  ): Promise<T>;
  /** Reads the node list again, keeping the connections of nodes that are still there. */
  refresh(): Promise<void>;
  /** A new connection to `node`, with the URL's credentials and TLS, owned by the caller (bench's `-c`). */
  openConnection(node: TopologyNode): Promise<RedisConnection>;
  /** Per-node detail for `--json`; undefined for a standalone server. */
  summary(): TopologySummary | undefined;
  /** The server's flavour and version (the URL's node; on a cluster, every connected node's). */
  server(): ServerSummary | undefined;
  close(): Promise<void>;
}

/** Runs `fn` with the topology of the target and closes every connection afterwards, also on error. */
export async function withTopology<T>(
  target: Target,
  options: TopologyOptions,
  fn: (topology: Topology) => Promise<T>,
): Promise<T> {
  const topology = await openTopology(target, options);
  try {
    return await fn(topology);
  } finally {
    await topology.close();
  }
}

/**
 * Connects to the target and finds out what it is: `HELLO 3` reports `mode: cluster` (HELLO needs no
 * ACL permission and is answered even while a script runs, unlike INFO).
 * @see https://redis.io/commands/hello/
 */
export async function openTopology(target: Target, options: TopologyOptions = {}): Promise<Topology> {
  options = { cluster: target.cluster, ...options };
  const parsed = parseTarget(target);
  const seed = await connectNode(parsed, target, {}, options.busyWait);
  try {
    // The handshake's HELLO already says whether this is a cluster node: no second round trip.
    const hello = asRecord(seed.hello ?? (await seed.send(['HELLO', '3'])));
    if ((options.needsLua ?? true) && seed.server && !seed.server.lua) throw noLuaError(seed.label, seed.server);
    const mode = String(hello.mode ?? 'standalone');
    if (mode !== 'cluster') {
      if (options.cluster) {
        throw new UsageError(
          `cluster mode was asked for (--cluster or "cluster": true in the config), but ${seed.label} runs in ${mode} mode`,
          ['Drop --cluster (rscript detects a cluster by itself), or point --url at a node of the cluster.'],
        );
      }
      return new ServerTopology(
        parsed,
        target,
        options,
        seed,
        false,
        [{ conn: seed, label: seed.label, role: 'primary', slots: [] }],
        [],
      );
    }
    const topology = new ServerTopology(parsed, target, options, seed, true, [], []);
    try {
      await topology.refresh();
    } catch (err) {
      if (!(options.seedOnlyWhenBusy && isBusyFailure(err))) throw err;
      topology.useSeedOnly(
        `${seed.label} is busy running a script, so the node list could not be read: only that node was asked`,
      );
    }
    return topology;
  } catch (err) {
    await seed.close();
    throw err;
  }
}

class ServerTopology implements Topology {
  #nodes: TopologyNode[];
  #skipped: SkippedNode[];
  #note: string | undefined;
  /** Each cluster node's address as the cluster announces it, by label. */
  readonly #addresses = new Map<string, { host: string; port: number }>();
  readonly #readOnlySent = new Set<RedisConnection>();

  constructor(
    private readonly parsed: ParsedUrl,
    private readonly target: Target,
    private readonly options: TopologyOptions,
    private readonly seed: RedisConnection,
    readonly cluster: boolean,
    nodes: TopologyNode[],
    skipped: SkippedNode[],
  ) {
    this.#nodes = nodes;
    this.#skipped = skipped;
  }

  get nodes(): readonly TopologyNode[] {
    return this.#nodes;
  }

  get skipped(): readonly SkippedNode[] {
    return this.#skipped;
  }

  primaries(): TopologyNode[] {
    return this.#nodes.filter((n) => n.role === 'primary');
  }

  nodeForSlot(slot: number, options: { readOnly?: boolean } = {}): TopologyNode {
    if (!this.cluster || this.#note) return this.#nodes[0]!;
    const primary = this.#nodes.find(
      (n) => n.role === 'primary' && n.slots.some(([from, to]) => slot >= from && slot <= to),
    );
    if (!primary) {
      throw new ConnectionError(`no node of the cluster serves slot ${slot}`, [
        'Check the cluster with: redis-cli --cluster check HOST:PORT',
      ]);
    }
    if (options.readOnly) {
      const replica = this.#nodes.find((n) => n.role === 'replica' && n.primaryId === primary.id);
      if (replica) return replica;
    }
    return primary;
  }

  async onSlot<T>(
    slot: number | undefined,
    options: { readOnly?: boolean },
    fn: (node: TopologyNode) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const node = slot === undefined ? this.#anyPrimary() : this.nodeForSlot(slot, options);
      // A cluster replica answers reads for its primary's slots only after READONLY; without it, MOVED.
      if (this.cluster && node.role === 'replica' && !this.#readOnlySent.has(node.conn)) {
        await node.conn.send(['READONLY']);
        this.#readOnlySent.add(node.conn);
      }
      try {
        return await fn(node);
      } catch (err) {
        const code = replyCode(err);
        if (code !== 'MOVED' && code !== 'ASK') throw err;
        const [, movedSlot, to] = (err as Error).message.split(' ');
        if (code === 'MOVED' && attempt === 0) {
          await this.refresh();
          continue;
        }
        throw new ConnectionError(
          code === 'ASK'
            ? `slot ${movedSlot} is being migrated from ${node.label} to ${to}; try again when the migration has finished`
            : `slot ${movedSlot} moved again (to ${to}) after the node list was read anew; the cluster is changing, try again in a moment`,
        );
      }
    }
  }

  #anyPrimary(): TopologyNode {
    const primaries = this.primaries();
    const node =
      primaries.find((n) => n.conn === this.seed) ?? primaries.find((n) => n.slots.length > 0) ?? primaries[0];
    if (!node) throw new ConnectionError('the cluster has no reachable primary');
    return node;
  }

  openConnection(node: TopologyNode): Promise<RedisConnection> {
    const address = this.#addresses.get(node.label);
    if (!address) return connectNode(this.parsed, this.target);
    return connectNode({ ...this.parsed, ...address }, this.target, { listedByCluster: true });
  }

  async refresh(): Promise<void> {
    if (!this.cluster) return;
    const { infos, myId } = await this.#readNodeList();
    const open = new Map(this.#nodes.map((n) => [n.label, n.conn]));
    const skipped: SkippedNode[] = [];
    const usable: Array<{ info: ClusterNodeInfo; label: string; conn?: RedisConnection }> = [];
    for (const info of infos) {
      const label = nodeLabel(info.host, info.port);
      this.#addresses.set(label, { host: info.host, port: info.port });
      if (info.unusable) skipped.push({ label, role: info.role, id: info.id, reason: info.unusable });
      else usable.push({ info, label, conn: info.myself || info.id === myId ? this.seed : open.get(label) });
    }
    const connectTo = (u: (typeof usable)[number]) => () =>
      connectNode(
        { ...this.parsed, host: u.info.host, port: u.info.port },
        this.target,
        { listedByCluster: true },
        this.options.busyWait,
      );
    if (this.options.lazy) {
      for (const u of usable) u.conn ??= new LazyConnection(u.label, connectTo(u));
    } else {
      // Every node at once; report every node that cannot be reached, not just the first.
      const missing = usable.filter((u) => !u.conn);
      const settled = await Promise.allSettled(missing.map((u) => connectTo(u)()));
      const failures = settled.flatMap((s) =>
        s.status === 'rejected' ? [(s.reason as Error)?.message ?? String(s.reason)] : [],
      );
      if (failures.length > 0) {
        await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
        throw new ConnectionError(`cannot reach ${failures.length} of ${infos.length} cluster nodes: ${failures[0]}`, [
          ...failures.slice(1),
          "rscript talks to every node (replicas too): each must be reachable with the URL's credentials and TLS.",
        ]);
      }
      settled.forEach((s, i) => (missing[i]!.conn = (s as PromiseFulfilledResult<RedisConnection>).value));
    }
    const next: TopologyNode[] = usable.map(({ info, label, conn }) => ({
      conn: conn!,
      label,
      role: info.role,
      id: info.id,
      ...(info.primaryId ? { primaryId: info.primaryId } : {}),
      slots: info.slots,
    }));
    // Close the connections of nodes that left the cluster.
    const kept = new Set(next.map((n) => n.conn));
    await Promise.all(this.#nodes.filter((n) => !kept.has(n.conn) && n.conn !== this.seed).map((n) => n.conn.close()));
    this.#nodes = next.sort(compareNodes);
    this.#skipped = skipped;
  }

  /** Reads the node list from the first node that answers, the URL's node first. */
  async #readNodeList(): Promise<{ infos: ClusterNodeInfo[]; myId?: string }> {
    const askable = [this.seed, ...this.#nodes.map((n) => n.conn).filter((c) => c !== this.seed)];
    let firstError: unknown;
    for (const conn of askable) {
      try {
        return await readNodeList(conn, this.parsed.tls);
      } catch (err) {
        firstError ??= err;
      }
    }
    throw firstError;
  }

  useSeedOnly(note: string): void {
    this.#nodes = [{ conn: this.seed, label: this.seed.label, role: 'primary', slots: [] }];
    this.#note = note;
  }

  summary(): TopologySummary | undefined {
    if (!this.cluster) return undefined;
    return {
      nodes: this.#nodes.map((n) => ({
        node: n.label,
        role: n.role,
        ...(n.id ? { id: n.id } : {}),
        ...(n.slots.length > 0
          ? { slots: n.slots.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(',') }
          : {}),
      })),
      skipped: [...this.#skipped],
      ...(this.#note ? { note: this.#note } : {}),
    };
  }

  server(): ServerSummary | undefined {
    // A lazy connection not opened yet knows nothing: the nodes that answered speak for the cluster.
    const known = [this.seed, ...this.#nodes.map((n) => n.conn).filter((c) => c !== this.seed)]
      .map((c) => c.server)
      .filter((s): s is ServerIdentity => s !== undefined);
    const first = known[0];
    if (!first) return undefined;
    const name = describeServers(known)!;
    return { flavour: first.flavour, version: first.version, name };
  }

  async close(): Promise<void> {
    const conns = new Set([this.seed, ...this.#nodes.map((n) => n.conn)]);
    await Promise.all([...conns].map((c) => c.close()));
  }
}

/**
 * The cluster's nodes as one node sees them: CLUSTER SHARDS (7.0+), else CLUSTER NODES.
 * @see https://redis.io/commands/cluster-shards/
 */
async function readNodeList(conn: RedisConnection, tls: boolean): Promise<{ infos: ClusterNodeInfo[]; myId?: string }> {
  const [shards, myId] = await Promise.all([
    conn.send(['CLUSTER', 'SHARDS']).catch((err: unknown) => {
      if (replyCode(err) === undefined) throw err;
      return undefined; // an error reply: a server older than 7.0
    }),
    conn.send(['CLUSTER', 'MYID']).then(String),
  ]);
  if (shards !== undefined) return { infos: parseClusterShards(shards, { tls }), myId };
  return { infos: parseClusterNodes(String(await conn.send(['CLUSTER', 'NODES']))), myId };
}

/** A connection opened when it is first used: `exec` needs one node of six. */
class LazyConnection implements RedisConnection {
  #pending: Promise<RedisConnection> | undefined;
  #opened: RedisConnection | undefined;

  get server(): ServerIdentity | undefined {
    return this.#opened?.server;
  }

  constructor(
    readonly label: string,
    private readonly open: () => Promise<RedisConnection>,
  ) {}

  async send(args: Arg[], options?: SendOptions): Promise<unknown> {
    this.#pending ??= this.open().then((conn) => (this.#opened = conn));
    return (await this.#pending).send(args, options);
  }

  async close(): Promise<void> {
    if (!this.#pending) return;
    try {
      await (await this.#pending).close();
    } catch {
      // It never opened: nothing to close.
    }
  }
}

/** Primaries first, then replicas; by host, then port as a number. */
function compareNodes(a: TopologyNode, b: TopologyNode): number {
  if (a.role !== b.role) return a.role === 'primary' ? -1 : 1;
  const [ha, pa] = splitLabel(a.label);
  const [hb, pb] = splitLabel(b.label);
  return ha < hb ? -1 : ha > hb ? 1 : pa - pb;
}

function splitLabel(label: string): [string, number] {
  const colon = label.lastIndexOf(':');
  return [label.slice(0, colon), Number(label.slice(colon + 1))];
}
