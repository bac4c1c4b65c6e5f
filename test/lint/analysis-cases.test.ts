/**
 * What the analysis of a script finds, one feature at a time: which calls are redis.call/pcall
 * (through the `redis` table, an alias of it, or a function that forwards to it), which KEYS/ARGV
 * slots are read with a default or past a `#ARGV >= n` test, which nil comparisons are paired with
 * a false one, which loops have a way out, and where a name's value comes from. Where a rule turns
 * the result into a finding, the finding is checked instead.
 */
import type * as lua from 'luaparse';
import { analyse, callArguments, type Analysis, type Source } from '../../src/lint/analysis.js';
import { extractMetadata } from '../../src/lint/metadata.js';
import { parseLua } from '../../src/lint/parse.js';
import { lint } from './helpers.js';

function analysed(code: string): Analysis {
  const { chunk, error } = parseLua(code);
  if (!chunk) throw new Error(`does not parse: ${error?.message}`);
  return analyse(chunk);
}

function text(code: string, node: lua.Node): string {
  const [start, end] = (node as lua.Node & { range: [number, number] }).range;
  return code.slice(start, end);
}

/** The redis.call/pcall sites: `method: call text`. */
function sites(code: string): string[] {
  return analysed(code).redisCalls.map((s) => `${s.method}: ${text(code, s.node)}`);
}

/** The KEYS/ARGV reads in order, `?` after those read with a default. */
function slots(code: string): string[] {
  return analysed(code).keysArgv.map((u) => `${u.table}[${u.index}]${u.optional ? '?' : ''}`);
}

/** The `x == nil` parts of the `x == nil or x == false` tests. */
function pairedNil(code: string): string[] {
  return [...analysed(code).nilOrFalse].map((e) => text(code, e));
}

/** The sources of the local named `name`, as text. */
function sourcesOf(code: string, name: string): string[] {
  const binding = analysed(code).bindings.find((b) => b.name === name);
  if (!binding) throw new Error(`no local ${name}`);
  return binding.sources.map((s: Source) =>
    s.kind === 'expr' ? `${text(code, s.expr)}#${s.index}` : s.kind === 'iter' ? `iter#${s.position}` : s.kind,
  );
}

function findings(code: string, rule: string): Array<{ line: number; column: number; message: string }> {
  return lint(code)
    .filter((f) => f.rule === rule)
    .map((f) => ({ line: f.line, column: f.column, message: f.message }));
}

describe('calls to redis.call and redis.pcall', () => {
  test('through the global redis table, or Valkey’s server', () => {
    expect(sites('redis.call("GET", KEYS[1])\nserver.pcall("GET", KEYS[1])\n')).toEqual([
      'call: redis.call("GET", KEYS[1])',
      'pcall: server.pcall("GET", KEYS[1])',
    ]);
  });

  test('not through another global table, a method call, or a local named redis', () => {
    expect(sites('cache.call("GET", KEYS[1])\n')).toEqual([]);
    expect(sites('redis:call("GET", KEYS[1])\n')).toEqual([]);
    expect(sites('local redis = { call = function() end }\nredis.call("GET", KEYS[1])\n')).toEqual([]);
    expect(sites('local t = {}\nt.call("GET", KEYS[1])\n')).toEqual([]);
  });

  test('through a local holding the redis table (or server), and a local of that local', () => {
    expect(sites('local r = redis\nr.call("GET", KEYS[1])\n')).toEqual(['call: r.call("GET", KEYS[1])']);
    expect(sites('local s = server\ns.pcall("GET", KEYS[1])\n')).toEqual(['pcall: s.pcall("GET", KEYS[1])']);
    expect(sites('local r = redis\nlocal r2 = r\nr2.call("GET", KEYS[1])\n')).toEqual([
      'call: r2.call("GET", KEYS[1])',
    ]);
  });

  test('not through a local holding another global or an unrelated local', () => {
    expect(sites('local c = cache\nc.call("GET", KEYS[1])\n')).toEqual([]);
    expect(sites('local t = {}\nlocal u = t\nu.call("GET", KEYS[1])\n')).toEqual([]);
  });

  test('through a local holding redis.call or redis.pcall', () => {
    expect(sites('local rcall = redis.call\nrcall("GET", KEYS[1])\n')).toEqual(['call: rcall("GET", KEYS[1])']);
    expect(sites('local pc = redis.pcall\npc("GET", KEYS[1])\n')).toEqual(['pcall: pc("GET", KEYS[1])']);
    expect(sites('local r = redis\nlocal rcall = r.call\nrcall("GET", KEYS[1])\n')).toEqual([
      'call: rcall("GET", KEYS[1])',
    ]);
  });

  test('not through a local holding another field of redis, or the call field of another table', () => {
    expect(sites('local log = redis.log\nlog("GET", KEYS[1])\n')).toEqual([]);
    expect(sites('local c = cache.call\nc("GET", KEYS[1])\n')).toEqual([]);
    expect(sites('local t = {}\nlocal c = t.call\nc("GET", KEYS[1])\n')).toEqual([]);
  });

  test('not through a local that is assigned again, or redefined as a function', () => {
    expect(sites('local rcall = redis.call\nrcall = print\nrcall("GET", KEYS[1])\n')).toEqual([]);
    expect(sites('local rcall = redis.call\nfunction rcall(x) return x end\nrcall("GET", KEYS[1])\n')).toEqual([]);
  });

  test('not through the second name of a list, nor a parameter or loop variable', () => {
    expect(sites('local a, rcall = 1, redis.call\na = rcall\nrcall("GET", KEYS[1])\n')).toEqual([
      'call: rcall("GET", KEYS[1])',
    ]);
    expect(sites('local rcall, b = redis.call\nb("GET", KEYS[1])\n')).toEqual([]);
    expect(sites('for _, rcall in ipairs({ redis.call }) do rcall("GET", KEYS[1]) end\n')).toEqual([]);
  });

  test('through a function that forwards its arguments to redis.call or redis.pcall', () => {
    expect(sites('local function c(...) return redis.call(...) end\nc("GET", KEYS[1])\n')).toEqual([
      'call: redis.call(...)',
      'call: c("GET", KEYS[1])',
    ]);
    expect(sites('local p = function(cmd, key) return redis.pcall(cmd, key) end\np("GET", KEYS[1])\n')).toEqual([
      'pcall: redis.pcall(cmd, key)',
      'pcall: p("GET", KEYS[1])',
    ]);
    // A call statement forwards too; so does a forwarder of a forwarder.
    expect(
      sites(
        'local rcall = redis.call\nlocal function c(a, b) rcall(a, b) end\nlocal function d(...) return c(...) end\nd("DEL", KEYS[1])\n',
      ),
    ).toEqual(['call: rcall(a, b)', 'call: c(...)', 'call: d("DEL", KEYS[1])']);
    expect(sites('local function c(k, ...) return redis.call(k, ...) end\nc("GET", KEYS[1])\n')).toEqual([
      'call: redis.call(k, ...)',
      'call: c("GET", KEYS[1])',
    ]);
  });

  test('not through a function that changes, reorders, drops or adds arguments', () => {
    const only = (fn: string) => sites(`local f = ${fn}\nf("GET", KEYS[1])\n`).filter((s) => s.includes('f("GET"'));
    expect(only('function(a, b) return redis.call(b, a) end')).toEqual([]);
    expect(only('function(a, b) return redis.call(a) end')).toEqual([]);
    expect(only('function(a) return redis.call(a, KEYS[1]) end')).toEqual([]);
    expect(only('function(a) return redis.call(a.cmd) end')).toEqual([]);
    expect(only('function(a, ...) return redis.call(..., a) end')).toEqual([]);
    expect(only('function(...) return redis.call(x) end')).toEqual([]);
    expect(only('function() return redis.call() end')).toEqual([]);
    expect(only('function(...) return redis.call(...), 1 end')).toEqual([]);
    expect(only('function(...) local r = redis.call(...) return r end')).toEqual([]);
    expect(only('function(...) return redis:call(...) end')).toEqual([]);
    expect(only('function(...) return redis.log(...) end')).toEqual([]);
    expect(only('function(...) return redis(...) end')).toEqual([]);
    expect(only('function(...) return cache.call(...) end')).toEqual([]);
  });

  test('the arguments of every call form: a table call passes its table, a string call its string', () => {
    const a = analysed('redis.call{ "GET", KEYS[1] }\nredis.call"PING"\n');
    expect(a.redisCalls.map((s) => s.args.map((x) => x.type))).toEqual([
      ['TableConstructorExpression'],
      ['StringLiteral'],
    ]);
    expect(a.redisCalls.map((s) => callArguments(s.node).length)).toEqual([1, 1]);
    expect(slots('return table.concat{ ARGV[1], ARGV[2] }\n')).toEqual(['ARGV[1]', 'ARGV[2]']);
  });
});

describe('loops around a call', () => {
  test('a call in a while loop is in that loop; in a for loop inside it, the while loop is still the one', () => {
    const code = 'while x do\n  for i = 1, 3 do redis.call("GET", KEYS[1]) end\nend\nredis.call("GET", KEYS[1])\n';
    const a = analysed(code);
    expect(a.redisCalls.map((s) => [s.inLoop, s.loop?.node.type])).toEqual([
      [true, 'WhileStatement'],
      [false, undefined],
    ]);
    expect(a.loops.map((l) => l.node.type)).toEqual(['WhileStatement']);
  });

  test('the condition of a while loop is read before its body, outside the body’s locals', () => {
    expect(sites('while redis.call("EXISTS", KEYS[1]) == 1 do redis.call("DEL", KEYS[2]) end\n')).toEqual([
      'call: redis.call("EXISTS", KEYS[1])',
      'call: redis.call("DEL", KEYS[2])',
    ]);
    expect(findings('while busy do local busy = false end\n', 'no-undefined-global')).toEqual([
      expect.objectContaining({ line: 1, column: 7 }),
    ]);
  });

  test('a call only in a for loop is in a loop, with no while/repeat loop', () => {
    const a = analysed('for i = 1, 3 do redis.call("GET", KEYS[1]) end\n');
    expect(a.redisCalls.map((s) => [s.inLoop, s.loop])).toEqual([[true, undefined]]);
  });

  test('the until condition of a repeat loop is read, with the locals of its body', () => {
    const code = 'repeat local n = redis.call("INCR", KEYS[1]) until n > 3 or redis.call("EXISTS", KEYS[2]) == 1\n';
    expect(sites(code)).toEqual(['call: redis.call("INCR", KEYS[1])', 'call: redis.call("EXISTS", KEYS[2])']);
    expect(findings(code, 'no-undefined-global')).toEqual([]);
  });

  test('error() inside a for loop inside a while true loop ends the while loop too', () => {
    expect(findings('while true do\n  for i = 1, 3 do error("x") end\nend\n', 'no-unbounded-loop')).toEqual([]);
    expect(findings('while true do\n  for i = 1, 3 do break end\nend\n', 'no-unbounded-loop')).toEqual([
      expect.objectContaining({ line: 1, column: 1 }),
    ]);
  });

  test('only the global error() is a way out: not a local named error, not another function', () => {
    expect(findings('local error = print\nwhile true do error("x") end\n', 'no-unbounded-loop')).toEqual([
      expect.objectContaining({ line: 2, column: 1 }),
    ]);
    expect(findings('while true do tostring("x") end\n', 'no-unbounded-loop')).toEqual([
      expect.objectContaining({ line: 1, column: 1 }),
    ]);
    expect(findings('while true do redis.log(redis.LOG_WARNING, "x") end\n', 'no-unbounded-loop')).toEqual([
      expect.objectContaining({ line: 1, column: 1 }),
    ]);
  });
});

describe('slots read with a default', () => {
  test('`ARGV[2] or 0`, tonumber/tostring of one, and only the slot on the left', () => {
    expect(slots('local a = ARGV[1] or 0\n')).toEqual(['ARGV[1]?']);
    expect(slots('local a = ARGV[1]\nlocal b = ARGV[2] or ARGV[3]\n')).toEqual(['ARGV[1]', 'ARGV[2]?', 'ARGV[3]']);
    expect(slots('local a = tonumber(ARGV[2]) or 0\nlocal b = tostring(KEYS[2]) or ""\n')).toEqual([
      'ARGV[2]?',
      'KEYS[2]?',
    ]);
    expect(slots('local a = math.abs(ARGV[2]) or 0\n')).toEqual(['ARGV[2]']);
    // assert() fails on a missing slot: the default after it is never used for that.
    expect(slots('local a = assert(ARGV[2], "missing") or ""\n')).toEqual(['ARGV[2]']);
    expect(slots('local a = ARGV[2] .. "x" or 0\n')).toEqual(['ARGV[2]']);
  });

  test('tonumber() with no argument does not break the analysis', () => {
    expect(slots('local a = tonumber() or ARGV[1]\n')).toEqual(['ARGV[1]']);
  });

  test('`if ARGV[2] then`, `if not ARGV[2]`, `if ARGV[2] and ...`', () => {
    expect(slots('if ARGV[2] then return 1 end\n')).toEqual(['ARGV[2]?']);
    expect(slots('if not ARGV[2] then return 1 end\n')).toEqual(['ARGV[2]?']);
    expect(slots('if ARGV[2] and ARGV[3] then return 1 end\n')).toEqual(['ARGV[2]?', 'ARGV[3]']);
    expect(slots('local x = ARGV[2] and ARGV[3]\n')).toEqual(['ARGV[2]?', 'ARGV[3]']);
    expect(slots('local x = not ARGV[2] and 1\n')).toEqual(['ARGV[2]?']);
    expect(slots('if not ARGV[2] or ARGV[2] == "" then return 1 end\n')).toEqual(['ARGV[2]?', 'ARGV[2]']);
    expect(slots('local ttl = (not ARGV[2] or ARGV[2] == "") and 60 or ARGV[2]\n')).toEqual([
      'ARGV[2]?',
      'ARGV[2]',
      'ARGV[2]',
    ]);
    // Negating a value needs it: -nil is an error.
    expect(slots('if -ARGV[2] then return 1 end\n')).toEqual(['ARGV[2]']);
  });

  test('`ARGV[2] == nil`, `nil ~= ARGV[2]`: only the slot compared with nil', () => {
    expect(slots('if ARGV[2] == nil then return 1 end\n')).toEqual(['ARGV[2]?']);
    expect(slots('if nil ~= ARGV[2] then return 1 end\n')).toEqual(['ARGV[2]?']);
    expect(slots('if ARGV[1] == ARGV[2] then return 1 end\n')).toEqual(['ARGV[1]', 'ARGV[2]']);
    expect(slots('if ARGV[1] == "" then return 1 end\n')).toEqual(['ARGV[1]']);
  });
});

test('a slot tested with `if not ARGV[2] or ARGV[2] == "" then` may be left out by the caller', () => {
  const script = (test: string) =>
    `local ttl = 60\nif ${test} then ttl = 60 else ttl = tonumber(ARGV[2]) end\nreturn redis.call("SET", KEYS[1], ARGV[1], "EX", ttl)\n`;
  expect(extractMetadata(script('not ARGV[2] or ARGV[2] == ""')).args).toEqual([{}, { optional: true }]);
  expect(extractMetadata(script('not ARGV[2]')).args).toEqual([{}, { optional: true }]);
  expect(extractMetadata(script('ARGV[2] == ""')).args).toEqual([{}, {}]);
});

describe('slots past a #KEYS/#ARGV test', () => {
  const guard = (code: string) => analysed(code).guardedFrom;

  test('`#ARGV >= 3` and `#ARGV > 2`, either way round, make slots from 3 on optional', () => {
    expect(guard('if #ARGV >= 3 then end\n')).toEqual({ KEYS: Infinity, ARGV: 3 });
    expect(guard('if #ARGV > 2 then end\n')).toEqual({ KEYS: Infinity, ARGV: 3 });
    expect(guard('if 3 <= #ARGV then end\n')).toEqual({ KEYS: Infinity, ARGV: 3 });
    expect(guard('if 2 < #KEYS then end\n')).toEqual({ KEYS: 3, ARGV: Infinity });
    expect(guard('if #KEYS >= 1 then end\n')).toEqual({ KEYS: 1, ARGV: Infinity });
  });

  test('a test that the slots are missing, an equality or an always true test guards nothing', () => {
    for (const test of [
      '#ARGV < 3',
      '#ARGV <= 3',
      '3 > #ARGV',
      '3 >= #ARGV',
      '#ARGV == 3',
      '#ARGV ~= 3',
      '#ARGV >= 0',
      '#ARGV > -1',
      '#ARGV >= n',
      // Lua cannot compare a number with a string: the script fails there.
      '#ARGV > "2"',
      '#t >= 3',
      '-ARGV >= 3',
      '#ARGV[1] >= 3',
    ]) {
      expect([test, guard(`if ${test} then end\n`)]).toEqual([test, { KEYS: Infinity, ARGV: Infinity }]);
    }
  });

  test('the lowest guard wins', () => {
    expect(guard('if #ARGV >= 2 then end\nif #ARGV >= 4 then end\n').ARGV).toBe(2);
    expect(guard('if #ARGV >= 4 then end\nif #ARGV >= 2 then end\n').ARGV).toBe(2);
  });
});

describe('KEYS and ARGV used as a whole', () => {
  test('#KEYS, unpack(ARGV) and KEYS[i] leave the highest index unknown', () => {
    expect(analysed('return #KEYS\n').dynamic).toEqual({ KEYS: true, ARGV: false });
    expect(analysed('return unpack(ARGV)\n').dynamic).toEqual({ KEYS: false, ARGV: true });
    expect(analysed('local i = 1\nreturn KEYS[i]\n').dynamic).toEqual({ KEYS: true, ARGV: false });
    expect(analysed('return KEYS[1], ARGV[2]\n').dynamic).toEqual({ KEYS: false, ARGV: false });
  });

  test('a slot read inside a unary expression is still read', () => {
    expect(slots('return -ARGV[3]\n')).toEqual(['ARGV[3]']);
  });
});

describe('nil comparisons paired with a false one', () => {
  test('`x == nil or x == false` and `x ~= nil and x ~= false`, either order, either side', () => {
    expect(pairedNil('local x = 1\nreturn x == nil or x == false\n')).toEqual(['x == nil']);
    expect(pairedNil('local x = 1\nreturn x ~= nil and x ~= false\n')).toEqual(['x ~= nil']);
    expect(pairedNil('local x = 1\nreturn x == false or x == nil\n')).toEqual(['x == nil']);
    expect(pairedNil('local x = 1\nreturn nil == x or false == x\n')).toEqual(['nil == x']);
  });

  test('not when the operators do not match the connective, the names differ, or the other is not false', () => {
    for (const e of [
      'x == nil and x == false',
      'x ~= nil or x ~= false',
      'x ~= nil or x == false',
      'x == nil or x ~= false',
      'x == nil or y == false',
      'x == nil or x == true',
      'x == nil or x == 0',
      'x == 1 or y == 2',
      'y == x or x == false',
      'nil == nil or nil == false',
      'x.a == nil or x.a == false',
    ]) {
      expect([e, pairedNil(`local x, y = 1, 2\nreturn ${e}\n`)]).toEqual([e, []]);
    }
  });

  test('the equalities are the == and ~= expressions only', () => {
    const code = 'local x, y = 1, 2\nreturn x == y, x ~= y, x < y, x .. y\n';
    expect(analysed(code).equalities.map((e) => text(code, e))).toEqual(['x == y', 'x ~= y']);
  });
});

describe('names the analysis declares', () => {
  test('self in a method, not in a function stored with a dot', () => {
    expect(findings('local t = {}\nfunction t:m() return self end\nreturn t\n', 'no-undefined-global')).toEqual([]);
    expect(findings('local t = {}\nfunction t.f() return self end\nreturn t\n', 'no-undefined-global')).toEqual([
      expect.objectContaining({ line: 2, column: 23 }),
    ]);
  });

  test('arg in a vararg function (Lua 5.1 compatibility), not in one without ...', () => {
    expect(findings('local function f(...) return arg.n end\nreturn f()\n', 'no-undefined-global')).toEqual([]);
    expect(findings('local function f(a, ...) return arg.n end\nreturn f()\n', 'no-undefined-global')).toEqual([]);
    expect(findings('local function f(a) return arg end\nreturn f()\n', 'no-undefined-global')).toEqual([
      expect.objectContaining({ line: 1, column: 28 }),
    ]);
  });

  test('parameters, self, arg and for variables are unknown values', () => {
    const code =
      'local t = {}\nfunction t:m(a, ...) return self, a, arg end\nfor i = 1, 2 do end\nfor k, v in pairs(t) do end\n';
    expect(['a', 'self', 'arg', 'i', 'k', 'v'].map((n) => [n, sourcesOf(code, n)])).toEqual([
      ['a', ['opaque']],
      ['self', ['opaque']],
      ['arg', ['opaque']],
      ['i', ['opaque']],
      ['k', ['iter#0']],
      ['v', ['iter#1']],
    ]);
  });
});

describe('where a local’s value comes from (Lua’s adjustment of value lists)', () => {
  test('one value each, extra names get nil unless the last value is a call or ...', () => {
    const code = 'local a, b, c = 1, 2\n';
    expect(['a', 'b', 'c'].map((n) => sourcesOf(code, n))).toEqual([['1#0'], ['2#0'], ['nil']]);
  });

  test('the last value spreads when it is a call of any form or ...', () => {
    for (const call of ['f()', 'f"x"', 'f{}', '...']) {
      const code = `local a, b, c = 1, ${call}\n`;
      expect(['a', 'b', 'c'].map((n) => sourcesOf(code, n))).toEqual([['1#0'], [`${call}#0`], [`${call}#1`]]);
    }
  });

  test('no value at all: nil; an assignment adds a source', () => {
    expect(sourcesOf('local a\na = 3\n', 'a')).toEqual(['nil', '3#0']);
  });
});

describe('writes to fields and globals', () => {
  test('a field of KEYS or ARGV may be written, a library table may not', () => {
    expect(findings('KEYS[1] = "x"\nARGV[1] = "y"\n', 'no-global-assignment')).toEqual([]);
    expect(findings('string.trimmed = 1\nfunction string.pad() end\n', 'no-global-assignment')).toEqual([
      expect.objectContaining({ line: 1, column: 1, message: expect.stringMatching(/read-only table 'string'/) }),
      expect.objectContaining({ line: 2, column: 10, message: expect.stringMatching(/read-only table 'string'/) }),
    ]);
    expect(findings('string[1] = 1\n', 'no-global-assignment')).toEqual([
      expect.objectContaining({ line: 1, column: 1, message: expect.stringMatching(/read-only table 'string'/) }),
    ]);
  });

  test('a field of a local table is not a global write', () => {
    expect(findings('local string = {}\nstring.x = 1\nstring[1] = 2\n', 'no-global-assignment')).toEqual([]);
  });

  test('the fields written on a local table, not those of a table inside it', () => {
    const code = 'local t = {}\nt.a = 1\nt["b"] = 2\nt[k] = 3\nfunction t.f() end\nt.inner.c = 4\n';
    const t = analysed(code).bindings.find((b) => b.name === 't')!;
    expect(t.fieldWrites.map((w) => [w.key, text(code, w.value).slice(0, 8)])).toEqual([
      ['a', '1'],
      ['b', '2'],
      [undefined, '3'],
      ['f', 'function'],
    ]);
  });

  test('table.insert(t, v) and table.insert(t, pos, v) add to a local table; nothing else does', () => {
    const inserted = (code: string) =>
      analysed(code)
        .bindings.find((b) => b.name === 't')!
        .inserts.map((e) => text(code, e));
    expect(inserted('local t = {}\ntable.insert(t, 1)\ntable.insert(t, 1, "x")\n')).toEqual(['1', '"x"']);
    expect(inserted('local t = {}\ntable.insert(t)\ntable.remove(t, 1)\nrawset(t, 1, 2)\n')).toEqual([]);
    expect(inserted('local table = { insert = rawset }\nlocal t = {}\ntable.insert(t, 1)\n')).toEqual([]);
  });
});
