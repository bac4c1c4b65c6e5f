/**
 * One bench's figures as the flat record that the table, `--json` and `--csv` all show. Every figure
 * carries its unit in its name (`p99_ms`, `ops_per_sec`), as redis-benchmark's CSV does.
 */
import type { LatencyHistogram } from './histogram.js';
import type { ServerTime } from '../redis/server-stats.js';
import { judge, type BudgetSource, type Verdict } from './verdict.js';

export interface BenchRow {
  script: string;
  sha: string;
  path: string | null;
  keys: string[];
  args: string[];
  /** Calls answered: without error plus with an error reply. */
  requests: number;
  errors: number;
  elapsed_ms: number;
  ops_per_sec: number;
  /** Connections the calls went on (`-c`), each with one batch of `pipeline` calls in flight. */
  connections: number;
  pipeline: number;
  /** Client-side latency: from writing a call to reading its reply. */
  min_ms: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  p999_ms: number;
  max_ms: number;
  mean_ms: number;
  /** Where the server-side figures come from; `none` when the server gave nothing. */
  server_source: ServerTime['source'] | 'none';
  /** EVALSHA calls the server counted during the bench (more than `requests`: another client ran some). */
  server_calls: number | null;
  /** Time per call the script blocked Redis: exact mean (commandstats). */
  server_mean_ms: number | null;
  /** Upper bounds of the power-of-two buckets holding the p99 and the slowest call (LATENCY HISTOGRAM). */
  server_p99_ms: number | null;
  server_max_ms: number | null;
  budget_ms: number;
  /** `server`: held against the server-side time; `client`: fallback to client latency. */
  budget_source: BudgetSource;
  /** The figure held against the budget: the most the server-side p99 can be. */
  budget_figure_ms: number;
  verdict: Verdict | 'error';
  note: string | null;
  /** The error reply that stopped the bench, as `lua/file.lua:LINE: message`. */
  error: string | null;
  /** The script line the error points at (`12 | redis.call(...)`). */
  error_line: string | null;
  /** Stopped by Ctrl-C before the end: the figures cover what ran. */
  interrupted: boolean;
  /** Client latency in power-of-two bins (JSON only). */
  histogram: Array<{ from_ms: number; to_ms: number; count: number }>;
}

export interface RowInput {
  script: string;
  sha: string;
  path?: string;
  keys: string[];
  args: string[];
  connections: number;
  pipeline: number;
  budgetMs: number;
  histogram: LatencyHistogram;
  completed: number;
  errors: number;
  elapsedMs: number;
  server?: ServerTime;
  interrupted: boolean;
  /** A word on how the bench ran (on a cluster, the node a keyless script ran on), before the verdict's. */
  note?: string;
  error?: { text: string; source?: string };
}

/** Rounds ms to the µs. */
export const toMs = (ns: number) => Math.round(ns / 1000) / 1000;
const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

/** Builds a row and its verdict from what one bench measured. */
export function makeRow(r: RowInput): BenchRow {
  const h = r.histogram;
  const answered = r.completed + r.errors;
  const clientP99Ms = toMs(h.percentile(99));
  const v = judge({ budgetMs: r.budgetMs, clientP99Ms, clientCalls: answered, server: r.server });
  // A failed bench has no verdict to explain: its error says it all, and where it ran still matters.
  const notes = (
    r.error
      ? [r.note]
      : [r.note, v.note, r.interrupted ? 'interrupted: figures cover the calls made before Ctrl-C' : undefined]
  ).filter(Boolean);
  return {
    script: r.script,
    sha: r.sha,
    path: r.path ?? null,
    keys: r.keys,
    args: r.args,
    requests: answered,
    errors: r.errors,
    elapsed_ms: round3(r.elapsedMs),
    ops_per_sec: r.elapsedMs > 0 ? Math.round((answered / r.elapsedMs) * 1000) : 0,
    connections: r.connections,
    pipeline: r.pipeline,
    min_ms: h.count > 0 ? toMs(h.minNs) : 0,
    p50_ms: toMs(h.percentile(50)),
    p90_ms: toMs(h.percentile(90)),
    p99_ms: clientP99Ms,
    p999_ms: toMs(h.percentile(99.9)),
    max_ms: toMs(h.maxNs),
    mean_ms: toMs(h.meanNs()),
    server_source: r.server?.source ?? 'none',
    server_calls: r.server?.calls ?? null,
    server_mean_ms: r.server ? round3(r.server.meanMs) : null,
    server_p99_ms: r.server?.p99 ? round3(r.server.p99.highMs) : null,
    server_max_ms: r.server?.max ? round3(r.server.max.highMs) : null,
    budget_ms: r.budgetMs,
    budget_source: v.source,
    budget_figure_ms: round3(v.figureMs),
    verdict: r.error ? 'error' : v.verdict,
    note: notes.length > 0 ? notes.join('; ') : null,
    error: r.error?.text ?? null,
    error_line: r.error?.source ?? null,
    interrupted: r.interrupted,
    histogram: h.powerOfTwoBins().map((b) => ({ from_ms: b.fromNs / 1e6, to_ms: b.toNs / 1e6, count: b.count })),
  };
}

/** The columns of `--csv`, in order: every scalar field of a row. */
export const CSV_FIELDS = [
  'script',
  'sha',
  'path',
  'requests',
  'errors',
  'elapsed_ms',
  'ops_per_sec',
  'connections',
  'pipeline',
  'min_ms',
  'p50_ms',
  'p90_ms',
  'p99_ms',
  'p999_ms',
  'max_ms',
  'mean_ms',
  'server_source',
  'server_calls',
  'server_mean_ms',
  'server_p99_ms',
  'server_max_ms',
  'budget_ms',
  'budget_source',
  'budget_figure_ms',
  'verdict',
  'error',
  'interrupted',
] as const satisfies ReadonlyArray<keyof BenchRow>;
