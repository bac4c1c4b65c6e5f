import { judge } from '../../src/bench/verdict.js';
import type { ServerTime } from '../../src/redis/server-stats.js';

const server = (meanMs: number, p99?: [number, number], calls = 1000): ServerTime => ({
  calls,
  meanMs,
  failedCalls: 0,
  source: p99 ? 'commandstats+latency-histogram' : 'commandstats',
  ...(p99 ? { p99: { lowMs: p99[0], highMs: p99[1] }, max: { lowMs: p99[0], highMs: p99[1] } } : {}),
});

describe('budget verdict', () => {
  it('passes a fast script on the server side', () => {
    const v = judge({ budgetMs: 50, clientP99Ms: 0.4, clientCalls: 1000, server: server(0.01, [0.008, 0.016]) });
    expect(v).toMatchObject({ verdict: 'ok', source: 'server', figureMs: 0.016, shared: false });
  });

  it('says a mean far below a millisecond in digits that show it (a tiny --budget)', () => {
    const v = judge({ budgetMs: 0.0001, clientP99Ms: 0.1, clientCalls: 1000, server: server(0.0042, [0.002, 0.004]) });
    expect(v.verdict).toBe('over');
    expect(v.note).toMatch(/^server mean 0\.0042 ms is over the budget/);
  });

  it('fails on the mean, and on a p99 bucket wholly above the budget', () => {
    expect(judge({ budgetMs: 50, clientP99Ms: 61, clientCalls: 1000, server: server(60, [33.1, 67.6]) }).verdict).toBe(
      'over',
    );
    expect(judge({ budgetMs: 50, clientP99Ms: 200, clientCalls: 1000, server: server(10, [66.3, 134]) }).verdict).toBe(
      'over',
    );
  });

  it('tightens a coarse bucket with the client p99: every call blocks Redis less than its round trip', () => {
    // p99 in (33.1, 67.6] by the histogram, at most 40.2 by the client: under 50.
    const v = judge({ budgetMs: 50, clientP99Ms: 40.2, clientCalls: 1000, server: server(39, [33.1, 67.6]) });
    expect(v).toMatchObject({ verdict: 'ok', figureMs: 40.2, lowMs: 33.1 });
  });

  it('is unsure (and says how to settle it) when the range straddles the budget', () => {
    const v = judge({ budgetMs: 50, clientP99Ms: 900, clientCalls: 1000, server: server(35, [33.1, 67.6]) });
    expect(v.verdict).toBe('unsure');
    expect(v.note).toMatch(/-c 1/);
  });

  it('does not use the client bound when other clients ran EVALSHA meanwhile', () => {
    const v = judge({ budgetMs: 50, clientP99Ms: 40, clientCalls: 1000, server: server(35, [33.1, 67.6], 1500) });
    expect(v).toMatchObject({ verdict: 'unsure', shared: true, figureMs: 67.6 });
  });

  it('falls back to the client side when the server gives nothing, and says so', () => {
    expect(judge({ budgetMs: 50, clientP99Ms: 3, clientCalls: 10 })).toMatchObject({
      verdict: 'ok',
      source: 'client',
      figureMs: 3,
    });
    const over = judge({ budgetMs: 50, clientP99Ms: 70, clientCalls: 10 });
    expect(over).toMatchObject({ verdict: 'over', source: 'client' });
    expect(over.note).toMatch(/client-side/);
  });

  it('bounds the p99 by the client side when the server has no histogram', () => {
    expect(judge({ budgetMs: 50, clientP99Ms: 2, clientCalls: 1000, server: server(0.5) })).toMatchObject({
      verdict: 'ok',
      source: 'server',
      figureMs: 2,
    });
  });
});

describe('budget verdict: the edges and what the note says', () => {
  it('says nothing more when the verdict is plain', () => {
    const v = judge({ budgetMs: 50, clientP99Ms: 0.4, clientCalls: 1000, server: server(0.01, [0.008, 0.016]) });
    expect(v.note).toBeUndefined();
    expect(v.lowMs).toBe(0.008);
  });

  it('a p99 range that ends at the budget is within it; one that starts at it is over', () => {
    // The server p99 lies in (low, high]: high = budget can be the budget; low = budget is above it.
    expect(judge({ budgetMs: 50, clientP99Ms: 900, clientCalls: 1000, server: server(20, [25, 50]) }).verdict).toBe(
      'ok',
    );
    expect(judge({ budgetMs: 50, clientP99Ms: 900, clientCalls: 1000, server: server(20, [50, 100]) }).verdict).toBe(
      'over',
    );
    // A mean of exactly the budget is not over it.
    expect(judge({ budgetMs: 50, clientP99Ms: 50, clientCalls: 1000, server: server(50, [25, 50]) }).verdict).toBe(
      'ok',
    );
    // Client side alone: a p99 of exactly the budget passes.
    expect(judge({ budgetMs: 50, clientP99Ms: 50, clientCalls: 10 }).verdict).toBe('ok');
  });

  it('the same calls on both sides are not "other clients"', () => {
    const v = judge({ budgetMs: 50, clientP99Ms: 40.2, clientCalls: 1000, server: server(39, [33.1, 67.6], 1000) });
    expect(v).toMatchObject({ verdict: 'ok', shared: false, figureMs: 40.2 });
  });

  it('names the range and the way to settle it when unsure', () => {
    const v = judge({ budgetMs: 50, clientP99Ms: 900, clientCalls: 1000, server: server(35, [33.1, 67.6]) });
    expect(v.note).toBe(
      'server p99 lies between 33.1 and 67.6 ms, around the 50 ms budget: rerun with -c 1 -P 1 for a tighter bound',
    );
    expect(v).toMatchObject({ figureMs: 67.6, lowMs: 33.1 });
  });

  it('says why the client bound was dropped, with both counts', () => {
    const v = judge({ budgetMs: 50, clientP99Ms: 40, clientCalls: 1000, server: server(35, [33.1, 67.6], 1500) });
    expect(v.note).toMatch(/^other clients ran EVALSHA meanwhile \(1500 server calls for 1000 of ours\); server p99/);
  });

  it('without a histogram and with other clients, the high end is unknown: "?", not Infinity', () => {
    const v = judge({ budgetMs: 50, clientP99Ms: 40, clientCalls: 1000, server: server(10, undefined, 1500) });
    expect(v.verdict).toBe('unsure');
    expect(v.note).toBe(
      'no LATENCY HISTOGRAM (Redis < 7.0 or latency-tracking off): p99 bounded by the client side; ' +
        'other clients ran EVALSHA meanwhile (1500 server calls for 1000 of ours); ' +
        'server p99 lies between 0.00 and ? ms, around the 50 ms budget: rerun with -c 1 -P 1 for a tighter bound',
    );
    expect(Number.isFinite(v.figureMs)).toBe(true);
  });

  it('rounds the mean it reports: one decimal from 10 ms, two below, two digits under 0.1 ms', () => {
    const note = (meanMs: number, budgetMs: number) =>
      judge({ budgetMs, clientP99Ms: 1000, clientCalls: 1000, server: server(meanMs, [0, 1000]) }).note;
    expect(note(12.345, 10)).toMatch(/^server mean 12\.3 ms is over the budget/);
    expect(note(10, 5)).toMatch(/^server mean 10\.0 ms is over/);
    expect(note(9.999, 5)).toMatch(/^server mean 10\.00 ms is over/);
    expect(note(0.123, 0.1)).toMatch(/^server mean 0\.12 ms is over/);
    expect(note(0.1, 0.05)).toMatch(/^server mean 0\.10 ms is over/);
    expect(note(0.0999, 0.05)).toMatch(/^server mean 0\.1 ms is over/);
  });
});
