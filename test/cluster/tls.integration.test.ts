/**
 * A cluster reachable over TLS only (clients, the cluster bus and replication): the CA given once
 * reaches every node rscript finds, which CLUSTER SHARDS announces by its `tls-port`.
 */
import { makeProject, runCli, type Project } from '../helpers/cli.js';
import { startCluster, type TestCluster } from '../helpers/redis-cluster.js';
import { makeTestCerts, type TestCerts } from '../helpers/tls-certs.js';

let certs: TestCerts;
let cluster: TestCluster;
let project: Project;

beforeAll(async () => {
  certs = makeTestCerts();
  cluster = await startCluster({ primaries: 3, replicas: 1, tls: certs });
  project = makeProject({
    'lua/incr.lua':
      '-- incr: adds one\n--\n-- KEYS[1]: the counter (string)\n-- Returns: the new value\nreturn redis.call("INCR", KEYS[1])\n',
  });
}, 90000);

afterAll(async () => {
  await cluster?.stop();
  certs?.cleanup();
  project?.cleanup();
});

test('load, exists and exec over TLS on every node, primaries and replicas, with one --tls-ca', async () => {
  const tls = ['--url', cluster.url, '--tls-ca', certs.ca];
  expect(cluster.url).toMatch(/^rediss:\/\//);
  const loaded = await runCli(['load', '--json', ...tls], { cwd: project.dir });
  expect({ code: loaded.code, stderr: loaded.stderr }).toEqual({ code: 0, stderr: '' });
  const result = JSON.parse(loaded.stdout);
  expect(result.cluster.nodes).toHaveLength(6);
  const sha = result.rows[0].sha;
  for (const node of cluster.nodes) expect(node.cli('SCRIPT', 'EXISTS', sha)).toBe('1');

  const exists = await runCli(['exists', ...tls], { cwd: project.dir });
  expect(exists.code).toBe(0);
  // Keys in the three primaries' slots: each call goes to another node, over TLS.
  for (const key of ['a', 'b', 'c']) {
    const r = await runCli(['exec', 'incr', '--keys', key, '--json', ...tls], { cwd: project.dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).reply).toBe(1);
  }
}, 60000);

test('without the CA every node is refused with the TLS message; a plain redis:// URL fails, without hanging', async () => {
  const unverified = await runCli(['exists', '--url', cluster.url], { cwd: project.dir });
  expect(unverified.code).toBe(2);
  expect(unverified.stderr).toMatch(/TLS failed: .*certificate.*--tls-ca/);

  const plain = await runCli(['exists', '--url', cluster.url.replace(/^rediss:/, 'redis:'), '--timeout', '2000'], {
    cwd: project.dir,
  });
  expect(plain.code).toBe(2);
  expect(plain.stderr).toMatch(/^rscript: 127\.0\.0\.1:\d+: .*use rediss:\/\//);
}, 30000);
