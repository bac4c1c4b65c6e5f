/**
 * A cluster whose nodes all need a password: the credentials of the one URL given reach every node
 * rscript finds, and the password appears in no output.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { startCluster, type TestCluster } from '../helpers/redis-cluster.js';

const PASSWORD = 'cluster-Secret-42';
let cluster: TestCluster;
let dir: string;

beforeAll(async () => {
  cluster = await startCluster({ primaries: 3, replicas: 0, password: PASSWORD });
  await cluster.settle();
  dir = mkdtempSync(join(tmpdir(), 'rscript-cluster-auth-'));
  writeFileSync(join(dir, 'package.json'), '{"name":"p"}');
  mkdirSync(join(dir, 'lua'));
  writeFileSync(
    join(dir, 'lua', 'incr.lua'),
    '-- incr: adds one\n--\n-- KEYS[1]: the counter (string)\n-- Returns: the new value\nreturn redis.call("INCR", KEYS[1])\n',
  );
}, 60000);

afterAll(async () => {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('load, exists and exec reach every node with the URL password; the password is never printed', async () => {
  const env = { REDIS_URL: cluster.url };
  const loaded = await runCli(['load', '--json'], { cwd: dir, env });
  expect(loaded.code).toBe(0);
  const sha = JSON.parse(loaded.stdout).rows[0].sha;
  for (const node of cluster.nodes) expect(node.cli('SCRIPT', 'EXISTS', sha)).toBe('1');

  const exists = await runCli(['exists'], { cwd: dir, env });
  expect(exists.code).toBe(0);
  // Keys in the three primaries' slots: each call goes to another node, with the same credentials.
  for (const key of ['a', 'b', 'c'])
    expect((await runCli(['exec', 'incr', '--keys', key], { cwd: dir, env })).code).toBe(0);

  const wrong = await runCli(['exists'], {
    cwd: dir,
    env: { REDIS_URL: cluster.url.replace(encodeURIComponent(PASSWORD), 'nope-wrong') },
  });
  expect(wrong.code).toBe(2);
  expect(wrong.stderr).toMatch(/authentication failed/);
  for (const r of [loaded, exists, wrong]) expect(r.stdout + r.stderr).not.toContain(PASSWORD);
}, 30000);
