/**
 * Functions libraries on a real six-node Redis Cluster (3 primaries, 3 replicas) that the suite
 * starts: every primary gets the library and every replica shows it; a replace with changed code;
 * a rollback when one primary refuses the new library leaves every node with the old code; FCALL_RO
 * on a replica; drift named per node; a replica that is down during a load is reported, and one that
 * is up but cut off from its primary is named as lagging. A function bench routes each FCALL. Each node is
 * checked with redis-cli, not only through rscript. The tests run in order on one cluster.
 */
import { createHash } from 'node:crypto';
import { createClient } from '@redis/client';
import { load } from '../../src/commands/load.js';
import { exec } from '../../src/commands/exec.js';
import { keySlot } from '../../src/redis/slot.js';
import type { Target } from '../../src/server/target.js';
import { startCluster, type ClusterNode, type TestCluster } from '../helpers/redis-cluster.js';
import { makeProject, runCli, type Project } from '../helpers/cli.js';
import { checkFailure } from '../helpers/failure.js';

let cluster: TestCluster;
let project: Project;
let target: Target;

const LIB = `#!lua name=counters
-- counter_add: adds to a counter
--
-- KEYS[1]: the counter
-- ARGV[1]: increment (integer)
redis.register_function('counter_add', function(keys, args)
  return redis.call('INCRBY', keys[1], args[1])
end)

-- counter_get: reads a counter
--
-- KEYS[1]: the counter
redis.register_function{function_name = 'counter_get', callback = function(keys) return redis.call('GET', keys[1]) end, flags = {'no-writes'}}
`;

const MANIFEST = 'rscript.lock.json';
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
const doLoad = () => load({ paths: ['lua'], manifest: project.path(MANIFEST), target, cwd: project.dir });
const live = () => cluster.nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null);
/** SHA1 of the library's code on one node (redis-cli), undefined when it lacks the library. */
const shaOn = (node: ClusterNode, lib = 'counters') => {
  const lines = node.cli('FUNCTION', 'LIST', 'LIBRARYNAME', lib, 'WITHCODE').split('\n');
  const at = lines.indexOf('library_code');
  return at < 0 ? undefined : sha1(lines.slice(at + 1).join('\n') + '\n');
};
/** Replication is asynchronous: a replica shows what its primary has within a moment. */
async function everyNodeHas(sha: string | undefined): Promise<void> {
  const deadline = Date.now() + 5000;
  while (live().some((n) => shaOn(n) !== sha) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(live().map((n) => [n.label, shaOn(n)])).toEqual(live().map((n) => [n.label, sha]));
}

beforeAll(async () => {
  cluster = await startCluster();
  target = { url: cluster.url, timeoutMs: 5000 };
  project = makeProject({ 'lua/counters.lua': LIB });
}, 60000);
afterAll(async () => {
  await cluster?.stop();
  project?.cleanup();
});

test('load sends FUNCTION LOAD to every primary; every replica shows the library', async () => {
  const r = await doLoad();
  const nodes = r.libraries![0]!.nodes;
  expect(nodes.filter((n) => n.role === 'primary').map((n) => n.action)).toEqual(['added', 'added', 'added']);
  expect(nodes.filter((n) => n.role === 'replica').map((n) => n.action)).toEqual(['received', 'received', 'received']);
  expect(r.laggingReplicas).toEqual([]);
  for (const node of cluster.nodes) expect(shaOn(node)).toBe(sha1(LIB));
  // One FUNCTION LOAD per node: the primary's own, and on each replica the one replication carried.
  expect(cluster.nodes.map((n) => n.calls('function|load'))).toEqual(cluster.nodes.map(() => 1));
});

test("exec runs counter_add on the key's primary, and counter_get with --ro through FCALL_RO on its replica", async () => {
  const call = (script: string, keys: string[], args: string[] = [], readOnly = false) =>
    exec({
      script,
      keys,
      args,
      readOnly,
      manifest: project.path(MANIFEST),
      scripts: ['lua'],
      target,
      cwd: project.dir,
    });
  const added = await call('counters.counter_add', ['{c}:n'], ['4']);
  const owner = cluster.owner(keySlot('{c}:n'));
  expect(added.node).toEqual({ node: owner.primary.label, role: 'primary', slot: keySlot('{c}:n') });
  const replica = owner.replicas[0]!;
  const deadline = Date.now() + 5000;
  while (replica.cli('READONLY') && replica.cli('GET', '{c}:n') !== '4' && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  const before = replica.calls('fcall_ro');
  const got = await call('counter_get', ['{c}:n'], [], true);
  expect(got.function!.command).toBe('FCALL_RO');
  expect(got.node!.role).toBe('replica');
  expect(got.node!.node).toBe(replica.label);
  expect(got.reply).toEqual({ type: 'bulk string', value: '4' });
  expect(replica.calls('fcall_ro')).toBe(before + 1);
});

test('bench of a function: each FCALL goes to the primary of its key, and the server time adds up every primary', async () => {
  const primaries = cluster.nodes.filter((n) => n.role() === 'primary');
  expect(primaries).toHaveLength(3);
  const before = primaries.map((n) => n.calls('fcall'));
  const r = await runCli(
    [
      'bench',
      'counters.counter_add',
      '-k',
      'c:__rand_int__',
      '-a',
      '1',
      '-n',
      '600',
      '--warmup',
      '0',
      '-c',
      '4',
      '--json',
      '--url',
      cluster.url,
    ],
    { cwd: project.dir, timeoutMs: 60_000 },
  );
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const row = JSON.parse(r.stdout).results[0];
  expect(row).toMatchObject({ script: 'counters.counter_add', requests: 600, errors: 0, serverCalls: 600 });
  const added = primaries.map((n, i) => n.calls('fcall') - before[i]!);
  // Keys drawn per call land on every primary, each FCALL on the node that owns its slot (no MOVED).
  expect(added.reduce((a, b) => a + b, 0)).toBe(600);
  expect(added.every((n) => n > 0)).toBe(true);
});

test('a replace with changed code reaches every node; a second load sends nothing', async () => {
  const v2 = LIB.replace('adds to a counter', 'adds to a counter (v2)');
  project.write('lua/counters.lua', v2);
  const r = await doLoad();
  expect(r.libraries![0]!.nodes.filter((n) => n.role === 'primary').map((n) => n.action)).toEqual([
    'replaced',
    'replaced',
    'replaced',
  ]);
  await everyNodeHas(sha1(v2));
  const calls = cluster.nodes.map((n) => n.calls('function|load'));
  const again = await doLoad();
  expect(again.libraries![0]!.nodes.every((n) => n.action === 'unchanged')).toBe(true);
  expect(cluster.nodes.map((n) => n.calls('function|load'))).toEqual(calls);
});

test('one primary refuses the new code: every node changed is rolled back, every node keeps the old code, the lockfile is untouched', async () => {
  const old = project.read('lua/counters.lua').toString();
  const lockBefore = project.read(MANIFEST);
  const primaries = live().filter((n) => n.role() === 'primary');
  const refusing = primaries[1]!;
  // Another library there already defines a function the new code registers.
  refusing.cli(
    'FUNCTION',
    'LOAD',
    "#!lua name=other\nredis.register_function('counter_reset', function() return 'other' end)",
  );
  project.write(
    'lua/counters.lua',
    old + "redis.register_function('counter_reset', function(keys) return redis.call('DEL', keys[1]) end)\n",
  );
  const err = await checkFailure(doLoad());
  expect(err.message).toBe(
    `FUNCTION LOAD failed ${refusing.label}: lua/counters.lua: ERR Function counter_reset already exists (library "other" on that node defines it: rename the function, or FUNCTION DELETE other there)`,
  );
  const rolledBack = err.detail.find((d) => d.startsWith('rolled back'))!;
  for (const p of primaries.filter((n) => n !== refusing)) expect(rolledBack).toContain(`${p.label} (counters)`);
  expect(rolledBack).not.toContain(refusing.label);
  await everyNodeHas(sha1(old));
  expect(refusing.cli('FCALL', 'counter_reset', '0')).toBe('other');
  expect(project.read(MANIFEST).equals(lockBefore)).toBe(true);
  refusing.cli('FUNCTION', 'DELETE', 'other');
  project.write('lua/counters.lua', old);
});

test('exists names the nodes that drift and exits 1', async () => {
  const primary = live().find((n) => n.role() === 'primary')!;
  const original = project.read('lua/counters.lua').toString();
  primary.cli('FUNCTION', 'LOAD', 'REPLACE', original.replace('reads a counter', 'reads'));
  const r = await runCli(['exists', '--url', cluster.url], { cwd: project.dir, env: {} });
  expect(r.code).toBe(1);
  expect(r.stdout).toContain(`OTHER CODE on ${primary.label} (primary)`);
  primary.cli('FUNCTION', 'LOAD', 'REPLACE', original);
  await everyNodeHas(sha1(original));
  const ok = await runCli(['exists', '--url', cluster.url], { cwd: project.dir });
  expect(ok.code).toBe(0);
});

test('functions dump reads every primary; restore puts the libraries back on every node', async () => {
  const r = await runCli(['functions', 'dump', '--out', 'backup.bin', '--url', cluster.url], { cwd: project.dir });
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(
    'from 3 primaries holding the same libraries written to backup.bin: counters (counter_add, counter_get)',
  );
  const sha = shaOn(live()[0]!);
  for (const n of live().filter((x) => x.role() === 'primary')) n.cli('FUNCTION', 'FLUSH');
  await everyNodeHas(undefined);
  const restored = await runCli(['functions', 'restore', 'backup.bin', '--url', cluster.url], { cwd: project.dir });
  expect(restored.code).toBe(0);
  expect(restored.stdout).toContain('restored (APPEND) on 3 primaries');
  await everyNodeHas(sha);
});

test('a replica cut off from its primary, alive, is named as lagging; it shows the new code once its link is back', async () => {
  // The replica stays up and answers, but cannot replicate: its primary turns its default user off
  // (the replica links without a user), and rscript connects as a user of its own on every node.
  for (const n of live()) n.cli('ACL', 'SETUSER', 'deployer', 'on', '>s3cret', '~*', '&*', '+@all');
  const replica = live().find((n) => n.role() === 'replica')!;
  const primary = cluster.byPort(Number(replica.info('replication', 'master_port')));
  const admin = createClient({ url: `redis://deployer:s3cret@127.0.0.1:${primary.port}` });
  await admin.connect();
  try {
    await admin.sendCommand(['ACL', 'SETUSER', 'default', 'off']);
    await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'replica']);
    const deadline = Date.now() + 5000;
    while (replica.info('replication', 'master_link_status') !== 'down' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(replica.info('replication', 'master_link_status')).toBe('down');
    const v = project.read('lua/counters.lua').toString().replace('reads a counter', 'reads a counter (lag)');
    project.write('lua/counters.lua', v);
    const r = await runCli(['load', '--url', `redis://deployer:s3cret@127.0.0.1:${primary.port}`], {
      cwd: project.dir,
      timeoutMs: 30000,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `replica ${replica.label} of ${primary.label} does not show the new code of counters yet: check its replication link (INFO replication)`,
    );
    // The other replicas are not named: they received it.
    expect(r.stderr.match(/does not show the new code/g)).toHaveLength(1);
    expect(shaOn(replica)).not.toBe(sha1(v));
    await admin.sendCommand(['ACL', 'SETUSER', 'default', 'on']);
    await everyNodeHas(sha1(v));
  } finally {
    await admin.sendCommand(['ACL', 'SETUSER', 'default', 'on']).catch(() => undefined);
    await admin.quit().catch(() => undefined);
  }
}, 60000);

test('a replica that is down during the load is named on stderr; the others get the new code', async () => {
  const down = live().find((n) => n.role() === 'replica')!;
  await cluster.crash(down);
  const v3 = project.read('lua/counters.lua').toString().replace('reads a counter', 'reads a counter (v3)');
  project.write('lua/counters.lua', v3);
  const r = await runCli(['load', '--url', cluster.url], { cwd: project.dir, timeoutMs: 30000 });
  expect(r.code).toBe(0);
  expect(r.stderr).toContain(`warning: ${down.label} (replica) was skipped`);
  await everyNodeHas(sha1(v3));
}, 60000);
