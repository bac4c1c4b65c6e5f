/**
 * The lint, info and metadata features through the built binary: what a user sees, the exit codes,
 * and load's lint gate and manifest metadata against a real server.
 */
import { makeProject, runCli, stackLines, type Project } from '../helpers/cli.js';
import { useRedis } from '../helpers/use-redis.js';

const GOOD = `-- good: returns what it is given
--
-- KEYS[1]: the counter (string)
-- ARGV[1]: increment (integer)
-- Returns: the new value (integer)
return redis.call('INCRBY', KEYS[1], ARGV[1])
`;
// Redis turns this reply into an empty array: an error-level finding.
const STRING_KEYS = `-- bad: returns a record
--
-- KEYS[1]: the counter (string)
-- Returns: nothing useful
local v = redis.call('INCR', KEYS[1])
return { ok = true, value = v }
`;
// A warning only: the key is built from ARGV.
const WARNS = `-- warns: builds its key
--
-- ARGV[1]: user id (string)
-- Returns: the value (string)
return redis.call('GET', 'user:' .. ARGV[1])
`;

const server = useRedis();
let project: Project;
const cli = (...args: string[]) => runCli(args, { cwd: project.dir, env: { REDIS_URL: server.url } });

beforeEach(() => {
  project = makeProject({ 'lua/good.lua': GOOD });
});
afterEach(() => project.cleanup());

describe('rscript lint', () => {
  test('a clean folder exits 0 and says so', async () => {
    const r = await cli('lint');
    expect(r.code).toBe(0);
    // The summary is the last line: no blank line after it.
    expect(r.stdout).toBe('0 errors, 0 warnings in 1 file\n');
  });

  test('an error-level finding exits 1 and shows file:line:col, the source line and a caret', async () => {
    project.write('lua/bad.lua', STRING_KEYS);
    const r = await cli('lint');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('lua/bad.lua');
    expect(r.stdout).toMatch(/6:\d+/);
    expect(r.stdout).toContain('return { ok = true, value = v }');
    expect(r.stdout).toMatch(/\^/);
    expect(r.stdout).toContain('no-string-keys-in-reply');
    expect(r.stdout).toMatch(/\n\n1 error, 0 warnings in 2 files\n$/);
    expect(stackLines(r.stderr)).toEqual([]);
  });

  // A source line is printed as load prints it: an ANSI escape in a file must not turn the terminal
  // red, nor a binary file write NUL and DEL to it.
  test('control bytes in a source line or a message are escaped, as load escapes them', async () => {
    project.write('lua/ansi.lua', 'return {a = 1} -- \x1b[31mred\n');
    project.write('lua/binary.lua', Buffer.from('return 1\x00\x7f\x01 +\n', 'latin1'));
    const r = await cli('lint');
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    const lines = r.stdout.split('\n');
    const ansi = lines.indexOf('    return {a = 1} -- \\x1b[31mred');
    expect(ansi).toBeGreaterThan(0);
    expect(lines[ansi + 1]).toBe(`    ^${'~'.repeat('return {a = 1}'.length - 1)}`);
    // The message quotes the NUL; the caret stays under it, past the escapes written before it.
    expect(r.stdout).toContain("unexpected symbol '\\x00' near '1'");
    const binary = lines.indexOf('    return 1\\x00\\x7f\\x01 +');
    expect(binary).toBeGreaterThan(0);
    expect(lines[binary + 1]).toBe('            ^~~~');
    const load = await cli('load');
    expect(load.code).toBe(1);
    expect(load.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(load.stderr).toContain('\\x1b[31mred');
  });

  test('warnings alone exit 0, unless --max-warnings is exceeded', async () => {
    project.write('lua/warns.lua', WARNS);
    expect((await cli('lint')).code).toBe(0);
    const within = await cli('lint', '--max-warnings', '5');
    expect({ code: within.code, stderr: within.stderr }).toEqual({ code: 0, stderr: '' });
    const over = await cli('lint', '--max-warnings', '0');
    expect(over.code).toBe(1);
    // The exit status comes from the limit alone: stderr says so.
    expect(over.stderr).toMatch(/^rscript: \d+ warnings?, more than --max-warnings 0 allows: exit 1\n$/);
    // Whatever the format: a JSON or SARIF report shows 0 errors and would not say why.
    for (const flags of [['--json'], ['--format', 'json'], ['--format', 'sarif']]) {
      const r = await cli('lint', '--max-warnings', '0', ...flags);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toBeTruthy();
      expect(r.stderr).toMatch(/^rscript: \d+ warnings?, more than --max-warnings 0 allows: exit 1\n$/);
    }
  });

  test('--json and --format json carry the findings; --format sarif is SARIF 2.1.0', async () => {
    project.write('lua/bad.lua', STRING_KEYS);
    for (const flags of [['--json'], ['--format', 'json']]) {
      const r = await cli('lint', ...flags);
      const doc = JSON.parse(r.stdout);
      expect(doc.errors).toBe(1);
      expect(doc.findings[0]).toMatchObject({
        rule: 'no-string-keys-in-reply',
        severity: 'error',
        file: 'lua/bad.lua',
        line: 6,
      });
    }
    const sarif = JSON.parse((await cli('lint', '--format', 'sarif')).stdout);
    expect(sarif.version).toBe('2.1.0');
    // --json with an explicit --format sarif: still SARIF (which is JSON).
    expect(JSON.parse((await cli('lint', '--format', 'sarif', '--json')).stdout).version).toBe('2.1.0');
    expect(sarif.runs[0].results[0]).toMatchObject({ ruleId: 'no-string-keys-in-reply', level: 'error' });
  });

  test('a rule turned off in the config is not reported', async () => {
    project.write('lua/bad.lua', STRING_KEYS);
    project.write('.redisscriptsrc', JSON.stringify({ lint: { rules: { 'no-string-keys-in-reply': 'off' } } }));
    const r = await cli('lint', '--json');
    expect(JSON.parse(r.stdout).errors).toBe(0);
    expect(r.code).toBe(0);
  });

  test('an unknown rule in the config is a usage error naming it', async () => {
    project.write('.redisscriptsrc', JSON.stringify({ lint: { rules: { 'no-such-rule': 'off' } } }));
    const r = await cli('lint');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no-such-rule');
  });
});

describe('load and the linter', () => {
  test('load refuses a script with an error-level finding before loading anything', async () => {
    project.write('lua/bad.lua', STRING_KEYS);
    const before = server.cli('INFO', 'commandstats');
    const r = await cli('load');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rscript: lua\/bad\.lua:6:\d+: .*\(no-string-keys-in-reply\)/);
    expect(r.stderr).toContain('--no-lint');
    expect(project.exists('rscript.lock.json')).toBe(false);
    // Nothing was loaded: no SCRIPT LOAD was counted (SCRIPT EXISTS was: the gate checks what the server lacks).
    expect(server.cli('INFO', 'commandstats').match(/cmdstat_script\|load:calls=\d+/g)).toEqual(
      before.match(/cmdstat_script\|load:calls=\d+/g),
    );
  });

  test('--no-lint loads it anyway', async () => {
    project.write('lua/bad.lua', STRING_KEYS);
    const r = await cli('load', '--no-lint');
    expect(r.code).toBe(0);
    expect(project.exists('rscript.lock.json')).toBe(true);
  });

  test('--no-lint parses nothing: no metadata until a load with the linter adds it', async () => {
    expect((await cli('load', '--no-lint')).code).toBe(0);
    expect(JSON.parse(project.read('rscript.lock.json').toString().toString()).scripts.good.keys).toBeUndefined();
    const again = await cli('load');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/rscript\.lock\.json written/);
    expect(JSON.parse(project.read('rscript.lock.json').toString().toString()).scripts.good.keys).toEqual([
      'the counter (string)',
    ]);
  });

  test("the manifest records each script's documented KEYS and ARGV", async () => {
    expect((await cli('load')).code).toBe(0);
    const manifest = JSON.parse(project.read('rscript.lock.json').toString().toString());
    expect(manifest.scripts.good.keys).toEqual(['the counter (string)']);
    expect(manifest.scripts.good.args).toEqual(['increment (integer)']);
  });

  test('exec refuses too few args before sending, naming what is missing', async () => {
    expect((await cli('load')).code).toBe(0);
    const before = server.cli('INFO', 'commandstats').match(/cmdstat_evalsha:calls=\d+/)?.[0];
    const r = await cli('exec', 'good', '--keys', 'c');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ARGV[1] (increment (integer))');
    expect(server.cli('INFO', 'commandstats').match(/cmdstat_evalsha:calls=\d+/)?.[0]).toBe(before);
    const ok = await cli('exec', 'good', '--keys', 'c', '--args', '5', '--json');
    expect(JSON.parse(ok.stdout).reply).toBe(5);
  });

  test('exec passes on more keys and args than the header names: a script may take a variable number', async () => {
    project.write(
      'lua/many.lua',
      '-- many: counts what it gets\n--\n-- KEYS[1]: a key (string)\n-- ARGV[1]: a value (string)\n-- Returns: keys and args received (array)\nreturn {#KEYS, #ARGV}\n',
    );
    expect((await cli('load')).code).toBe(0);
    const r = await cli('exec', 'many', '--keys', 'a', 'b', '--args', '1', '2', '3', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).reply).toEqual([2, 3]);
  });

  test('exec of a script file not in the manifest checks its header too', async () => {
    const r = await cli('exec', 'lua/good.lua');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('KEYS[1] (the counter (string))');
  });

  // A string-keyed table comes back as an empty array: run by path, never linted, nothing said why.
  test('exec of a file load never checked warns of its error-level findings, one line each; the exit code stays', async () => {
    project.write('other/keys.lua', 'return {ok = true, remaining = 5}\n');
    const r = await cli('exec', 'other/keys.lua');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\(reply\)\s+│ array\s+│ \(empty\)/);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        /^warning: other\/keys\.lua:1:\d+: Redis converts this table to an array and drops its string keys .*\(no-string-keys-in-reply; rscript lint other\/keys\.lua explains it\)$/,
      ),
    ]);
    const json = await cli('exec', 'other/keys.lua', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ reply: [], lintErrors: [{ rule: 'no-string-keys-in-reply' }] });
    expect(json.stderr).toMatch(/^warning: other\/keys\.lua:1:\d+: .*no-string-keys-in-reply/);
    // A warning-level finding is no reason to speak up; a script load checked is not linted again.
    project.write('other/warns.lua', WARNS);
    expect((await cli('exec', 'other/warns.lua', '-a', '1')).stderr).toBe('');
    expect((await cli('load')).code).toBe(0);
    const loaded = await cli('exec', 'good', '-k', 'n', '-a', '1');
    expect(loaded.code).toBe(0);
    expect(loaded.stderr).toBe('');
  });
});

describe('rscript info', () => {
  test('lists the catalog and shows one script in full', async () => {
    project.write('lua/warns.lua', WARNS);
    const all = await cli('info');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/good\s.*the counter.*increment/);
    const one = await cli('info', 'good');
    expect(one.stdout).toContain('KEYS[1]  the counter (string)');
    expect(one.stdout).toContain('ARGV[1]  increment (integer)');
    expect(one.stdout).toContain('returns: the new value (integer)');
    const json = JSON.parse((await cli('ls', '--json')).stdout);
    expect(json.map((s: { name: string }) => s.name)).toEqual(['good', 'warns']);
    // By path, and by SHA or the 12 characters the tables print.
    const sha = json[0].sha as string;
    // A path however it is written, as exec takes it.
    for (const ref of ['lua/good.lua', './lua/good.lua', project.path('lua/good.lua'), sha, sha.slice(0, 12)]) {
      const byRef = await cli('info', ref, '--json');
      expect({ ref, code: byRef.code, names: JSON.parse(byRef.stdout).map((s: { name: string }) => s.name) }).toEqual({
        ref,
        code: 0,
        names: ['good'],
      });
    }
  });

  test('the catalog shows the first words of a doc too long to be a name, not ARGV[n]', async () => {
    project.write(
      'lua/bucket.lua',
      "-- KEYS[1]: the bucket (hash)\n-- ARGV[1]: capacity (integer)\n-- ARGV[2]: refill rate in tokens per second (decimal)\n-- ARGV[3]: the token given to lock_acquire, as it was\n-- ARGV[4]\nreturn redis.call('HGET', KEYS[1], ARGV[1] .. ARGV[2] .. ARGV[3] .. ARGV[4])\n",
    );
    const all = await cli('info');
    const row = all.stdout.split('\n').find((l) => l.includes('│ bucket '));
    expect(row).toMatch(/│ the bucket +│ capacity, refill rate in tokens…, the token given to…, ARGV\[4\] +│/);
    // The script's card keeps every doc whole.
    expect((await cli('info', 'bucket')).stdout).toContain('ARGV[2]  refill rate in tokens per second (decimal)');
  });

  test('a path is a path wherever rscript runs; a missing file says so', async () => {
    project.write('lua/queue/push.lua', GOOD);
    const fromSub = await runCli(['info', '../good.lua', '--json'], { cwd: project.path('lua/queue') });
    expect({ code: fromSub.code, names: JSON.parse(fromSub.stdout).map((s: { name: string }) => s.name) }).toEqual({
      code: 0,
      names: ['good'],
    });
    project.write('other/extra.lua', GOOD);
    const outside = await cli('info', 'other/extra.lua', '--json');
    expect(JSON.parse(outside.stdout).map((s: { name: string; keys: unknown[] }) => [s.name, s.keys.length])).toEqual([
      ['extra', 1],
    ]);
    const missing = await cli('info', 'lua/nope.lua');
    expect({ code: missing.code, stderr: missing.stderr }).toEqual({
      code: 2,
      stderr: 'rscript: script file not found: lua/nope.lua\n',
    });
    project.remove('lua/queue');
  });

  test('an unknown script suggests the closest name', async () => {
    const r = await cli('info', 'goo');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean "good"');
  });
});

describe('rscript lint --target, notes and optional slots', () => {
  const HEXPIRE = "-- KEYS[1]: the hash (hash)\nreturn redis.call('HEXPIRE', KEYS[1], 60, 'FIELDS', 1, 'f')\n";
  // No rscript header: one note, which --max-warnings 0 does not count.
  const FOREIGN = "local rcall = redis.call\nlocal v = rcall('GET', KEYS[1])\nreturn v\n";

  test('HEXPIRE is an error on the default target (Redis 7.0), clean with --target redis-7.4 or lint.target', async () => {
    project.write('lua/h.lua', HEXPIRE);
    const old = await cli('lint', '--no-cache');
    expect(old.code).toBe(1);
    expect(old.stdout).toMatch(/'HEXPIRE' is not a Redis 7\.0 command: it came with Redis 7\.4 and Valkey 9\.0/);
    const newer = await cli('lint', '--no-cache', '--target', 'redis-7.4');
    expect(newer.code).toBe(0);
    project.write('.redisscriptsrc.json', JSON.stringify({ lint: { target: 'valkey-9.1' } }));
    expect((await cli('lint')).code).toBe(0);
    project.write('.redisscriptsrc.json', JSON.stringify({ lint: { target: 'valkey-8.1' } }));
    const v81 = await cli('lint');
    expect(v81.code).toBe(1);
    expect(v81.stdout).toMatch(/is not a Valkey 8\.1 command: it came with Valkey 9\.0 and Redis 7\.4/);
  });

  test('an unknown target is a usage error (exit 2) naming the known ones; in the config, a config error', async () => {
    const flag = await cli('lint', '--target', 'redis-74');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(
      /unknown target "redis-74" \(did you mean redis-7\.4\?\); known: redis-7\.0, redis-7\.2/,
    );
    expect(stackLines(flag.stderr)).toEqual([]);
    project.write('.redisscriptsrc.json', JSON.stringify({ lint: { target: 'redis-6' } }));
    const config = await cli('lint');
    expect(config.code).toBe(2);
    expect(config.stderr).toMatch(/lint\.target.*must be one of redis-7\.0/);
  });

  test('a note shows as such and does not count against --max-warnings', async () => {
    project.write('lua/foreign.lua', FOREIGN);
    const r = await cli('lint', '--max-warnings', '0');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2:\d+\s+note\s+This script reads KEYS\/ARGV without a header/);
    expect(r.stdout).toMatch(/0 errors, 0 warnings, 1 note in 2 files/);
    project.write('.redisscriptsrc.json', JSON.stringify({ lint: { headers: 'always' } }));
    const always = await cli('lint', '--max-warnings', '0');
    expect(always.code).toBe(1);
    expect(always.stdout).toMatch(/KEYS\[1\] is read here but the header does not document it/);
  });

  test('an optional argument: exec and the manifest accept a call without it, info shows it', async () => {
    project.write(
      'lua/limit.lua',
      "-- KEYS[1]: counter (string)\n-- ARGV[1]: ttl (integer)\n-- ARGV[2]: step (integer)\nlocal n = redis.call('INCRBY', KEYS[1], tonumber(ARGV[2]) or 1)\nredis.call('EXPIRE', KEYS[1], ARGV[1])\nreturn n\n",
    );
    const info = await cli('info', 'limit');
    expect(info.stdout).toMatch(/ARGV\[2\]\s+step \(integer\) \(optional\)/);
    const one = await cli('exec', 'limit', '--keys', 'opt:c', '--args', '60', '--json');
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout).reply).toBe(1);
    const none = await cli('exec', 'limit', '--keys', 'opt:c');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/limit reads 1 key\(s\) and 1 to 2 arg\(s\); got 1 and 0/);
    expect((await cli('load')).code).toBe(0);
    expect(JSON.parse(project.read('rscript.lock.json').toString()).scripts.limit).toMatchObject({
      args: ['ttl (integer)', 'step (integer)'],
      minArgs: 1,
    });
    const loaded = await cli('exec', 'limit', '--keys', 'opt:c', '--args', '60', '--json');
    expect(JSON.parse(loaded.stdout).reply).toBe(2);
  });
});
