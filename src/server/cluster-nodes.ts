/**
 * A Redis Cluster's node list, read from the replies of `CLUSTER SHARDS` (7.0+) and `CLUSTER NODES`.
 * Pure functions: the replies come in, plain node records go out.
 */

export type NodeRole = 'primary' | 'replica';

/** One node as the cluster describes it. */
export interface ClusterNodeInfo {
  id: string;
  /** Where clients reach it: the announced endpoint (IP or hostname). Empty when the cluster does not know it. */
  host: string;
  /** The client port (the TLS port when `tls` was asked for and the node announces one). */
  port: number;
  role: NodeRole;
  /** A replica's primary. */
  primaryId?: string;
  /** Inclusive slot ranges a primary serves; `[]` for a replica or a primary without slots. */
  slots: Array<[number, number]>;
  /** The node that answered (CLUSTER NODES marks it `myself`). */
  myself: boolean;
  /** Why the node cannot be reached or used ("marked failed", "no address", "in handshake"); undefined when usable. */
  unusable?: string;
}

/**
 * Parses `CLUSTER NODES` text: `<id> <ip:port@cport[,hostname]> <flags> <primary> <ping> <pong> <epoch>
 * <link> <slot>...`. Slots under migration (`[1234->-id]`, `[1234-<-id]`) are not ownership and are skipped.
 * @see https://redis.io/commands/cluster-nodes/
 */
export function parseClusterNodes(text: string): ClusterNodeInfo[] {
  const nodes: ClusterNodeInfo[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const fields = line.split(' ');
    if (fields.length < 8) throw new Error(`unexpected CLUSTER NODES line: ${line}`);
    const [id, address, flagText, primary] = fields as [string, string, string, string];
    const flags = new Set(flagText.split(','));
    const [hostPort = '', hostname] = address.split(',');
    const ipPort = hostPort.split('@')[0]!;
    const colon = ipPort.lastIndexOf(':');
    const ip = ipPort.slice(0, colon);
    const port = Number(ipPort.slice(colon + 1));
    const slots: Array<[number, number]> = [];
    for (const token of fields.slice(8)) {
      if (token.startsWith('[')) continue;
      const [from, to = from] = token.split('-');
      slots.push([Number(from), Number(to)]);
    }
    const role: NodeRole = flags.has('slave') ? 'replica' : 'primary';
    let unusable: string | undefined;
    // `fail?` (PFAIL) is one node's suspicion, not the cluster's verdict: the node is still tried, as
    // CLUSTER SHARDS reports it "online".
    if (flags.has('fail')) unusable = 'marked failed';
    else if (flags.has('noaddr') || (ip === '' && !hostname && !flags.has('myself'))) unusable = 'no address';
    else if (flags.has('handshake')) unusable = 'in handshake';
    nodes.push({
      id,
      host: ip !== '' ? ip : (hostname ?? ''),
      port,
      role,
      ...(role === 'replica' && primary !== '-' ? { primaryId: primary } : {}),
      slots: role === 'primary' ? slots : [],
      myself: flags.has('myself'),
      ...(unusable ? { unusable } : {}),
    });
  }
  return nodes;
}

/**
 * Parses a `CLUSTER SHARDS` reply (RESP3 maps as objects or Maps, or RESP2 flat key/value arrays).
 * `tls` picks each node's `tls-port` when it has one.
 * @see https://redis.io/commands/cluster-shards/
 */
export function parseClusterShards(reply: unknown, options: { tls?: boolean } = {}): ClusterNodeInfo[] {
  if (!Array.isArray(reply)) throw new Error('unexpected CLUSTER SHARDS reply: not an array');
  const nodes: ClusterNodeInfo[] = [];
  for (const shardReply of reply) {
    const shard = asRecord(shardReply);
    const flat = (Array.isArray(shard.slots) ? shard.slots : []).map(Number);
    const slots: Array<[number, number]> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) slots.push([flat[i]!, flat[i + 1]!]);
    const members = (Array.isArray(shard.nodes) ? shard.nodes : []).map(asRecord);
    const primary = members.find((n) => String(n.role) === 'master');
    for (const n of members) {
      const role: NodeRole = String(n.role) === 'master' ? 'primary' : 'replica';
      const endpoint = text(n.endpoint);
      const host = endpoint !== '' && endpoint !== '?' ? endpoint : text(n.ip) || text(n.hostname);
      const port = Number(options.tls && n['tls-port'] !== undefined ? n['tls-port'] : (n.port ?? n['tls-port']));
      // Redis 7.0: "fail" once the cluster agrees the node is down (FAIL flag); "loading" for a replica
      // whose replication offset is 0 (usable); "online" otherwise, a node only suspected (PFAIL) too.
      const health = text(n.health);
      nodes.push({
        id: text(n.id),
        host,
        port,
        role,
        ...(role === 'replica' && primary ? { primaryId: text(primary.id) } : {}),
        slots: role === 'primary' ? slots : [],
        myself: false,
        ...(health === 'fail' ? { unusable: 'marked failed' } : host === '' ? { unusable: 'no address' } : {}),
      });
    }
  }
  return nodes;
}

function text(v: unknown): string {
  return v === undefined || v === null ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
}

/** A RESP3 map (object or Map) or a RESP2 flat `[key, value, ...]` array, as a plain record. */
export function asRecord(v: unknown): Record<string, unknown> {
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, val]) => [text(k), val]));
  if (Array.isArray(v)) {
    const out: Record<string, unknown> = {};
    for (let i = 0; i + 1 < v.length; i += 2) out[text(v[i])] = v[i + 1];
    return out;
  }
  if (typeof v === 'object' && v !== null) return v as Record<string, unknown>;
  throw new Error('unexpected CLUSTER SHARDS reply: a shard or node is not a map');
}
