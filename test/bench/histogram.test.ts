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
