/**
 * What the lint reads from a script's literals: Lua 5.1 string escapes and long brackets decoded as
 * Redis's Lua would, numbers as Lua prints them. A command name written with escapes is the command.
 */
import luaparse from 'luaparse';
import { decodeLuaString, numberValue, stringValue } from '../../src/lint/analysis.js';
import { lint } from './helpers.js';

/** The expression of `return <expr>`. */
function expr(text: string): luaparse.Expression {
  const chunk = luaparse.parse(`return ${text}`, { luaVersion: '5.1' });
  return (chunk.body[0] as luaparse.ReturnStatement).arguments[0]!;
}

describe('decodeLuaString', () => {
  test.each<[string, string]>([
    ['"plain"', 'plain'],
    ["'single'", 'single'],
    ['"a\\nb\\tc\\rd"', 'a\nb\tc\rd'],
    ['"\\a\\b\\f\\v"', '\x07\b\f\v'],
    ['"\\\\"', '\\'],
    ['"\\"q\\""', '"q"'],
    ["'it\\'s'", "it's"],
    // Decimal escapes: up to three digits, then the text goes on.
    ['"\\71\\69\\84"', 'GET'],
    ['"\\0711"', 'G1'],
    ['"\\9x"', '\tx'],
    ['"\\65\\066"', 'AB'],
    ['"\\10"', '\n'],
    ['"\\65."', 'A.'],
    ['"\\65-1"', 'A-1'],
    // A backslash before a line end is a newline; \r\n and \n\r count as one.
    ['"a\\\nb"', 'a\nb'],
    ['"a\\\r\nb"', 'a\nb'],
    ['"a\\\n\rb"', 'a\nb'],
    ['"a\\\n\nb"', 'a\n\nb'],
    ['"a\\\rb"', 'a\nb'],
    // An unknown escape is the character itself.
    ['"\\q"', 'q'],
    // Long brackets: no escapes, any level, a first newline dropped.
    ['[[a\\nb]]', 'a\\nb'],
    ['[==[x]]y]==]', 'x]]y'],
    ['[[\nline]]', 'line'],
    ['[[\r\nline]]', 'line'],
    ['[[\n\nline]]', '\nline'],
    ['[[]]', ''],
    // Only a newline right after the opening bracket is dropped; a quoted string holding [[ is quoted.
    ['[[a\nb]]', 'a\nb'],
    ['"a[[b]]"', 'a[[b]]'],
    // A lone backslash at the end (no literal luaparse accepts ends so) is dropped.
    ['"a\\"', 'a'],
  ])('%j is %j', (raw, value) => {
    expect(decodeLuaString(raw)).toBe(value);
  });
});

describe('literal values', () => {
  test.each<[string, string | undefined]>([
    ['"GET"', 'GET'],
    ['10', '10'],
    ['-10', '-10'],
    ['1.5', '1.5'],
    ['0.1', '0.1'],
    // Lua prints "%.14g": 14 significant digits.
    ['1/3', undefined],
    ['0.33333333333333331', '0.33333333333333'],
    ['-0.5', '-0.5'],
    ['0', '0'],
    ['-0', '-0'],
    ['99999999999999', '99999999999999'],
    ['10000000000000', '10000000000000'],
    ['12345678901234.4', '12345678901234'],
    ['9.99999999999999', '10'],
    // From an exponent of 14 on, and below -4, Lua writes e-notation.
    ['100000000000000', '1e+14'],
    ['1125899906842624', '1.1258999068426e+15'],
    ['-1.5e20', '-1.5e+20'],
    ['1e100', '1e+100'],
    ['0.0001', '0.0001'],
    ['0.00001', '1e-05'],
    ['0.000012345', '1.2345e-05'],
    ['1e999', 'inf'],
    ['-1e999', '-inf'],
    ['x', undefined],
    ['not 1', undefined],
    ['{}', undefined],
  ])('the string value of %s is %j', (text, value) => {
    expect(stringValue(expr(text))).toBe(value);
  });

  test('numbers: a literal, a negated literal, nothing else', () => {
    expect(numberValue(expr('3'))).toBe(3);
    expect(numberValue(expr('-3'))).toBe(-3);
    expect(numberValue(expr('"3"'))).toBeUndefined();
    expect(numberValue(expr('-x'))).toBeUndefined();
    expect(numberValue(expr('#x'))).toBeUndefined();
    expect(numberValue(expr('not 3'))).toBeUndefined();
    expect(stringValue(expr('not 3'))).toBeUndefined();
    expect(numberValue(undefined)).toBeUndefined();
    expect(stringValue(undefined)).toBeUndefined();
  });
});

describe('a command written with escapes or long brackets is the command', () => {
  const header = '-- KEYS[1]: the key\n';
  const unknown = (source: string) =>
    lint(header + source)
      .filter((f) => f.rule === 'unknown-command')
      .map((f) => f.message);

  test('"\\71\\69\\84" is GET, and [[\\nGET]] too', () => {
    expect(unknown('return redis.call("\\71\\69\\84", KEYS[1])\n')).toEqual([]);
    expect(unknown('return redis.call([[\nGET]], KEYS[1])\n')).toEqual([]);
  });

  test('an unknown command is named decoded, as the server would see it', () => {
    expect(unknown('return redis.call("\\71\\84\\69", KEYS[1])\n')).toEqual([
      expect.stringMatching(/^'GTE' is not a Redis 7\.0 command/),
    ]);
  });

  test('the arity of a command written with escapes is checked', () => {
    const arity = lint(`${header}return redis.call("\\71\\69\\84", KEYS[1], "x")\n`).filter(
      (f) => f.rule === 'wrong-arity',
    );
    expect(arity.map((f) => f.message)).toEqual([
      expect.stringMatching(/^GET takes exactly 1 argument, this call passes 2/),
    ]);
  });
});
