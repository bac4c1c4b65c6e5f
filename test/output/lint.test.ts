/** The human report and SARIF. */
import { formatSarif, formatText } from '../../src/output/lint.js';
import { RULES, lintSource } from '../../src/lint/lint.js';

const SOURCE = "local v = redis.call('GET', 'k')\n\tif v == nil then return 0 end\nreturn {ok = true}\n";
const results = [
  { file: 'lua/a.lua', source: SOURCE, findings: lintSource(SOURCE, 'lua/a.lua') },
  { file: 'lua/clean.lua', source: 'return 1\n', findings: [] },
];

describe('formatText', () => {
  const text = formatText(results, false);
  const lines = text.split('\n');

  test('groups by file, shows position, severity, message and rule id', () => {
    expect(lines[0]).toBe('lua/a.lua');
    expect(lines[1]).toMatch(/^ {2}1:29 {2}warning {2}GET key "k" is a literal.* {2}keys-from-keys-array$/);
    expect(text).not.toContain('lua/clean.lua');
  });

  test('prints the source line with a caret under the column (tabs kept, range underlined)', () => {
    const i = lines.findIndex((l) => l.includes('keys-from-keys-array'));
    expect(lines[i + 1]).toBe("    local v = redis.call('GET', 'k')");
    expect(lines[i + 2]).toBe('                                ^~~');
    const j = lines.findIndex((l) => l.includes('no-nil-compare'));
    expect(lines[j + 1]).toBe('    \tif v == nil then return 0 end');
    expect(lines[j + 2]).toBe('    \t   ^~~~~~~~');
  });

  test('a control character is escaped in the source line, and the caret moves past its escape', () => {
    const source = "local k = '\x1b[2J'; return redis.call('GET', 'k')\n";
    const lines = formatText([{ file: 'lua/e.lua', source, findings: lintSource(source, 'lua/e.lua') }], false).split(
      '\n',
    );
    const i = lines.findIndex((l) => l.includes('keys-from-keys-array'));
    expect(lines[i + 1]).toBe("    local k = '\\x1b[2J'; return redis.call('GET', 'k')");
    expect(lines[i + 2]).toBe(`    ${' '.repeat(lines[i + 1]!.indexOf("'k'") - 4)}^~~`);
  });

  test('hints follow their finding', () => {
    const i = lines.findIndex((l) => l.includes('no-string-keys-in-reply'));
    expect(lines[i + 3]).toMatch(/^ {4}hint: Return an array/);
  });

  test('ends with the summary line', () => {
    expect(text.endsWith('\n\n1 error, 2 warnings in 2 files')).toBe(true);
    expect(formatText([{ file: 'x.lua', source: 'return 1', findings: [] }], false)).toBe(
      '0 errors, 0 warnings in 1 file',
    );
  });

  test('colour only when asked', () => {
    expect(text).not.toMatch(/\u001b\[/);
    const coloured = formatText(results, true);
    expect(coloured).toMatch(/\u001b\[31m/); // red for errors
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(text);
  });
});

describe('formatSarif', () => {
  const sarif = formatSarif(results, '1.2.3', RULES) as {
    version: string;
    $schema: string;
    runs: Array<{
      tool: {
        driver: {
          name: string;
          version: string;
          rules: Array<{ id: string; shortDescription: { text: string }; defaultConfiguration: { level: string } }>;
        };
      };
      results: Array<{
        ruleId: string;
        ruleIndex: number;
        level: string;
        message: { text: string };
        locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: Record<string, number> } }>;
      }>;
    }>;
  };

  test('SARIF 2.1.0, one run, the driver lists every rule', () => {
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toContain('sarif-2.1.0');
    expect(sarif.runs).toHaveLength(1);
    const driver = sarif.runs[0]!.tool.driver;
    expect(driver).toMatchObject({ name: 'rscript', version: '1.2.3' });
    expect(driver.rules.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
    expect(driver.rules[0]).toEqual({
      id: 'syntax-error',
      shortDescription: { text: expect.any(String) },
      defaultConfiguration: { level: 'error' },
    });
  });

  test('one result per finding, with level, rule index and a physical location', () => {
    const out = sarif.runs[0]!.results;
    expect(out.map((r) => [r.ruleId, r.level])).toEqual([
      ['keys-from-keys-array', 'warning'],
      ['no-nil-compare', 'warning'],
      ['no-string-keys-in-reply', 'error'],
    ]);
    const first = out[0]!;
    expect(RULES[first.ruleIndex]!.id).toBe(first.ruleId);
    expect(first.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'lua/a.lua' },
      region: { startLine: 1, startColumn: 29, endLine: 1, endColumn: 32 },
    });
    expect(first.message.text).toContain('literal');
  });

  test('the result is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(sarif))).toEqual(sarif);
  });
});
