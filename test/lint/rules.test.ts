/**
 * One bad and one good fixture per rule (test/fixtures/lint/<rule>/). A bad fixture must produce the
 * rule exactly on the listed lines; a good fixture must lint completely clean, so it also guards the
 * other rules against false positives.
 */
import { join } from 'node:path';
import { RULES } from '../../src/lint/lint.js';
import { RULE_IDS } from '../../src/lint/rule-ids.js';
import { FIXTURES, at, lint, linesOf, readFixture } from './helpers.js';

const EXPECTED_BAD_LINES: Record<string, number[]> = {
  'syntax-error': [6],
  'invalid-shebang': [1, 1],
  'no-global-assignment': [5, 6, 9, 10],
  'no-undefined-global': [6, 7, 8],
  'no-string-keys-in-reply': [9, 14, 17, 20, 25],
  'no-nil-in-reply-array': [7, 9],
  'keys-from-keys-array': [9, 10, 11, 12, 13, 14, 16, 17, 18, 19],
  'no-keyspace-scan': [6, 11, 15, 18, 23],
  'lua-api': [5, 6, 7, 8],
  'no-float-reply': [10, 10],
  'no-unbounded-loop': [5, 11],
  'no-nil-compare': [6, 10, 14],
  'unknown-command': [5, 6],
  'wrong-arity': [6, 7, 8],
  'command-not-allowed-in-script': [5, 6, 7],
  'no-writes-violation': [7, 9],
  'header-keys-argv': [5, 8],
  'library-load-time': [4, 5, 6],
  'library-register': [4, 5, 6, 7],
  'library-no-writes': [7, 8],
  'unknown-suppression': [5, 7, 8],
};

describe('every rule has a bad and a good fixture', () => {
  test('the table above covers every rule', () => {
    expect(Object.keys(EXPECTED_BAD_LINES).sort()).toEqual(RULES.map((r) => r.id).sort());
    // The config check's list of rule ids is the rules' own.
    expect([...RULE_IDS].sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  describe.each(RULES.map((r) => [r.id, r] as const))('%s', (id, rule) => {
    test('bad.lua: reported on the expected lines, with the default severity, a message and a hint', () => {
      const findings = lint(readFixture(join(FIXTURES, id, 'bad.lua')));
      expect(linesOf(findings, id)).toEqual(EXPECTED_BAD_LINES[id]);
      for (const f of findings.filter((x) => x.rule === id)) {
        expect(f.severity).toBe(rule.defaultSeverity);
        expect(f.message.length).toBeGreaterThan(20);
        expect(f.hint).toEqual(expect.any(String));
        expect(f.column).toBeGreaterThanOrEqual(1);
      }
    });

    test('good.lua: no finding at all', () => {
      expect(at(lint(readFixture(join(FIXTURES, id, 'good.lua'))))).toEqual([]);
    });
  });
});

describe('rule details', () => {
  test('bad fixtures report only their own rule, so each proves one thing', () => {
    for (const id of Object.keys(EXPECTED_BAD_LINES)) {
      const others = lint(readFixture(join(FIXTURES, id, 'bad.lua'))).filter((f) => f.rule !== id);
      expect({ id, others: at(others) }).toEqual({ id, others: [] });
    }
  });

  test('syntax-error points at the offending token and names the Lua 5.1 problem', () => {
    const [f] = lint('local x = 1\nif x then\n  return x\n');
    expect(f).toMatchObject({ rule: 'syntax-error', line: 4, severity: 'error' });
    expect(f!.message).toContain("'end' expected");
    expect(at(lint('local a = 1\ngoto done\n'))).toEqual(['syntax-error@2']);
    expect(at(lint('return 1 & 2\n'))).toEqual(['syntax-error@1']);
  });

  test('syntax-error: the hint names what went wrong, newer-Lua syntax first', () => {
    const hint = (code: string) => lint(code).find((f) => f.rule === 'syntax-error')!.hint;
    expect(hint('return 7 // 2\n')).toMatch(/^Integer division \/\/ is Lua 5\.3 .*math\.floor/);
    expect(hint('goto done\n::done::\n')).toMatch(/^goto and ::labels:: are Lua 5\.2/);
    expect(hint('return 1 << 3\n')).toMatch(/^Bitwise operators are Lua 5\.3 .*bit\.lshift/);
    expect(hint('local x <const> = 1\n')).toMatch(/^Local attributes <const> and <close> are Lua 5\.4/);
    expect(hint('local x = 1\nend end\n')).toMatch(/^One 'end' too many/);
    expect(hint('return 1\nend\n')).toMatch(/^One 'end' too many/);
    expect(hint('if x then\n  return 1\n')).toMatch(/^A block is not closed/);
    expect(hint("local s = 'abc\nreturn s\n")).toMatch(/^A quoted string ends on the line it starts/);
    expect(hint('local t = {a = 1 b = 2}\n')).toMatch(/^A table constructor is not closed/);
    expect(hint('if x return 1 end\n')).toMatch(/^An if needs 'then'/);
    expect(hint('local s = [==[never closed\n')).toMatch(
      /^A \[\[long string\]\] or --\[\[long comment\]\] is not closed/,
    );
    expect(hint('if a != 1 then return 1 end\n')).toMatch(/^Lua writes "not equal" as ~=/);
    expect(hint('if a && b then return 1 end\n')).toMatch(/^Lua writes the logical operators as and, or and not/);
    expect(hint('if a || b then return 1 end\n')).toMatch(/^Lua writes the logical operators/);
    // Long strings and long comments are left out too, and code after a long comment is read.
    expect(hint('local u = [[http://x]] x = = 1\n')).toMatch(/^Look at this line/);
    expect(hint('local a, b = 1, 2 --[[c]] return a // b\n')).toMatch(/^Integer division/);
    expect(hint('if a then\n  x = 1\nlocal function f() end\nelse\n')).toMatch(/^A block is not closed/);
    expect(hint('return "a"  -- first\n\nreturn 123\n')).toMatch(
      /^A return or break must be the last statement of its block/,
    );
    expect(hint('for i = 1, 2 do\n  break\n  x = i\nend\n')).toMatch(/^A return or break must be the last statement/);
    // A // inside a string or a comment is not Lua 5.3.
    expect(hint("local u = 'http://x' x = = 1 -- a // b\n")).toMatch(/^Look at this line and the one before it/);
  });

  test('syntax-error: a BOM without shebang does not compile in Redis', () => {
    const findings = lint(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('return 1\n')]));
    expect(at(findings)).toEqual(['syntax-error@1']);
    expect(findings[0]!.message).toContain('byte order mark');
  });

  test('invalid-shebang: the messages Redis gives', () => {
    const messages = (src: string): string[] =>
      lint(src)
        .filter((f) => f.rule === 'invalid-shebang')
        .map((f) => f.message);
    expect(messages('#!lua flags=no-writes,\nreturn 1\n')).toEqual([
      expect.stringContaining('Unexpected flag in script shebang: "'),
    ]);
    expect(messages('#!lua flags=NO-WRITES\nreturn 1\n')).toEqual([
      expect.stringContaining('Unexpected flag in script shebang: NO-WRITES'),
    ]);
    expect(messages('#!luajit\nreturn 1\n')).toEqual([
      expect.stringContaining('Unexpected engine in script shebang: #!luajit'),
    ]);
    expect(messages('#!lua')).toEqual([expect.stringContaining('Invalid script shebang')]);
    expect(messages('#!lua name=lib\nreturn 1\n')).toEqual([
      expect.stringContaining('Unknown lua shebang option: name=lib'),
    ]);
    expect(messages('#!lua\nreturn 1\n')).toEqual([]);
    expect(messages('#!lua flags=\nreturn 1\n')).toEqual([]);
    expect(messages('#!lua flags=no-writes flags=allow-oom\r\nreturn 1\r\n')).toEqual([]);
    expect(messages('#!lua flags=no-cluster,allow-cross-slot-keys,allow-oom,allow-stale\nreturn 1\n')).toEqual([]);
  });

  test('invalid-shebang: a BOM before #! hides the shebang; the rest of the file is still linted', () => {
    const src = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('#!lua flags=no-writes\nreturn redis.call("SET", KEYS[1], 1)\n'),
    ]);
    const findings = lint(src);
    expect(at(findings)).toEqual(['invalid-shebang@1', 'no-writes-violation@2', 'header-keys-argv@2']);
    expect(findings[0]!.message).toContain('byte order mark');
  });

  test('the shebang line is blanked, not removed: positions stay those of the file', () => {
    const findings = lint('#!lua flags=no-writes\n\nlocal x = 1\nx = y\n');
    expect(findings.find((f) => f.rule === 'no-undefined-global')).toMatchObject({ line: 4, column: 5 });
  });

  test('no-undefined-global: a name assigned as a global is reported once, as the assignment', () => {
    expect(at(lint('counter = 1\nreturn counter\n'))).toEqual(['no-global-assignment@1']);
  });

  test('no-undefined-global: the sandbox globals are known, shadowing is respected', () => {
    const src = [
      'local print = function() end',
      'print(_G, _VERSION, getmetatable, setmetatable, next, select, rawget, rawequal, xpcall, loadstring, unpack, type, assert, error)',
      'return cmsgpack.pack(coroutine, gcinfo, collectgarbage)',
    ].join('\n');
    expect(at(lint(src))).toEqual([]);
  });

  test('no-string-keys-in-reply: special replies need the right value type', () => {
    expect(at(lint('return {ok = true}\n'))).toEqual(['no-string-keys-in-reply@1']);
    expect(at(lint('return {err = 5}\n'))).toEqual(['no-string-keys-in-reply@1']);
    expect(at(lint('return {double = "3.5"}\n'))).toEqual(['no-string-keys-in-reply@1']);
    expect(at(lint('return {ok = "OK", note = 1}\n'))).toEqual([]);
    expect(at(lint('local m = "x"\nreturn {err = m}\n'))).toEqual([]);
    expect(at(lint('return {set = {a = true}}\n'))).toEqual([]);
    expect(at(lint('return {["a"] = 1}\n'))).toEqual(['no-string-keys-in-reply@1']);
    expect(at(lint('return {[1] = "a", [2] = "b"}\n'))).toEqual([]);
  });

  test('no-string-keys-in-reply: returns inside helpers count only when the helper is what the script returns', () => {
    const src = [
      'local function stats() return {hits = 1} end',
      'local function main() return {1, 2} end',
      'local s = stats()',
      'return main()',
    ].join('\n');
    expect(at(lint(src))).toEqual([]);
    expect(at(lint('local function main() return {a = 1} end\nreturn main()\n'))).toEqual([
      'no-string-keys-in-reply@1',
    ]);
  });

  test('no-nil-compare: redis.setresp(3) makes null replies nil, so the test is right', () => {
    const src = "redis.setresp(3)\nif redis.call('GET', KEYS[1]) == nil then return 0 end\nreturn 1\n";
    expect(linesOf(lint(src), 'no-nil-compare')).toEqual([]);
    expect(linesOf(lint(src.replace('setresp(3)', 'setresp(2)')), 'no-nil-compare')).toEqual([2]);
  });

  test('no-nil-compare: a local reassigned from something else is left alone', () => {
    const src = "local v = redis.call('GET', KEYS[1])\nv = tonumber(v)\nif v == nil then return 0 end\nreturn v\n";
    expect(linesOf(lint(src), 'no-nil-compare')).toEqual([]);
  });

  test('no-unbounded-loop: a break in a nested loop does not end the outer one; a return does', () => {
    expect(linesOf(lint('while true do\n  for i = 1, 3 do break end\nend\n'), 'no-unbounded-loop')).toEqual([1]);
    expect(linesOf(lint('while true do\n  for i = 1, 3 do return i end\nend\n'), 'no-unbounded-loop')).toEqual([]);
    expect(linesOf(lint('while true do\n  local f = function() return 1 end\nend\n'), 'no-unbounded-loop')).toEqual([
      1,
    ]);
  });

  test('keys-from-keys-array: key positions come from the command table (key specs)', () => {
    const keyLines = (src: string): number[] => linesOf(lint(src), 'keys-from-keys-array');
    // EVAL-like numkeys: only the declared count of keys.
    expect(keyLines("redis.call('ZINTERSTORE', KEYS[1], 1, KEYS[2], 'WEIGHTS', 2)\n")).toEqual([]);
    expect(keyLines("redis.call('ZINTERSTORE', KEYS[1], 2, KEYS[2], 'other')\n")).toEqual([1]);
    // Keyword search: the argument after STORE is a key, the unit before it is not.
    expect(keyLines("redis.call('GEORADIUS', KEYS[1], 0, 0, 10, 'km', 'STORE', 'dest')\n")).toEqual([1]);
    expect(keyLines("redis.call('GEORADIUS', KEYS[1], 0, 0, 10, 'km', 'STORE', KEYS[2])\n")).toEqual([]);
    // Keys up to the middle of what follows STREAMS (the rest are ids).
    const xread = lint("redis.call('XREAD', 'COUNT', 1, 'STREAMS', 'events', KEYS[1], '0', '0')\n");
    expect(xread.filter((f) => f.rule === 'keys-from-keys-array').map((f) => f.column)).toEqual([44]);
    // Subcommand keys.
    expect(keyLines("redis.call('XINFO', 'STREAM', 'mystream')\n")).toEqual([1]);
    expect(keyLines("redis.call('MEMORY', 'USAGE', KEYS[1])\n")).toEqual([]);
    // Values are not keys.
    expect(keyLines("redis.call('SET', KEYS[1], 'literal value')\n")).toEqual([]);
    // A number of keys that is not a literal: unknown, so nothing is said.
    expect(keyLines("redis.call('ZUNIONSTORE', KEYS[1], ARGV[1], 'a', 'b')\n")).toEqual([]);
  });

  test('keys-from-keys-array: a key derived from KEYS mentions hash tags', () => {
    const [f] = lint("-- KEYS[1]: base (string)\nredis.call('GET', KEYS[1] .. ':x')\n");
    expect(f).toMatchObject({ rule: 'keys-from-keys-array', line: 2, column: 19 });
    expect(f!.hint).toContain('hash tag');
  });

  test('unknown-command and wrong-arity say nothing about a command name that is not a literal', () => {
    expect(at(lint("local cmd = 'GETT'\nreturn redis.call(cmd)\n"))).toEqual([]);
  });

  test('unknown-command names the nearest command, and how to allow one newer than the table', () => {
    const [typo] = lint("-- KEYS[1]: k (string)\nreturn redis.call('GETT', KEYS[1])\n");
    expect(typo).toMatchObject({ rule: 'unknown-command', line: 2 });
    expect(typo!.hint).toMatch(/^Did you mean GET\? The command table is Redis 7\.0's \("target" in the config/);
    expect(typo!.hint).toContain('"-- rscript-disable-next-line unknown-command" above the call');
    const [sub] = lint("-- KEYS[1]: k (string)\nreturn redis.call('OBJECT', 'ENCODINGS', KEYS[1])\n");
    expect(sub!.hint).toMatch(/^Did you mean OBJECT ENCODING\? /);
    // HEXPIRE came with Redis 7.4 (and Valkey 9.0): no guess (EXPIRE, one edit away, would expire the
    // whole hash), the releases that have it, and how to target them.
    const [newer] = lint("-- KEYS[1]: k (hash)\nreturn redis.call('HEXPIRE', KEYS[1], 60, 'FIELDS', 1, 'f')\n");
    expect(newer!.message).toMatch(/^'HEXPIRE' is not a Redis 7\.0 command: it came with Redis 7\.4 and Valkey 9\.0, /);
    expect(newer!.hint).toMatch(/"target" in the config/);
    expect(newer!.hint).not.toMatch(/Did you mean/);
    const [client] = lint("return redis.call('CLIENT', 'NO-TOUCH', 'on')\n");
    expect(client!.message).toMatch(/it came with Redis 7\.2 and Valkey 7\.2/);
    // Nothing within two edits: no guess.
    const [far] = lint("-- KEYS[1]: k (string)\nreturn redis.call('FROBNICATE', KEYS[1])\n");
    expect(far!.hint).toMatch(/^The command table is/);
  });

  test('unknown-command leaves module commands (a dot in the name) alone', () => {
    expect(at(lint("return redis.call('JSON.GET', KEYS[1], '$')\n"))).toEqual(['header-keys-argv@1']);
    expect(at(lint("-- KEYS[1]: doc (json)\nreturn redis.call('JSONGET', KEYS[1], '$')\n"))).toEqual([
      'unknown-command@2',
    ]);
  });

  test('header-keys-argv: KEYS[2..N] documents every key from the second; a closed range only its own', () => {
    const head =
      '-- KEYS[1]: a (string)\n-- KEYS[2..N]: more (string)\n-- ARGV[1..2]: bounds (integer)\n-- ARGV[3...]: tags (string)\n';
    // KEYS[5] is covered by the open range; nothing reads ARGV[3..]: an open range is never "unread".
    expect(at(lint(`${head}return redis.call('MGET', KEYS[1], KEYS[5]) .. ARGV[1] .. ARGV[2]\n`))).toEqual([]);
    // ARGV[1..2] with only ARGV[1] read: the line is in use, nothing to say.
    expect(at(lint(`${head}return redis.call('GET', KEYS[1]) .. ARGV[1]\n`))).toEqual([]);
    // A closed range none of whose slots is read: one finding for the line.
    const range = lint("-- KEYS[1]: a (string)\n-- ARGV[1..3]: bounds (integer)\nreturn redis.call('GET', KEYS[1])\n");
    expect(at(range)).toEqual(['header-keys-argv@2']);
    expect(range[0]!.message).toMatch(/^ARGV\[1\.\.3\] is documented but the code never reads it/);
    // KEYS[3] past a closed range is undocumented.
    expect(at(lint("-- KEYS[1..2]: a (string)\nreturn redis.call('MGET', KEYS[1], KEYS[2], KEYS[3])\n"))).toEqual([
      'header-keys-argv@2',
    ]);
  });
  test('header-keys-argv: a range that ends before it starts is read as its first index, and said so', () => {
    const findings = lint(
      "-- KEYS[1]: a (string)\n-- KEYS[3..2]: b (string)\nreturn redis.call('MGET', KEYS[1], KEYS[2], KEYS[3])\n",
    );
    // KEYS[2] is not documented by KEYS[3..2]: its read is reported too, as before.
    expect(at(findings)).toEqual(['header-keys-argv@2', 'header-keys-argv@3']);
    expect(findings[0]).toMatchObject({ severity: 'warning', column: 4, endColumn: 14 });
    expect(findings[0]!.message).toBe('KEYS[3..2] ends before it starts: it is read as KEYS[3] alone');
    expect(findings[0]!.hint).toBe(
      'Write the lower index first: KEYS[2..3] documents keys 2 to 3 alike, KEYS[3..N] every key from 3 on.',
    );
  });

  test('header-keys-argv: KEYS[0] and ARGV[0..n] are reported: Lua tables start at 1', () => {
    // Before, a header KEYS[0] with the code reading KEYS[0] passed without a word.
    const zero = lint("-- KEYS[0]: the lock (string)\nreturn redis.call('GET', KEYS[0])\n");
    expect(at(zero)).toEqual(['header-keys-argv@1', 'header-keys-argv@2']);
    expect(zero[0]).toMatchObject({ column: 4, endColumn: 11 });
    expect(zero[0]!.message).toBe('KEYS[0] is always nil: Lua tables start at 1, so the first key is KEYS[1]');
    expect(zero[0]!.hint).toBe('Number from 1, as callers count: write KEYS[1].');
    // The read itself is reported too, documented or not: no header line makes KEYS[0] hold a key.
    expect(zero[1]!.message).toBe('KEYS[0] is always nil: Lua tables start at 1, so the first key is KEYS[1]');
    expect(zero[1]!.hint).toBe('Read KEYS[1] for the first key, as callers count.');
    const read = lint("-- KEYS[1]: the lock (string)\nreturn redis.call('GET', KEYS[1]) .. (ARGV[0] or '')\n");
    expect(at(read)).toEqual(['header-keys-argv@2']);
    expect(read[0]!.message).toBe('ARGV[0] is always nil: Lua tables start at 1, so the first argument is ARGV[1]');
    // One finding for the header line (not also "documented but never read"), one for the undocumented read.
    expect(at(lint("-- KEYS[0]: the lock (string)\nreturn redis.call('GET', KEYS[1])\n"))).toEqual([
      'header-keys-argv@1',
      'header-keys-argv@2',
    ]);
    // ARGV[0..2] documented ARGV[1] and ARGV[2] without a word.
    const range = lint('-- ARGV[0..2]: bounds (integer)\nreturn ARGV[1] .. ARGV[2]\n');
    expect(at(range)).toEqual(['header-keys-argv@1']);
    expect(range[0]!.message).toBe(
      'ARGV[0..2] starts at ARGV[0], which is always nil: Lua tables start at 1, so the first argument is ARGV[1]',
    );
    expect(range[0]!.hint).toBe('Number from 1, as callers count: write ARGV[1..2].');
    expect(lint("-- KEYS[0..N]: shards (string)\nreturn redis.call('GET', KEYS[1])\n")[0]!.hint).toBe(
      'Number from 1, as callers count: write KEYS[1..N].',
    );
  });

  test('header-keys-argv: odd ranges get a hint the rule accepts, and an overlap still says what is never read', () => {
    // KEYS[1..0] used to be told to write KEYS[0..1], which the same rule reports as always nil.
    const down = lint("-- KEYS[1..0]: k (string)\nreturn redis.call('GET', KEYS[1])\n");
    expect(down.map((f) => f.hint)).toEqual([
      'Write KEYS[1] for that key alone, or KEYS[1..N] for every key from 1 on.',
    ]);
    expect(lint("-- KEYS[3..0]: k (string)\nreturn redis.call('GET', KEYS[3])\n")[0]!.hint).toMatch(
      /^Write the lower index first: KEYS\[1\.\.3\] /,
    );
    // Blanks inside the brackets are not part of what is quoted.
    expect(lint('-- KEYS[ 0 ]: k (string)\nreturn 1\n')[0]!.message).toBe(
      'KEYS[0] is always nil: Lua tables start at 1, so the first key is KEYS[1]',
    );
    // KEYS[2] and KEYS[3] of the second line are never read: the overlap on KEYS[1] hid that.
    const overlap = lint("-- KEYS[1]: a (string)\n-- KEYS[1..3]: b (string)\nreturn redis.call('GET', KEYS[1])\n");
    expect(overlap.map((f) => f.message.split(':')[0])).toEqual([
      'KEYS[1] is already documented on line 1',
      'KEYS[2..3] is documented but the code never reads it',
    ]);
  });

  test('header-keys-argv: a --[[ header opened on a line of its own is reported on the right lines', () => {
    // Lua leaves the line break after `--[[` out of the comment's text: the header's lines started one too high.
    const findings = lint("--[[\nKEYS[0]: the key\nKEYS[2]: unused\n]]\nreturn redis.call('GET', KEYS[1])\n");
    expect(findings.map((f) => `${f.line}:${f.column}`)).toEqual(['2:1', '3:1', '5:26']);
    expect(findings[1]!.message).toMatch(/^KEYS\[2\] is documented but the code never reads it/);
  });

  test('header-keys-argv: a slot documented on two lines is reported on the second, whose text is not used', () => {
    const findings = lint(
      "-- KEYS[1..3]: a shard (string)\n-- KEYS[2]: the total (string)\nreturn redis.call('MGET', KEYS[1], KEYS[2], KEYS[3])\n",
    );
    expect(at(findings)).toEqual(['header-keys-argv@2']);
    expect(findings[0]).toMatchObject({ column: 4, endColumn: 11 });
    expect(findings[0]!.message).toBe("KEYS[2] is already documented on line 1: this line's text is not used for it");
    expect(findings[0]!.hint).toBe(
      'Document each KEYS[n] on one line: remove one of the two, or narrow the range so that the lines do not overlap.',
    );
    // The range second, over two numbered lines.
    const later = lint(
      '-- ARGV[1]: a\n-- ARGV[3]: c\n-- ARGV[1..4]: rest\nreturn ARGV[1] .. ARGV[2] .. ARGV[3] .. ARGV[4]\n',
    );
    expect(later.map((f) => `${f.line}: ${f.message}`)).toEqual([
      "3: ARGV[1] and ARGV[3] are already documented on lines 1 and 2: this line's text is not used for them",
    ]);
    // A second open range.
    const open = lint(
      "-- KEYS[2..N]: shards (string)\n-- KEYS[3..N]: more shards (string)\nreturn redis.call('MGET', KEYS[1], KEYS[3])\n",
    );
    expect(open.map((f) => `${f.line}: ${f.message}`)).toEqual([
      "2: every key from KEYS[2] on is already documented on line 1: this line's text is not used",
      '3: KEYS[1] is read here but the header does not document it: callers cannot tell what to pass as key 1',
    ]);
    // A numbered line inside an open range is not an overlap: it documents its own slot (as info shows it).
    expect(
      at(
        lint(
          "-- KEYS[1]: a\n-- KEYS[2..N]: shards (string)\n-- KEYS[3]: the total (string)\nreturn redis.call('MGET', KEYS[1], KEYS[3])\n",
        ),
      ),
    ).toEqual([]);
  });
});
