/**
 * A cluster with dead nodes, on a real six-node Redis Cluster of its own (the tests stop nodes for
 * good). A node the cluster has marked failed is skipped with a warning; a node that is down but not
 * yet marked failed is a connection error that says to wait for the cluster's verdict.
 */
import { runCli, makeProject, type Project } from '../helpers/cli.js';
import { startCluster, type ClusterNode, type TestCluster } from '../helpers/redis-cluster.js';
import { serverUnderTest } from '../helpers/server-under-test.js';

let cluster: TestCluster;
let project: Project;
let shas: string[];

const rscript = (...args: string[]) => runCli([...args, '--url', cluster.url], { cwd: project.dir });
const cachedOn = (node: ClusterNode) =>
  node
    .cli('SCRIPT', 'EXISTS', ...shas)
    .split('\n')
    .map(Number);

beforeAll(async () => {
  cluster = await startCluster();
  project = makeProject({
    'lua/incr.lua': "return redis.call('INCRBY', KEYS[1], ARGV[1])\n",
    'lua/hello.lua': "return 'hello'\n",
  });
}, 60000);

afterAll(async () => {
  await cluster?.stop();
  project?.cleanup();
});

test('nodes marked failed (a primary after its failover, a replica) are skipped with a warning: load, exists and flush pass on the others', async () => {
  const loaded = await rscript('load', '--json');
  expect(loaded.code).toBe(0);
  shas = (JSON.parse(loaded.stdout).rows as Array<{ sha: string }>).map((r) => r.sha);

  const seedPort = Number(new URL(cluster.url).port);
  const primary = cluster.nodes.find((n) => n.role() === 'primary' && n.port !== seedPort)!;
  // A replica of another primary: the crashed primary's own replica is the one that takes over.
  const replica = cluster.nodes.find(
    (n) =>
      n.role() === 'replica' && n.port !== seedPort && n.info('replication', 'master_port') !== String(primary.port),
  )!;
  await cluster.crash(primary); // its replica takes over
  await cluster.crash(replica);
  const live = cluster.nodes.filter((n) => n !== primary && n !== replica);

  const warnings = [
    `warning: ${primary.label} (primary) was skipped: marked failed`,
    `warning: ${replica.label} (replica) was skipped: marked failed`,
  ];

  const checked = await rscript('exists');
  expect(checked.stderr).not.toMatch(/cannot reach/);
  expect(checked.code).toBe(0);
  expect(checked.stdout).toContain(
    `all 2 scripts are cached on all 4 ${serverUnderTest().name} nodes (3 primaries, 1 replica)`,
  );
  // On stderr, as other warnings: stdout keeps the result (`rscript exists | tail -1`).
  for (const w of warnings) expect(checked.stderr).toContain(w);
  expect(checked.stdout).not.toContain('warning');

  // A live node loses its cache: exists names it, load repairs it, still skipping the failed nodes.
  const emptied = live.find((n) => n.role() === 'replica')!;
  expect(emptied.cli('SCRIPT', 'FLUSH')).toBe('OK');
  const missing = await rscript('exists');
  expect(missing.code).toBe(1);
  expect(missing.stdout).toContain(`${emptied.label} (replica)`);

  const repaired = await rscript('load');
  expect(repaired.code).toBe(0);
  expect(repaired.stdout).toContain('2 loads on 1 of 4 cluster nodes');
  for (const w of warnings) expect(repaired.stderr).toContain(w);
  for (const node of live) expect(cachedOn(node)).toEqual([1, 1]);

  const flushed = await rscript('flush', '--yes');
  expect(flushed.code).toBe(0);
  expect(flushed.stdout).toContain('script cache flushed on 4 nodes (3 primaries, 1 replica)');
  for (const w of warnings) expect(flushed.stderr).toContain(w);
  for (const node of live) expect(cachedOn(node)).toEqual([0, 0]);
}, 90000);

test('a node that is down but not yet marked failed: exit 2 naming it, and no advice to change --url', async () => {
  const seedPort = Number(new URL(cluster.url).port);
  const alive = cluster.nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null);
  // A long cluster-node-timeout: the cluster will not mark the node failed while the test runs.
  for (const node of alive) expect(node.cli('CONFIG', 'SET', 'cluster-node-timeout', '600000')).toBe('OK');
  const down = alive.find((n) => n.role() === 'replica' && n.port !== seedPort)!;
  down.process.kill('SIGKILL');
  await new Promise((r) => down.process.once('exit', r));

  const run = await rscript('exists');
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(`${down.label}: connection refused`);
  expect(run.stderr).toMatch(/marked it failed/);
  expect(run.stderr).not.toMatch(/--url|REDIS_URL/);
});
