import { CheckFailedError } from '../errors.js';
import { replyCode, type RedisConnection, type Target } from '../server/connection.js';
import { withConnection } from '../server/session.js';

export interface KillOptions {
  target: Target;
}

export type KillOutcome = 'killed script' | 'killed function' | 'nothing running';

export interface KillResult {
  outcome: KillOutcome;
  server: string;
}

/**
 * Stops a running script with SCRIPT KILL, sent on a connection of its own (the busy server still
 * answers it). A running FUNCTION is stopped with FUNCTION KILL instead.
 * @see https://redis.io/commands/script-kill/
 */
export async function kill(options: KillOptions): Promise<KillResult> {
  return withConnection(options.target, async (conn) => ({ outcome: await killOn(conn), server: conn.label }));
}

/** SCRIPT KILL on one node, with each of the server's answers turned into an outcome or an error. */
export async function killOn(conn: RedisConnection): Promise<KillOutcome> {
  try {
    await conn.send(['SCRIPT', 'KILL']);
    return 'killed script';
  } catch (err) {
    const code = replyCode(err);
    if (code === 'NOTBUSY') return 'nothing running';
    if (code === 'UNKILLABLE') {
      throw new CheckFailedError(`${conn.label}: the running script has already written data and cannot be killed`, [
        'Stopping it without breaking atomicity takes SHUTDOWN NOSAVE, which stops the server and loses',
        'unsaved writes; rscript will not do that for you. Wait for the script to finish, or decide to run it yourself.',
      ]);
    }
    if (code === 'BUSY' && /FUNCTION KILL/i.test((err as Error).message)) {
      await conn.send(['FUNCTION', 'KILL']);
      return 'killed function';
    }
    throw err;
  }
}
