import type { RedisConnection } from './connection.js';
import {
  hasCommandStatsSection,
  parseCommandStats,
  parseLatencyHistogram,
  type ServerSnapshot,
} from '../redis/server-stats.js';

/**
 * The server's counters of one command now (`evalsha`, or `fcall`/`fcall_ro` for a function):
 * `INFO commandstats` and `LATENCY HISTOGRAM <command>`, sent together.
 * A refusal (ACL), an unknown subcommand (Redis < 7.0) or a server that is not Redis makes that part
 * unavailable instead of failing the bench: the bench then says which figures it fell back to.
 * @see https://redis.io/commands/info/
 * @see https://redis.io/commands/latency-histogram/
 */
export async function takeServerSnapshot(conn: RedisConnection, command = 'evalsha'): Promise<ServerSnapshot> {
  const [info, latency] = await Promise.allSettled([
    conn.send(['INFO', 'commandstats']),
    conn.send(['LATENCY', 'HISTOGRAM', command]),
  ]);
  const text = info.status === 'fulfilled' ? replyText(info.value) : undefined;
  const statsAvailable = text !== undefined && hasCommandStatsSection(text);
  return {
    statsAvailable,
    ...(statsAvailable ? { stats: parseCommandStats(text!, command) } : {}),
    latencyAvailable: latency.status === 'fulfilled',
    ...(latency.status === 'fulfilled' ? { latency: parseLatencyHistogram(latency.value, command) } : {}),
  };
}

function replyText(reply: unknown): string | undefined {
  if (typeof reply === 'string') return reply;
  if (Buffer.isBuffer(reply)) return reply.toString('utf8');
  return undefined;
}
