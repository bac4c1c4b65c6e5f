import type { Target } from '../server/connection.js';
import { withConnection } from '../server/session.js';

export interface FlushOptions {
  mode?: 'ASYNC' | 'SYNC';
  target: Target;
}

export interface FlushResult {
  flushed: true;
  mode: 'ASYNC' | 'SYNC' | 'default';
  server: string;
}

/**
 * Empties the server's script cache. Confirmation is the caller's business (the CLI asks).
 * @see https://redis.io/commands/script-flush/
 */
export async function flush(options: FlushOptions): Promise<FlushResult> {
  return withConnection(options.target, async (conn) => {
    await conn.send(['SCRIPT', 'FLUSH', ...(options.mode ? [options.mode] : [])]);
    return { flushed: true, mode: options.mode ?? 'default', server: conn.label };
  });
}
