import { mergeCdfs, mergeSnapshots, setupKeys } from '../../src/bench/routing.js';

describe('cluster bench figures', () => {
  test('cumulative latency histograms of several nodes add up bucket by bucket', () => {
    const a = {
      calls: 10,
      buckets: [
        [16, 6],
        [32, 10],
      ] as Array<[number, number]>,
    };
    const b = {
      calls: 5,
      buckets: [
        [8, 1],
        [32, 4],
        [64, 5],
      ] as Array<[number, number]>,
    };
    expect(mergeCdfs([a, b])).toEqual({
      calls: 15,
      buckets: [
        [8, 1],
        [16, 7],
        [32, 14],
        [64, 15],
      ],
    });
  });

  test('commandstats add up; a figure one node lacks is unavailable for the cluster', () => {
    const stats = (calls: number, usec: number) => ({ calls, usec, failedCalls: 0, rejectedCalls: 0 });
    const merged = mergeSnapshots([
      { statsAvailable: true, stats: stats(3, 30), latencyAvailable: true },
      { statsAvailable: true, stats: stats(2, 50), latencyAvailable: false },
    ]);
    expect(merged.stats).toEqual(stats(5, 80));
    expect(merged.latencyAvailable).toBe(false);
  });
});

describe('the keys a setup command is routed by', () => {
  test('where the command table puts them, else the second word of a command the table lacks', () => {
    expect(setupKeys(['BITOP', 'OR', '{t}:dest', '{t}:src'])).toEqual(['{t}:dest', '{t}:src']);
    expect(setupKeys(['CONFIG', 'SET', 'lua-time-limit', '5000'])).toEqual([]);
    expect(setupKeys(['JSON.SET', 'doc', '$', '1'])).toEqual(['doc']);
  });

  test('an unknown subcommand of a known command has no key: its second word is the subcommand', () => {
    // CLIENT NO-TOUCH came with Redis 7.2, after the shipped table.
    expect(setupKeys(['CLIENT', 'NO-TOUCH', 'on'])).toEqual([]);
  });
});
