import { bucketHigh, bucketIndex, bucketLow, LatencyHistogram } from '../../src/bench/histogram.js';

/** A seeded generator, so a failure can be replayed. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('bucketIndex', () => {
  it('is exact below 512 ns', () => {
    for (let v = 0; v < 512; v++) expect(bucketIndex(v)).toBe(v);
  });

  it('is continuous and ordered: every value lies within its bucket, buckets never skip', () => {
    let prev = bucketIndex(0);
    const jumps: number[] = [];
    for (let v = 1; v < 200_000; v++) {
      const i = bucketIndex(v);
      if (i - prev !== 0 && i - prev !== 1) jumps.push(v);
      prev = i;
    }
    expect(jumps).toEqual([]);
    for (const v of [
      511,
      512,
      513,
      1023,
      1024,
      65_535,
      65_536,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32 - 1,
      2 ** 32,
      2 ** 32 + 1,
      50e9,
      2 ** 45,
    ]) {
      const i = bucketIndex(v);
      expect(bucketLow(i)).toBeLessThanOrEqual(v);
      expect(bucketHigh(i)).toBeGreaterThanOrEqual(v);
    }
  });

  it('keeps the relative error within 1/256', () => {
    for (const v of [600, 1234, 99_999, 1_234_567, 60_000_000, 5e9, 3e11]) {
      const i = bucketIndex(v);
      expect((bucketHigh(i) - bucketLow(i)) / bucketLow(i)).toBeLessThanOrEqual(1 / 256);
    }
  });
});

describe('LatencyHistogram', () => {
  it('gives percentiles within 0.4 % of the exact ones of the samples', () => {
    const random = lcg(42);
    const h = new LatencyHistogram();
    const samples: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      // Log-normal-ish latencies from 20 µs to a few ms.
      const v = Math.round(20_000 * Math.exp(random() * 5));
      samples.push(v);
      h.record(v);
    }
    samples.sort((a, b) => a - b);
    for (const p of [50, 90, 99, 99.9]) {
      const exact = samples[Math.ceil((p / 100) * samples.length) - 1]!;
      expect(Math.abs(h.percentile(p) - exact) / exact).toBeLessThanOrEqual(1 / 256);
    }
    expect(h.minNs).toBe(samples[0]);
    expect(h.maxNs).toBe(samples[samples.length - 1]);
    expect(h.percentile(100)).toBe(samples[samples.length - 1]);
    expect(h.count).toBe(50_000);
  });

  it('is empty-safe and rounds fractional ns', () => {
    const h = new LatencyHistogram();
    expect(h.percentile(99)).toBe(0);
    expect(h.meanNs()).toBe(0);
    expect(h.powerOfTwoBins()).toEqual([]);
    h.record(1.6);
    h.record(-5);
    expect(h.minNs).toBe(0);
    expect(h.maxNs).toBe(2);
  });

  it('adds another histogram', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    a.record(1000);
    b.record(3000);
    b.record(5000);
    a.add(b);
    expect(a.count).toBe(3);
    expect(a.minNs).toBe(1000);
    expect(a.maxNs).toBe(5000);
    expect(a.percentile(50)).toBeGreaterThanOrEqual(3000);
    expect(a.percentile(50)).toBeLessThan(3020);
  });

  it('regroups into power-of-two bins that hold every sample', () => {
    const h = new LatencyHistogram();
    for (const v of [30_000, 31_000, 70_000, 1_100_000, 1_200_000, 1_300_000]) h.record(v);
    const bins = h.powerOfTwoBins();
    expect(bins.reduce((s, b) => s + b.count, 0)).toBe(6);
    expect(bins[0]!.fromNs).toBe(2 ** 14);
    expect(bins[bins.length - 1]!.toNs).toBe(2 ** 21);
    for (const b of bins) expect(b.toNs).toBe(b.fromNs * 2);
    expect(bins.find((b) => b.fromNs === 2 ** 14)!.count).toBe(2);
    expect(bins.find((b) => b.fromNs === 2 ** 16)!.count).toBe(1);
    expect(bins.find((b) => b.fromNs === 2 ** 19)!.count).toBe(0);
    expect(bins.find((b) => b.fromNs === 2 ** 20)!.count).toBe(3);
  });
});

describe('LatencyHistogram: what a bench reports from it', () => {
  it('reports a lone sample exactly at every percentile, not the top of its bucket', () => {
    const h = new LatencyHistogram();
    h.record(100_000); // in a bucket 256 ns wide
    for (const p of [0, 50, 99, 100]) expect(h.percentile(p)).toBe(100_000);
    expect(h.meanNs()).toBe(100_000);
  });

  it('gives the top of the bucket of the sample of that rank, within the exact max', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 99; i++) h.record(1000);
    h.record(100_000);
    // Rank 99 of 100 is a 1000 ns sample, in a bucket 2 ns wide: 1001 is reported.
    expect(h.percentile(99)).toBe(1001);
    expect(h.percentile(0)).toBe(1001);
    expect(h.percentile(99.5)).toBe(100_000);
  });

  it('counts the calls of a pipelined batch, each at the batch latency', () => {
    const h = new LatencyHistogram();
    h.recordMany(2000, 16);
    h.record(4000);
    expect(h.count).toBe(17);
    expect(h.meanNs()).toBeCloseTo((2000 * 16 + 4000) / 17, 9);
    expect(h.percentile(94)).toBe(bucketHigh(bucketIndex(2000)));
    expect(h.percentile(94)).toBeLessThan(2010);
    expect(h.percentile(95)).toBe(4000);
    expect(h.powerOfTwoBins().reduce((s, b) => s + b.count, 0)).toBe(17);
  });

  it('rounds a fractional latency to the nearest ns, above 4.3 s too', () => {
    const h = new LatencyHistogram();
    h.record(1.4);
    expect(h.minNs).toBe(1);
    h.record(5e9 + 0.6);
    expect(h.maxNs).toBe(5e9 + 1);
    expect(h.sumNs).toBe(1 + 5e9 + 1);
  });

  it('counts a latency past the last bucket (a day), keeping it exact as the max', () => {
    const h = new LatencyHistogram();
    h.record(1000);
    h.record(2 ** 47);
    expect(bucketIndex(2 ** 47)).toBe(bucketIndex(2 ** 46 - 1));
    expect(h.maxNs).toBe(2 ** 47);
    expect(h.percentile(100)).toBeGreaterThanOrEqual(2 ** 46 - 1);
    expect(h.powerOfTwoBins().reduce((s, b) => s + b.count, 0)).toBe(2);
  });

  it('adding keeps the lowest min and highest max of the two, and the sum', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    a.record(5000);
    b.record(1000);
    b.record(9000);
    a.add(b);
    expect(a.minNs).toBe(1000);
    expect(a.maxNs).toBe(9000);
    expect(a.meanNs()).toBe(5000);
    a.add(new LatencyHistogram());
    expect(a.minNs).toBe(1000);
    expect(a.count).toBe(3);
  });

  it('a 0 ns sample lands in the first bin, from 1 ns', () => {
    const h = new LatencyHistogram();
    h.record(0);
    h.record(3);
    expect(h.powerOfTwoBins()).toEqual([
      { fromNs: 1, toNs: 2, count: 1 },
      { fromNs: 2, toNs: 4, count: 1 },
    ]);
  });

  it('a sample of exactly a power of two opens its bin, it does not close the one before', () => {
    const h = new LatencyHistogram();
    for (const v of [600, 1024, 2048]) h.record(v);
    expect(h.powerOfTwoBins()).toEqual([
      { fromNs: 512, toNs: 1024, count: 1 },
      { fromNs: 1024, toNs: 2048, count: 1 },
      { fromNs: 2048, toNs: 4096, count: 1 },
    ]);
  });

  it('samples under 512 ns keep their exact value, in the percentiles and in the bins', () => {
    const h = new LatencyHistogram();
    for (const v of [100, 200, 300]) h.record(v);
    expect([h.percentile(0), h.percentile(50), h.percentile(100)]).toEqual([100, 200, 300]);
    expect(h.powerOfTwoBins()).toEqual([
      { fromNs: 64, toNs: 128, count: 1 },
      { fromNs: 128, toNs: 256, count: 1 },
      { fromNs: 256, toNs: 512, count: 1 },
    ]);
  });

  it('bins start at the bin of the minimum, not at 1 ns', () => {
    const h = new LatencyHistogram();
    h.record(1500);
    h.record(1600);
    expect(h.powerOfTwoBins()).toEqual([{ fromNs: 1024, toNs: 2048, count: 2 }]);
  });
});

describe('bucket bounds', () => {
  it('a bucket ends one below where the next begins, and holds only its own values', () => {
    for (const i of [511, 512, 767, 768, 5000, 9000]) {
      expect(bucketHigh(i)).toBe(bucketLow(i + 1) - 1);
      expect(bucketIndex(bucketLow(i))).toBe(i);
      expect(bucketIndex(bucketHigh(i))).toBe(i);
    }
    expect(bucketLow(512)).toBe(512);
    expect(bucketHigh(512)).toBe(513);
  });

  it('stays exact on both sides of 2^32 ns (4.3 s)', () => {
    for (const v of [2 ** 32 - 1, 2 ** 32, 2 ** 33 + 12_345, 2 ** 40]) {
      const i = bucketIndex(v);
      expect(bucketIndex(bucketLow(i))).toBe(i);
      expect(bucketLow(i)).toBeLessThanOrEqual(v);
      expect(bucketHigh(i)).toBeGreaterThanOrEqual(v);
      expect((bucketHigh(i) - bucketLow(i)) / bucketLow(i)).toBeLessThanOrEqual(1 / 256);
    }
    expect(bucketIndex(2 ** 32)).toBe(bucketIndex(2 ** 32 - 1) + 1);
  });
});
