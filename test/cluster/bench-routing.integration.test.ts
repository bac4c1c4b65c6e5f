/**
 * Where `rscript bench` sends a fixture's commands on a real six-node cluster: a keyless script runs
 * where its setup wrote, and each setup command goes by its real keys (none for CONFIG SET), checked
 * on the nodes themselves with redis-cli. No failover here: the primaries stay the same throughout.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keySlot } from '../../src/redis/slot.js';
import { openTopology } from '../../src/server/topology.js';
import { makeProject, REPO, runCli } from '../helpers/cli.js';
import { startCluster, type ClusterNode, type TestCluster } from '../helpers/redis-cluster.js';

let cluster: TestCluster;
let primaries: ClusterNode[];
/** The primary rscript lists first: where a keyless call went before it looked at the setup. */
let first: ClusterNode;

beforeAll(async () => {
  cluster = await startCluster();
  primaries = cluster.nodes.filter((n) => n.role() === 'primary');
  const topology = await openTopology({ url: cluster.url, timeoutMs: 5000 });
  try {
    first = cluster.byPort(Number(topology.primaries()[0]!.label.split(':').pop()));
  } finally {
    await topology.close();
  }
}, 60000);

afterAll(async () => {
  await cluster?.stop();
});

const ownerOf = (key: string) => cluster.owner(keySlot(key)).primary;

/** A hash tag (`t7`) whose slot is served by a primary that `fits`. */
function tagOn(fits: (owner: ClusterNode) => boolean): string {
  for (let i = 0; i < 1000; i++) if (fits(ownerOf(`{t${i}}`))) return `t${i}`;
  throw new Error('no hash tag on such a node');
}

/** `lua-time-limit` as each primary has it now. */
const luaTimeLimits = () => primaries.map((n) => n.cli('CONFIG', 'GET', 'lua-time-limit').split('\n')[1]);

/** Benches every fixture of `config` (`--json`) in a throwaway project holding `files`. */
async function benchFixtures(files: Record<string, string>, bench: Record<string, unknown>, json = true) {
  const project = makeProject({ ...files, '.redisscriptsrc': JSON.stringify({ scripts: ['lua'], bench }) });
  try {
    return await runCli(['bench', ...(json ? ['--json'] : []), '--warmup', '0', '--url', cluster.url], {
      cwd: project.dir,
    });
  } finally {
    project.cleanup();
  }
}

test('a keyless script (batch_expire) runs on the node its setup wrote to, and its keyless setup prepares that node', async () => {
  const tag = tagOn((owner) => owner !== first);
  const owner = ownerOf(`{${tag}}`);
  const keys = [1, 2, 3].map((i) => `{${tag}}:${i}`);
  const calls = primaries.map((n) => n.calls('evalsha'));
  const run = await benchFixtures(
    { 'lua/batch_expire.lua': readFileSync(join(REPO, 'lua', 'batch_expire.lua'), 'utf8') },
    {
      batch_expire: {
        args: [`{${tag}}:*`, '60', '0', '100'],
        setup: [
          ['CONFIG', 'SET', 'lua-time-limit', '4998'],
          ['MSET', ...keys.flatMap((k) => [k, 'x'])],
        ],
        requests: 50,
      },
    },
  );
  expect(run.code).toBe(0);
  const [row] = JSON.parse(run.stdout).results;
  expect(row).toMatchObject({ requests: 50, errors: 0, verdict: 'ok' });
  // The script found the fixture's keys: each one got the TTL it sets.
  for (const key of keys) expect(Number(owner.cli('TTL', key))).toBeGreaterThan(0);
  expect(primaries.map((n, i) => n.calls('evalsha') - calls[i]!)).toEqual(primaries.map((n) => (n === owner ? 50 : 0)));
  // CONFIG SET has no key: it went to the node benched, not to the owner of the slot of "SET".
  expect(luaTimeLimits()).toEqual(primaries.map((n) => (n === owner ? '4998' : '5000')));
  expect(row.note).toContain(`batch_expire takes no keys: run on ${owner.label}, where its setup wrote`);
}, 30000);

test('a keyless script whose setup wrote to several nodes runs on the first primary, and the report says so', async () => {
  const a = tagOn((owner) => owner === first);
  const b = tagOn((owner) => owner !== first);
  const calls = first.calls('evalsha');
  const fixture = {
    count: {
      setup: [
        ['SET', `{${a}}:k`, '1'],
        ['SET', `{${b}}:k`, '1'],
      ],
      requests: 20,
    },
  };
  const run = await benchFixtures(
    { 'lua/count.lua': "#!lua flags=no-writes\nreturn redis.call('DBSIZE')\n" },
    fixture,
    false,
  );
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(`count takes no keys: run on ${first.label} only (its setup wrote to 2 nodes)`);
  expect(first.calls('evalsha') - calls).toBe(20);
}, 30000);

test('setup commands go by their real keys: BITOP by its third word, CONFIG SET to the node of the script keys', async () => {
  // A node other than the owners of the slots of "SET" and "OR", where the old rule sent these.
  const tag = tagOn((owner) => owner !== ownerOf('SET') && owner !== ownerOf('OR'));
  const owner = ownerOf(`{${tag}}`);
  owner.cli('SET', `{${tag}}:src`, 'ab');
  const run = await benchFixtures(
    { 'lua/get.lua': "#!lua flags=no-writes\nreturn redis.call('GET', KEYS[1])\n" },
    {
      get: {
        keys: [`{${tag}}:dest`],
        setup: [
          ['CONFIG', 'SET', 'lua-time-limit', '4997'],
          ['BITOP', 'OR', `{${tag}}:dest`, `{${tag}}:src`],
        ],
        requests: 20,
      },
    },
  );
  expect(luaTimeLimits().map((limit, i) => [primaries[i]!.label, limit === '4997'])).toEqual(
    primaries.map((n) => [n.label, n === owner]),
  );
  expect(run.code).toBe(0);
  const [row] = JSON.parse(run.stdout).results;
  expect(row).toMatchObject({ verdict: 'ok', error: null });
  expect(owner.cli('GET', `{${tag}}:dest`)).toBe('ab');
}, 30000);

test('a setup command without keys goes to every primary when the script keys slot is drawn per call', async () => {
  const run = await benchFixtures(
    { 'lua/incr.lua': "return redis.call('INCRBY', KEYS[1], ARGV[1])\n" },
    {
      incr: {
        keys: ['{r:__rand_int__}:n'],
        args: ['1'],
        setup: [['CONFIG', 'SET', 'lua-time-limit', '4996']],
        requests: 200,
        concurrency: 4,
      },
    },
  );
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout).results[0]).toMatchObject({ verdict: 'ok', requests: 200 });
  expect(luaTimeLimits()).toEqual(primaries.map(() => '4996'));
}, 30000);
