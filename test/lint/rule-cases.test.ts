/**
 * The cases of each rule that the fixtures and rule-reports.test.ts leave open: which hint a syntax
 * error gets, how a reply table is read, what a Functions library is told, which globals are left to
 * another rule. Each test asserts what `rscript lint` shows: rule, position, severity, message, hint.
 */
import type { Finding } from '../../src/lint/lint.js';
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
    // A long comment between a call and return still separates them.
    expect(hintOf('f()--[[c]]return 1\nx = 2\n')).toEqual([`2:1 ${RETURN_LAST}`]);
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
    const wrong = (field: string) =>
      ` (${field} does not make a status/error reply: the value has the wrong type): the caller gets`;
    expect(drops('return {ok = 1}\n')).toEqual([`1:1 ${converts} (ok)${wrong('ok = 1')} an empty array`]);
    expect(drops("return {double = 'x', 1}\n")).toEqual([
      `1:1 ${converts} (double)${wrong("double = 'x'")} only its 1 positional value`,
    ]);
    expect(drops('return {ok = {}}\n')).toEqual([`1:1 ${converts} (ok)${wrong('ok = {...}')} an empty array`]);
    expect(drops("return {map = 'x'}\n")).toEqual([`1:1 ${converts} (map)${wrong("map = 'x'")} an empty array`]);
  });

  test('an array of records is found whichever element is the first record', () => {
    expect(drops('return {1, {a = 1}}\n')).toEqual([
      '1:1 The elements of this table are tables with string keys (a): Redis drops the keys, so each element reaches the caller as an empty array',
    ]);
    expect(drops("return {ok = 'x', {a = 1}}\n")).toEqual([]);
  });
});
