/**
 * A log-linear latency histogram in the HDR style: exact below 512 ns, then 256 linear sub-buckets per
 * power of two (at most 0.4 % error), from 0 to 2^46 ns (about 19 hours) in 80 KB. Recording is an
 * array increment, with no allocation, so it can sit in a bench's hot loop; memory does not grow with
 * the number of samples as a sorted array of every sample would.
 */

const SUB_BITS = 8;
const SUB = 1 << SUB_BITS;
/** Values at and above this are counted in the last bucket (and kept exactly in `max`). */
const MAX_VALUE = 2 ** 46 - 1;
const TWO_32 = 2 ** 32;

/** The bucket a value (ns, a whole number >= 0) is counted in. */
export function bucketIndex(v: number): number {
  if (v < 2 * SUB) return v;
  if (v < TWO_32) {
    // The common case (under 4.3 s) in 32-bit integer operations.
    const shift = 31 - Math.clz32(v) - SUB_BITS;
    return shift * SUB + (v >>> shift);
  }
  if (v > MAX_VALUE) v = MAX_VALUE;
  const shift = Math.floor(Math.log2(v)) - SUB_BITS;
  return shift * SUB + Math.floor(v / 2 ** shift);
}

/** The smallest value a bucket holds. */
export function bucketLow(index: number): number {
  if (index < 2 * SUB) return index;
  const shift = Math.floor(index / SUB) - 1;
  return (index - shift * SUB) * 2 ** shift;
}

/** The largest value a bucket holds. */
export function bucketHigh(index: number): number {
  return index < 2 * SUB ? index : bucketLow(index + 1) - 1;
}

const SIZE = bucketIndex(MAX_VALUE) + 1;

export interface Bin {
  /** Lower and upper bound of the bin, in ns (`from <= v < to`; the first bin also holds 0). */
  fromNs: number;
  toNs: number;
  count: number;
}

export class LatencyHistogram {
  readonly counts = new Float64Array(SIZE);
  count = 0;
  /** Exact, not bucketed. */
  minNs = Infinity;
  maxNs = 0;
  sumNs = 0;

  /** Counts one latency, in nanoseconds. */
  record(ns: number): void {
    this.recordMany(ns, 1);
  }

  /** Counts `times` calls of the same latency (the calls of one pipelined batch). */
  recordMany(ns: number, times: number): void {
    const v = ns <= 0 ? 0 : ns < TWO_32 - 1 ? (ns + 0.5) >>> 0 : Math.round(ns);
    this.counts[bucketIndex(v)]! += times;
    this.count += times;
    this.sumNs += v * times;
    if (v < this.minNs) this.minNs = v;
    if (v > this.maxNs) this.maxNs = v;
  }

  /** Adds every count of `other` to this one. */
  add(other: LatencyHistogram): void {
    for (let i = 0; i < SIZE; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    this.sumNs += other.sumNs;
    this.minNs = Math.min(this.minNs, other.minNs);
    this.maxNs = Math.max(this.maxNs, other.maxNs);
  }

  /**
   * The value at percentile `p` (0 to 100), in ns: the highest value of the bucket that holds the
   * sample of that rank (as HDR reports it), kept within the exact min and max. 0 when empty.
   */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < SIZE; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(Math.max(bucketHigh(i), this.minNs), this.maxNs);
    }
    return this.maxNs;
  }

  meanNs(): number {
    return this.count === 0 ? 0 : this.sumNs / this.count;
  }

  /**
   * The counts regrouped into bins whose bounds are powers of two (1.02 µs, 2.05 µs, ... in ns),
   * from the bin of the minimum to the bin of the maximum, empty bins in between included: the shape
   * for a small terminal histogram or a JSON one.
   */
  powerOfTwoBins(): Bin[] {
    if (this.count === 0) return [];
    const bins: Bin[] = [];
    const first = Math.max(0, Math.floor(Math.log2(Math.max(1, this.minNs))));
    const last = Math.floor(Math.log2(Math.max(1, this.maxNs)));
    for (let e = first; e <= last; e++) bins.push({ fromNs: 2 ** e, toNs: 2 ** (e + 1), count: 0 });
    let bin = 0;
    for (let i = 0; i < SIZE; i++) {
      const c = this.counts[i]!;
      if (c === 0) continue;
      const low = bucketLow(i);
      while (bin < bins.length - 1 && low >= bins[bin]!.toNs) bin++;
      bins[bin]!.count += c;
    }
    return bins;
  }
}
