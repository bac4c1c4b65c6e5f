/**
 * `rscript bench`'s table on a terminal: it was 127 columns for one script with a long name and wrapped
 * on an 80-column terminal. It now fits the terminal's width (short headers, then columns left out and
 * named, then names clipped); piped, the full table as before.
 */
import { LatencyHistogram } from '../../src/bench/histogram.js';
import { makeRow, type RowInput } from '../../src/bench/rows.js';
import type { BenchResult } from '../../src/commands/bench.js';
import { renderBench } from '../../src/output/bench.js';
import { displayWidth } from '../../src/output/table.js';

function row(script: string, over: Partial<RowInput> = {}) {
  const histogram = new LatencyHistogram();
  for (let i = 1; i <= 20_000; i++) histogram.record(120_000 + (i % 3000) * 1000);
  return makeRow({
    script,
    sha: 'a'.repeat(40),
    path: `lua/${script}.lua`,
    keys: ['rl:__rand_int__'],
    args: ['100'],
    connections: 10,
    pipeline: 1,
    budgetMs: 5,
    histogram,
    completed: 20_000,
    errors: 0,
    elapsedMs: 795,
    server: {
      calls: 20_000,
      meanMs: 0.014,
      failedCalls: 0,
      source: 'commandstats+latency-histogram',
      p99: { lowMs: 0.066, highMs: 0.132 },
      max: { lowMs: 0.524, highMs: 1.05 },
    },
    interrupted: false,
    ...over,
  });
}

function result(rows: ReturnType<typeof row>[]): BenchResult {
  return {
    server: '127.0.0.1:6390',
    serverFlavour: 'redis',
    serverVersion: '7.0.15',
    serverName: 'Redis 7.0.15',
    sandbox: null,
    mode: rows.length === 1 ? 'script' : 'fixtures',
    results: rows,
    overBudget: 0,
    failed: 0,
    interrupted: false,
    withoutFixture: [],
    leftKeys: [],
  };
}

const lines = (text: string) => text.split('\n');
const widest = (text: string) => Math.max(...lines(text).map(displayWidth));
const tableLines = (text: string) => lines(text).filter((l) => /^[┌│└]/.test(l));

test('piped (no width), the full table: every column with its unit', () => {
  const text = renderBench(result([row('rate_limit_token_bucket')]));
  const head = tableLines(text)[1]!;
  for (const h of ['requests', 'errors', 'ops/sec', 'p50 ms', 'p99 ms', 'max ms', 'server mean ms', 'server p99 ms'])
    expect(head).toContain(h);
  expect(displayWidth(head)).toBeGreaterThan(120);
  expect(text).not.toContain('left out');
});

test.each([80, 100])('on a terminal of %i columns every line fits, and the verdict figures stay', (columns) => {
  const text = renderBench(result([row('rate_limit_token_bucket')]), columns);
  expect(widest(text)).toBeLessThanOrEqual(columns);
  const head = tableLines(text)[1]!;
  for (const h of ['p99', 'srv mean', 'srv p99', 'budget', 'verdict']) expect(head).toContain(h);
  expect(lines(text)[0]).toBe('bench on 127.0.0.1:6390 (Redis 7.0.15); times in ms');
  // The calls line and the client latency (which keeps p50 and max) are two lines when one does not fit.
  expect(text).toMatch(/^20,000 calls in 0\.795 s, c=10 P=1$/m);
  expect(text).toMatch(/^client latency ms: min [\d.]+ {2}p50 [\d.]+ .* max [\d.]+$/m);
});

test('at 80 columns: max, p50 and ops/sec are left out and named; a long name is clipped, a short one is not', () => {
  const text = renderBench(result([row('rate_limit_token_bucket'), row('counter_incr')]), 80);
  expect(text).toContain('left out to fit 80 columns: max ms, p50 ms, ops/sec (--json has every figure)');
  const rows = tableLines(text).slice(2, 4);
  expect(rows[0]).toMatch(/^│ rate_limit_token_bu… │/);
  expect(rows[1]).toMatch(/^│ counter_incr /);
  expect(widest(tableLines(text).join('\n'))).toBeLessThanOrEqual(80);
});

test('a wide terminal gets the full table', () => {
  const full = renderBench(result([row('rate_limit_token_bucket')]));
  expect(renderBench(result([row('rate_limit_token_bucket')]), 200)).toBe(full);
});
