/**
 * What each rule tells the user: the message and hint of each of its cases, on the line it points at.
 * The fixture tests (rules.test.ts) prove where a rule fires; these prove it says the right thing.
 */
import { lintSource, type Finding } from '../../src/lint/lint.js';
import { lint } from './helpers.js';

/** `rule@line:column [severity] message | hint` for each finding of one rule. */
function said(findings: readonly Finding[], rule: string): string[] {
  return findings
    .filter((f) => f.rule === rule)
    .map((f) => `${f.rule}@${f.line}:${f.column} [${f.severity}] ${f.message} | ${f.hint ?? ''}`);
}

const onTarget = (source: string, target: string) => lintSource(source, 't.lua', { target });

describe('no-global-assignment', () => {
  test('an assignment, a global function and a library field each get their own message and fix', () => {
    const src = 'counter = 1\nfunction helper() return 1 end\nstring.x = 1\nfoo.bar = 1\nreturn 1\n';
    const fails = ': Redis 7 aborts the script with "Attempt to modify a readonly table" when it runs';
    expect(said(lint(src), 'no-global-assignment')).toEqual([
      `no-global-assignment@1:1 [error] This assigns the global variable 'counter'${fails} | Declare it local: local counter = ...`,
      `no-global-assignment@2:10 [error] This defines the global function 'helper'${fails} | Declare it local: local function helper(...)`,
      `no-global-assignment@3:1 [error] This modifies the read-only table 'string'${fails} | Copy what you need into a local table instead of changing 'string'.`,
    ]);
  });

  test('rawset on a sandbox table is reported; on KEYS, ARGV, a local or through a local rawset it is not', () => {
    const src = [
      "rawset(_G, 'a', 1)",
      "rawset(KEYS, 1, 'a')",
      "rawset(ARGV, 1, 'a')",
      'local t = {}',
      "rawset(t, 'a', 1)",
      'local string = {}',
      "rawset(string, 'a', 1)",
      "rawget(_G, 'a')",
      'rawset()',
      'return 1',
    ].join('\n');
    expect(said(lint(src), 'no-global-assignment')).toEqual([
      'no-global-assignment@1:1 [error] rawset on \'_G\': Redis 7 aborts the script with "Attempt to modify a readonly table" | Keep your values in a local table.',
    ]);
    const shadowed = "local rawset = function() end\nrawset(_G, 'a', 1)\nreturn 1\n";
    expect(said(lint(shadowed), 'no-global-assignment')).toEqual([]);
  });
});

describe('lua-api', () => {
  const missingOs = `has no os library: the script fails with "Script attempted to access nonexistent global variable 'os'"`;

  test('os on Redis 7.0: no os library at all; os.clock names the release that brought it', () => {
    const src = 'local x = os.clock()\nlocal y = os.time()\nlocal z = os\nreturn 1\n';
    expect(said(lint(src), 'lua-api')).toEqual([
      `lua-api@1:11 [error] Redis 7.0 ${missingOs} (os.clock came with Redis 7.4) | Set "target" to redis-7.4 or later if every server has it; otherwise time with redis.call("TIME").`,
      `lua-api@2:11 [error] Redis 7.0 ${missingOs} | Read the time with redis.call("TIME").`,
      `lua-api@3:11 [error] Redis 7.0 ${missingOs} | Read the time with redis.call("TIME").`,
    ]);
  });

  test('os from Redis 7.4 and on Valkey: os.clock passes, any other member (or os itself) is named', () => {
    const src = 'local x = os.clock()\nlocal y = os . time()\nlocal z = os\nreturn 1\n';
    const hint = 'Read the time with redis.call("TIME"); os.clock() measures CPU time only.';
    expect(said(onTarget(src, 'redis-7.4'), 'lua-api')).toEqual([
      `lua-api@2:11 [error] os.time does not exist in Redis 7.4's sandbox, which keeps only os.clock: the call fails with "attempt to call field 'time' (a nil value)" | ${hint}`,
      `lua-api@3:11 [error] os does not exist in Redis 7.4's sandbox, which keeps only os.clock: the call fails with "attempt to call field '?' (a nil value)" | ${hint}`,
    ]);
    expect(said(onTarget(src, 'valkey-8.1'), 'lua-api').map((f) => f.slice(0, 24))).toEqual([
      'lua-api@2:11 [error] os.',
      'lua-api@3:11 [error] os ',
    ]);
    // os.clock far into a long line: the member is read where os stands, not from the line's start.
    const late = `local pad = '${'x'.repeat(60)}' local t = os.clock()\nreturn 1\n`;
    expect(said(onTarget(late, 'redis-7.4'), 'lua-api')).toEqual([]);
    expect(said(lint(late), 'lua-api')[0]).toContain('(os.clock came with Redis 7.4)');
  });

  test('print, getfenv, setfenv, newproxy and server are each named; server only on Redis', () => {
    const src =
      "print('x')\nlocal g = getfenv\nlocal e = setfenv\nlocal n = newproxy\nlocal y = server.call('PING')\nreturn 1\n";
    const disabled = (name: string, at: string) =>
      `lua-api@${at} [error] ${name} is disabled by default since Redis 7.4.6 and 8.2.2 and Valkey 8.0.6 and 8.1.4 (security releases): the script fails with "Script attempted to access nonexistent global variable '${name}'" | Pass values as arguments or keep them in locals; scripts cannot rely on function environments.`;
    expect(said(lint(src), 'lua-api')).toEqual([
      `lua-api@1:1 [error] print was removed from the scripting sandbox in Redis 7.0: the script fails with "Script attempted to access nonexistent global variable 'print'" | Use redis.log(redis.LOG_NOTICE, msg) (it goes to the server log), or return the value.`,
      disabled('getfenv', '2:11'),
      disabled('setfenv', '3:11'),
      disabled('newproxy', '4:11'),
      `lua-api@5:11 [error] server is Valkey's name for the redis table (Valkey 7.2.4 and later); Redis 7.0 has no such global and fails with "Script attempted to access nonexistent global variable 'server'" | Write redis.call: Valkey accepts it too.`,
    ]);
    expect(said(onTarget(src, 'valkey-8.1'), 'lua-api').map((f) => f.split(' ')[0])).toEqual([
      'lua-api@1:1',
      'lua-api@2:11',
      'lua-api@3:11',
      'lua-api@4:11',
    ]);
  });

  test('redis.replicate_commands() is a note; other redis calls are not', () => {
    const src = "redis.replicate_commands()\nredis.set_repl(redis.REPL_ALL)\nreturn redis.call('PING')\n";
    expect(said(lint(src), 'lua-api')).toEqual([
      'lua-api@1:1 [info] redis.replicate_commands() does nothing since Redis 7.0: scripts are always replicated by their effects | Remove the call (it still returns true, so leaving it does no harm).',
    ]);
  });
});

describe('no-nil-compare', () => {
  test('== nil and ~= nil alone are always false and always true; paired with false they are a note', () => {
    const src = [
      "local v = redis.call('GET', KEYS[1])",
      'if v ~= nil then return 1 end',
      'if v == nil or v == false then return 2 end',
      'if v ~= nil and v ~= false then return 3 end',
      'if nil == v then return 4 end',
      'return 0',
    ].join('\n');
    const missing = 'A missing value comes back from redis.call as false, not nil: this';
    expect(said(lint(src), 'no-nil-compare')).toEqual([
      `no-nil-compare@2:4 [warning] ${missing} ~= nil test is always true | Test the value itself ("if value then").`,
      `no-nil-compare@3:4 [info] ${missing} == nil half of the test never decides it | The test works; "not value" says the same in one.`,
      `no-nil-compare@4:4 [info] ${missing} ~= nil half of the test never decides it | The test works; "if value then" says the same in one.`,
      `no-nil-compare@5:4 [warning] ${missing} == nil test is always false | Test with "not value" (or "value == false").`,
    ]);
  });
});

describe('no-nil-in-reply-array', () => {
  test('the message counts the elements before the first nil, in nested arrays too', () => {
    const msg = (src: string) => lint(src).map((f) => `${f.rule}@${f.column} ${f.message}`);
    const stops = 'no-nil-in-reply-array@';
    expect(msg('return {nil, 1}\n')).toEqual([
      `${stops}9 Redis stops converting the array at the first nil: this one comes first, so the caller gets an empty array`,
    ]);
    expect(msg('return {1, nil, 2}\n')).toEqual([
      `${stops}12 Redis stops converting the array at the first nil: the caller gets only the 1 element before it`,
    ]);
    expect(msg('return {1, 2, nil}\n')).toEqual([
      `${stops}15 Redis stops converting the array at the first nil: the caller gets only the 2 elements before it`,
    ]);
    expect(msg('return {1, {2, nil}}\n')).toEqual([
      `${stops}16 Redis stops converting the array at the first nil: the caller gets only the 1 element before it`,
    ]);
    // A special reply is no array.
    expect(msg("return {ok = 'x', 1, nil}\n")).toEqual([]);
  });
});

describe('no-string-keys-in-reply', () => {
  const msg = (src: string) => lint(src).map((f) => `${f.rule}@${f.line} ${f.message}`);
  const drops = 'no-string-keys-in-reply@';

  test('the message says what the caller gets', () => {
    expect(msg('return {a = 1, 2}\n')).toEqual([
      `${drops}1 Redis converts this table to an array and drops its string keys (a): the caller gets only its 1 positional value`,
    ]);
    expect(msg('return {a = 1, 2, 3}\n')).toEqual([
      `${drops}1 Redis converts this table to an array and drops its string keys (a): the caller gets only its 2 positional values`,
    ]);
    expect(msg('local t = {a = 1}\ntable.insert(t, 5)\nreturn t\n')).toEqual([
      `${drops}3 Redis converts 't' (the table built on line 1) to an array and drops its string keys (a): the caller gets only its array part`,
    ]);
    expect(msg('local t = {a = 1, b = 2, c = 3, d = 4, e = 5}\nreturn t\n')).toEqual([
      `${drops}2 Redis converts 't' (the table built on line 1) to an array and drops its string keys (a, b, c, d, ... (5 keys)): the caller gets an empty array`,
    ]);
    expect(msg('return {ok = true, x = 1}\n')).toEqual([
      `${drops}1 Redis converts this table to an array and drops its string keys (ok, x) (ok = true does not make a status reply: ok needs a string): the caller gets an empty array`,
    ]);
  });

  test('an array of records: each record arrives empty', () => {
    const [f] = lint('return {{a = 1}, {b = 2}}\n');
    expect(f).toMatchObject({
      rule: 'no-string-keys-in-reply',
      line: 1,
      message:
        'The elements of this table are tables with string keys (a): Redis drops the keys, so each element reaches the caller as an empty array',
      hint: 'Return each element as an array ({id, data, score}) or flatten them into one array, and document the layout under "Returns:".',
    });
  });
});

describe('wrong-arity', () => {
  test('exactly or at least, singular or plural, and the command page of a subcommand', () => {
    const src =
      "redis.call('SET', 'k')\nredis.call('MSET')\nredis.call('GET')\nredis.call('CONFIG', 'GET')\nreturn 1\n";
    const fails = 'redis.call fails with "ERR Wrong number of args calling Redis command from script"';
    expect(said(lint(src), 'wrong-arity')).toEqual([
      `wrong-arity@1:1 [error] SET takes at least 2 arguments, this call passes 1: ${fails} | See https://redis.io/commands/set/ for the syntax.`,
      `wrong-arity@2:1 [error] MSET takes at least 2 arguments, this call passes 0: ${fails} | See https://redis.io/commands/mset/ for the syntax.`,
      `wrong-arity@3:1 [error] GET takes exactly 1 argument, this call passes 0: ${fails} | See https://redis.io/commands/get/ for the syntax.`,
      `wrong-arity@4:1 [error] CONFIG GET takes at least 1 argument, this call passes 0: ${fails} | See https://redis.io/commands/config-get/ for the syntax.`,
    ]);
  });
});

describe('unknown-suppression', () => {
  test('a near miss names the id meant; anything else lists the ids', () => {
    const findings = lint(
      '-- rscript-disable-next-line no-such-thing\n-- rscript-disable-line no-nil-compar\nreturn 1\n',
    );
    expect(findings.map((f) => `${f.line}:${f.column}-${f.endColumn} ${f.message}`)).toEqual([
      '1:30-43 unknown rule "no-such-thing" in rscript-disable-next-line: it silences nothing',
      '2:25-38 unknown rule "no-nil-compar" in rscript-disable-line: it silences nothing; did you mean "no-nil-compare"?',
    ]);
    expect(findings[0]!.hint).toMatch(
      /^Write a rule id as findings show it at the end of their line \(command-not-allowed/,
    );
    expect(findings[0]!.hint).toMatch(/or remove "no-such-thing"; an explanation goes after " -- "\.$/);
    expect(findings[1]!.hint).toBe(
      'Write "no-nil-compare" (the id at the end of a finding\'s line), or remove "no-nil-compar".',
    );
  });
});

describe('no-float-reply', () => {
  const cols = (src: string) => lint(src).map((f) => `${f.rule}@${f.line}:${f.column}`);

  test('arithmetic: / and ^ may give a fraction; + - * % and unary minus only from a fractional operand', () => {
    const src = 'local r = 3.5\nreturn {2 ^ 3, 1 + r, 1 - r, 2 * r, r % 2, -r, -2, 1 + 2, 2 .. 1}\n';
    expect(cols(src)).toEqual([
      'no-float-reply@2:9',
      'no-float-reply@2:16',
      'no-float-reply@2:23',
      'no-float-reply@2:30',
      'no-float-reply@2:37',
      'no-float-reply@2:44',
    ]);
    expect(lint('return 2.5\n')[0]).toMatchObject({
      rule: 'no-float-reply',
      message:
        'This number may have a fractional part, and Redis converts a Lua number to an integer reply by truncating it (8.7 arrives as 8)',
    });
    expect(cols('return\n')).toEqual([]);
  });

  test('math: random() and the functions of a fractional argument; random(m, n), floor, huge and pi are whole', () => {
    const src =
      'return {math.random(), math.random(1, 10), math.max(1, 2.5), math.min(1, 2), math.abs(-1.5), math.fmod(7.5, 2), math.huge, math.pi, math.sqrt(2), math.floor(2.5)}\n';
    expect(cols(src)).toEqual([
      'no-float-reply@1:9',
      'no-float-reply@1:44',
      'no-float-reply@1:78',
      'no-float-reply@1:94',
      'no-float-reply@1:133',
    ]);
  });

  test('a local rounded with math.floor or tostring before it is returned passes; a local tostring does not round', () => {
    expect(cols('local x = 7 / 2\nx = math.floor(x)\nreturn x\n')).toEqual([]);
    expect(cols('local x = 7 / 2\nx = tostring(x)\nreturn x\n')).toEqual([]);
    expect(cols('local tostring = function(v) return v end\nlocal x = 7 / 2\nx = tostring(x)\nreturn x\n')).toEqual([
      'no-float-reply@4:8',
    ]);
    // b gets a second value math.random() does not have: nil, not a fraction.
    expect(cols('local a, b = math.random()\nreturn b\n')).toEqual([]);
    expect(cols('local a, b = math.random()\nreturn a\n')).toEqual(['no-float-reply@2:8']);
  });
});

describe('keys-from-keys-array and no-keyspace-scan', () => {
  test('a KEYS entry as the pattern of KEYS, SCAN, SSCAN, HSCAN or ZSCAN (after MATCH, any case) is reported', () => {
    const src = [
      '-- KEYS[1]: a',
      '-- KEYS[2]: b',
      "redis.call('KEYS', KEYS[1])",
      "redis.call('SCAN', 0, 'MATCH', KEYS[1])",
      "redis.call('SSCAN', KEYS[2], 0, 'MATCH', KEYS[1])",
      "redis.call('HSCAN', KEYS[2], 0, 'COUNT', 10, 'MATCH', KEYS[1])",
      "redis.call('ZSCAN', KEYS[2], 0, 'match', KEYS[1])",
      "redis.call('SCAN', 0, 'MATCH')",
      "redis.call('SCAN', 0, 'MATCH', 'user:*')",
      "redis.call('SCAN', 0, 'COUNT', KEYS[1])",
      'return 1',
    ].join('\n');
    const findings = lint(src).filter((f) => f.rule === 'keys-from-keys-array');
    expect(findings.map((f) => `${f.line}:${f.column} ${f.message.slice(0, 45)}`)).toEqual([
      '3:20 A KEYS entry is used as the KEYS pattern, not',
      '4:32 A KEYS entry is used as the SCAN pattern, not',
      '5:42 A KEYS entry is used as the SSCAN pattern, no',
      '6:55 A KEYS entry is used as the HSCAN pattern, no',
      '7:42 A KEYS entry is used as the ZSCAN pattern, no',
    ]);
    expect(findings[0]!.hint).toBe(
      'Pass patterns in ARGV; KEYS is only for the names of keys the script reads or writes.',
    );
  });

  test('each origin of a key that is not KEYS[i] has its own message and hint', () => {
    const src = [
      '-- KEYS[1]: a',
      '-- KEYS[2]: b',
      "redis.call('GET', KEYS[1] .. ':x')",
      "redis.call('GET', 'lit')",
      "redis.call('GET', ARGV[1])",
      "local ks = redis.call('SMEMBERS', KEYS[2])",
      "redis.call('GET', ks[1])",
      'return 1',
    ].join('\n');
    const why =
      ': Redis cannot see it before the script runs: in a cluster it may live on another node ("Script attempted to access a non local key in a cluster node"), and ACL key patterns are not checked against it';
    const base = 'Pass every key the script touches in KEYS and let the caller build the names.';
    const tag = `${base} Keys that must be used together need one hash tag ({order:7}:items, {order:7}:total) to share a cluster slot.`;
    expect(said(lint(src), 'keys-from-keys-array')).toEqual([
      `keys-from-keys-array@3:19 [warning] GET key is built by concatenation from a KEYS entry, so it is not declared itself${why} | ${base} A derived key only lands in the same cluster slot as KEYS[i] when KEYS[i] has a hash tag ({user:42}:cart and {user:42}:stock); declare it anyway.`,
      `keys-from-keys-array@4:19 [warning] GET key "lit" is a literal, not KEYS[i]${why} | ${tag}`,
      `keys-from-keys-array@5:19 [warning] GET key comes from ARGV, not KEYS${why} | ${tag}`,
      `keys-from-keys-array@7:19 [warning] GET key is read from a Redis reply (SCAN, KEYS, SMEMBERS...), not passed in KEYS${why} | Keys found at run time cannot be declared: return them to the caller and act on them in a second call that passes them in KEYS, or keep such keys under one hash tag on a single node.`,
    ]);
  });

  test('SCAN in a loop: a constant "0" or 0 cursor is one batch, not a walk; FLUSHALL has its own message', () => {
    const src = [
      "local c = '0'",
      'while true do',
      "  local r = redis.call('SCAN', '0')",
      "  local s = redis.call('SCAN', 0)",
      "  local t = redis.call('SCAN', c)",
      "  redis.call('FLUSHALL')",
      '  break',
      'end',
      'return 1',
    ].join('\n');
    expect(said(lint(src), 'no-keyspace-scan')).toEqual([
      'no-keyspace-scan@5:13 [warning] SCAN in a loop inside a script walks the whole keyspace in one call: the script holds the server for all of it, exactly like KEYS | Return the cursor to the caller and call the script again with it (one SCAN batch per call), or keep an index set of the keys.',
      "no-keyspace-scan@6:3 [warning] FLUSHALL deletes every key of every database in one O(n) call while the script holds the server | Delete the script's own keys (passed in KEYS); leave FLUSHALL to an operator, with ASYNC.",
    ]);
  });
});

describe('smaller rules', () => {
  test('no-unbounded-loop: a truthy constant (true, a number, a string, a table) in while, a falsy one in until', () => {
    const src =
      "while 1 do end\nwhile 'x' do end\nwhile {} do end\nwhile false do end\nrepeat until nil\nrepeat until false\nrepeat until true\nreturn 1\n";
    const findings = lint(src);
    expect(findings.map((f) => `${f.rule}@${f.line}:${f.column}`)).toEqual([
      'no-unbounded-loop@1:1',
      'no-unbounded-loop@2:1',
      'no-unbounded-loop@3:1',
      'no-unbounded-loop@5:1',
      'no-unbounded-loop@6:1',
    ]);
    expect(findings[0]!.message).toMatch(/^This loop never ends: the script runs until busy-reply-threshold/);
  });

  test('header-keys-argv: without a header, KEYS[0] is still reported, then one note on the first read', () => {
    expect(said(lint("local a = ARGV[0]\nreturn redis.call('GET', KEYS[1])\n"), 'header-keys-argv')).toEqual([
      'header-keys-argv@1:11 [warning] ARGV[0] is always nil: Lua tables start at 1, so the first argument is ARGV[1] | Read ARGV[1] for the first argument, as callers count.',
      'header-keys-argv@2:26 [info] This script reads KEYS/ARGV without a header documenting them in rscript\'s form: callers learn what to pass from elsewhere | Add "-- KEYS[1]: <meaning>" and "-- ARGV[1]: <meaning>" lines before the code (rscript info shows them), or set lint.headers to "always" to check every script.',
    ]);
  });

  test('header-keys-argv: headers "always", or only an open range, checks every read', () => {
    const reads = (f: readonly Finding[]) => said(f, 'header-keys-argv').map((s) => s.split(' is read here')[0]);
    const always = lintSource("return redis.call('GET', KEYS[1]) .. ARGV[2]\n", 't.lua', { headers: 'always' });
    expect(reads(always)).toEqual([
      'header-keys-argv@1:26 [warning] KEYS[1]',
      'header-keys-argv@1:38 [warning] ARGV[2]',
    ]);
    expect(said(always, 'header-keys-argv')[1]).toContain(
      'callers cannot tell what to pass as argument 2 | Add a header line "-- ARGV[2]: <meaning> (<type>)" before the code.',
    );
    expect(reads(lint("-- KEYS[2..N]: k\nreturn redis.call('GET', KEYS[1]) .. ARGV[2]\n"))).toEqual([
      'header-keys-argv@2:26 [warning] KEYS[1]',
      'header-keys-argv@2:38 [warning] ARGV[2]',
    ]);
    expect(reads(lint("-- ARGV[1..N]: k\nreturn redis.call('GET', KEYS[2])\n"))).toEqual([
      'header-keys-argv@2:26 [warning] KEYS[2]',
    ]);
  });

  test('command-not-allowed-in-script: a blocking command is told to use its non-blocking form', () => {
    const hints = said(
      lint("redis.call('BLPOP', KEYS[1], 0)\nredis.call('MULTI')\nreturn 1\n"),
      'command-not-allowed-in-script',
    );
    expect(hints).toEqual([
      'command-not-allowed-in-script@1:1 [error] BLPOP cannot run inside a script: redis.call fails with "ERR This Redis command is not allowed from script" | Scripts cannot block: use the non-blocking form (LPOP instead of BLPOP) and let the client wait and retry.',
      'command-not-allowed-in-script@2:1 [error] MULTI cannot run inside a script: redis.call fails with "ERR This Redis command is not allowed from script" | A script is already atomic (no MULTI needed) and cannot call other scripts; run this command from the client.',
    ]);
  });

  test('no-undefined-global leaves setfenv and newproxy to lua-api, and a library field write hides nothing', () => {
    const rules = lint('local e = setfenv\nlocal n = newproxy\nstring.foo = 1\nlocal y = foo\nreturn 1\n').map(
      (f) => `${f.rule}@${f.line}`,
    );
    expect(rules).toEqual(['lua-api@1', 'lua-api@2', 'no-global-assignment@3', 'no-undefined-global@4']);
  });

  test('unknown-command: an unknown subcommand is named with its command, with a guess when one is close', () => {
    const src =
      "local v = redis.call('OBJECT', 'ENCODINGS', KEYS[1])\nlocal w = redis.call('CLIENT', 'NOSUCH')\nreturn 1\n";
    const fails = 'redis.call fails with "ERR Unknown Redis command called from script"';
    const table =
      'The command table is Redis 7.0\'s ("target" in the config, or --target, selects another); for a command only some of your servers have, put "-- rscript-disable-next-line unknown-command" above the call.';
    expect(said(lint(src), 'unknown-command')).toEqual([
      `unknown-command@1:32 [error] 'ENCODINGS' is not a subcommand of OBJECT in Redis 7.0: ${fails} | Did you mean OBJECT ENCODING? ${table}`,
      `unknown-command@2:32 [error] 'NOSUCH' is not a subcommand of CLIENT in Redis 7.0: ${fails} | ${table}`,
    ]);
  });
});

describe('a script that does not parse', () => {
  test('still gets the findings that need no syntax tree: its shebang, its suppression comments, a library without a function', () => {
    const src = '#!lua flags=bogus\n-- rscript-disable-line no-such-rule\nreturn (\n';
    expect(lint(src).map((f) => `${f.rule}@${f.line}`)).toEqual([
      'invalid-shebang@1',
      'unknown-suppression@2',
      // The parser stops at the end of the file, on the line after the last line break.
      'syntax-error@4',
    ]);
    const library = "#!lua name=x\nredis.register_function('f', function() return 1 end)\nlocal = 1\n";
    expect(lint(library).map((f) => `${f.rule}@${f.line}`)).toEqual(['syntax-error@3']);
    // Without a register_function call the file is a script, and name= is no script option.
    expect(lint('#!lua name=x\nlocal = 1\n').map((f) => `${f.rule}@${f.line}`)).toEqual([
      'invalid-shebang@1',
      'syntax-error@2',
    ]);
  });

  test('header-keys-argv: KEYS[2..N] documents KEYS[2] itself', () => {
    expect(lint("-- KEYS[2..N]: more\nreturn redis.call('GET', KEYS[2])\n")).toEqual([]);
  });
});
