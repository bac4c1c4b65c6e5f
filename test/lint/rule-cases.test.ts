/**
 * The cases of each rule that the fixtures and rule-reports.test.ts leave open: which hint a syntax
 * error gets, how a reply table is read, what a Functions library is told, which globals are left to
 * another rule. Each test asserts what `rscript lint` shows: rule, position, severity, message, hint.
 */
import { lintSource, type Finding } from '../../src/lint/lint.js';
import { lint } from './helpers.js';

/** `rule@line:column [severity] message | hint` for each finding of one rule. */
function said(findings: readonly Finding[], rule: string): string[] {
  return findings
    .filter((f) => f.rule === rule)
    .map((f) => `${f.rule}@${f.line}:${f.column} [${f.severity}] ${f.message} | ${f.hint ?? ''}`);
}

describe('syntax-error', () => {
  /** `line:column hint` of the syntax error of a source. */
  const hintOf = (src: string) =>
    lint(src)
      .filter((f) => f.rule === 'syntax-error')
      .map((f) => `${f.line}:${f.column} ${f.hint}`);
  const LOOK =
    "Look at this line and the one before it: a missing operator, comma, 'then' or 'do', or a typo. Redis runs Lua 5.1.";
  const GOTO = 'goto and ::labels:: are Lua 5.2 and Redis runs Lua 5.1: use a loop with break, or a flag.';
  const ATTRIB = 'Local attributes <const> and <close> are Lua 5.4 and Redis runs Lua 5.1: use a plain local.';
  const BITWISE =
    'Bitwise operators are Lua 5.3 and Redis runs Lua 5.1: use bit.band, bit.bor, bit.bxor, bit.bnot, bit.lshift and bit.rshift.';
  const RETURN_LAST =
    "A return or break must be the last statement of its block: code follows it here, or the block holding it lacks its 'end' (write an early return as do return x end).";
  const DIVISION = 'Integer division // is Lua 5.3 and Redis runs Lua 5.1: write math.floor(a / b).';

  test("the message gives the parser's words and the line Redis names; severity error", () => {
    expect(said(lint('local a = 1\nx = = 2\n'), 'syntax-error')).toEqual([
      `syntax-error@2:5 [error] Lua 5.1 syntax error, <expression> expected near '=': Redis refuses the script with "ERR Error compiling script (new function): user_script:2: ..." | ${LOOK}`,
    ]);
  });

  test('a byte order mark: its own message and hint, on the first character', () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('return 1\n')]);
    expect(said(lint(bom), 'syntax-error')).toEqual([
      'syntax-error@1:1 [error] The file starts with a UTF-8 byte order mark: Redis fails with "Error compiling script (new function): user_script:1: unexpected symbol" | Save the file as UTF-8 without BOM.',
    ]);
  });

  test('only the line of the error is searched for newer-Lua syntax, not the lines around it', () => {
    // goto is a plain name in Lua 5.1, and a < const > b a comparison: on another line they explain nothing.
    expect(hintOf('local goto = 1\nx = = 2\n')).toEqual([`2:5 ${LOOK}`]);
    expect(hintOf('local a = 1\nx = = 2\nlocal goto = 3\n')).toEqual([`2:5 ${LOOK}`]);
    expect(hintOf('local c = a < const > b\ny = = 2\n')).toEqual([`2:5 ${LOOK}`]);
  });

  test('labels and local attributes are recognised with or without spaces inside', () => {
    expect(hintOf('local a = 1\n::top::\n')).toEqual([`2:1 ${GOTO}`]);
    expect(hintOf('local a = 1\n::  top ::\n')).toEqual([`2:1 ${GOTO}`]);
    expect(hintOf('local a = 1\n:: t9 ::\n')).toEqual([`2:1 ${GOTO}`]);
    expect(hintOf('local x < const > = 1\n')).toEqual([`1:9 ${ATTRIB}`]);
    expect(hintOf('local x <close> = 1\n')).toEqual([`1:9 ${ATTRIB}`]);
  });

  test('~ alone is the bitwise not of Lua 5.3; ~= is Lua 5.1 and explains nothing', () => {
    expect(hintOf('return ~a\n')).toEqual([`1:8 ${BITWISE}`]);
    expect(hintOf('if a ~= 1 then return 1 end end\n')).toEqual([
      "1:29 One 'end' too many: it closes no block (or the block above lost its opening line).",
    ]);
  });

  test('a block left open at the end of the file and one left open before an else have their own hints', () => {
    expect(hintOf('if x then\n  return 1\n')).toEqual([
      "3:1 A block is not closed: an if, for, while, function or do above has no 'end'.",
    ]);
    expect(hintOf('for i = 1, 2 do\n  x = 1\nlocal y = 2\nelse\n')).toEqual([
      "4:1 A block is not closed before this point: an if, for, while, function or do above needs its 'end' here.",
    ]);
  });

  test('an unclosed call, table or long comment, and a missing do', () => {
    const call = "A call or a parenthesis is not closed, or two arguments lack the ',' between them.";
    expect(hintOf('f(1 2)\n')).toEqual([`1:5 ${call}`]);
    expect(hintOf('f(\n')).toEqual([`2:1 ${call}`]);
    expect(hintOf('local t = {1, 2\n')).toEqual([
      "2:1 A table constructor is not closed, or two fields lack the ',' between them.",
    ]);
    expect(hintOf('--[[ abc\nreturn 1\n')).toEqual([
      '3:1 A [[long string]] or --[[long comment]] is not closed: add ]] (with as many = as its opening, [==[ ... ]==]).',
    ]);
    expect(hintOf('while x return 1 end\n')).toEqual([
      "1:9 An if needs 'then' and a for or while needs 'do' before its body.",
    ]);
  });

  test('code after a return: read on the statement before the error, unless that statement closed its block', () => {
    expect(hintOf('local function f() return 1 end local x = 1 return x local y = 2\n')).toEqual([
      `1:54 ${RETURN_LAST}`,
    ]);
    // The return sits in a block its end closed: the + is the mistake.
    expect(hintOf('if x then return 1 end + 1\n')).toEqual([`1:24 ${LOOK}`]);
    expect(hintOf('if x then return 1 end -- done\n+ 1\n')).toEqual([`2:1 ${LOOK}`]);
    // A function closed inside a call or a table took its return with it.
    expect(hintOf('f(function() return 1 end) = 1\n')).toEqual([`1:28 ${LOOK}`]);
    expect(hintOf('local t = {function() return 1 end} = 2\n')).toEqual([`1:37 ${LOOK}`]);
    expect(hintOf('f(function() return 1 end ) = 1\n')).toEqual([`1:29 ${LOOK}`]);
    // A long comment between a call and return still separates them.
    expect(hintOf('f()--[[c]]return 1\nx = 2\n')).toEqual([`2:1 ${RETURN_LAST}`]);
    // Nothing but a string or a bracket between the value before and the return.
    expect(hintOf('local s = "a"return s\nx = 2\n')).toEqual([`2:1 ${RETURN_LAST}`]);
    expect(hintOf('for i = 1, 2 do local s = [[a]]break x = 2 end\n')).toEqual([`1:38 ${RETURN_LAST}`]);
    expect(hintOf('f()return 1 x = 2\n')).toEqual([`1:13 ${RETURN_LAST}`]);
    // t.return is no return (nor valid Lua): the hint stays the general one.
    expect(hintOf('local t = {} t.return = 1\n')).toEqual([`1:16 ${LOOK}`]);
  });

  test('strings and comments of every form are left out before the line is searched', () => {
    expect(hintOf('local s = "a//b" x = = 1\n')).toEqual([`1:22 ${LOOK}`]);
    expect(hintOf('local s = "a\\"b//" x = = 1\n')).toEqual([`1:24 ${LOOK}`]);
    expect(hintOf('local u = [[http://x y]] x = = 1\n')).toEqual([`1:30 ${LOOK}`]);
    expect(hintOf('local u = [=[http://x y]=] x = = 1\n')).toEqual([`1:32 ${LOOK}`]);
    // Code after a long comment is searched.
    expect(hintOf('local a, b = 1, 2 --[[ a note ]] return a // b\n')).toEqual([`1:44 ${DIVISION}`]);
  });
});

describe('the reply rules: which returns become the reply, and how a returned table is read', () => {
  const drops = (src: string) =>
    lint(src)
      .filter((f) => f.rule === 'no-string-keys-in-reply')
      .map((f) => `${f.line}:${f.column} ${f.message}`);
  const converts = 'Redis converts this table to an array and drops its string keys';
  const convertsT = "Redis converts 't' (the table built on line 1) to an array and drops its string keys";

  test('the table a local function returns counts when the script returns its call, through two calls too', () => {
    const src = 'local function g() return {a = 1} end\nlocal function f() return g() end\nreturn f()\n';
    expect(drops(src)).toEqual([`1:20 ${converts} (a): the caller gets an empty array`]);
    // A function whose call the script does not return gives no reply.
    expect(drops('local function g() return {a = 1} end\nlocal function h() return g() end\nreturn 1\n')).toEqual([]);
    // A bare return is no table.
    expect(drops('if KEYS[1] then return end\nreturn {a = 1}\n')).toEqual([
      `2:1 ${converts} (a): the caller gets an empty array`,
    ]);
  });

  test('the hint names the three ways to return named values', () => {
    expect(lint('return {a = 1}\n')[0]!.hint).toBe(
      'Return an array ({1, remaining}) and document the positions under "Returns:", return {map = {k = v}} (a map for RESP3 callers, a flat key/value array for RESP2), or return cjson.encode(t).',
    );
  });

  test('writes after construction: t[n] = v and table.insert add to the array, t.k and t["k"] are string keys', () => {
    expect(drops("local t = {}\nt[10] = 1\nt['x1'] = 2\nt['1x'] = 3\nreturn t\n")).toEqual([
      `5:1 ${convertsT} (x1, 1x): the caller gets only its array part`,
    ]);
    // A string that looks like a number is still a string key: t['1'] is not t[1].
    expect(drops("local t = {}\nt['1'] = 1\nt[2] = 2\nreturn t\n")).toEqual([
      `4:1 ${convertsT} (1): the caller gets only its array part`,
    ]);
    expect(drops('local t = {a = 1}\nt[1] = 5\nreturn t\n')).toEqual([
      `3:1 ${convertsT} (a): the caller gets only its array part`,
    ]);
    expect(drops('local t = {a = 1, 2}\ntable.insert(t, 3)\nreturn t\n')).toEqual([
      `3:1 ${convertsT} (a): the caller gets only its array part`,
    ]);
    // Without later writes the count is known.
    expect(drops('local t = {a = 1, 2}\nreturn t\n')).toEqual([
      `2:1 ${convertsT} (a): the caller gets only its 1 positional value`,
    ]);
    // A key written twice is named once.
    expect(drops('local t = {a = 1}\nt.a = 2\nt.b = 3\nreturn t\n')).toEqual([
      `4:1 ${convertsT} (a, b): the caller gets an empty array`,
    ]);
    expect(drops('return {a = 1, a = 2}\n')).toEqual([`1:1 ${converts} (a): the caller gets an empty array`]);
    // A key set to nil does not exist.
    expect(drops('return {a = nil, 1}\n')).toEqual([]);
  });

  test('four keys are all named; a fifth makes the list a count', () => {
    expect(drops('return {a = 1, b = 2, c = 3, d = 4}\n')).toEqual([
      `1:1 ${converts} (a, b, c, d): the caller gets an empty array`,
    ]);
  });

  test('a special field makes a special reply only with a value of its type', () => {
    expect(drops("return {err = 'x'}\n")).toEqual([]);
    expect(drops('return {double = 1.5}\n')).toEqual([]);
    expect(drops('return {map = {}}\n')).toEqual([]);
    expect(drops('local v = 1\nreturn {ok = v}\n')).toEqual([]);
    // The message names the reply the field would have made and the type it needs.
    const wrong = (field: string, reply: string) => ` (${field} does not make ${reply}): the caller gets`;
    expect(drops('return {ok = 1}\n')).toEqual([
      `1:1 ${converts} (ok)${wrong('ok = 1', 'a status reply: ok needs a string')} an empty array`,
    ]);
    expect(drops("return {double = 'x', 1}\n")).toEqual([
      `1:1 ${converts} (double)${wrong("double = 'x'", 'a double reply: double needs a number')} only its 1 positional value`,
    ]);
    expect(drops('return {err = {}}\n')).toEqual([
      `1:1 ${converts} (err)${wrong('err = {...}', 'an error reply: err needs a string')} an empty array`,
    ]);
    expect(drops("return {map = 'x'}\n")).toEqual([
      `1:1 ${converts} (map)${wrong("map = 'x'", 'a map reply: map needs a table')} an empty array`,
    ]);
    expect(drops('return {set = true}\n')).toEqual([
      `1:1 ${converts} (set)${wrong('set = true', 'a set reply: set needs a table')} an empty array`,
    ]);
    expect(drops('return {big_number = 1, verbatim_string = 2}\n')).toEqual([
      `1:1 ${converts} (big_number, verbatim_string)${wrong('big_number = 1', 'a big number reply: big_number needs a string')} an empty array`,
    ]);
    expect(drops('return {verbatim_string = 2}\n')).toEqual([
      `1:1 ${converts} (verbatim_string)${wrong('verbatim_string = 2', 'a verbatim string reply: verbatim_string needs a table')} an empty array`,
    ]);
  });

  test('an array of records is found whichever element is the first record', () => {
    expect(drops('return {1, {a = 1}}\n')).toEqual([
      '1:1 The elements of this table are tables with string keys (a): Redis drops the keys, so each element reaches the caller as an empty array',
    ]);
    expect(drops("return {ok = 'x', {a = 1}}\n")).toEqual([]);
  });
});

describe('Functions libraries', () => {
  const LOAD_HINT =
    'Only redis.register_function, redis.log, redis.LOG_* and redis.REDIS_VERSION* exist while a library loads: move this into a function.';
  const member = (at: string, name: string) =>
    `library-load-time@${at} [error] redis.${name} at load time: Redis refuses the library (ERR Error registering functions: ... nonexistent global variable '${name}') | ${LOAD_HINT}`;

  test('load time: only the members of redis that exist then pass, matched by their whole name; other tables are free', () => {
    const src = [
      '#!lua name=x',
      'local function f() return 1 end',
      "local v = redis.call('GET', 'k')",
      "local s = string.format('%d', 1)",
      "redis.logger('x')",
      "redis.syslog('x')",
      'redis.log(redis.LOG_WARNING, redis.REDIS_VERSION .. redis.REDIS_VERSION_NUM)',
      "redis.register_function('f', f)",
    ].join('\n');
    // The call comes after a function: only the code inside a function's body waits for a call.
    expect(said(lint(src), 'library-load-time')).toEqual([
      member('3:11', 'call'),
      member('5:1', 'logger'),
      member('6:1', 'syslog'),
    ]);
  });

  test('load time: every kind of loop at the top level', () => {
    const src =
      "#!lua name=x\nrepeat until true\nfor k, v in pairs({}) do end\nfor i = 1, 2 do end\nwhile false do end\nredis.register_function('f', function() return 1 end)\n";
    const loop = (line: number, column: number) =>
      `library-load-time@${line}:${column} [error] a loop at load time runs at every FUNCTION LOAD, on every node, and Redis stops a load past 500 ms (ERR FUNCTION LOAD timeout) | Keep the top level to local definitions and redis.register_function calls; do the work inside a function.`;
    expect(said(lint(src), 'library-load-time')).toEqual([loop(2, 1), loop(3, 1), loop(4, 1), loop(5, 1)]);
  });

  test('a file that registers functions without #!lua name= is told so, even when it does not parse', () => {
    const noName = [
      'library-register@1:1 [error] this file calls redis.register_function but its first line is not #!lua name=<library>: Redis refuses it (ERR Library name was not given), and rscript takes it for an EVAL script | Start the file with #!lua name=<library> (letters, digits and underscores).',
    ];
    expect(said(lint("#!lua\nredis.register_function('f', function() return 1 end)\n"), 'library-register')).toEqual(
      noName,
    );
    const broken = lint("#!lua\nredis.register_function('f', function() return 1 end)\nlocal = 1\n");
    expect(said(broken, 'library-register')).toEqual(noName);
    expect(broken.map((f) => f.rule)).toEqual(['library-register', 'syntax-error']);
  });

  test('a library that registers no function', () => {
    expect(
      said(lint('#!lua name=x\n-- redis.register_function comes later\nlocal a = 1\n'), 'library-register'),
    ).toEqual([
      'library-register@1:1 [error] the library registers no function: Redis refuses it (ERR No functions registered) | Call redis.register_function at the top level.',
    ]);
  });

  test('no-writes: only the writes inside the flagged function count, through redis.pcall too', () => {
    const src = [
      '#!lua name=x',
      "redis.register_function('w', function(keys) return redis.call('SET', keys[1], 'v') end)",
      "redis.register_function{function_name = 'r', flags = {'no-writes'}, callback = function(keys)",
      "  redis.pcall('DEL', keys[1])",
      "  return redis.call('GET', keys[1])",
      'end}',
      "redis.register_function('w2', function(keys) return redis.call('DEL', keys[1]) end)",
    ].join('\n');
    expect(said(lint(src), 'library-no-writes')).toEqual([
      `library-no-writes@4:3 [error] DEL writes, but function "r" is registered with flags = {'no-writes'}: redis.pcall fails with "ERR Write commands are not allowed from read-only scripts." | Drop 'no-writes' from its flags (FCALL_RO and replicas then refuse it), or drop the write.`,
    ]);
  });
});

describe('no-undefined-global', () => {
  test('the names lua-api explains are left to it, on Redis and on Valkey', () => {
    const src = "print('x')\nlocal t = os.time()\nlocal g = getfenv\nlocal y = server.call('PING')\nreturn 1\n";
    expect(lint(src).map((f) => `${f.rule}@${f.line}`)).toEqual(['lua-api@1', 'lua-api@2', 'lua-api@3', 'lua-api@4']);
    expect(lintSource(src, 't.lua', { target: 'valkey-8.1' }).map((f) => `${f.rule}@${f.line}`)).toEqual([
      'lua-api@1',
      'lua-api@2',
      'lua-api@3',
    ]);
  });

  test('a global the script assigns is reported once, by no-global-assignment; any other name is still read as undefined', () => {
    const findings = lint('counter = 1\nlocal a = counter\nlocal b = other\nreturn a\n');
    expect(findings.map((f) => `${f.rule}@${f.line}`)).toEqual(['no-global-assignment@1', 'no-undefined-global@3']);
    expect(said(findings, 'no-undefined-global')).toEqual([
      `no-undefined-global@3:11 [warning] 'other' is not defined in Redis's Lua sandbox: the script fails with "Script attempted to access nonexistent global variable 'other'" when this line runs | Declare it with local, or check the spelling.`,
    ]);
  });
});

describe('keys-from-keys-array', () => {
  const WHY =
    ': Redis cannot see it before the script runs: in a cluster it may live on another node ("Script attempted to access a non local key in a cluster node"), and ACL key patterns are not checked against it';
  const TAG =
    'Pass every key the script touches in KEYS and let the caller build the names. Keys that must be used together need one hash tag ({order:7}:items, {order:7}:total) to share a cluster slot.';

  test('a key built by a string function, a method or a local builder names it; a concatenation names what it is made of', () => {
    const src = [
      '-- KEYS[1]: a',
      '-- ARGV[1]: b',
      'local q = {}',
      "redis.call('SET', string.format('user:%s', ARGV[1]), 'v')",
      "redis.call('SET', q:name(), 'v')",
      "redis.call('SET', ('u'):rep(2), 'v')",
      "local function key(id) return 'user:' .. id end",
      "redis.call('SET', key(ARGV[1]), 'v')",
      "redis.call('SET', 'a' .. 'b', 'v')",
      "redis.call('SET', 'user:' .. ARGV[1], 'v')",
      'return 1',
    ].join('\n');
    expect(said(lint(src), 'keys-from-keys-array')).toEqual([
      `keys-from-keys-array@4:19 [warning] SET key is built with string.format, not passed in KEYS${WHY} | ${TAG}`,
      `keys-from-keys-array@5:19 [warning] SET key is built with q:name(), not passed in KEYS${WHY} | ${TAG}`,
      `keys-from-keys-array@6:19 [warning] SET key is built with :rep, not passed in KEYS${WHY} | ${TAG}`,
      `keys-from-keys-array@8:19 [warning] SET key is built with key(), not passed in KEYS${WHY} | ${TAG}`,
      `keys-from-keys-array@9:19 [warning] SET key is built by concatenation, not passed in KEYS${WHY} | ${TAG}`,
      `keys-from-keys-array@10:19 [warning] SET key is built by concatenation from ARGV${WHY} | ${TAG}`,
    ]);
  });

  test('the pattern is where each command has it: KEYS its one argument, SCAN after the cursor, SSCAN after key and cursor', () => {
    const src = [
      '-- KEYS[1]: a',
      "redis.call('KEYS')",
      "redis.call('KEYS', 'x', KEYS[1])",
      "redis.call('SCAN', KEYS[1], 'MATCH', 'x')",
      "redis.call('SCAN', 0, 'MATCH', KEYS[1], 'COUNT')",
      "redis.call('SSCAN', KEYS[1], 'MATCH', KEYS[1], 'COUNT', 1)",
      'return 1',
    ].join('\n');
    expect(
      lint(src)
        .filter((f) => f.rule === 'keys-from-keys-array')
        .map((f) => `${f.line}:${f.column} ${f.message.split(',')[0]}`),
    ).toEqual(['5:32 A KEYS entry is used as the SCAN pattern']);
  });
});

describe('header-keys-argv', () => {
  test('a header whose only line is misread (KEYS[0]) still makes the script follow the convention', () => {
    expect(said(lint("-- KEYS[0]: x\nreturn redis.call('GET', KEYS[1])\n"), 'header-keys-argv')).toEqual([
      'header-keys-argv@1:4 [warning] KEYS[0] is always nil: Lua tables start at 1, so the first key is KEYS[1] | Number from 1, as callers count: write KEYS[1].',
      'header-keys-argv@2:26 [warning] KEYS[1] is read here but the header does not document it: callers cannot tell what to pass as key 1 | Add a header line "-- KEYS[1]: <meaning> (<type>)" before the code.',
    ]);
  });
});

describe('unknown-command and invalid-shebang', () => {
  const UNKNOWN = 'fails with "ERR Unknown Redis command called from script"';
  const TABLE =
    'The command table is Redis 7.0\'s ("target" in the config, or --target, selects another); for a command only some of your servers have, put "-- rscript-disable-next-line unknown-command" above the call.';
  const LATER =
    'Set "target" in the config (or --target) to the oldest server the script must run on, if that server has it; otherwise do without the command.';

  test('a module command is left alone; a later command says when it came, a typo gets a guess, through pcall too', () => {
    const src = [
      "redis.call('JSON.GET', 'k')",
      "redis.call('HEXPIRE', 'h', 10, 'FIELDS', 1, 'f')",
      "local x = redis.pcall('SETT', 'k', 'v')",
      "redis.call('FUNCTION', 'NOSUCH')",
      'return 1',
    ].join('\n');
    expect(said(lint(src), 'unknown-command')).toEqual([
      `unknown-command@2:12 [error] 'HEXPIRE' is not a Redis 7.0 command: it came with Redis 7.4 and Valkey 9.0, and on Redis 7.0 redis.call ${UNKNOWN} | ${LATER}`,
      `unknown-command@3:23 [error] 'SETT' is not a Redis 7.0 command: redis.pcall ${UNKNOWN} | Did you mean SET? ${TABLE}`,
      `unknown-command@4:24 [error] 'NOSUCH' is not a subcommand of FUNCTION in Redis 7.0: redis.call ${UNKNOWN} | ${TABLE}`,
    ]);
  });

  test('a subcommand a later release added is named as written, under its command in capitals', () => {
    expect(said(lint("redis.call('client', 'no-touch', 'on')\nreturn 1\n"), 'unknown-command')).toEqual([
      `unknown-command@1:22 [error] 'no-touch' is not a subcommand of CLIENT in Redis 7.0: it came with Redis 7.2 and Valkey 7.2, and on Redis 7.0 redis.call ${UNKNOWN} | ${LATER}`,
    ]);
  });

  test('invalid-shebang: a byte order mark before #! is named, even when the rest does not parse', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const expected = [
      'invalid-shebang@1:1 [error] A UTF-8 byte order mark precedes "#!": Redis does not see the shebang and fails with "Error compiling script: unexpected symbol" | Save the file as UTF-8 without BOM so that "#!lua" is the very first bytes.',
    ];
    expect(
      said(lint(Buffer.concat([bom, Buffer.from('#!lua flags=no-writes\nreturn 1\n')])), 'invalid-shebang'),
    ).toEqual(expected);
    expect(
      said(lint(Buffer.concat([bom, Buffer.from('#!lua flags=no-writes\nlocal = 1\n')])), 'invalid-shebang'),
    ).toEqual(expected);
  });
});

describe('smaller cases', () => {
  test('keys-from-keys-array: a hash field named "match" is no SCAN option', () => {
    expect(
      said(lint("-- KEYS[1]: a\nredis.call('HSET', KEYS[1], 'match', KEYS[1])\nreturn 1\n"), 'keys-from-keys-array'),
    ).toEqual([]);
  });

  test('keys-from-keys-array: a list value "match" is no SCAN option either', () => {
    expect(
      said(
        lint("-- KEYS[1]: a\nredis.call('LPUSH', KEYS[1], 'x', 'match', KEYS[1])\nreturn 1\n"),
        'keys-from-keys-array',
      ),
    ).toEqual([]);
  });

  test('no-undefined-global: writing a field of an undefined global does not define it', () => {
    expect(lint('foo.bar = 1\nlocal y = foo\nreturn 1\n').map((f) => `${f.rule}@${f.line}:${f.column}`)).toEqual([
      'no-undefined-global@1:1',
      'no-undefined-global@2:11',
    ]);
  });

  test('lua-api: the member is read right after os, not further along the line', () => {
    expect(
      said(lintSource('local z = os -- see pos.time\nreturn 1\n', 't.lua', { target: 'redis-7.4' }), 'lua-api'),
    ).toEqual([
      `lua-api@1:11 [error] os does not exist in Redis 7.4's sandbox, which keeps only os.clock: the call fails with "attempt to call field '?' (a nil value)" | Read the time with redis.call("TIME"); os.clock() measures CPU time only.`,
    ]);
  });

  test('no-float-reply: abs, fmod and min of whole numbers are whole, not of a fraction is a boolean, tonumber does not round', () => {
    const src =
      'local r = 3.5\nlocal x = 7 / 2\nx = tonumber(x)\nreturn {math.abs(-2), math.fmod(7, 2), math.min(1, 2), not r, x}\n';
    expect(lint(src).map((f) => `${f.rule}@${f.line}:${f.column}`)).toEqual(['no-float-reply@4:63']);
  });

  test('no-keyspace-scan: a constant cursor other than 0 in a loop is still a walk', () => {
    expect(
      lint("while true do\n  local r = redis.call('SCAN', 5)\n  break\nend\nreturn 1\n").map(
        (f) => `${f.rule}@${f.line}:${f.column}`,
      ),
    ).toEqual(['no-keyspace-scan@2:13']);
  });

  test('unknown-command: an unknown command without arguments', () => {
    expect(
      lint("redis.call('GTE')\nreturn 1\n").map((f) => `${f.rule}@${f.line}:${f.column} ${f.hint?.slice(0, 17)}`),
    ).toEqual(['unknown-command@1:12 Did you mean GET?']);
  });

  test('unknown-suppression: the hint lists every rule id, comma-separated', () => {
    const [f] = lint('-- rscript-disable-line nope\nreturn 1\n');
    expect(f!.hint).toContain(
      '(command-not-allowed-in-script, header-keys-argv, invalid-shebang, keys-from-keys-array, lua-api, no-float-reply, ',
    );
    expect(f!.hint).toContain(', unknown-command, unknown-suppression, wrong-arity), or remove "nope"');
  });
});
