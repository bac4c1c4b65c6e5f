/**
 * The bench's hot loop: one worker per connection (`-c`, as redis-benchmark's clients), each with one
 * batch of `pipeline` calls in flight, until the request count or the duration is reached, an error reply arrives, or the run is stopped.
 * On one node the batches go pre-encoded (`LoadSpec.encode`), each sent from the callback of the
 * last: per batch one string (or one shared Buffer without `__rand_int__`), two clock reads and one
 * histogram increment; no promise, timer or closure per call. Elsewhere (a cluster's routed
 * connection) each call is one argv and one promise from `send`.
 */
import type { Arg, RedisConnection, SendOptions } from '../server/connection.js';
import { replyCode } from '../server/failures.js';
import { LatencyHistogram } from './histogram.js';

/** No per-request deadline in the hot loop: a timer per call costs more than the call. */
const NO_TIMEOUT: SendOptions = Object.freeze({ timeoutMs: 0 });

export interface LoadSpec {
  /** Makes the argv of one call (`EVALSHA sha numkeys keys... args...`). */
  argv: () => Arg[];
  /**
   * The same calls encoded as RESP, `n` of them in one piece: used on a connection that takes
   * encoded batches (one node), where it saves a promise and an encoding per call.
   */
  encode?: (n: number) => Arg;
  /** Total calls, and/or a time limit: the run stops at the first one reached. */
  requests?: number;
  durationMs?: number;
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

export interface RunOutcome {
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

/**
 * Runs the load, one worker per connection of `conns`, and returns what was measured, also when
 * stopped early.
 */
export async function runLoad(
  conns: readonly RedisConnection[],
  spec: LoadSpec,
  control: LoadControl = {},
): Promise<RunOutcome> {
  const state = new LoadState(spec);
  const { signal } = control;
  if (signal?.aborted) return state.outcome(0, true);
  const onAbort = () => state.stop();
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = spec.durationMs !== undefined ? setTimeout(onAbort, spec.durationMs) : undefined;
  const started = performance.now();
  state.startedAt = Date.now();
  control.onStart?.(state);
  try {
    const { encode } = spec;
    await Promise.all(
      conns.map((conn) =>
        encode && conn.sendEncoded ? state.encodedWorker(conn.sendEncoded.bind(conn), encode) : state.worker(conn),
      ),
    );
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

  constructor(private readonly spec: LoadSpec) {
    this.requests = spec.requests;
    this.durationMs = spec.durationMs;
  }

  stop(): void {
    this.stopped = true;
  }

  async worker(conn: RedisConnection): Promise<void> {
    const { histogram } = this;
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

  /**
   * The worker of a connection that takes encoded batches: it sends its next batch from the callback
   * of the last one, with no promise or microtask between a reply and the next call.
   */
  encodedWorker(sendEncoded: NonNullable<RedisConnection['sendEncoded']>, encode: (n: number) => Arg): Promise<void> {
    const { histogram } = this;
    const { pipeline } = this.spec;
    const limit = this.spec.requests ?? Infinity;
    return new Promise((finish) => {
      let start = 0;
      let sent = 0;
      const done = (ok: number, errorReplies: number, first: Error | undefined) => {
        if (ok > 0) {
          histogram.recordMany((performance.now() - start) * 1e6, ok);
          this.completed += ok;
        }
        if (ok < sent) {
          this.errors += errorReplies;
          this.failWith(first);
          finish();
          return;
        }
        next();
      };
      const next = () => {
        sent = this.stopped ? 0 : Math.min(pipeline, limit - this.issued);
        if (sent <= 0) {
          finish();
          return;
        }
        this.issued += sent;
        start = performance.now();
        sendEncoded(encode(sent), sent, done);
      };
      next();
    });
  }

  /** A batch's failure: `first` is its first error (an error reply, else the connection's). */
  private failWith(first: unknown): void {
    this.stopped = true;
    if (this.error === undefined || (replyCode(this.error) === undefined && replyCode(first) !== undefined))
      this.error = first;
  }

  private fail(err: unknown): void {
    this.stopped = true;
    if (replyCode(err) !== undefined) this.errors++;
    // Keep the first error reply; a lost connection only when nothing better is known.
    if (this.error === undefined || (replyCode(this.error) === undefined && replyCode(err) !== undefined))
      this.error = err;
  }

  outcome(elapsedMs: number, interrupted: boolean): RunOutcome {
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
