import {
  bucketAtPercentile,
  latencyDelta,
  maxBucket,
  parseCommandStats,
  parseLatencyHistogram,
  serverTime,
  type ServerSnapshot,
} from '../../src/redis/server-stats.js';

const INFO = [
  '# Commandstats',
  'cmdstat_hello:calls=1,usec=8,usec_per_call=8.00,rejected_calls=0,failed_calls=0',
  'cmdstat_evalsha:calls=9,usec=63363,usec_per_call=7040.33,rejected_calls=1,failed_calls=2',
  'cmdstat_script|load:calls=1,usec=7,usec_per_call=7.00,rejected_calls=0,failed_calls=0',
  '',
].join('\r\n');

describe('INFO commandstats', () => {
  it('reads one command line, tolerating unknown and missing fields', () => {
    expect(parseCommandStats(INFO, 'evalsha')).toEqual({ calls: 9, usec: 63363, failedCalls: 2, rejectedCalls: 1 });
    expect(parseCommandStats(INFO, 'EVALSHA')?.calls).toBe(9);
    expect(parseCommandStats(INFO, 'eval')).toBeUndefined();
    // Redis 6.0 had no rejected/failed counters; a newer server may append fields.
    expect(parseCommandStats('cmdstat_evalsha:calls=3,usec=30,usec_per_call=10.00', 'evalsha')).toEqual({
      calls: 3,
      usec: 30,
      failedCalls: 0,
      rejectedCalls: 0,
    });
    expect(parseCommandStats('cmdstat_evalsha:calls=3,usec=30,new_field=x,usec_per_call=10.00', 'evalsha')?.usec).toBe(
      30,
    );
    expect(parseCommandStats('not info at all', 'evalsha')).toBeUndefined();
  });
});

describe('LATENCY HISTOGRAM', () => {
  // The shape Redis 7.0.15 sends, as node-redis hands it over in RESP3 (checked on a real server).
  const resp3 = { evalsha: { calls: 9, histogram_usec: { '16': 5, '33': 6, '264': 7, '4227': 8, '67633': 9 } } };

  it('reads the RESP3 map, a Map, and the RESP2 flat arrays alike', () => {
    const expected = {
      calls: 9,
      buckets: [
        [16, 5],
        [33, 6],
        [264, 7],
        [4227, 8],
        [67633, 9],
      ],
    };
    expect(parseLatencyHistogram(resp3, 'evalsha')).toEqual(expected);
    const asMap = new Map([
      [
        'evalsha',
        new Map<string, unknown>([
          ['calls', 9],
          ['histogram_usec', new Map(Object.entries(resp3.evalsha.histogram_usec))],
        ]),
      ],
    ]);
    expect(parseLatencyHistogram(asMap, 'evalsha')).toEqual(expected);
    const resp2 = ['evalsha', ['calls', 9, 'histogram_usec', [16, 5, 33, 6, 264, 7, 4227, 8, 67633, 9]]];
    expect(parseLatencyHistogram(resp2, 'evalsha')).toEqual(expected);
    expect(parseLatencyHistogram({}, 'evalsha')).toBeUndefined();
  });

  it('turns two cumulative snapshots into the calls per bucket in between', () => {
    const before = parseLatencyHistogram({ evalsha: { calls: 3, histogram_usec: { '16': 2, '33': 3 } } }, 'evalsha');
    const after = parseLatencyHistogram(resp3, 'evalsha')!;
    // after per bucket: 16:5 33:1 264:1 4227:1 67633:1; before: 16:2 33:1
    expect(latencyDelta(before, after)).toEqual([
      [16, 3],
      [264, 1],
      [4227, 1],
      [67633, 1],
    ]);
    expect(latencyDelta(undefined, after)).toHaveLength(5);
  });

  it('finds the bucket of a percentile and the highest one, as ranges in ms', () => {
    const delta: Array<[number, number]> = [
      [16, 98],
      [33, 1],
      [67633, 1],
    ];
    expect(bucketAtPercentile(delta, 50)).toEqual({ lowMs: 0.00784, highMs: 0.016 });
    expect(bucketAtPercentile(delta, 99)?.highMs).toBe(0.033);
    expect(bucketAtPercentile(delta, 100)?.highMs).toBe(67.633);
    expect(maxBucket(delta)!.highMs).toBe(67.633);
    expect(maxBucket(delta)!.lowMs).toBeCloseTo(33.14, 1);
    expect(bucketAtPercentile([], 99)).toBeUndefined();
  });
});

describe('serverTime', () => {
  const snap = (calls: number, usec: number, hist?: Record<string, number>): ServerSnapshot => ({
    statsAvailable: true,
    stats: { calls, usec, failedCalls: 0, rejectedCalls: 0 },
    latencyAvailable: hist !== undefined,
    ...(hist
      ? { latency: { calls, buckets: Object.entries(hist).map(([k, v]) => [Number(k), v] as [number, number]) } }
      : {}),
  });

  it('gives the exact mean from commandstats and the p99 from the histogram', () => {
    const t = serverTime(snap(10, 1000, { '16': 10 }), snap(110, 61000, { '16': 10, '33': 60, '67633': 110 }));
    expect(t).toMatchObject({ calls: 100, meanMs: 0.6, source: 'commandstats+latency-histogram' });
    expect(t!.p99!.highMs).toBe(67.633);
    expect(t!.max!.highMs).toBe(67.633);
  });

  it('falls back to commandstats alone without a histogram (Redis < 7.0)', () => {
    const t = serverTime(snap(0, 0), snap(4, 400));
    expect(t).toMatchObject({ calls: 4, meanMs: 0.1, source: 'commandstats' });
    expect(t!.p99).toBeUndefined();
  });

  it('gives nothing when the counters are unusable (no INFO, a reset in between, no calls)', () => {
    expect(
      serverTime(
        { statsAvailable: false, latencyAvailable: false },
        { statsAvailable: false, latencyAvailable: false },
      ),
    ).toBeUndefined();
    expect(serverTime(snap(100, 5000), snap(10, 100))).toBeUndefined();
    expect(serverTime(snap(5, 50), snap(5, 50))).toBeUndefined();
    // Before the first EVALSHA the line is missing: counted from zero.
    expect(serverTime({ statsAvailable: true, latencyAvailable: true }, snap(2, 20))?.calls).toBe(2);
  });
});
