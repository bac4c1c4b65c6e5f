/**
 * One bench's figures as the flat record that the table, `--json` and `--csv` all show, under one
 * name each (camelCase, as every command's --json). Every figure carries its unit in its name
 * (`p99Ms`, `opsPerSec`), as redis-benchmark's CSV does; a name ending in `AtMost` is an upper
 * bound (the table's `≤`): the true value is at most that.
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
  elapsedMs: number;
  opsPerSec: number;
  /** Connections the calls went on (`-c`), each with one batch of `pipeline` calls in flight. */
  connections: number;
  pipeline: number;
  /** Client-side latency: from writing a call to reading its reply. */
  minMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  meanMs: number;
  /** Where the server-side figures come from; `none` when the server gave nothing. */
  serverSource: ServerTime['source'] | 'none';
  /** EVALSHA calls the server counted during the bench (more than `requests`: another client ran some). */
  serverCalls: number | null;
  /** Time per call the script blocked Redis: exact mean (commandstats). */
  serverMeanMs: number | null;
  /** Upper bounds of the power-of-two buckets holding the p99 and the slowest call (LATENCY HISTOGRAM). */
  serverP99MsAtMost: number | null;
  serverMaxMsAtMost: number | null;
  budgetMs: number;
  /** `server`: held against the server-side time; `client`: fallback to client latency. */
  budgetSource: BudgetSource;
  /** The figure held against the budget: the most the server-side p99 can be. */
  budgetFigureMsAtMost: number;
  verdict: Verdict | 'error';
  note: string | null;
  /** The error reply that stopped the bench, as `lua/file.lua:LINE: message`. */
  error: string | null;
  /** The script line the error points at (`12 | redis.call(...)`). */
  errorLine: string | null;
  /** Stopped by Ctrl-C before the end: the figures cover what ran. */
  interrupted: boolean;
  /** Client latency in power-of-two bins (JSON only). */
  histogram: Array<{ fromMs: number; toMs: number; count: number }>;
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
    elapsedMs: round3(r.elapsedMs),
    opsPerSec: r.elapsedMs > 0 ? Math.round((answered / r.elapsedMs) * 1000) : 0,
    connections: r.connections,
    pipeline: r.pipeline,
    minMs: h.count > 0 ? toMs(h.minNs) : 0,
    p50Ms: toMs(h.percentile(50)),
    p90Ms: toMs(h.percentile(90)),
    p99Ms: clientP99Ms,
    p999Ms: toMs(h.percentile(99.9)),
    maxMs: toMs(h.maxNs),
    meanMs: toMs(h.meanNs()),
    serverSource: r.server?.source ?? 'none',
    serverCalls: r.server?.calls ?? null,
    serverMeanMs: r.server ? round3(r.server.meanMs) : null,
    serverP99MsAtMost: r.server?.p99 ? round3(r.server.p99.highMs) : null,
    serverMaxMsAtMost: r.server?.max ? round3(r.server.max.highMs) : null,
    budgetMs: r.budgetMs,
    budgetSource: v.source,
    budgetFigureMsAtMost: round3(v.figureMs),
    verdict: r.error ? 'error' : v.verdict,
    note: notes.length > 0 ? notes.join('; ') : null,
    error: r.error?.text ?? null,
    errorLine: r.error?.source ?? null,
    interrupted: r.interrupted,
    histogram: h.powerOfTwoBins().map((b) => ({ fromMs: b.fromNs / 1e6, toMs: b.toNs / 1e6, count: b.count })),
  };
}

/** The columns of `--csv`, in order: every scalar field of a row. */
export const CSV_FIELDS = [
  'script',
  'sha',
  'path',
  'requests',
  'errors',
  'elapsedMs',
  'opsPerSec',
  'connections',
  'pipeline',
  'minMs',
  'p50Ms',
  'p90Ms',
  'p99Ms',
  'p999Ms',
  'maxMs',
  'meanMs',
  'serverSource',
  'serverCalls',
  'serverMeanMs',
  'serverP99MsAtMost',
  'serverMaxMsAtMost',
  'budgetMs',
  'budgetSource',
  'budgetFigureMsAtMost',
  'verdict',
  'error',
  'interrupted',
] as const satisfies ReadonlyArray<keyof BenchRow>;
