import { LatencyHistogram } from '../../src/bench/histogram.js';
import { parseDurationMs } from '../../src/cli/options.js';
import { CSV_FIELDS, makeRow, type RowInput } from '../../src/bench/rows.js';
import { benchCsv } from '../../src/output/bench.js';

function input(over: Partial<RowInput> = {}): RowInput {
  const histogram = new LatencyHistogram();
  for (let i = 1; i <= 1000; i++) histogram.record(i * 1000); // 1 µs .. 1 ms
  return {
    script: 'rate_limit',
    sha: 'a'.repeat(40),
    path: 'lua/rate_limit.lua',
    keys: ['rl:__rand_int__'],
    args: ['10'],
    connections: 50,
    pipeline: 1,
    budgetMs: 50,
    histogram,
    completed: 1000,
    errors: 0,
    elapsedMs: 500,
    server: {
      calls: 1000,
      meanMs: 0.012,
      failedCalls: 0,
      source: 'commandstats+latency-histogram',
      p99: { lowMs: 0.016, highMs: 0.033 },
      max: { lowMs: 0.032, highMs: 0.066 },
    },
    interrupted: false,
    ...over,
  };
}

describe('bench row', () => {
  it('carries every documented field with its unit in the name', () => {
    const row = makeRow(input());
    expect(row).toMatchObject({
      requests: 1000,
      errors: 0,
      opsPerSec: 2000,
      elapsedMs: 500,
      minMs: 0.001,
      maxMs: 1,
      serverSource: 'commandstats+latency-histogram',
      serverCalls: 1000,
      serverMeanMs: 0.012,
      serverP99MsAtMost: 0.033,
      serverMaxMsAtMost: 0.066,
      budgetMs: 50,
      budgetSource: 'server',
      verdict: 'ok',
      error: null,
      interrupted: false,
    });
    expect(row.p50Ms).toBeCloseTo(0.5, 2);
    expect(row.p90Ms).toBeCloseTo(0.9, 2);
    expect(row.p99Ms).toBeCloseTo(0.99, 2);
    expect(row.p999Ms).toBeCloseTo(0.999, 2);
    expect(row.histogram.reduce((s, b) => s + b.count, 0)).toBe(1000);
    for (const f of CSV_FIELDS) expect(row).toHaveProperty(f);
  });

  it('turns an error reply into verdict "error" without a budget note', () => {
    const row = makeRow(
      input({
        completed: 10,
        errors: 1,
        error: { text: 'lua/rate_limit.lua:7: ERR boom', source: '7 | return redis.error_reply("boom")' },
      }),
    );
    expect(row).toMatchObject({
      verdict: 'error',
      errors: 1,
      requests: 11,
      error: 'lua/rate_limit.lua:7: ERR boom',
      note: null,
    });
  });

  it('keeps the note on where the bench ran when it failed (a keyless script on a cluster)', () => {
    const note = 'sweep takes no keys: run on 127.0.0.1:30002, where its setup wrote';
    const row = makeRow(input({ completed: 0, errors: 1, note, error: { text: 'lua/sweep.lua:3: ERR boom' } }));
    expect(row).toMatchObject({ verdict: 'error', note });
  });

  it('says which side the budget figure comes from when the server gave nothing', () => {
    const row = makeRow(input({ server: undefined }));
    expect(row).toMatchObject({
      serverSource: 'none',
      serverMeanMs: null,
      serverP99MsAtMost: null,
      budgetSource: 'client',
    });
    expect(row.note).toMatch(/client-side/);
  });
});

describe('--csv', () => {
  it('has a header of the documented fields and quotes what needs it', () => {
    const rows = [makeRow(input()), makeRow(input({ script: 'odd,"name"', errors: 1, error: { text: 'a, b\nc' } }))];
    const lines = benchCsv(rows).split('\n');
    expect(lines[0]).toBe(CSV_FIELDS.join(','));
    expect(lines[0]).toContain('p99Ms');
    expect(lines[0]).toContain('opsPerSec');
    expect(lines[1]!.split(',')).toHaveLength(CSV_FIELDS.length);
    expect(lines[2]).toMatch(/^"odd,""name""",/);
    expect(benchCsv(rows)).toContain('"a, b\nc"');
  });
});

describe('--duration', () => {
  it.each([
    ['10s', 10_000],
    ['500ms', 500],
    ['2m', 120_000],
    ['1.5s', 1500],
    ['3', 3000],
    ['1h', 3_600_000],
  ])('%s is %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each(['', 'soon', '-1s', '0', '10 parsecs', '0.0001ms'])('rejects %j', (text) =>
    expect(parseDurationMs(text)).toBeUndefined(),
  );
});
