/**
 * The budget verdict: is the time a script blocks Redis per call under the budget?
 *
 * The figure held against the budget is the server-side p99. Redis gives it only as a power-of-two
 * bucket (between about 33.5 and 67.1 ms, say), too coarse on its own for a 50 ms budget. But every call's
 * server time is shorter than its round trip, so, when no other client ran EVALSHA meanwhile, the
 * client p99 is an upper bound too: at -c 1 it is the server time plus one round trip. So the p99 lies
 * in (bucket low, min(bucket high, client p99)], and the exact commandstats mean is a second check.
 */
import type { MsRange, ServerTime } from '../redis/server-stats.js';

export type Verdict = 'ok' | 'over' | 'unsure';
export type BudgetSource = 'server' | 'client';

export interface VerdictInput {
  budgetMs: number;
  /** Client-side p99 of the measured calls, in ms. */
  clientP99Ms: number;
  /** Client-side completed calls (for telling whether other clients shared the server). */
  clientCalls: number;
  server?: ServerTime;
}

export interface BudgetVerdict {
  verdict: Verdict;
  /** Which side the figure came from: the server's statistics, or the client's latency as a fallback. */
  source: BudgetSource;
  /** The figure held against the budget: the highest the server-side p99 can be (ms). */
  figureMs: number;
  /** The server p99 is known to lie in (lowMs, figureMs]. */
  lowMs: number;
  /** True when the server counted more EVALSHA calls than this bench made: another client ran some. */
  shared: boolean;
  /** Why the verdict is what it is, when it is not plain. */
  note?: string;
}

/** Judges one script's measurements against its budget. */
export function judge(input: VerdictInput): BudgetVerdict {
  const { budgetMs, clientP99Ms, server } = input;
  if (!server) {
    return plain(
      clientP99Ms > budgetMs ? 'over' : 'ok',
      'client',
      clientP99Ms,
      0,
      false,
      'the server gave no statistics (INFO commandstats): client-side latency used',
    );
  }
  const shared = server.calls > input.clientCalls;
  const p99: MsRange = server.p99 ?? { lowMs: 0, highMs: Infinity };
  // The client bound holds only when every EVALSHA the server counted was one of ours.
  const high = shared ? p99.highMs : Math.min(p99.highMs, clientP99Ms);
  const low = p99.lowMs;
  const notes: string[] = [];
  if (!server.p99)
    notes.push('no LATENCY HISTOGRAM (Redis < 7.0 or latency-tracking off): p99 bounded by the client side');
  if (shared)
    notes.push(`other clients ran EVALSHA meanwhile (${server.calls} server calls for ${input.clientCalls} of ours)`);
  let verdict: Verdict;
  if (server.meanMs > budgetMs) {
    verdict = 'over';
    notes.push(`server mean ${round(server.meanMs)} ms is over the budget`);
  } else if (low >= budgetMs) {
    verdict = 'over';
  } else if (high <= budgetMs) {
    verdict = 'ok';
  } else {
    verdict = 'unsure';
    notes.push(
      `server p99 lies between ${round(low)} and ${Number.isFinite(high) ? round(high) : '?'} ms, around the ${budgetMs} ms budget: rerun with -c 1 -P 1 for a tighter bound`,
    );
  }
  return plain(
    verdict,
    'server',
    Number.isFinite(high) ? high : clientP99Ms,
    low,
    shared,
    notes.length > 0 ? notes.join('; ') : undefined,
  );
}

function plain(
  verdict: Verdict,
  source: BudgetSource,
  figureMs: number,
  lowMs: number,
  shared: boolean,
  note?: string,
): BudgetVerdict {
  return { verdict, source, figureMs, lowMs, shared, ...(note ? { note } : {}) };
}

/** Two decimals (one from 10 ms), and two significant digits below 0.1 ms: a 4 µs mean is not "0.00". */
function round(ms: number): string {
  if (ms >= 10) return ms.toFixed(1);
  return ms >= 0.1 || ms === 0 ? ms.toFixed(2) : String(Number(ms.toPrecision(2)));
}
