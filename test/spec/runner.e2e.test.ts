/**
 * `rscript test` as a user runs it (the built binary, a throwaway redis-server): a passing spec, a
 * wrong reply, a wrong keyspace, a concurrency invariant that catches a non-atomic script, RESP2 vs
 * RESP3, a malformed spec (exit 2 with file:line), --json, JUnit, and Ctrl-C leaving no server.
 */
import { spawn } from 'node:child_process';
import { BIN, makeProject, runCli, type Project } from '../helpers/cli.js';
import { assertRedisInstalled, startRedis } from '../helpers/redis-server.js';

let project: Project;

const COUNTER = `-- counter: adds ARGV[1] to KEYS[1]
return redis.call('INCRBY', KEYS[1], ARGV[1])
`;
// Read-modify-write split over two calls, as client code often does it: not atomic.
const GET = `return tonumber(redis.call('GET', KEYS[1]) or '0')
`;
const SET_NEXT = `redis.call('SET', KEYS[1], tonumber(ARGV[1]) + 1)
return 1
`;
const TYPES = `return {{map = {a = 1}}, {double = 1.5}}
`;

beforeAll(() => {
  assertRedisInstalled();
  project = makeProject({
    'lua/counter.lua': COUNTER,
    'lua/counter.spec.yaml': `cases:
  - name: adds to a missing counter
    call: { keys: [c], args: ["5"] }
    reply: 5
    keyspace:
      c: "5"
  - name: 10 clients x 100 increments
    concurrent:
      clients: 10
      calls: 100
      steps:
        - { keys: [n], args: ["1"] }
    keyspace:
      n: "1000"
`,
    'bad/counter.lua': COUNTER,
    'bad/reply.spec.yaml': `script: counter
cases:
  - name: passes
    call: { keys: [c], args: ["1"] }
    reply: 1
  - name: expects a bulk string where the script answers an integer
    call: { keys: [c], args: ["1"] }
    reply: "1"
`,
    'bad/keyspace.spec.yaml': `script: counter
cases:
  - name: checks the wrong value and a TTL
    setup:
      - [SET, c, "10"]
    call: { keys: [c], args: ["1"] }
    reply: 11
    keyspace:
      c: { string: "12", ttl: [1, 100] }
      other: null
  - name: checks a TTL the key does not have, and a key that should be absent
    setup:
      - [SET, c, "10"]
      - [SET, other, x]
    call: { keys: [c], args: ["1"] }
    reply: 11
    keyspace:
      c: { string: "11", ttl: [1, 100] }
      other: null
`,
    'atomic/get.lua': GET,
    'atomic/set_next.lua': SET_NEXT,
    'atomic/racy.spec.yaml': `script: get
cases:
  - name: a read-modify-write over two calls loses increments
    concurrent:
      clients: 10
      calls: 100
      steps:
        - { name: read, script: get, keys: [n] }
        - { name: write, script: set_next, keys: [n], args: ["\${reply}"] }
    keyspace:
      n: "1000"
`,
    'types/types.lua': TYPES,
    'types/types.spec.yaml': `cases:
  - name: written for RESP3 only
    call: {}
    reply: [{ map: { a: 1 } }, { double: 1.5 }]
  - name: written for both
    call: {}
    reply:
      resp3: [{ map: { a: 1 } }, { double: 1.5 }]
      resp2: [[a, 1], "1.5"]
`,
    'broken/counter.lua': COUNTER,
    'broken/counter.spec.yaml': `cases:
  - name: fine
    call: { keys: [c], args: ["1"] }
    reply: 1
  - name: typo
    call: { keys: [c], args: ["1"] }
    respons: 1
`,
    'broken/yaml.spec.yaml': `cases:
  - name: fine
    call: { keys: [c], args: ["1"]
    reply: 1
`,
    // Two keys in two slots: fine on one server, CROSSSLOT on a cluster.
    'cross/move.lua': `redis.call('SET', KEYS[2], redis.call('GET', KEYS[1]) or '0')
return 1
`,
    'cross/move.spec.yaml': `cases:
  - name: moves a value between two keys of different slots
    call: { keys: [from, to] }
    reply: 1
    keyspace:
      to: "0"
  - name: about the whole keyspace of one node
    cluster: false
    call: { keys: ["{x}a", "{x}b"] }
    dbsize: 1
`,
    'missing/x.spec.yaml': `script: counter
cases:
  - name: calls a script that is nowhere
    steps:
      - { keys: [c], args: ["1"], reply: 1 }
      - { script: nowhere, keys: [c], reply: 1 }
`,
    'slow/slow.lua': `redis.call('INCR', KEYS[1])
return 1
`,
    'slow/slow.spec.yaml': `cases:
  - name: long enough to be interrupted
    concurrent:
      clients: 2
      calls: 100000
      steps:
        - { keys: [n], reply: 1 }
`,
  });
});

afterAll(() => project?.cleanup());

const run = (args: string[]) => runCli(['test', ...args], { cwd: project.dir, timeoutMs: 60_000 });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 40 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !alive(pid);
}

describe('rscript test', () => {
  it('passes a spec, a line per case with its time, under RESP2 and RESP3, and stops its server', async () => {
    const r = await run(['--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.files).toEqual(['lua/counter.spec.yaml']);
    expect(
      doc.cases.map((c: { name: string; protocol: number; passed: boolean }) => [c.name, c.protocol, c.passed]),
    ).toEqual([
      ['adds to a missing counter', 2, true],
      ['10 clients x 100 increments', 2, true],
      ['adds to a missing counter', 3, true],
      ['10 clients x 100 increments', 3, true],
    ]);
    expect(doc.cases[1].calls).toBe(1000);
    expect(await gone(doc.sandbox.pids[0])).toBe(true);

    const text = await run(['lua/counter.spec.yaml', '--resp', '3']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^✓ lua\/counter\.spec\.yaml:2 {2}adds to a missing counter {2}[\d.]+ ms$/m);
    expect(text.stdout).toMatch(/^2 passed, 0 failed$/m);
    expect(text.stderr).toMatch(/^rscript test: sandbox 127\.0\.0\.1:\d+ \(redis-server [\d.]+, pid \d+\)/m);
  });

  it('finds a spec by script name', async () => {
    const r = await run(['counter', '--resp', '2', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).files).toEqual(['lua/counter.spec.yaml']);
  });

  it('fails on a reply of the wrong type, with expected vs actual and the line of the expectation', async () => {
    const r = await run(['bad/reply.spec.yaml', '--resp', '3']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^✓ bad\/reply\.spec\.yaml:3 {2}passes/m);
    expect(r.stdout).toMatch(
      /^✗ bad\/reply\.spec\.yaml:6 {2}expects a bulk string where the script answers an integer/m,
    );
    expect(r.stdout).toContain('bad/reply.spec.yaml:8  reply (counter keys ["c"] args ["1"])');
    expect(r.stdout).toMatch(/expected {2}"1"\n\s+actual {4}1\n/);
    expect(r.stdout).toMatch(/^1 passed, 1 failed$/m);
  });

  it('fails on the keyspace afterwards: the value, then the TTL', async () => {
    const r = await run(['bad/keyspace.spec.yaml', '--resp', '2', '--json']);
    expect(r.code).toBe(1);
    const [value, ttl] = JSON.parse(r.stdout).cases;
    expect(value.passed).toBe(false);
    expect(value.failures).toEqual([{ line: 9, what: 'keyspace "c"', expected: '"12"', actual: '"11"' }]);
    expect(ttl.failures).toEqual([
      { line: 18, what: 'keyspace "c"', expected: 'ttl from 1 to 100', actual: 'ttl -1 (no TTL)' },
      { line: 19, what: 'keyspace "other"', expected: 'no such key', actual: 'a string: "x"' },
    ]);
  });

  it('catches a non-atomic read-modify-write under 10 clients x 100 calls', async () => {
    const r = await run(['atomic', '--resp', '3', '--json']);
    expect(r.code).toBe(1);
    const [c] = JSON.parse(r.stdout).cases;
    expect(c.calls).toBe(2000);
    expect(c.failures).toHaveLength(1);
    expect(c.failures[0].what).toBe('keyspace "n"');
    expect(c.failures[0].expected).toBe('"1000"');
    // Increments were lost: the two calls of one client interleaved with the others'.
    expect(Number(JSON.parse(c.failures[0].actual))).toBeLessThan(1000);
  });

  it('shows where RESP2 and RESP3 replies differ, and passes a spec that says both', async () => {
    const r = await run(['types']);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n').filter((l) => /^[✓✗]/.test(l));
    expect(lines.map((l) => l.replace(/ {2}[\d.]+ ms$/, ''))).toEqual([
      '✗ types/types.spec.yaml:2  written for RESP3 only [RESP2]',
      '✓ types/types.spec.yaml:5  written for both [RESP2]',
      '✓ types/types.spec.yaml:2  written for RESP3 only [RESP3]',
      '✓ types/types.spec.yaml:5  written for both [RESP3]',
    ]);
    expect(r.stdout).toContain('at [1]  expected {map: {"a": 1}}, got ["a", 1]');
    expect(r.stdout).toContain('at [2]  expected {double: 1.5}, got "1.5"');
  });

  it('refuses a malformed spec before starting a server: exit 2 with file:line', async () => {
    const typo = await run(['broken/counter.spec.yaml']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(
      /^rscript: broken\/counter\.spec\.yaml:7: unknown field "respons" in a case: expected "name", /m,
    );
    expect(typo.stderr).not.toMatch(/rscript test: sandbox/);
    const yaml = await run(['broken/yaml.spec.yaml']);
    expect(yaml.code).toBe(2);
    expect(yaml.stderr).toMatch(/^rscript: broken\/yaml\.spec\.yaml:[34]: invalid YAML: /m);
    const json = await run(['broken/yaml.spec.yaml', '--json']);
    expect(JSON.parse(json.stdout).error.exitCode).toBe(2);
  });

  it('shows a cross-slot mistake on a throwaway cluster that one server lets pass', async () => {
    const one = await run(['cross', '--resp', '3']);
    expect(one.code).toBe(0);
    const cluster = await run(['cross', '--resp', '3', '--cluster']);
    expect(cluster.code).toBe(1);
    expect(cluster.stderr).toMatch(
      /^rscript test: sandbox cluster 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+ \(redis-server [\d.]+, pid \d+, \d+, \d+\)/m,
    );
    expect(cluster.stdout).toMatch(/actual {4}error "CROSSSLOT Keys in request don't hash to the same slot/);
    expect(cluster.stdout).toMatch(/^0 passed, 1 failed, 1 skipped$/m);
    const pids = /pid (\d+), (\d+), (\d+)/.exec(cluster.stderr)!.slice(1).map(Number);
    for (const pid of pids) expect(await gone(pid)).toBe(true);
  }, 60_000);

  it('names the line of a call to a script that does not exist, before starting a server', async () => {
    const r = await run(['missing']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^rscript: missing\/x\.spec\.yaml:6: no script named "nowhere": looked for missing\/nowhere\.lua, lua\/nowhere\.lua$/m,
    );
  });

  it('--url: runs on the given server, asking first when its database holds keys, and empties it before each case', async () => {
    const server = await startRedis();
    try {
      const empty = await run(['lua', '--resp', '3', '--url', server.url]);
      expect(empty.code).toBe(0);
      expect(empty.stderr).toMatch(/^rscript test: 127\.0\.0\.1:\d+$/m);
      server.cli('SET', 'precious', 'data');
      const refused = await run(['lua', '--resp', '3', '--url', server.url]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(
        /^rscript: refusing to test without confirmation: stdin is not a terminal; pass --yes$/m,
      );
      // Why it asks, also when it cannot ('precious' and what the last case left).
      expect(refused.stderr).toMatch(
        /^ {2}Its database holds \d+ keys?; rscript test empties the database \(FLUSHDB\) before each case\.$/m,
      );
      expect(server.cli('GET', 'precious')).toBe('data');
      // REDIS_URL alone does not pick the server: the run is on a throwaway one.
      const env = await runCli(['test', 'lua', '--resp', '3'], {
        cwd: project.dir,
        env: { REDIS_URL: server.url },
        timeoutMs: 60_000,
      });
      expect(env.code).toBe(0);
      expect(server.cli('GET', 'precious')).toBe('data');
      const yes = await run(['lua', '--resp', '3', '--url', server.url, '--yes']);
      expect(yes.code).toBe(0);
      expect(server.cli('EXISTS', 'precious')).toBe('0');
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('writes JUnit XML for CI', async () => {
    const r = await run(['bad/reply.spec.yaml', '--resp', '3', '--reporter', 'junit']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="rscript test" tests="2" failures="1" /,
    );
    expect(r.stdout).toContain('<testsuite name="bad/reply.spec.yaml" tests="2" failures="1"');
    expect(r.stdout).toMatch(
      /<testcase classname="bad\/reply" name="passes" file="bad\/reply\.spec\.yaml" line="3" time="[\d.]+"\/>/,
    );
    expect(r.stdout).toContain(
      '<failure message="bad/reply.spec.yaml:8: reply (counter keys [&quot;c&quot;] args [&quot;1&quot;]): expected &quot;1&quot;, actual 1"',
    );
  });

  it('Ctrl-C mid-run: exit 130, the cases run so far reported, no server left behind', async () => {
    const child = spawn(process.execPath, [BIN, 'test', 'slow', '--resp', '3'], {
      cwd: project.dir,
      env: { ...process.env, NO_COLOR: '1', REDIS_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    const pidOf = () => Number(/pid (\d+)\)/.exec(stderr)?.[1]);
    const started = new Promise<void>((resolve) =>
      child.stderr.setEncoding('utf8').on('data', (s: string) => {
        stderr += s;
        if (pidOf() > 0) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    await started;
    const pid = pidOf();
    expect(alive(pid)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGINT');
    const code = await exited;
    clearTimeout(killer);
    expect(code).toBe(130);
    expect(stdout).toMatch(/interrupted/);
    expect(await gone(pid)).toBe(true);
  });
});
