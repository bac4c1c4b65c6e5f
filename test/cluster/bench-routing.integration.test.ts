/**
 * Where `rscript bench` sends a fixture's commands on a real six-node cluster: each setup command
 * goes by its real keys (none for CONFIG SET), checked on the nodes themselves with redis-cli. No
 * failover here: the primaries stay the same throughout.
 */
import { keySlot } from '../../src/server/slot.js';
import { makeProject, runCli } from '../helpers/cli.js';
import { startCluster, type ClusterNode, type TestCluster } from '../helpers/redis-cluster.js';

let cluster: TestCluster;
let primaries: ClusterNode[];

beforeAll(async () => {
  cluster = await startCluster();
  primaries = cluster.nodes.filter((n) => n.role() === 'primary');
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
async function benchFixtures(files: Record<string, string>, bench: Record<string, unknown>) {
  const project = makeProject({ ...files, '.redisscriptsrc': JSON.stringify({ scripts: ['lua'], bench }) });
  try {
    return await runCli(['bench', '--json', '--warmup', '0', '--url', cluster.url], { cwd: project.dir });
  } finally {
    project.cleanup();
  }
}

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
  expect(luaTimeLimits().map((limit, i) => [primaries[i]!.label, limit === '4997'])).toEqual(primaries.map((n) => [n.label, n === owner]));
  expect(run.code).toBe(0);
  const [row] = JSON.parse(run.stdout).results;
  expect(row).toMatchObject({ verdict: 'ok', error: null });
  expect(owner.cli('GET', `{${tag}}:dest`)).toBe('ab');
}, 30000);

test('a setup command without keys goes to every primary when the script keys slot is drawn per call', async () => {
  const run = await benchFixtures(
    { 'lua/incr.lua': "return redis.call('INCRBY', KEYS[1], ARGV[1])\n" },
    { incr: { keys: ['{r:__rand_int__}:n'], args: ['1'], setup: [['CONFIG', 'SET', 'lua-time-limit', '4996']], requests: 200, concurrency: 4 } },
  );
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout).results[0]).toMatchObject({ verdict: 'ok', requests: 200 });
  expect(luaTimeLimits()).toEqual(primaries.map(() => '4996'));
}, 30000);
