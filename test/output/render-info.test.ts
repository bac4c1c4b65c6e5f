/**
 * `rscript info`'s catalog on a terminal: the keys and args cells are clipped so that every line fits
 * the terminal's width (it wrapped at about 215 columns whatever the terminal); piped, nothing is cut.
 */
import type { ScriptInfo } from '../../src/commands/info.js';
import { renderInfo } from '../../src/output/render.js';
import { displayWidth } from '../../src/output/table.js';

const script = (name: string, keys: string[], args: string[]): ScriptInfo => ({
  name,
  path: `lua/${name}.lua`,
  sha: 'f3954cfb50a6'.padEnd(40, '0'),
  size: 100,
  // Short docs are their own names (as the linter names "bucket key (hash)" "bucket key").
  keys: keys.map((doc) => ({ name: doc, doc })),
  args: args.map((doc) => ({ name: doc, doc })),
  errors: [],
  flags: [],
});

const CATALOG = [
  script(
    'batch_expire',
    [],
    ['pattern in SCAN MATCH syntax', 'time to live in seconds', 'SCAN cursor', 'the most keys to expire'],
  ),
  script('balance_purchase', ['account balance', 'transaction log'], ['amount to debit', 'entry pushed']),
  script('counter_incr', ['the counter'], ['increment']),
];
const widest = (text: string) => Math.max(...text.split('\n').map(displayWidth));

test.each([80, 100, 120])('every line fits a terminal of %i columns', (columns) => {
  const text = renderInfo(CATALOG, false, columns);
  expect(widest(text)).toBeLessThanOrEqual(columns);
  // A clipped cell ends at a whole slot where one fits, with "…"; short cells stay whole.
  expect(text).toContain('│ the counter');
  expect(text).not.toMatch(/,…/);
});

test('wide characters count two columns and are never cut in half', () => {
  const wide = [script('queue_zh', ['队列的键', '项目的哈希表'], ['优先级数值', '要推入的内容 🎉 完整', '重试次数'])];
  for (const columns of [60, 62, 63, 80]) {
    const text = renderInfo(wide, false, columns);
    expect(widest(text)).toBeLessThanOrEqual(columns);
    expect(text).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/); // no lone high surrogate
  }
});

test('a terminal too narrow for the table still gets the two cells at their narrowest', () => {
  const text = renderInfo(CATALOG, false, 40);
  // Not the whole 140-column table: the script, sha and flags columns alone take more than 40.
  expect(widest(text)).toBeLessThan(80);
  expect(text).toContain('…');
});

test('a cell is cut after the last slot that fits', () => {
  const text = renderInfo(CATALOG, false, 120);
  expect(text).toContain('pattern in SCAN MATCH syntax…');
});

test('piped (no terminal width), or wide enough, nothing is cut', () => {
  for (const text of [renderInfo(CATALOG, false), renderInfo(CATALOG, false, 300)]) {
    expect(text).toContain(
      'pattern in SCAN MATCH syntax, time to live in seconds, SCAN cursor, the most keys to expire',
    );
    expect(text).not.toContain('…');
  }
});
