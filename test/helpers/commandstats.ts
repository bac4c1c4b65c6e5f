/** Reads a server's `INFO commandstats` counters, to prove which commands a run sent (and how many). */
import type { TestServer } from './redis-server.js';

/**
 * The `calls` count of one command (`script|load`, `evalsha`), 0 when it was never called.
 * Parsed tolerantly: newer servers append fields.
 */
export function commandCalls(server: TestServer, command: string): number {
  const info = server.cli('INFO', 'commandstats');
  const line = info.split(/\r?\n/).find((l) => l.startsWith(`cmdstat_${command}:`));
  if (!line) return 0;
  const calls = /(?:^|[:,])calls=(\d+)/.exec(line.slice(line.indexOf(':')));
  return calls ? Number(calls[1]) : 0;
}
