/**
 * A throwaway local Redis Cluster for `rscript test --cluster`: three primaries (no replicas), each a
 * sandbox server (sandbox.ts: free loopback ports, no persistence, stopped on every way out), the
 * 16384 slots split between them, joined with CLUSTER MEET. Keys of two slots then land on two
 * nodes, so a script that builds or mixes keys across slots fails as it would in production.
 * CLUSTER ADDSLOTSRANGE and the bus port of CLUSTER MEET need Redis 7.0.
 */
import { ConfigError } from '../errors.js';
import { connect, type RedisConnection } from './connection.js';
import { freePort, startSandbox, type Sandbox, type SandboxOptions } from './throwaway-server.js';

export interface SandboxCluster {
  /** The first node's URL: rscript finds the others. */
  readonly url: string;
  readonly ports: number[];
  readonly pids: number[];
  readonly version?: string;
  stop(): Promise<void>;
}

const PRIMARIES = 3;

/** Starts and joins a three-primary cluster; throws a ConfigError when it does not form. */
export async function startSandboxCluster(
  options: Pick<SandboxOptions, 'binary' | 'timeoutMs'>,
): Promise<SandboxCluster> {
  const busPorts = new Map<Sandbox, number>();
  const nodes: Sandbox[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  };
  const conns: RedisConnection[] = [];
  try {
    await Promise.all(
      Array.from({ length: PRIMARIES }, async () => {
        let bus = 0;
        const node = await startSandbox({
          ...options,
          extraArgs: async () => {
            bus = await freePort();
            return [
              '--cluster-enabled',
              'yes',
              '--cluster-port',
              String(bus),
              '--cluster-config-file',
              'nodes.conf',
              '--cluster-node-timeout',
              '5000',
            ];
          },
        });
        busPorts.set(node, bus);
        nodes.push(node);
      }),
    );
    for (const node of nodes) conns.push(await connect({ ...node.target, timeoutMs: options.timeoutMs }));
    const per = Math.ceil(16384 / PRIMARIES);
    for (const [i, conn] of conns.entries()) {
      await conn.send(['CLUSTER', 'ADDSLOTSRANGE', String(i * per), String(Math.min(16383, (i + 1) * per - 1))]);
    }
    for (const node of nodes.slice(1))
      await conns[0]!.send(['CLUSTER', 'MEET', '127.0.0.1', String(node.port), String(busPorts.get(node))]);
    // Formed when every node says ok and knows every slot's owner (gossip takes a moment).
    const deadline = Date.now() + Math.max(options.timeoutMs, 10_000);
    for (;;) {
      const states = await Promise.all(conns.map((c) => c.send(['CLUSTER', 'INFO'])));
      const slotsKnown = await Promise.all(
        conns.map(async (c) => ((await c.send(['CLUSTER', 'SLOTS'])) as unknown[]).length),
      );
      if (states.every((s) => /cluster_state:ok/.test(String(s))) && slotsKnown.every((n) => n === PRIMARIES)) break;
      if (Date.now() > deadline)
        throw new ConfigError(`the throwaway cluster did not form within ${Math.max(options.timeoutMs, 10_000)} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } catch (err) {
    await stop();
    throw err;
  } finally {
    await Promise.all(conns.map((c) => c.close()));
  }
  nodes.sort((a, b) => a.port - b.port);
  return {
    url: nodes[0]!.target.url,
    ports: nodes.map((n) => n.port),
    pids: nodes.map((n) => n.pid),
    ...(nodes[0]!.version ? { version: nodes[0]!.version } : {}),
    stop,
  };
}
