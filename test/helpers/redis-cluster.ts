/**
 * A real Redis Cluster for the test suite: redis-server processes with `cluster-enabled yes` on free
 * loopback ports, joined by `redis-cli --cluster create`, and removed (processes and files) afterwards.
 * Six nodes form in about two seconds.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TlsFiles } from './redis-process.js';
import { assertRedisInstalled } from './redis-server.js';
import { CLI_BIN, engineModuleArgs, SERVER_BIN } from './server-under-test.js';

export interface ClusterNode {
  port: number;
  url: string;
  process: ChildProcess;
  /** `host:port` as the cluster announces it (and as rscript labels the node). */
  label: string;
  /** redis-cli against this node; trimmed stdout. */
  cli(...args: string[]): string;
  /** The node's cluster id. */
  id(): string;
  /** `primary` or `replica`, asked from the node itself. */
  role(): 'primary' | 'replica';
  /** A field of `INFO <section>`, e.g. info('replication', 'master_link_status'). */
  info(section: string, field: string): string | undefined;
  /** `calls=` of a command in INFO commandstats (`script|load`, `evalsha`), 0 when never called. */
  calls(command: string): number;
}

export interface TestCluster {
  nodes: ClusterNode[];
  /** The URL of the first node: rscript finds the others. */
  url: string;
  dir: string;
  byPort(port: number): ClusterNode;
  /** The node serving `slot` as primary, and its replicas, as the cluster sees it now. */
  owner(slot: number): { primary: ClusterNode; replicas: ClusterNode[] };
  /** Manual failover: `CLUSTER FAILOVER` on the replica, then waits until every node agrees. */
  failover(replica: ClusterNode): Promise<void>;
  /**
   * Stops `node` (SIGKILL) and waits until every other node has marked it `fail` and every slot is
   * served by a live primary again (a replica took over when it was a primary): cluster-node-timeout
   * is 3 s, so this takes a few seconds.
   */
  crash(node: ClusterNode): Promise<void>;
  /** Starts one more (empty) node and joins it as a replica of `primary`. */
  addReplica(primary: ClusterNode): Promise<ClusterNode>;
  /** Waits for cluster_state:ok on every node and one shared view of who is primary. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A port where `port` and the cluster bus port `port + 10000` are both free, below the kernel's
 * ephemeral range (32768+) so that neither collides with a port handed out by `freePort()`.
 */
export async function freeClusterPort(taken: Set<number> = new Set()): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 10000 + Math.floor(Math.random() * 12700);
    if (taken.has(port) || taken.has(port + 10000)) continue;
    if ((await canListen(port)) && (await canListen(port + 10000))) return port;
  }
  throw new Error('no free port pair (port, port + 10000) found');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** How the nodes are reached: a password on every node, TLS only (client, replication and bus). */
interface Access {
  password?: string;
  tls?: TlsFiles;
}

/** redis-cli's own flags for a password (without the warning it prints about `-a`) and for TLS. */
const auth = ({ password, tls }: Access) => [
  ...(password ? ['-a', password, '--no-auth-warning'] : []),
  ...(tls ? ['--tls', '--cacert', tls.ca] : []),
];

function cliSync(port: number, args: string[], access: Access): string {
  const res = spawnSync(CLI_BIN, ['-h', '127.0.0.1', '-p', String(port), ...auth(access), ...args], {
    encoding: 'utf8',
  });
  return (res.stdout ?? '').trim();
}

function cliAsync(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(CLI_BIN, args, { encoding: 'utf8', timeout: 30000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function makeNode(port: number, child: ChildProcess, access: Access): ClusterNode {
  const cli = (...args: string[]) => cliSync(port, args, access);
  const scheme = access.tls ? 'rediss' : 'redis';
  const node: ClusterNode = {
    port,
    url: access.password
      ? `${scheme}://:${encodeURIComponent(access.password)}@127.0.0.1:${port}`
      : `${scheme}://127.0.0.1:${port}`,
    process: child,
    label: `127.0.0.1:${port}`,
    cli,
    id: () => cli('CLUSTER', 'MYID'),
    role: () => (cli('ROLE').split('\n')[0] === 'master' ? 'primary' : 'replica'),
    info(section, field) {
      const line = cli('INFO', section)
        .split('\n')
        .find((l) => l.startsWith(`${field}:`));
      return line?.slice(field.length + 1).trim();
    },
    calls(command) {
      const value = node.info('commandstats', `cmdstat_${command}`);
      return value ? Number(/calls=(\d+)/.exec(value)![1]) : 0;
    },
  };
  return node;
}

async function startNode(dir: string, taken: Set<number>, access: Access): Promise<ClusterNode> {
  const { password, tls } = access;
  for (let attempt = 0; ; attempt++) {
    const port = await freeClusterPort(taken);
    const child = spawn(
      SERVER_BIN,
      [
        // TLS only: no plain port; the bus (port + 10000) and replication use TLS too.
        ...(tls
          ? [
              '--port',
              '0',
              '--tls-port',
              String(port),
              '--tls-cluster',
              'yes',
              '--tls-replication',
              'yes',
              '--tls-cert-file',
              tls.cert,
              '--tls-key-file',
              tls.key,
              '--tls-ca-cert-file',
              tls.ca,
              '--tls-auth-clients',
              'no',
            ]
          : ['--port', String(port)]),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${port}.conf`,
        '--cluster-node-timeout',
        '3000',
        // A replica's first sync would otherwise wait 5 s for more replicas to share the transfer.
        '--repl-diskless-sync-delay',
        '0',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--logfile',
        `node-${port}.log`,
        // A password on every node, and for replicas to reach their primary.
        ...(password ? ['--requirepass', password, '--masterauth', password] : []),
        ...engineModuleArgs(),
      ],
      { stdio: 'ignore' },
    );
    let ok = false;
    for (let i = 0; i < 200 && child.exitCode === null; i++) {
      if (cliSync(port, ['PING'], access) === 'PONG') {
        ok = true;
        break;
      }
      await sleep(25);
    }
    if (ok) {
      taken.add(port).add(port + 10000);
      return makeNode(port, child, access);
    }
    child.kill('SIGKILL');
    if (attempt >= 3) throw new Error(`a cluster node did not start on port ${port} (log: ${dir}/node-${port}.log)`);
  }
}

/**
 * Starts `primaries` primaries with `replicas` replicas each (default 3 and 1: six nodes); with
 * `password` on every node, with `tls` reachable over TLS only.
 */
export async function startCluster(
  options: { primaries?: number; replicas?: number; password?: string; tls?: TlsFiles } = {},
): Promise<TestCluster> {
  const access: Access = { password: options.password, tls: options.tls };
  assertRedisInstalled();
  const primaries = options.primaries ?? 3;
  const replicas = options.replicas ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'rscript-cluster-'));
  const taken = new Set<number>();
  const nodes: ClusterNode[] = [];
  const stop = async () => {
    await Promise.all(
      nodes.map(async (n) => {
        if (n.process.exitCode === null && n.process.signalCode === null) {
          const exited = new Promise((r) => n.process.once('exit', r));
          n.process.kill('SIGKILL');
          await exited;
        }
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // One at a time: parallel starts could pick the same port before either binds it.
    for (let i = 0; i < primaries * (replicas + 1); i++) nodes.push(await startNode(dir, taken, access));
    const created = await cliAsync([
      ...auth(access),
      '--cluster',
      'create',
      ...nodes.map((n) => n.label),
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
    if (created.code !== 0) throw new Error(`redis-cli --cluster create failed:\n${created.stdout}\n${created.stderr}`);

    const cluster: TestCluster = {
      nodes,
      url: nodes[0]!.url,
      dir,
      byPort(port) {
        const node = nodes.find((n) => n.port === port);
        if (!node) throw new Error(`no node on port ${port}`);
        return node;
      },
      owner(slot) {
        // CLUSTER SHARDS as redis-cli prints it would need parsing; CLUSTER NODES is one line per node.
        const lines = nodes[0]!.cli('CLUSTER', 'NODES').split('\n');
        const primaryLine = lines.find((l) => {
          const f = l.split(' ');
          return (
            f[2]!.includes('master') &&
            f.slice(8).some((r) => {
              const [a, b = a] = r.split('-').map(Number);
              return slot >= a! && slot <= b!;
            })
          );
        });
        if (!primaryLine) throw new Error(`no primary for slot ${slot}`);
        const [id, address] = primaryLine.split(' ');
        const portOf = (addr: string) => Number(addr.split('@')[0]!.split(':').pop());
        const replicaPorts = lines.filter((l) => l.split(' ')[3] === id).map((l) => portOf(l.split(' ')[1]!));
        return { primary: cluster.byPort(portOf(address!)), replicas: replicaPorts.map((p) => cluster.byPort(p)) };
      },
      async settle() {
        await until('cluster_state:ok on every node', () =>
          nodes.every((n) => /^cluster_state:ok\r?$/m.test(n.cli('CLUSTER', 'INFO'))),
        );
        // Every node sees every node, none in handshake or failing, and the same primaries.
        const view = (n: ClusterNode) =>
          n
            .cli('CLUSTER', 'NODES')
            .split('\n')
            .map((l) => l.split(' '))
            .map((f) => `${f[0]} ${f[2]!.replace('myself,', '')}`)
            .sort()
            .join('\n');
        await until('one view of the cluster on every node', () => {
          const views = nodes.map(view);
          return views.every(
            (v) => v === views[0] && v.split('\n').length === nodes.length && !/fail|handshake|noaddr/.test(v),
          );
        });
        // Linked to their primaries and caught up with them (a read on a replica sees earlier writes).
        await until('replicas in sync', () =>
          nodes
            .filter((n) => n.role() === 'replica')
            .every((n) => {
              if (n.info('replication', 'master_link_status') !== 'up') return false;
              const primary = cluster.byPort(Number(n.info('replication', 'master_port')));
              return n.info('replication', 'slave_repl_offset') === primary.info('replication', 'master_repl_offset');
            }),
        );
      },
      async failover(replica) {
        const reply = replica.cli('CLUSTER', 'FAILOVER');
        if (reply !== 'OK') throw new Error(`CLUSTER FAILOVER on ${replica.label}: ${reply}`);
        await until(`${replica.label} to become primary`, () => replica.role() === 'primary');
        await cluster.settle();
      },
      async crash(node) {
        const exited = new Promise((r) => node.process.once('exit', r));
        node.process.kill('SIGKILL');
        await exited;
        const live = () => nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null);
        await until(
          `every live node to mark ${node.label} failed and to serve every slot`,
          () =>
            live().every((n) => {
              const lines = n.cli('CLUSTER', 'NODES').split('\n');
              const dead = lines.find((l) => l.split(' ')[1]!.startsWith(`${node.label}@`));
              return (
                dead !== undefined &&
                dead.split(' ')[2]!.split(',').includes('fail') &&
                /^cluster_state:ok\r?$/m.test(n.cli('CLUSTER', 'INFO'))
              );
            }),
          30000,
        );
      },
      async addReplica(primary) {
        const node = await startNode(dir, taken, access);
        nodes.push(node);
        const added = await cliAsync([
          ...auth(access),
          '--cluster',
          'add-node',
          node.label,
          primary.label,
          '--cluster-slave',
          '--cluster-master-id',
          primary.id(),
        ]);
        if (added.code !== 0) throw new Error(`redis-cli --cluster add-node failed:\n${added.stdout}\n${added.stderr}`);
        await cluster.settle();
        return node;
      },
      stop,
    };
    await cluster.settle();
    return cluster;
  } catch (err) {
    await stop();
    throw err;
  }
}
