/**
 * Server-side time of the benched command (EVALSHA, or FCALL / FCALL_RO for a function), from
 * before/after snapshots of `INFO commandstats` (calls and total time: the exact mean) and
 * `LATENCY HISTOGRAM <command>` (Redis 7.0+: the distribution, in power-of-two
 * buckets). Deltas measure one bench without CONFIG RESETSTAT, which would wipe everyone's statistics.
 * Pure functions: the snapshots are taken by the bench runner.
 */

export interface CommandStats {
  calls: number;
  usec: number;
  failedCalls: number;
  rejectedCalls: number;
}

/**
 * One command's line of `INFO commandstats`:
 * `cmdstat_evalsha:calls=N,usec=U,usec_per_call=X,rejected_calls=R,failed_calls=F`.
 * Tolerant: unknown fields are skipped, missing counters are 0. Undefined when the command has no line
 * (never called since the last reset) or the reply is not INFO text.
 * @see https://redis.io/commands/info/
 */
export function parseCommandStats(info: string, command: string): CommandStats | undefined {
  const prefix = `cmdstat_${command.toLowerCase()}:`;
  for (const raw of info.split('\n')) {
    const line = raw.trim();
    if (!line.toLowerCase().startsWith(prefix)) continue;
    const fields = new Map<string, number>();
    for (const pair of line.slice(prefix.length).split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) fields.set(pair.slice(0, eq).trim(), Number(pair.slice(eq + 1)));
    }
    const n = (k: string) => (Number.isFinite(fields.get(k)) ? fields.get(k)! : 0);
    if (!fields.has('calls')) return undefined;
    return { calls: n('calls'), usec: n('usec'), failedCalls: n('failed_calls'), rejectedCalls: n('rejected_calls') };
  }
  return undefined;
}

/** True when the INFO text has a commandstats section at all (an empty one is still "supported"). */
export function hasCommandStatsSection(info: string): boolean {
  return /^#\s*Commandstats/im.test(info);
}

/** A command's latency histogram: total calls and (bucket upper bound in µs, cumulative calls). */
export interface LatencyCdf {
  calls: number;
  /** Ascending bucket upper bounds in µs with the cumulative count up to each; only buckets that grew. */
  buckets: Array<[upperUsec: number, cumulative: number]>;
}

/**
 * One command's entry of the `LATENCY HISTOGRAM <command>` reply. Redis 7.0 sends a map
 * `{ evalsha: { calls, histogram_usec: { <upper µs>: <cumulative> } } }` (RESP3; flat arrays in RESP2),
 * listing only the buckets whose cumulative count grew. Undefined when the command has no histogram
 * yet (never called, or latency-tracking off).
 * @see https://redis.io/commands/latency-histogram/
 */
export function parseLatencyHistogram(reply: unknown, command: string): LatencyCdf | undefined {
  const top = asEntries(reply);
  const entry = top.find(([k]) => String(k).toLowerCase() === command.toLowerCase());
  if (!entry) return undefined;
  const fields = asEntries(entry[1]);
  const calls = Number(fields.find(([k]) => String(k) === 'calls')?.[1]);
  const hist = fields.find(([k]) => String(k) === 'histogram_usec')?.[1];
  if (!Number.isFinite(calls) || hist === undefined) return undefined;
  const buckets = asEntries(hist)
    .map(([k, v]): [number, number] => [Number(k), Number(v)])
    .filter(([k, v]) => Number.isFinite(k) && Number.isFinite(v))
    .sort((a, b) => a[0] - b[0]);
  return { calls, buckets };
}

/** A RESP3 map as an object or a Map, or a RESP2 flat array, as key/value pairs. */
function asEntries(value: unknown): Array<[unknown, unknown]> {
  if (value instanceof Map) return [...value.entries()];
  if (Array.isArray(value)) {
    const out: Array<[unknown, unknown]> = [];
    for (let i = 0; i + 1 < value.length; i += 2) out.push([value[i], value[i + 1]]);
    return out;
  }
  if (typeof value === 'object' && value !== null) return Object.entries(value);
  return [];
}

/** The number of calls that fell in each bucket (upper bound in µs) between two snapshots. */
export function latencyDelta(
  before: LatencyCdf | undefined,
  after: LatencyCdf,
): Array<[upperUsec: number, count: number]> {
  const perBucket = (cdf: LatencyCdf | undefined) => {
    const m = new Map<number, number>();
    let prev = 0;
    for (const [upper, cumulative] of cdf?.buckets ?? []) {
      m.set(upper, (m.get(upper) ?? 0) + cumulative - prev);
      prev = cumulative;
    }
    return m;
  };
  const b = perBucket(before);
  const out: Array<[number, number]> = [];
  for (const [upper, count] of perBucket(after)) {
    const d = count - (b.get(upper) ?? 0);
    if (d > 0) out.push([upper, d]);
  }
  return out.sort((x, y) => x[0] - y[0]);
}

/** A range of server-side times in ms: a value `v` with `lowMs < v <= highMs`. */
export interface MsRange {
  lowMs: number;
  highMs: number;
}

/**
 * The bucket holding the sample of percentile `p` of a delta, as a range in ms. Redis's buckets are
 * powers of two (1.02 µs, 2.05 µs, ...); each is reported by its upper bound, and its lower bound is
 * the upper bound of the one before: about half, 2 % less to stay on the safe side.
 */
export function bucketAtPercentile(delta: Array<[number, number]>, p: number): MsRange | undefined {
  const total = delta.reduce((s, [, c]) => s + c, 0);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const [upper, count] of delta) {
    seen += count;
    if (seen >= rank) return bucketRange(upper);
  }
  return bucketRange(delta[delta.length - 1]![0]);
}

/** The range of the highest bucket that received a call. */
export function maxBucket(delta: Array<[number, number]>): MsRange | undefined {
  return delta.length === 0 ? undefined : bucketRange(delta[delta.length - 1]![0]);
}

function bucketRange(upperUsec: number): MsRange {
  return { lowMs: upperUsec <= 1 ? 0 : ((upperUsec / 2) * 0.98) / 1000, highMs: upperUsec / 1000 };
}

export interface ServerSnapshot {
  stats?: CommandStats;
  /** False when the server answered INFO commandstats with nothing usable (ACL, not Redis). */
  statsAvailable: boolean;
  latency?: LatencyCdf;
  /** False when LATENCY HISTOGRAM is missing (Redis < 7.0), refused, or tracking is off. */
  latencyAvailable: boolean;
}

export interface ServerTime {
  /** EVALSHA calls the server counted between the snapshots (all clients). */
  calls: number;
  /** Exact mean per call, from commandstats. */
  meanMs: number;
  failedCalls: number;
  /** The p99 and the highest bucket, from the latency histogram (Redis 7.0+). */
  p99?: MsRange;
  max?: MsRange;
  source: 'commandstats+latency-histogram' | 'commandstats';
}

/** Server-side time of the calls between two snapshots; undefined when the server gave nothing. */
export function serverTime(before: ServerSnapshot, after: ServerSnapshot): ServerTime | undefined {
  if (!before.statsAvailable || !after.statsAvailable || !after.stats) return undefined;
  const calls = after.stats.calls - (before.stats?.calls ?? 0);
  const usec = after.stats.usec - (before.stats?.usec ?? 0);
  // A restart or CONFIG RESETSTAT in between makes the counters go back: nothing to trust.
  if (calls <= 0 || usec < 0) return undefined;
  const out: ServerTime = {
    calls,
    meanMs: usec / calls / 1000,
    failedCalls: Math.max(0, after.stats.failedCalls - (before.stats?.failedCalls ?? 0)),
    source: 'commandstats',
  };
  if (before.latencyAvailable && after.latencyAvailable && after.latency) {
    const delta = latencyDelta(before.latency, after.latency);
    const p99 = bucketAtPercentile(delta, 99);
    if (p99) {
      out.p99 = p99;
      out.max = maxBucket(delta);
      out.source = 'commandstats+latency-histogram';
    }
  }
  return out;
}
