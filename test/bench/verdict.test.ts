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
