/**
 * `rscript bench` end to end: the built binary against a real redis-server, checked through its exit
 * code, its JSON and CSV, and the server's own keyspace. No assertion on speed.
 */
import { makeProject, runCli, runCliOnTerminal, type Project } from '../helpers/cli.js';
import { commandCalls } from '../helpers/commandstats.js';
import { startRedis, type TestServer } from '../helpers/redis-server.js';
import { CSV_FIELDS } from '../../src/bench/rows.js';

// Busy-loops for ARGV[1] µs of server time. Server-specific: Redis 7.2+ and every Valkey freeze TIME
// for the whole script (redis/redis#10300), so a TIME loop never ends there; they offer os.clock
// (the server's CPU time) instead, which Redis 7.0 lacks (no `os` global) while its TIME moves.
const SLOW = `-- spins for ARGV[1] microseconds
local limit = tonumber(ARGV[1])
local os = rawget(_G, 'os')
if os and os.clock then
  local start = os.clock()
  while (os.clock() - start) * 1000000 < limit do end
  return 1
end
local t = redis.call('TIME')
local start = t[1] * 1000000 + t[2]
while true do
  local n = redis.call('TIME')
  if n[1] * 1000000 + n[2] - start >= limit then break end
end
return 1
`;

let server: TestServer;
let project: Project;

beforeAll(async () => {
  server = await startRedis();
  project = makeProject({
    'lua/fast.lua': 'return 1\n',
    'lua/slow.lua': SLOW,
    'lua/stock.lua': `local v = redis.call('GET', KEYS[1])
if not v then return redis.error_reply('ERR no stock: the setup did not run') end
return redis.call('DECR', KEYS[1])
`,
    'lua/typed.lua': `-- counts
return redis.call('INCR', KEYS[1])
`,
    'lua/touch.lua': `redis.call('SET', KEYS[1], ARGV[1])
return 1
`,
    'lua/capped.lua': `local n = redis.call('INCR', KEYS[1])
if n > tonumber(ARGV[1]) then
  return redis.error_reply('ERR over the cap')
end
return n
`,
  });
});

afterAll(async () => {
  await server?.stop();
  project?.cleanup();
});

function config(bench: Record<string, unknown>, extra: Record<string, unknown> = {}): void {
  project.write('.redisscriptsrc', JSON.stringify({ url: server.url, bench, ...extra }, null, 2));
}

const bench = (args: string[]) => runCli(['bench', ...args], { cwd: project.dir, timeoutMs: 60_000 });

describe('rscript bench', () => {
  it('fails the budget with a script that blocks Redis ~60 ms per call, and passes a fast one', async () => {
    config({ fast: { requests: 200 }, slow: { args: ['60000'], requests: 3 } });
    const r = await bench(['--json', '--warmup', '0']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.mode).toBe('fixtures');
    const fast = doc.results.find((x: { script: string }) => x.script === 'fast');
    const slow = doc.results.find((x: { script: string }) => x.script === 'slow');
    expect(fast).toMatchObject({ verdict: 'ok', budgetMs: 50, budgetSource: 'server', requests: 200, errors: 0 });
    expect(slow).toMatchObject({
      verdict: 'over',
      budgetSource: 'server',
      serverSource: 'commandstats+latency-histogram',
      requests: 3,
    });
    expect(slow.serverMeanMs).toBeGreaterThanOrEqual(55);
    expect(doc.overBudget).toBe(1);

    const human = await bench(['--warmup', '0']);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/slow: OVER/);
    expect(human.stdout).toMatch(/│ fast .*│ ok +│/);
    expect(human.stdout).toMatch(/│ slow .*│ OVER +│/);
  });

  it('takes the budget from --budget over the fixture over the config', async () => {
    // The fixture's budget is far above the 60 ms: on Redis 7.2+ and Valkey the spin counts the
    // server's CPU time (see SLOW), and on a loaded machine 60 ms of CPU take longer on the clock.
    config({ slow: { args: ['60000'], requests: 2, budgetMs: 2000 } }, { budgetMs: 10 });
    const fixture = await bench(['--json', '--warmup', '0']);
    expect(JSON.parse(fixture.stdout).results[0]).toMatchObject({ budgetMs: 2000, verdict: 'ok' });
    expect(fixture.code).toBe(0);
    const flag = await bench(['--json', '--warmup', '0', '--budget', '20']);
    expect(JSON.parse(flag.stdout).results[0]).toMatchObject({ budgetMs: 20, verdict: 'over' });
    expect(flag.code).toBe(1);
  });

  it('benches one script with the documented JSON and CSV fields', async () => {
    config({});
    const json = await bench(['fast', '-n', '2000', '-c', '4', '-P', '3', '--json']);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc.mode).toBe('script');
    const row = doc.results[0];
    for (const f of [...CSV_FIELDS, 'histogram', 'keys', 'args']) expect(row).toHaveProperty(f);
    expect(row).toMatchObject({
      script: 'fast',
      path: 'lua/fast.lua',
      requests: 2000,
      errors: 0,
      connections: 4,
      pipeline: 3,
      verdict: 'ok',
    });
    expect(row.serverCalls).toBe(2000);
    expect(row.opsPerSec).toBeGreaterThan(0);
    expect(row.p50Ms).toBeLessThanOrEqual(row.p99Ms);
    expect(row.p99Ms).toBeLessThanOrEqual(row.maxMs);

    const csv = await bench(['fast', '-n', '500', '--csv']);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]!.split(',')).toEqual([...CSV_FIELDS]);
    const values = Object.fromEntries(lines[0]!.split(',').map((k, i) => [k, lines[1]!.split(',')[i]]));
    expect(values).toMatchObject({ script: 'fast', requests: '500', errors: '0', verdict: 'ok' });
    expect(Number(values.p99Ms)).toBeGreaterThan(0);
  });

  it('replaces __rand_int__ per call: many different keys on the server', async () => {
    config({});
    server.cli('FLUSHALL');
    const r = await bench([
      'touch',
      '-k',
      'u:__rand_int__',
      '-a',
      'v',
      '-r',
      '1000',
      '-n',
      '400',
      '--warmup',
      '0',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const keys = server.cli('--scan', '--pattern', 'u:*').split('\n').filter(Boolean);
    expect(keys.length).toBeGreaterThan(100);
    for (const k of keys) {
      expect(k).toMatch(/^u:\d{12}$/);
      expect(Number(k.slice(2))).toBeLessThan(1000);
    }
    expect(server.cli('EXISTS', 'u:__rand_int__')).toBe('0');
  });

  it('runs the fixture setup commands before the bench', async () => {
    server.cli('DEL', 'stock');
    config({ stock: { keys: ['stock'], setup: [['SET', 'stock', '100000']], requests: 500 } });
    const r = await bench(['--json', '--warmup', '10']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).results[0]).toMatchObject({ verdict: 'ok', errors: 0, requests: 500 });
    expect(server.cli('GET', 'stock')).toBe(String(100000 - 500 - 10));
  });

  it('says what stays written on the server after a bench that writes, and not after one that cannot', async () => {
    // Benching a dev server left thousands of keys behind without a word.
    config({});
    const r = await bench(['touch', '-k', 'left:__rand_int__', '-a', 'v', '-n', '50', '--warmup', '0']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `what touch wrote stays on ${server.url.replace('redis://', '')} (bench --sandbox runs on a throwaway server)`,
    );
    const json = await bench(['touch', '-k', 'left:__rand_int__', '-a', 'v', '-n', '50', '--warmup', '0', '--json']);
    expect(JSON.parse(json.stdout).leftKeys).toEqual(['touch']);
    // A no-writes script without a setup writes nothing: no note.
    project.write('lua/peek.lua', "#!lua flags=no-writes\nreturn redis.call('GET', KEYS[1])\n");
    const ro = await bench(['peek', '-k', 'left:1', '-n', '50', '--warmup', '0']);
    expect(ro.code).toBe(0);
    expect(ro.stdout).not.toContain('stays on');
    // Its fixture's setup writes, though.
    config({ peek: { keys: ['left:1'], setup: [['SET', 'left:1', 'x']], requests: 50 } });
    expect((await bench(['--warmup', '0'])).stdout).toContain('what peek wrote stays on');
    project.remove('lua/peek.lua');
  });

  it('a script without the no-writes flag whose code calls no write command gets no "stays on" note', async () => {
    config({});
    // `return 1`, and a script that only reads: nothing to say. A write hidden behind pcall(redis.call, ...) still counts.
    project.write('lua/reader.lua', "return redis.call('GET', KEYS[1])\n");
    project.write(
      'lua/hidden.lua',
      "local ok = pcall(redis.call, 'SET', KEYS[1], 'x')\nreturn redis.call('GET', KEYS[1])\n",
    );
    try {
      for (const script of ['fast', 'reader']) {
        const r = await bench([script, '-k', 'left:r', '-n', '50', '--warmup', '0', '--json']);
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout).leftKeys).toEqual([]);
        expect((await bench([script, '-k', 'left:r', '-n', '50', '--warmup', '0'])).stdout).not.toContain('stays on');
      }
      const hidden = await bench(['hidden', '-k', 'left:h', '-n', '50', '--warmup', '0', '--json']);
      expect(JSON.parse(hidden.stdout).leftKeys).toEqual(['hidden']);
      expect(server.cli('GET', 'left:h')).toBe('x');
    } finally {
      project.remove('lua/reader.lua');
      project.remove('lua/hidden.lua');
    }
  });

  it('a fixture whose setup fails is an ERROR row with no figures, and the others still run', async () => {
    config({ fast: { requests: 50 }, stock: { keys: ['stock'], setup: [['HSET', 'stock']], requests: 50 } });
    const r = await bench(['--warmup', '0']);
    expect(r.code).toBe(1);
    // No call was made: '-' in every figure, not latencies of 0.
    expect(r.stdout).toMatch(/│ stock +│ +0 │ +0 │ +- │ +- │ +- │ +- │ +- │ +- │ +\d+ │ ERROR +│/);
    expect(r.stdout).toMatch(/│ fast .*│ ok +│/);
    expect(r.stdout).toContain(
      "stock: ERROR, nothing benched: bench.stock.setup[0] (HSET stock): ERR wrong number of arguments for 'hset' command",
    );
  });

  it('stops on an error reply with file:line and exits 1', async () => {
    server.cli('DEL', 'h');
    server.cli('HSET', 'h', 'f', '1');
    config({});
    const r = await bench(['typed', '-k', 'h', '-n', '100']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/lua\/typed\.lua:2: WRONGTYPE/);
    expect(r.stdout).toMatch(/2 \| return redis.call\('INCR', KEYS\[1\]\)/);
    const json = await bench(['typed', '-k', 'h', '-n', '100', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).results[0]).toMatchObject({
      verdict: 'error',
      error: expect.stringMatching(/^lua\/typed\.lua:2: WRONGTYPE/),
    });
  });

  it('refuses too few keys or args before any call, as exec does: for a script and for a fixture', async () => {
    config({ capped: { keys: ['cap'] } });
    const calls = () =>
      Number(
        /calls=(\d+)/.exec(
          server
            .cli('INFO', 'commandstats')
            .split('\n')
            .find((l) => l.startsWith('cmdstat_evalsha:')) ?? '',
        )?.[1] ?? 0,
      );
    const before = calls();
    const one = await bench(['capped', '-k', 'cap', '-a']);
    expect(one.code).toBe(2);
    // -a without values is commander's error; with no args at all, the script's own count.
    const none = await runCli(['bench', 'touch', '-n', '10'], { cwd: project.dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /^rscript: touch reads 1 key\(s\) and 1 arg\(s\); got 0 and 0\n {2}missing: KEYS\[1\]; ARGV\[1\]\n/,
    );
    const fixture = await bench(['-n', '10']);
    expect(fixture.code).toBe(2);
    expect(fixture.stderr).toMatch(
      /^rscript: bench\.capped: capped reads 1 key\(s\) and 1 arg\(s\); got 1 and 0\n {2}missing: ARGV\[1\]\n {2}give the fixture bench\["capped"\] the keys and args the script reads\n$/,
    );
    expect(calls()).toBe(before);
  });

  it('makes exactly the requested calls when -c and -P do not divide them', async () => {
    server.cli('DEL', 'count');
    config({});
    const r = await bench(['typed', '-k', 'count', '-n', '1000', '-c', '7', '-P', '16', '--warmup', '0', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).results[0]).toMatchObject({ requests: 1000, errors: 0, connections: 7, pipeline: 16 });
    expect(server.cli('GET', 'count')).toBe('1000');
  });

  // -c is redis-benchmark's: connections. Counted by the server, not from rscript's own report.
  it('-c 6 opens 6 connections to the server, all open while the calls run; --concurrency still works', async () => {
    config({});
    const info = (field: string) =>
      Number(new RegExp(`^${field}:(\\d+)`, 'm').exec(server.cli('INFO', 'everything'))?.[1]);
    const received = info('total_connections_received');
    const run = bench(['fast', '-c', '6', '-P', '2', '-d', '3s', '--warmup', '0', '--json']);
    // The most clients connected at once while the bench runs (this poll's own redis-cli is one).
    let most = 0;
    const started = Date.now();
    let done = false;
    let polls = 0;
    void run.then(() => (done = true));
    while (!done && Date.now() - started < 30_000) {
      most = Math.max(most, info('connected_clients'));
      polls++;
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = await run;
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).results[0]).toMatchObject({ errors: 0, connections: 6, pipeline: 2 });
    expect(most).toBe(6 + 1);
    // 6 for the bench; each redis-cli call is one connection too: the polls, and the INFO below.
    expect(info('total_connections_received') - received).toBe(6 + polls + 1);

    // The former name, hidden from the help, gives the same.
    const before = info('total_connections_received');
    const alias = await bench(['fast', '--concurrency', '3', '-n', '300', '--warmup', '0', '--json']);
    expect(alias.code).toBe(0);
    expect(JSON.parse(alias.stdout).results[0]).toMatchObject({ requests: 300, connections: 3 });
    // 3 for the bench, 1 for the INFO below.
    expect(info('total_connections_received') - before).toBe(3 + 1);
  });

  // The pipelining on the wire, from the server's own counters: with one connection, calls per read
  // of the server's socket. One call per batch needs a read per call (the next call goes out only
  // after the last reply); -P 16 puts 16 calls in each write, read together.
  it('-P 16 sends 16 calls per write: the server reads many calls at a time, where -P 1 needs a read per call', async () => {
    config({});
    const perRead = async (pipeline: string) => {
      const reads = () => Number(/^total_reads_processed:(\d+)/m.exec(server.cli('INFO', 'stats'))?.[1]);
      const before = { reads: reads(), calls: commandCalls(server, 'evalsha') };
      const r = await bench(['fast', '-n', '1600', '-c', '1', '-P', pipeline, '--warmup', '0', '--json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).results[0]).toMatchObject({
        requests: 1600,
        errors: 0,
        connections: 1,
        pipeline: Number(pipeline),
      });
      const calls = commandCalls(server, 'evalsha') - before.calls;
      expect(calls).toBe(1600);
      return calls / (reads() - before.reads);
    };
    // Reads also count the bench's handshake and the INFO of this test: a little over 1 read per call.
    expect(await perRead('1')).toBeLessThanOrEqual(1);
    // 1600 calls in 100 batches: about 16 calls per read when each batch arrives in one piece; 4 is
    // far above what one call per batch can reach (at most 1) and below any split of the batches.
    expect(await perRead('16')).toBeGreaterThan(4);
  });

  it('stops on an error reply inside a pipelined batch, with the calls answered before it', async () => {
    server.cli('DEL', 'capped');
    config({});
    const r = await bench([
      'capped',
      '-k',
      'capped',
      '-a',
      '300',
      '-n',
      '5000',
      '-c',
      '4',
      '-P',
      '16',
      '--warmup',
      '0',
      '--json',
    ]);
    expect(r.code).toBe(1);
    const row = JSON.parse(r.stdout).results[0];
    expect(row).toMatchObject({ verdict: 'error', error: 'lua/capped.lua: ERR over the cap' });
    // Calls 1-300 answered, then the error replies of the batches already in flight: every answer
    // is counted, and no new batch went out after the first error.
    expect(row.errors).toBeGreaterThanOrEqual(1);
    expect(row.requests - row.errors).toBe(300);
    expect(row.errors).toBeLessThanOrEqual(4 * 16);
    expect(Number(server.cli('GET', 'capped'))).toBe(row.requests);
  });

  it('exits 2 with one line when the connection is lost in the middle of a bench', async () => {
    config({});
    const running = bench(['fast', '-d', '20s', '--warmup', '0']);
    // Wait until the bench's calls reach the server, then close every client connection but ours.
    for (let i = 0; i < 200 && !server.cli('CLIENT', 'LIST').includes('cmd=evalsha'); i++)
      await new Promise((r) => setTimeout(r, 50));
    server.cli('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    const r = await running;
    expect(r.code).toBe(2);
    // A clean close reads "lost"; a write racing the close gets ECONNRESET or EPIPE, "closed by the server".
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^rscript: 127\.0\.0\.1:\d+: the connection was (lost|closed by the server) during EVALSHA/,
      ),
    ]);
  });

  it('asks before writing to a server that is not on loopback, and refuses without a terminal', async () => {
    config({});
    const r = await bench(['touch', '-k', 'x', '-a', 'v', '--url', 'redis://192.0.2.1:6379', '-n', '10']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to bench without confirmation.*--yes/);
    expect(r.stderr).toMatch(
      /^ {2}192\.0\.2\.1:6379 is not a loopback address, and the bench of touch may write to its keys/m,
    );
  });

  it.each(['0.0.0.0', '[::ffff:127.0.0.1]'])('does not ask before writing to %s: it is this machine', async (host) => {
    config({});
    const r = await bench(['fast', '--url', `redis://${host}:${server.port}`, '-n', '10', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).results[0]).toMatchObject({ script: 'fast', requests: 10 });
  });

  it('does not ask before writing to [::] either: it reaches this machine (here, nothing listens there)', async () => {
    config({});
    // The test server listens on 127.0.0.1 only: a connection error, not a refusal to go on unasked.
    const r = await bench(['fast', '--url', `redis://[::]:${server.port}`, '-n', '10']);
    expect(r.stderr).not.toMatch(/confirmation|loopback address/);
    expect(r.stderr).toMatch(/^rscript: \[::\]:\d+: /);
  });

  // The prompt through a real pseudo-terminal, as a user meets it. 192.0.2.1 (TEST-NET) is not on
  // loopback; had anything been sent, the bench would end on a connection error, exit 2.
  const onTerminal = (answer: string, ...args: string[]) =>
    runCliOnTerminal(
      [
        'bench',
        'touch',
        '-k',
        'x',
        '-a',
        'v',
        '--url',
        'redis://192.0.2.1:6379',
        '--timeout',
        '1000',
        '-n',
        '10',
        ...args,
      ],
      {
        cwd: project.dir,
        prompt: '[y/N] ',
        answer,
        timeoutMs: 30_000,
      },
    );

  it('on a terminal, answering n (or just Enter) sends nothing and exits 0, as a declined flush does', async () => {
    config({});
    for (const answer of ['n\r', '\r']) {
      const r = await onTerminal(answer);
      expect(r.output).toContain(
        '192.0.2.1:6379 is not a loopback address, and the bench of touch may write to its keys (x). Go on? [y/N] ',
      );
      expect(r.output).toContain('not benched: nothing was sent to 192.0.2.1:6379');
      expect(r.output).not.toMatch(/rscript:|cancelled|verdict/);
      expect(r.code).toBe(0);
    }
  });

  it('on a terminal with --json, declining gives {"benched": false} on stdout', async () => {
    config({});
    const r = await onTerminal('n\r', '--json');
    expect(r.code).toBe(0);
    expect(r.output).not.toContain('not benched');
    // The terminal shows the prompt, the echoed answer, then the document.
    expect(JSON.parse(r.output.slice(r.output.indexOf('{')))).toEqual({ benched: false, server: '192.0.2.1:6379' });
  });

  it.each([
    [['fast', '--json', '--csv'], /--csv.*--json|--json.*--csv/],
    [['fast', '-n', '10', '--duration', '1s'], /--requests|--duration/],
    [['fast', '-c', '0'], /--connections takes a positive whole number/],
    [['fast', '--duration', 'soon'], /--duration takes a duration/],
    // The example names one of the project's own scripts.
    [[], /no script to bench: name one \(rscript bench capped\)/],
    [['-k', 'x'], /--keys and --args go with a script/],
  ])('rejects %j with exit 2', async (args, message) => {
    config({});
    const r = await bench(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
