/**
 * Patterns met in other people's scripts (job queues, locks, rate limiters, schedulers), each in a
 * fixture of our own (test/fixtures/lint/patterns/): what the linter must follow (aliases of
 * redis.call, keys built by calls), respect (their own header formats, optional slots, `arg`), and
 * know about the server the scripts run on (`target`).
 */
import { join } from 'node:path';
import { checkScript } from '../../src/lint/lint.js';
import { extractMetadata } from '../../src/lint/metadata.js';
import { FIXTURES, at, lint, readFixture } from './helpers.js';

const pattern = (name: string) => readFixture(join(FIXTURES, 'patterns', `${name}.lua`));
const withTarget = (source: string, target?: string) =>
  checkScript(source, 'test.lua', target ? { target } : {}).findings.map(
    (f) => `${f.rule}@${f.line}${f.severity === 'info' ? '(note)' : ''}`,
  );

describe('aliases of redis.call are followed by every command rule', () => {
  test('local rcall = redis.call: an unknown command, a literal key, a nil compare and a wrong arity are seen', () => {
    expect(at(lint(pattern('alias-rcall')))).toEqual([
      // The header documents ARGV[1] in the queue's own format and the code never reads it.
      'header-keys-argv@6',
      'unknown-command@10',
      'keys-from-keys-array@11',
      'no-nil-compare@12',
      'wrong-arity@15',
    ]);
  });

  test('a local alias of redis, an alias of redis.pcall and a forwarding function are followed', () => {
    expect(at(lint(pattern('alias-others')))).toEqual([
      'keys-from-keys-array@10',
      'unknown-command@11',
      'keys-from-keys-array@12',
    ]);
  });

  test('a local that is assigned something else is not an alias; clean aliased code is clean', () => {
    expect(at(lint(pattern('alias-good')))).toEqual([]);
  });
});

describe('keys built by a call are flagged like a concatenation', () => {
  test("queue:prefix('work') and key_for(id)", () => {
    const findings = lint(pattern('built-keys'));
    expect(at(findings)).toEqual(['keys-from-keys-array@12', 'keys-from-keys-array@13']);
    expect(findings[0]!.message).toMatch(/is built with q:prefix\(\), not passed in KEYS/);
    expect(findings[1]!.message).toMatch(/is built with key_for\(\), not passed in KEYS/);
  });

  test('a helper that returns one of the keys it was given is not a builder', () => {
    expect(at(lint(pattern('built-keys-good')))).toEqual([]);
  });
});

describe('header-keys-argv respects headers in other formats', () => {
  test('a script without a KEYS[n]:/ARGV[n]: header gets one note, not a warning per read', () => {
    const findings = lint("local v = redis.call('GET', KEYS[1])\nredis.call('SET', KEYS[2], ARGV[1])\nreturn v\n");
    expect(findings.map((f) => [f.rule, f.line, f.severity])).toEqual([['header-keys-argv', 1, 'info']]);
  });

  test('lint.headers "always" checks every script', () => {
    const findings = checkScript("local v = redis.call('GET', KEYS[1])\nreturn v\n", 't.lua', {
      headers: 'always',
    }).findings;
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['header-keys-argv', 'warning']]);
  });

  test('KEYS[0] is reported whatever the header', () => {
    expect(at(lint("return redis.call('GET', KEYS[0])\n"))).toEqual(['header-keys-argv@1']);
    expect(lint("return redis.call('GET', KEYS[0])\n")[0]!.severity).toBe('warning');
  });
});

describe('precision', () => {
  test("arg inside a vararg function is Lua 5.1's table of extra arguments; outside one it is an undefined global", () => {
    expect(at(lint(pattern('vararg-arg')))).toEqual(['no-undefined-global@9']);
  });

  test('x == nil or x == false is a note, not a warning', () => {
    expect(withTarget(pattern('nil-or-false'))).toEqual(['no-nil-compare@3(note)']);
  });

  test('an element of a reply and a table lookup can be nil: not flagged', () => {
    const src =
      "-- KEYS[1]: h (hash)\nlocal r = redis.call('HMGET', KEYS[1], 'a')\nlocal seen = {}\nif r[2] == nil and seen[r[1]] == nil then return 1 end\nreturn 0\n";
    expect(at(lint(src))).toEqual([]);
  });
});

describe('optional KEYS and ARGV slots', () => {
  test('read with a default, tested, or past a #ARGV/#KEYS test: optional, and so is every slot after', () => {
    const meta = extractMetadata(pattern('optional-slots'));
    expect(meta.keys.map((k) => k.optional === true)).toEqual([false, true]);
    expect(meta.args.map((a) => a.optional === true)).toEqual([false, true, true, true]);
  });

  test('a slot read without a default before an optional one stays required', () => {
    const meta = extractMetadata(
      '-- ARGV[1]: a\n-- ARGV[2]: b\nlocal a = ARGV[1] or 1\nreturn tonumber(ARGV[2]) + a\n',
    );
    expect(meta.args.map((a) => a.optional === true)).toEqual([false, false]);
  });
});

describe('no-float-reply', () => {
  test("a GCRA limiter's fractional remaining is truncated by Redis", () => {
    const src =
      '-- KEYS[1]: bucket\n-- ARGV[1]: period\n-- ARGV[2]: rate\nlocal interval = tonumber(ARGV[1]) / tonumber(ARGV[2])\n' +
      "local tat = tonumber(redis.call('GET', KEYS[1])) or 0\nlocal remaining = tat / interval\nif remaining < 0 then return {0, 0} end\nreturn {1, remaining, tostring(interval)}\n";
    const findings = lint(src);
    expect(at(findings)).toEqual(['no-float-reply@8']);
    expect(findings[0]!.hint).toMatch(/math\.floor.*tostring/);
  });

  test('a rounded value, a string and a {double=} reply are fine', () => {
    expect(
      at(lint("-- KEYS[1]: k\nlocal x = tonumber(redis.call('GET', KEYS[1])) / 3\nx = math.floor(x)\nreturn x\n")),
    ).toEqual([]);
    expect(
      at(lint("-- KEYS[1]: k\nlocal x = tonumber(redis.call('GET', KEYS[1])) / 3\nreturn {double = x}\n")),
    ).toEqual([]);
  });
});

describe('target', () => {
  test('redis-7.0 (default): os, HEXPIRE, server.* and HGETDEL are errors naming the release that has them', () => {
    const findings = checkScript(pattern('target-api'), 'test.lua').findings;
    expect(findings.map((f) => `${f.rule}@${f.line}`)).toEqual([
      'lua-api@2',
      'unknown-command@4',
      'lua-api@5',
      'unknown-command@6',
    ]);
    expect(findings[0]!.message).toMatch(/Redis 7\.0 has no os library.*os\.clock came with Redis 7\.4/);
    expect(findings[1]!.message).toMatch(/it came with Redis 7\.4 and Valkey 9\.0/);
    expect(findings[2]!.message).toMatch(/server is Valkey's name for the redis table/);
    expect(findings[3]!.message).toMatch(/it came with Redis 8\.0/);
  });

  test('redis-7.4 has os.clock and HEXPIRE, not HGETDEL nor server.*', () => {
    expect(withTarget(pattern('target-api'), 'redis-7.4')).toEqual(['lua-api@5', 'unknown-command@6']);
  });

  test('valkey-9.1 has all of it; valkey-8.1 lacks the hash-field expiry commands', () => {
    expect(withTarget(pattern('target-api'), 'valkey-9.1')).toEqual([]);
    expect(withTarget(pattern('target-api'), 'valkey-8.1')).toEqual(['unknown-command@4', 'unknown-command@6']);
  });

  test('print, os.time, getfenv and redis.replicate_commands()', () => {
    const src =
      "-- KEYS[1]: k\nprint(1)\nlocal t = os.time()\nlocal e = getfenv(1)\nredis.replicate_commands()\nreturn redis.call('GET', KEYS[1])\n";
    expect(withTarget(src, 'redis-8.0')).toEqual(['lua-api@2', 'lua-api@3', 'lua-api@4', 'lua-api@5(note)']);
    const [, os] = checkScript(src, 't.lua', { target: 'redis-8.0' }).findings;
    expect(os!.message).toMatch(/os\.time does not exist in Redis 8\.0's sandbox, which keeps only os\.clock/);
  });

  test('Lua 5.2+ syntax is explained as Lua 5.1', () => {
    const [f] = lint(pattern('lua52'));
    expect(f).toMatchObject({ rule: 'syntax-error', line: 3 });
    expect(f!.hint).toMatch(/Integer division \/\/ is Lua 5\.3 and Redis runs Lua 5\.1/);
  });

  test('an unknown target is a config error naming the known ones', () => {
    expect(() => checkScript('return 1', 't.lua', { target: 'redis-6.2' })).toThrow(/unknown target "redis-6\.2"/);
  });
});
