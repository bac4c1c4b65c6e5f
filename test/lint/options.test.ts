/** Severity overrides and suppression comments. */
import { lintSource, RULES } from '../../src/lint/lint.js';
import { ConfigError } from '../../src/errors.js';
import { at, lint } from './helpers.js';

const BAD = ["local v = redis.call('GET', 'literal:key')", 'if v == nil then', '  return {ok = true}', 'end', 'return v', ''].join('\n');

test('default severities', () => {
  expect(lint(BAD).map((f) => `${f.rule}:${f.severity}`)).toEqual([
    'keys-from-keys-array:warning',
    'no-nil-compare:warning',
    'no-string-keys-in-reply:error',
  ]);
});

test('rules can be turned off, raised to error or lowered to warning', () => {
  const findings = lint(BAD, { 'keys-from-keys-array': 'off', 'no-nil-compare': 'error', 'no-string-keys-in-reply': 'warning' });
  expect(findings.map((f) => `${f.rule}:${f.severity}`)).toEqual(['no-nil-compare:error', 'no-string-keys-in-reply:warning']);
});

test('an unknown rule id or severity is a configuration error that names it', () => {
  expect(() => lintSource('return 1', 'x.lua', { rules: { 'no-such-rule': 'off' } })).toThrow(ConfigError);
  expect(() => lintSource('return 1', 'x.lua', { rules: { 'no-such-rule': 'off' } })).toThrow(/no-such-rule/);
  expect(() => lintSource('return 1', 'x.lua', { rules: { 'syntax-error': 'fatal' as never } })).toThrow(/"fatal"/);
});

test('RULES lists every rule once, with a default severity and a description', () => {
  const ids = RULES.map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids).toEqual(expect.arrayContaining(['syntax-error', 'no-global-assignment', 'unknown-command', 'header-keys-argv']));
  for (const r of RULES) {
    expect(['error', 'warning']).toContain(r.defaultSeverity);
    expect(r.description.length).toBeGreaterThan(20);
  }
});

describe('suppression comments', () => {
  test('disable-next-line with one rule silences only that rule on the next line', () => {
    const src = "-- rscript-disable-next-line keys-from-keys-array\nlocal v = redis.call('GET', 'k')\nif v == nil then return 0 end\nreturn redis.call('GET', 'k2')\n";
    expect(at(lint(src))).toEqual(['no-nil-compare@3', 'keys-from-keys-array@4']);
  });

  test('disable-next-line with a list, separated by commas, and a reason after --', () => {
    const src = "-- rscript-disable-next-line keys-from-keys-array, no-nil-compare -- legacy key\nif redis.call('GET', 'k') == nil then return 0 end\nreturn 1\n";
    expect(at(lint(src))).toEqual([]);
    const other = "-- rscript-disable-next-line no-unbounded-loop\nif redis.call('GET', 'k') == nil then return 0 end\nreturn 1\n";
    expect(at(lint(other))).toEqual(['no-nil-compare@2', 'keys-from-keys-array@2']);
  });

  test('disable-next-line without ids silences every rule on the next line only', () => {
    const src = "-- rscript-disable-next-line\nif redis.call('GET', 'k') == nil then return 0 end\nreturn redis.call('GET', 'k2')\n";
    expect(at(lint(src))).toEqual(['keys-from-keys-array@3']);
  });

  test('disable-line at the end of the line', () => {
    const src = "local v = redis.call('GET', 'k') -- rscript-disable-line keys-from-keys-array\nx = v -- rscript-disable-line\nreturn v\n";
    expect(at(lint(src))).toEqual([]);
    const wrongId = "local v = redis.call('GET', 'k') -- rscript-disable-line no-nil-compare\nreturn v\n";
    expect(at(lint(wrongId))).toEqual(['keys-from-keys-array@1']);
  });

  test('block comments work too, and a directive must start the comment', () => {
    expect(at(lint("--[[ rscript-disable-next-line ]]\nreturn redis.call('GET', 'k')\n"))).toEqual([]);
    expect(at(lint("-- see rscript-disable-next-line\nreturn redis.call('GET', 'k')\n"))).toEqual(['keys-from-keys-array@2']);
  });
});
