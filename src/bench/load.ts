/**
 * The bench's hot loop: `concurrency` workers, each with one batch of `pipeline` calls in flight
 * (written in the same tick, so node-redis sends them in one write), until the request count or the
 * duration is reached, an error reply arrives, or the run is stopped. Per call: one argv (shared when
 * there is no `__rand_int__`), one promise from the client, and for each batch two clock reads and one
 * histogram increment; no timers, no closures.
 */
import type { Arg, RedisConnection, SendOptions } from '../server/connection.js';
import { replyCode } from '../server/connection.js';
import { LatencyHistogram } from './histogram.js';

/** No per-request deadline in the hot loop: a timer per call costs more than the call. */
const NO_TIMEOUT: SendOptions = Object.freeze({ timeoutMs: 0 });

export interface LoadSpec {
  /** Makes the argv of one call (`EVALSHA sha numkeys keys... args...`). */
  argv: () => Arg[];
  /** Total calls, and/or a time limit: the run stops at the first one reached. */
  requests?: number;
  durationMs?: number;
  concurrency: number;
  pipeline: number;
}

/** The state of a running load, for a progress display to poll. */
export interface LiveRun {
  readonly startedAt: number;
  readonly requests?: number;
  readonly durationMs?: number;
  completed: number;
  errors: number;
  readonly histogram: LatencyHistogram;
}

export interface LoadOutcome {
  histogram: LatencyHistogram;
  /** Calls answered without error (each in the histogram). */
  completed: number;
  /** Calls answered with an error reply. */
  errors: number;
  elapsedMs: number;
  /** The first error: an error reply (the script failed) or a lost connection. */
  error?: unknown;
  /** True when the signal stopped the run before its end. */
  interrupted: boolean;
}

export interface LoadControl {
  signal?: AbortSignal;
  /** Called once, when the calls start, with the live state. */
  onStart?: (live: LiveRun) => void;
}

/** Runs the load on one connection and returns what was measured, also when stopped early. */
export async function runLoad(conn: RedisConnection, spec: LoadSpec, control: LoadControl = {}): Promise<LoadOutcome> {
  const state = new LoadState(conn, spec);
  const { signal } = control;
  if (signal?.aborted) return state.outcome(0, true);
  const onAbort = () => state.stop();
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = spec.durationMs !== undefined ? setTimeout(onAbort, spec.durationMs) : undefined;
  const started = performance.now();
  state.startedAt = Date.now();
  control.onStart?.(state);
  try {
    const workers: Promise<void>[] = [];
    for (let i = 0; i < spec.concurrency; i++) workers.push(state.worker());
    await Promise.all(workers);
  } finally {
    if (timer) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
  return state.outcome(performance.now() - started, signal?.aborted === true);
}

class LoadState implements LiveRun {
  startedAt = 0;
  completed = 0;
  errors = 0;
  readonly histogram = new LatencyHistogram();
  readonly requests?: number;
  readonly durationMs?: number;
  private issued = 0;
  private stopped = false;
  private error: unknown;

  constructor(
    private readonly conn: RedisConnection,
    private readonly spec: LoadSpec,
  ) {
    this.requests = spec.requests;
    this.durationMs = spec.durationMs;
  }

  stop(): void {
    this.stopped = true;
  }

  async worker(): Promise<void> {
    const { conn, histogram } = this;
    const { argv, pipeline } = this.spec;
    const limit = this.spec.requests ?? Infinity;
    const batch: Array<Promise<unknown>> = new Array(pipeline);
    while (!this.stopped) {
      const n = Math.min(pipeline, limit - this.issued);
      if (n <= 0) break;
      this.issued += n;
      const start = performance.now();
      if (n === 1) {
        try {
          await conn.send(argv(), NO_TIMEOUT);
        } catch (err) {
          this.fail(err);
          return;
        }
        histogram.record((performance.now() - start) * 1e6);
        this.completed++;
        continue;
      }
      for (let i = 0; i < n; i++) batch[i] = conn.send(argv(), NO_TIMEOUT);
      // Every call is awaited, also after a failure, so that no rejection goes unhandled.
      let ok = 0;
      for (let i = 0; i < n; i++) {
        try {
          await batch[i];
          ok++;
        } catch (err) {
          this.fail(err);
        }
      }
      // One clock read per batch: each call of a batch counts the batch's round trip, as in
      // redis-benchmark (the replies of a batch arrive together; a clock read per call would cost
      // more than the rest of the loop).
      if (ok > 0) histogram.recordMany((performance.now() - start) * 1e6, ok);
      this.completed += ok;
      if (ok < n) return;
    }
  }

  private fail(err: unknown): void {
    this.stopped = true;
    if (replyCode(err) !== undefined) this.errors++;
    // Keep the first error reply; a lost connection only when nothing better is known.
    if (this.error === undefined || (replyCode(this.error) === undefined && replyCode(err) !== undefined)) this.error = err;
  }

  outcome(elapsedMs: number, interrupted: boolean): LoadOutcome {
    return {
      histogram: this.histogram,
      completed: this.completed,
      errors: this.errors,
      elapsedMs,
      ...(this.error !== undefined ? { error: this.error } : {}),
      interrupted: interrupted && this.error === undefined,
    };
  }
}
