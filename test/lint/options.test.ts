/** Severity overrides and suppression comments. */
import { lintSource, RULES } from '../../src/lint/lint.js';
import { ConfigError } from '../../src/errors.js';
import { at, lint } from './helpers.js';

const BAD = [
  "local v = redis.call('GET', 'literal:key')",
  'if v == nil then',
  '  return {ok = true}',
  'end',
  'return v',
  '',
].join('\n');

test('default severities', () => {
  expect(lint(BAD).map((f) => `${f.rule}:${f.severity}`)).toEqual([
    'keys-from-keys-array:warning',
    'no-nil-compare:warning',
    'no-string-keys-in-reply:error',
  ]);
});

test('rules can be turned off, raised to error or lowered to warning', () => {
  const findings = lint(BAD, {
    'keys-from-keys-array': 'off',
    'no-nil-compare': 'error',
    'no-string-keys-in-reply': 'warning',
  });
  expect(findings.map((f) => `${f.rule}:${f.severity}`)).toEqual([
    'no-nil-compare:error',
    'no-string-keys-in-reply:warning',
  ]);
});

test('an unknown rule id or severity is a configuration error that names it', () => {
  expect(() => lintSource('return 1', 'x.lua', { rules: { 'no-such-rule': 'off' } })).toThrow(ConfigError);
  expect(() => lintSource('return 1', 'x.lua', { rules: { 'no-such-rule': 'off' } })).toThrow(/no-such-rule/);
  expect(() => lintSource('return 1', 'x.lua', { rules: { 'syntax-error': 'fatal' as never } })).toThrow(/"fatal"/);
});

test('RULES lists every rule once, with a default severity and a description', () => {
  const ids = RULES.map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids).toEqual(
    expect.arrayContaining(['syntax-error', 'no-global-assignment', 'unknown-command', 'header-keys-argv']),
  );
  for (const r of RULES) {
    expect(['error', 'warning']).toContain(r.defaultSeverity);
    expect(r.description.length).toBeGreaterThan(20);
  }
});

describe('suppression comments', () => {
  test('disable-next-line with one rule silences only that rule on the next line', () => {
    const src =
      "-- rscript-disable-next-line keys-from-keys-array\nlocal v = redis.call('GET', 'k')\nif v == nil then return 0 end\nreturn redis.call('GET', 'k2')\n";
    expect(at(lint(src))).toEqual(['no-nil-compare@3', 'keys-from-keys-array@4']);
  });

  test('disable-next-line with a list, separated by commas, and a reason after --', () => {
    const src =
      "-- rscript-disable-next-line keys-from-keys-array, no-nil-compare -- legacy key\nif redis.call('GET', 'k') == nil then return 0 end\nreturn 1\n";
    expect(at(lint(src))).toEqual([]);
    const other =
      "-- rscript-disable-next-line no-unbounded-loop\nif redis.call('GET', 'k') == nil then return 0 end\nreturn 1\n";
    expect(at(lint(other))).toEqual(['no-nil-compare@2', 'keys-from-keys-array@2']);
  });

  test('disable-next-line without ids silences every rule on the next line only', () => {
    const src =
      "-- rscript-disable-next-line\nif redis.call('GET', 'k') == nil then return 0 end\nreturn redis.call('GET', 'k2')\n";
    expect(at(lint(src))).toEqual(['keys-from-keys-array@3']);
  });

  test('disable-line at the end of the line', () => {
    const src =
      "local v = redis.call('GET', 'k') -- rscript-disable-line keys-from-keys-array\nx = v -- rscript-disable-line\nreturn v\n";
    expect(at(lint(src))).toEqual([]);
    const wrongId = "local v = redis.call('GET', 'k') -- rscript-disable-line no-nil-compare\nreturn v\n";
    expect(at(lint(wrongId))).toEqual(['keys-from-keys-array@1']);
  });

  test('a misspelled rule id is reported where it is written, with the closest rule id', () => {
    const src = '-- rscript-disable-next-line no-globl-assignment\ncounter = 1\nreturn counter\n';
    const findings = lint(src);
    // The typo silences nothing: the finding it meant to silence is still there, and the typo is named.
    expect(at(findings)).toEqual(['unknown-suppression@1', 'no-global-assignment@2']);
    expect(findings[0]).toMatchObject({ severity: 'warning', column: 30, endColumn: 49 });
    expect(findings[0]!.message).toBe(
      'unknown rule "no-globl-assignment" in rscript-disable-next-line: it silences nothing; did you mean "no-global-assignment"?',
    );
    // An id close to no rule: named, with the list of rules in the hint.
    const [far] = lint(
      "local v = redis.call('GET', KEYS[1]) -- rscript-disable-line foo, header-keys-argv\nreturn v\n",
    );
    expect(far).toMatchObject({ rule: 'unknown-suppression', line: 1, column: 62, endColumn: 65 });
    expect(far!.message).toBe('unknown rule "foo" in rscript-disable-line: it silences nothing');
    expect(far!.hint).toContain('no-global-assignment');
    // In a block comment on several lines, the id's own line and column.
    expect(lint('--[[ rscript-disable-next-line\n     no-nil-compar ]]\nreturn 1\n')[0]).toMatchObject({
      rule: 'unknown-suppression',
      line: 2,
      column: 6,
    });
    // A long bracket opened on a line of its own: Lua leaves that line break out of the text.
    const typo = 'rscript-disable-next-line no-globl-assignment';
    expect(lint(`--[[\n${typo}\n]]\nx = 1\nreturn x\n`)[0]).toMatchObject({
      rule: 'unknown-suppression',
      line: 2,
      column: 27,
    });
    expect(lint(`--[==[\r\n  ${typo}\r\n]==]\r\nx = 1\r\nreturn x\r\n`)[0]).toMatchObject({
      rule: 'unknown-suppression',
      line: 2,
      column: 29,
    });
  });

  test('the all-rules form, known ids and an explanation after -- are not reported; the rule can be turned off', () => {
    expect(at(lint("-- rscript-disable-next-line -- generated\nreturn redis.call('GET', 'k')\n"))).toEqual([]);
    expect(
      at(
        lint(
          "-- rscript-disable-next-line keys-from-keys-array -- a fixed key, by design\nreturn redis.call('GET', 'k')\n",
        ),
      ),
    ).toEqual([]);
    expect(at(lint('return 1 -- rscript-disable-line typo\n', { 'unknown-suppression': 'off' }))).toEqual([]);
  });

  test('block comments work too, and a directive must start the comment', () => {
    expect(at(lint("--[[ rscript-disable-next-line ]]\nreturn redis.call('GET', 'k')\n"))).toEqual([]);
    expect(at(lint("-- see rscript-disable-next-line\nreturn redis.call('GET', 'k')\n"))).toEqual([
      'keys-from-keys-array@2',
    ]);
  });
});
