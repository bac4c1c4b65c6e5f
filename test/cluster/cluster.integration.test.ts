/**
 * rscript against a real six-node Redis Cluster (3 primaries, 3 replicas) that the suite starts itself.
 * Every claim is checked on the nodes directly, with redis-cli per node, not only through rscript.
 * The tests share one cluster and run in order: a failover in one changes who is primary for the next.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec } from '../../src/commands/exec.js';
import { exists } from '../../src/commands/exists.js';
import { flush } from '../../src/commands/flush.js';
import { kill } from '../../src/commands/kill.js';
import { load } from '../../src/commands/load.js';
import { UsageError } from '../../src/errors.js';
import { readManifest } from '../../src/manifest/manifest.js';
import type { Target } from '../../src/server/target.js';
import { evalSha } from '../../src/server/scripts.js';
import { keySlot } from '../../src/redis/slot.js';
import { openTopology, withTopology } from '../../src/server/topology.js';
import { startMonitor } from '../helpers/monitor.js';
import { startCluster, type ClusterNode, type TestCluster } from '../helpers/redis-cluster.js';
import { makeProject, runCli } from '../helpers/cli.js';
import { startRedis } from '../helpers/redis-server.js';
import { CLI_BIN, serverUnderTest } from '../helpers/server-under-test.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

let cluster: TestCluster;
let dir: string;
let target: Target;
let shas: string[];

const manifest = () => join(dir, 'rscript.lock.json');
const doLoad = () => load({ paths: ['lua'], manifest: manifest(), target, cwd: dir });
const doExec = (script: string, keys: string[], args: string[] = [], readOnly = false) =>
  exec({ script, keys, args, readOnly, manifest: manifest(), scripts: ['lua'], target, cwd: dir });
/** SCRIPT EXISTS of every script of the manifest, asked of one node with redis-cli. */
const cachedOn = (node: ClusterNode) =>
  node
    .cli('SCRIPT', 'EXISTS', ...shas)
    .split('\n')
    .map(Number);

/** Runs the built CLI (`npm run build` first) and collects exit code and output. */
function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.NODE_OPTIONS;
    delete env.REDIS_URL;
    const child = spawn(process.execPath, [join(REPO, 'bin', 'rscript'), ...args, '--url', cluster.url], {
      cwd: dir,
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  cluster = await startCluster();
  target = { url: cluster.url, timeoutMs: 5000 };
  dir = mkdtempSync(join(tmpdir(), 'rscript-cluster-proj-'));
  mkdirSync(join(dir, 'lua'));
  // The project's own multi-key script when it is there; else a fixture with the same contract.
  const saga = join(REPO, 'lua', 'saga_transfer.lua');
  if (existsSync(saga)) {
    copyFileSync(saga, join(dir, 'lua', 'saga_transfer.lua'));
  } else {
    writeFileSync(
      join(dir, 'lua', 'saga_transfer.lua'),
      "local a = tonumber(ARGV[1])\nlocal from = redis.call('DECRBY', KEYS[1], a)\nlocal to = redis.call('INCRBY', KEYS[2], a)\nredis.call('HSET', KEYS[3], ARGV[2], 'SUCCESS')\nreturn {from, to}\n",
    );
  }
  writeFileSync(join(dir, 'lua', 'incr.lua'), "return redis.call('INCRBY', KEYS[1], ARGV[1])\n");
  writeFileSync(join(dir, 'lua', 'peek.lua'), "#!lua flags=no-writes\nreturn redis.call('GET', KEYS[1])\n");
  writeFileSync(join(dir, 'lua', 'hello.lua'), "return 'hello'\n");
}, 60000);

afterAll(async () => {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('topology', () => {
  test('a cluster is detected by itself: 3 primaries with all 16384 slots, 3 replicas each with its primary', async () => {
    await withTopology(target, {}, async (topology) => {
      expect(topology.cluster).toBe(true);
      expect(topology.nodes.map((n) => n.label).sort()).toEqual(cluster.nodes.map((n) => n.label).sort());
      for (const node of topology.nodes)
        expect(node.role).toBe(cluster.byPort(Number(node.label.split(':')[1])).role());
      const primaries = topology.primaries();
      expect(primaries).toHaveLength(3);
      expect(primaries.flatMap((p) => p.slots).reduce((sum, [a, b]) => sum + b - a + 1, 0)).toBe(16384);
      for (const replica of topology.nodes.filter((n) => n.role === 'replica')) {
        expect(primaries.map((p) => p.id)).toContain(replica.primaryId);
      }
      // The routing agrees with the cluster's own answer for keys all over the slot space.
      for (const key of ['foo', 'bar', '{bank}:acct:1', 'user:1000', 'a']) {
        const slot = keySlot(key);
        expect(slot).toBe(Number(cluster.nodes[0]!.cli('CLUSTER', 'KEYSLOT', key)));
        expect(topology.nodeForSlot(slot).label).toBe(cluster.owner(slot).primary.label);
        expect(topology.nodeForSlot(slot, { readOnly: true }).label).toBe(cluster.owner(slot).replicas[0]!.label);
      }
    });
  });

  test('a standalone server is one primary; --cluster against it is a usage error', async () => {
    const server = await startRedis();
    try {
      await withTopology({ url: server.url, timeoutMs: 5000 }, {}, async (topology) => {
        expect(topology.cluster).toBe(false);
        expect(topology.nodes.map((n) => [n.label, n.role])).toEqual([[`127.0.0.1:${server.port}`, 'primary']]);
        expect(topology.summary()).toBeUndefined();
      });
      await expect(openTopology({ url: server.url, timeoutMs: 5000, cluster: true })).rejects.toThrow(
        /runs in standalone mode/,
      );
    } finally {
      await server.stop();
    }
  });
});

describe('load', () => {
  test('loads every script on every primary AND every replica; a second run finds them all cached', async () => {
    const first = await doLoad();
    shas = Object.values(readManifest(manifest())!.scripts).map((e) => e.sha);
    expect(shas).toHaveLength(4);
    for (const node of cluster.nodes) expect(cachedOn(node)).toEqual([1, 1, 1, 1]);
    for (const row of first.rows) {
      expect(row.server).toBe('loaded');
      expect(row.nodes).toHaveLength(6);
      expect(row.nodes!.every((n) => n.server === 'loaded')).toBe(true);
    }
    expect(first.cluster!.nodes.filter((n) => n.role === 'replica')).toHaveLength(3);

    const loadsBefore = cluster.nodes.map((n) => n.calls('script|load'));
    const second = await doLoad();
    expect(second.rows.every((r) => r.server === 'cached' && r.nodes!.every((n) => n.server === 'cached'))).toBe(true);
    expect(cluster.nodes.map((n) => n.calls('script|load'))).toEqual(loadsBefore);

    const text = await cli('load');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/│ saga_transfer\s+│ [0-9a-f]{12} │ unchanged │ already cached on all 6 nodes │/);
    expect(text.stdout).toContain(
      '0 loads on 0 of 6 cluster nodes (3 primaries, 3 replicas), 4 already cached everywhere',
    );
  });
});

describe('exists', () => {
  test('all cached everywhere: exit 0 and one compact line', async () => {
    const result = await cli('exists');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(
      `all 4 scripts are cached on all 6 ${serverUnderTest().name} nodes (3 primaries, 3 replicas)`,
    );
  });

  test('SCRIPT FLUSH on one replica: exists exits 1 naming that replica; load repairs it', async () => {
    const replica = cluster.nodes.find((n) => n.role() === 'replica')!;
    expect(replica.cli('SCRIPT', 'FLUSH')).toBe('OK');

    const text = await cli('exists');
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`${replica.label} (replica)`);
    expect(text.stdout).toContain(
      `4 of 4 scripts missing on 1 of 6 ${serverUnderTest().name} nodes (3 primaries, 3 replicas): run rscript load`,
    );
    const others = cluster.nodes.filter((n) => n !== replica).map((n) => n.label);
    for (const label of others) expect(text.stdout).not.toContain(label);

    const json = await cli('exists', '--json');
    expect(json.code).toBe(1);
    const data = JSON.parse(json.stdout);
    expect(data.missing).toBe(4);
    for (const row of data.rows) expect(row.missingOn).toEqual([{ node: replica.label, role: 'replica' }]);

    const repaired = await cli('load', '--json');
    expect(repaired.code).toBe(0);
    for (const row of JSON.parse(repaired.stdout).rows as Array<{ nodes: Array<{ server: string }> }>) {
      expect(row.nodes.filter((n) => n.server === 'loaded')).toEqual([
        { node: replica.label, role: 'replica', server: 'loaded' },
      ]);
    }
    expect(cachedOn(replica)).toEqual([1, 1, 1, 1]);
    expect((await exists({ names: [], manifest: manifest(), target })).missing).toBe(0);
  });

  // Server-specific: SCRIPT SHOW is Valkey 8.0+; elsewhere the copy is unavailable, said once.
  test('info --server-copy reads each copy from a node that has it, and names the nodes that lack it', async () => {
    const replica = cluster.nodes.find((n) => n.role() === 'replica')!;
    expect(replica.cli('SCRIPT', 'FLUSH')).toBe('OK');
    try {
      const json = await cli('info', '--server-copy', '--json');
      expect(json.code).toBe(0);
      const rows = JSON.parse(json.stdout) as Array<{ name: string; serverCopy: Record<string, unknown> }>;
      expect(rows.map((r) => r.name).sort()).toEqual(['hello', 'incr', 'peek', 'saga_transfer']);
      const text = await cli('info', '--server-copy');
      if (serverUnderTest().atLeast('valkey', '8.0.0')) {
        for (const row of rows) expect(row.serverCopy).toMatchObject({ status: 'same', missingOn: [replica.label] });
        expect(text.stdout).toMatch(/│ hello +│ [0-9a-f]{12} │ .*│ same as the file \(not on 1 node\) │/);
      } else {
        for (const row of rows) expect(row.serverCopy).toMatchObject({ status: 'unavailable' });
        expect(text.stdout).toContain(`server copy: ${serverUnderTest().name} has no SCRIPT SHOW`);
      }
    } finally {
      expect((await cli('load')).code).toBe(0);
    }
  });
});

describe('exec', () => {
  test('runs on the primary that owns the keys’ slot, and says which node it was', async () => {
    const slot = keySlot('counter:1');
    const owner = cluster.owner(slot).primary;
    const result = await doExec('incr', ['counter:1'], ['5']);
    expect(result.reply).toEqual({ type: 'integer', value: 5 });
    expect(result.node).toEqual({ node: owner.label, role: 'primary', slot });
    expect(owner.cli('GET', 'counter:1')).toBe('5');
  });

  test('--ro goes to a replica of the owner (EVALSHA_RO counted there)', async () => {
    const slot = keySlot('counter:1');
    const replica = cluster.owner(slot).replicas[0]!;
    await cluster.settle(); // the replica has the write from the test above
    const before = replica.calls('evalsha_ro');
    const result = await doExec('peek', ['counter:1'], [], true);
    expect(result.node).toEqual({ node: replica.label, role: 'replica', slot });
    expect(result.reply).toEqual({ type: 'bulk string', value: '5' });
    expect(replica.calls('evalsha_ro')).toBe(before + 1);
  });

  test('a script without keys runs on a primary: the one of --url, so each primary can be given in turn', async () => {
    const result = await doExec('hello', []);
    expect(result.reply).toEqual({ type: 'bulk string', value: 'hello' });
    expect(result.node!.role).toBe('primary');
    expect(result.node!.slot).toBeUndefined();
    // lua/batch_expire.lua sees only its node's keys and asks to be sent to every primary.
    const primaries = cluster.nodes.filter((n) => n.role() === 'primary');
    for (const primary of primaries) {
      const before = primaries.map((n) => n.calls('evalsha'));
      const onIt = await exec({
        script: 'hello',
        keys: [],
        args: [],
        manifest: manifest(),
        scripts: ['lua'],
        target: { ...target, url: primary.url },
        cwd: dir,
      });
      expect(onIt.node).toEqual({ node: primary.label, role: 'primary' });
      // EVALSHA reached this primary only (twice when it lacked the script: NOSCRIPT, load, again).
      expect(primaries.map((n, i) => n.calls('evalsha') > before[i]!)).toEqual(primaries.map((n) => n === primary));
    }
  });

  test('keys in different slots are refused before anything is sent, with each key’s slot and a hash-tag hint', async () => {
    const before = cluster.nodes.map((n) => n.calls('evalsha') + n.calls('script|load'));
    const err = await doExec('saga_transfer', ['acct:1', 'acct:2', 'txlog'], ['10', 'tx-1']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    const { message, detail } = err as UsageError;
    expect(message).toMatch(/different cluster slots/);
    expect(detail.slice(0, 3)).toEqual([
      `KEYS[1] acct:1  slot ${keySlot('acct:1')}`,
      `KEYS[2] acct:2  slot ${keySlot('acct:2')}`,
      `KEYS[3] txlog   slot ${keySlot('txlog')}`,
    ]);
    expect(detail[3]).toMatch(/hash tag/);
    expect(cluster.nodes.map((n) => n.calls('evalsha') + n.calls('script|load'))).toEqual(before);

    // Through the CLI: exit 2, the slots on stderr, nothing on stdout.
    const run = await cli('exec', 'saga_transfer', '-k', 'acct:1', 'acct:2', 'txlog', '-a', '10', 'tx-1');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`KEYS[2] acct:2  slot ${keySlot('acct:2')}`);
  });

  test('a hash-tagged multi-key script (saga_transfer) runs on the tag’s node', async () => {
    const keys = ['{bank}:acct:1', '{bank}:acct:2', '{bank}:txlog'];
    const owner = cluster.owner(keySlot('{bank}')).primary;
    owner.cli('SET', keys[0]!, '100');
    const result = await doExec('saga_transfer', keys, ['30', 'tx-1']);
    expect(result.node!.node).toBe(owner.label);
    expect(result.reply).toEqual({
      type: 'array',
      items: [
        { type: 'integer', value: 70 },
        { type: 'integer', value: 30 },
      ],
    });
    expect(owner.cli('GET', keys[1]!)).toBe('30');
    expect(owner.cli('HGET', keys[2]!, 'tx-1')).toMatch(/^SUCCESS/);
  });
});

describe('failover', () => {
  test('after CLUSTER FAILOVER the new primary runs the script with no NOSCRIPT retry', async () => {
    const slot = keySlot('counter:1');
    const { primary: old, replicas } = cluster.owner(slot);
    const promoted = replicas[0]!;
    const loadsBefore = promoted.calls('script|load');
    await cluster.failover(promoted);
    expect(cluster.owner(slot).primary).toBe(promoted);

    const result = await doExec('incr', ['counter:1'], ['1']);
    expect(result.node).toEqual({ node: promoted.label, role: 'primary', slot });
    expect(result.reloaded).toBe(false);
    expect(result.reply).toEqual({ type: 'integer', value: 6 });
    expect(promoted.calls('script|load')).toBe(loadsBefore);
    // The old primary, now a replica, still has every script: exists still passes.
    expect(old.role()).toBe('replica');
    expect((await exists({ names: [], manifest: manifest(), target })).missing).toBe(0);
  });

  test('a MOVED reply (the node list went stale) refreshes the topology once and runs on the new primary', async () => {
    const slot = keySlot('counter:1');
    const sha = readManifest(manifest())!.scripts.incr!.sha;
    const topology = await openTopology(target);
    try {
      const stale = topology.nodeForSlot(slot);
      const { replicas } = cluster.owner(slot);
      await cluster.failover(replicas[0]!); // behind the topology's back
      const tried: string[] = [];
      const result = await topology.onSlot(slot, {}, async (node) => {
        tried.push(node.label);
        return evalSha(node.conn, sha, ['counter:1'], ['1']);
      });
      expect(tried).toEqual([stale.label, replicas[0]!.label]);
      expect(result.reply).toBe(7);
      expect(result.reloaded).toBe(false);
    } finally {
      await topology.close();
    }
  });
});

describe('kill', () => {
  /** Makes `node` busy with an endless script; returns a function that ends it. */
  async function busyScript(node: ClusterNode): Promise<() => Promise<void>> {
    node.cli('CONFIG', 'SET', 'busy-reply-threshold', '100');
    const runner = spawn(CLI_BIN, ['-p', String(node.port), 'EVAL', 'while true do end', '0'], { stdio: 'ignore' });
    const finished = new Promise((r) => runner.once('exit', r));
    for (let i = 0; i < 100 && !node.cli('PING').startsWith('BUSY'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(node.cli('PING')).toMatch(/^BUSY/);
    return async () => {
      runner.kill('SIGKILL');
      await finished;
      node.cli('CONFIG', 'SET', 'busy-reply-threshold', '5000');
      await cluster.settle();
    };
  }

  test('SCRIPT KILL goes to every node; success names the node that ran the script', async () => {
    const seedPort = Number(new URL(cluster.url).port);
    const busy = cluster.nodes.find((n) => n.role() === 'primary' && n.port !== seedPort)!;
    const end = await busyScript(busy);
    try {
      const result = await kill({ target });
      expect(result.outcome).toBe('killed script');
      expect(result.server).toBe(busy.label);
      expect(result.nodes).toHaveLength(6);
      expect(result.nodes!.filter((n) => n.outcome === 'nothing running')).toHaveLength(5);
    } finally {
      await end();
    }
    const idle = await kill({ target });
    expect(idle.outcome).toBe('nothing running');
    expect(idle.nodes).toHaveLength(6);
  });

  test('a no-writes script looping on a replica (exec --ro): exists points at kill, and kill stops it there', async () => {
    // A project of its own: the shared one's scripts are counted by the tests after this one.
    const spin = makeProject({ 'lua/spin.lua': '#!lua flags=no-writes\nwhile true do end\n' });
    try {
      const run = (...args: string[]) => runCli([...args, '--url', cluster.url], { cwd: spin.dir, timeoutMs: 60000 });
      expect((await run('load')).code).toBe(0);
      const replica = cluster.owner(keySlot('spin:1')).replicas[0]!;
      replica.cli('CONFIG', 'SET', 'busy-reply-threshold', '100');
      const looping = run('exec', 'spin', '-k', 'spin:1', '--ro', '--timeout', '60000');
      for (let i = 0; i < 250 && !replica.cli('PING').startsWith('BUSY'); i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(replica.cli('PING')).toMatch(/^BUSY/);

      const busy = await run('exists');
      expect(busy.code).toBe(2);
      expect(busy.stderr).toContain(
        `${replica.label}: the server is busy running a script and answers nothing else; stop it with: rscript kill`,
      );

      const killed = await run('kill');
      expect(killed.code).toBe(0);
      expect(killed.stdout).toContain(`${replica.label} (replica): the running script was killed`);
      expect((await looping).code).toBe(1);
      expect(replica.cli('PING')).toBe('PONG');

      const idle = await run('kill');
      expect(idle.code).toBe(0);
      expect(idle.stdout).toContain('no script is running on any of the 6 nodes (3 primaries, 3 replicas)');
    } finally {
      spin.cleanup();
      for (const node of cluster.nodes) node.cli('CONFIG', 'SET', 'busy-reply-threshold', '5000');
    }
  });

  test('when the URL’s node is the busy one (it cannot list the nodes), kill still stops its script', async () => {
    const seed = cluster.byPort(Number(new URL(cluster.url).port));
    const end = await busyScript(seed);
    try {
      const result = await kill({ target });
      expect(result.outcome).toBe('killed script');
      expect(result.server).toBe(seed.label);
      expect(result.cluster!.note).toMatch(/busy/);
    } finally {
      await end();
    }
  });
});

describe('a node added later', () => {
  test('exists names it, load fixes it', async () => {
    const primary = cluster.nodes.find((n) => n.role() === 'primary')!;
    const added = await cluster.addReplica(primary);
    const result = await exists({ names: [], manifest: manifest(), target });
    expect(result.missing).toBe(4);
    for (const row of result.rows) expect(row.missingOn).toEqual([{ node: added.label, role: 'replica' }]);

    await doLoad();
    expect(cachedOn(added)).toEqual([1, 1, 1, 1]);
    expect((await exists({ names: [], manifest: manifest(), target })).missing).toBe(0);
  }, 30000);
});

describe('flush', () => {
  test('empties the script cache of every node; JSON lists them', async () => {
    const result = await flush({ target });
    expect(result.nodes).toHaveLength(cluster.nodes.length);
    for (const node of cluster.nodes) expect(cachedOn(node)).toEqual([0, 0, 0, 0]);
    const after = await cli('exists');
    expect(after.code).toBe(1);
    // One table line per script, saying "all N nodes" rather than listing every address.
    const lines = after.stdout.trim().split('\n');
    expect(lines).toHaveLength(2 + 4 + 2);
    for (const line of lines.slice(0, 7)) expect(line.length).toBe(lines[0]!.length);
    for (const line of lines.slice(2, 6)) expect(line).toMatch(new RegExp(`│ all ${cluster.nodes.length} nodes │$`));
  });

  test('the CLI keeps its confirmation rule: no terminal and no --yes, nothing flushed', async () => {
    await doLoad();
    const refused = await cli('flush');
    expect(refused.code).toBe(2);
    for (const node of cluster.nodes) expect(cachedOn(node)).toEqual([1, 1, 1, 1]);
    const done = await cli('flush', '--yes', '--json');
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout).nodes).toHaveLength(cluster.nodes.length);
    for (const node of cluster.nodes) expect(cachedOn(node)).toEqual([0, 0, 0, 0]);
  });
  // SCRIPT FLUSH is not replicated: each node must receive the flag itself. Checked on each node's
  // own MONITOR feed, not in rscript's JSON.
  test.each([
    [['--async'], ['SCRIPT', 'FLUSH', 'ASYNC']],
    [['--sync'], ['SCRIPT', 'FLUSH', 'SYNC']],
    [[], ['SCRIPT', 'FLUSH']],
  ])('flush %j reaches every node as %j', async (flags, sent) => {
    await doLoad();
    const monitors = await Promise.all(cluster.nodes.map((node) => startMonitor(node.port)));
    try {
      const done = await cli('flush', '--yes', ...flags, '--json');
      expect(done.code).toBe(0);
      await Promise.all(monitors.map((m) => m.sync()));
      expect(monitors.map((m) => m.matching('SCRIPT', 'FLUSH'))).toEqual(cluster.nodes.map(() => [sent]));
    } finally {
      for (const m of monitors) m.close();
    }
    const loaded = Object.values(readManifest(manifest())!.scripts).map((e) => e.sha);
    for (const node of cluster.nodes)
      expect(
        node
          .cli('SCRIPT', 'EXISTS', ...loaded)
          .split('\n')
          .map(Number),
      ).toEqual(loaded.map(() => 0));
  });
});

describe('bench', () => {
  test('routes every call to the primary of its keys, loads the script on every node, and adds up the server figures', async () => {
    const primaries = cluster.nodes.filter((n) => n.role() === 'primary');
    const before = primaries.map((n) => n.calls('evalsha'));
    // One hash tag per call, drawn at random: the calls spread over every primary's slots.
    const run = await cli(
      'bench',
      'lua/incr.lua',
      '-k',
      '{user:__rand_int__}:n',
      '-a',
      '1',
      '-n',
      '3000',
      '-c',
      '10',
      '--warmup',
      '0',
      '--json',
    );
    expect(run.stderr).not.toMatch(/MOVED|CROSSSLOT|NOSCRIPT/);
    expect(run.code).toBe(0);
    const [row] = JSON.parse(run.stdout).results;
    expect(row).toMatchObject({ requests: 3000, errors: 0, verdict: 'ok' });
    const grown = primaries.map((n, i) => n.calls('evalsha') - before[i]!);
    expect(grown.every((g) => g > 0)).toBe(true);
    expect(grown.reduce((a, b) => a + b, 0)).toBe(3000);
    // The server-side figures come from every primary, not from one.
    expect(row.serverCalls).toBe(3000);
  }, 30000);

  test('keys in different slots are refused before any call, as exec refuses them; __rand_int__ in a hashed part too', async () => {
    const before = cluster.nodes.map((n) => n.calls('evalsha') + n.calls('script|load'));
    const fixed = await cli('bench', 'saga_transfer', '-k', 'acct:1', 'acct:2', 'txlog', '-a', '1', 'tx', '-n', '50');
    expect(fixed.code).toBe(2);
    expect(fixed.stdout).toBe('');
    expect(fixed.stderr).toContain('the keys hash to different cluster slots');
    expect(fixed.stderr).toContain(`KEYS[2] acct:2  slot ${keySlot('acct:2')}`);
    expect(fixed.stderr).toMatch(/hash tag/);

    const drawn = await cli(
      'bench',
      'saga_transfer',
      '-k',
      'a:__rand_int__',
      'b:__rand_int__',
      '{x}:log',
      '-a',
      '1',
      'tx',
      '-n',
      '50',
    );
    expect(drawn.code).toBe(2);
    expect(drawn.stdout).toBe('');
    expect(drawn.stderr).toContain('KEYS[1] a:__rand_int__  slot drawn per call');
    expect(drawn.stderr).toMatch(/__rand_int__ outside the hash tag/);
    expect(cluster.nodes.map((n) => n.calls('evalsha') + n.calls('script|load'))).toEqual(before);

    // One hash tag, __rand_int__ outside it: every call's keys share a slot, and the calls run (the
    // script's own error, an empty source account, shows they reached it).
    const tagged = await cli(
      'bench',
      'saga_transfer',
      '-k',
      '{t}:a:__rand_int__',
      '{t}:b:__rand_int__',
      '{t}:log',
      '-a',
      '1',
      'tx-__rand_int__',
      '-n',
      '50',
      '--warmup',
      '0',
      '--json',
    );
    expect(tagged.stderr).not.toMatch(/CROSSSLOT|different cluster slots/);
    expect(JSON.parse(tagged.stdout).results[0].error).toMatch(/insufficient funds/);
  }, 30000);

  test('a fixture whose setup fails (MSET across slots) is an ERROR row with a hash-tag hint; the other fixtures are benched', async () => {
    const project = makeProject({
      'lua/incr.lua': "return redis.call('INCRBY', KEYS[1], ARGV[1])\n",
      'lua/get.lua': "#!lua flags=no-writes\nreturn redis.call('GET', KEYS[1])\n",
      '.redisscriptsrc': JSON.stringify({
        scripts: ['lua'],
        bench: {
          get: { keys: ['fx:a'], setup: [['MSET', 'fx:a', '1', 'fx:b', '2']], requests: 200 },
          incr: { keys: ['{fx}:n'], args: ['1'], requests: 200 },
        },
      }),
    });
    try {
      const run = await runCli(['bench', '--json', '--warmup', '0', '--url', cluster.url], { cwd: project.dir });
      expect(run.code).toBe(1);
      const { results, failed } = JSON.parse(run.stdout);
      expect(failed).toBe(1);
      expect(results.map((r: { script: string; verdict: string }) => [r.script, r.verdict])).toEqual([
        ['get', 'error'],
        ['incr', 'ok'],
      ]);
      expect(results[0].error).toMatch(/^bench\.get\.setup\[0\] \(MSET fx:a 1 fx:b 2\): CROSSSLOT .*hash tag/);
      expect(results[1].requests).toBe(200);

      const text = await runCli(['bench', '--warmup', '0', '--url', cluster.url], { cwd: project.dir });
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/│ get .*│ ERROR\s*│/);
      expect(text.stdout).toMatch(/│ incr .*│ ok\s*│/);
    } finally {
      project.cleanup();
    }
  }, 30000);
});
