/**
 * Script verbs on one connection: one SCRIPT EXISTS for any number of SHAs, SCRIPT LOADs written
 * together (auto-pipelined) under one deadline, EVALSHA, SCRIPT FLUSH and SCRIPT/FUNCTION KILL.
 */
import { CheckFailedError, ConnectionError } from '../errors.js';
import { withDeadline, type Arg, type RedisConnection } from './connection.js';
import { replyCode } from './failures.js';
import { noScriptShow } from './identity.js';
import { locateScriptError } from '../redis/script-errors.js';
import { lineMapper } from '../registry/include.js';
import type { LocalScript } from '../registry/script.js';

/**
 * Which SHAs the server has, in one round trip.
 * @see https://redis.io/commands/script-exists/
 */
export async function scriptExists(conn: RedisConnection, shas: string[]): Promise<boolean[]> {
  if (shas.length === 0) return [];
  const reply = (await conn.send(['SCRIPT', 'EXISTS', ...shas])) as number[];
  return reply.map((v) => Number(v) === 1);
}

export interface ScriptLoadReply {
  sha?: string;
  /** The server's error reply (a compile error, an invalid shebang flag). */
  error?: string;
}

/**
 * What went wrong with one script's SCRIPT LOAD, as the lines to print (`file:line: message`, then
 * that line of the source), or undefined when the server holds it under the file's SHA1.
 */
export function loadFailure(script: LocalScript, reply: ScriptLoadReply): string[] | undefined {
  if (reply.error !== undefined) {
    const located = locateScriptError(reply.error, script.path, script.bytes, lineMapper(script.map));
    return [located.text, ...(located.source ? [located.source] : [])];
  }
  if (reply.sha !== script.sha)
    return [`${script.path}: the server hashed it to ${reply.sha}, the local SHA1 is ${script.sha}`];
  return undefined;
}

/**
 * SCRIPT LOAD for every body, pipelined: all written in the same tick, one deadline for the batch.
 * SCRIPT LOAD, not EVAL: EVAL-created scripts can be evicted (7.4+), loaded ones cannot.
 * @see https://redis.io/commands/script-load/
 */
export async function scriptLoadMany(
  conn: RedisConnection,
  bodies: Buffer[],
  timeoutMs: number,
): Promise<ScriptLoadReply[]> {
  return sendBatch(conn, loadEach(conn, bodies), timeoutMs, `SCRIPT LOAD of ${bodies.length} script(s)`);
}

/** SCRIPT LOADs written to the socket, whose replies are not awaited yet (`sendScriptLoads`). */
export interface SentScriptLoads {
  /** The replies, under one deadline that starts now. */
  replies(timeoutMs: number): Promise<ScriptLoadReply[]>;
}

/**
 * `scriptLoadMany` in two steps: resolves once the loads are written (what the socket takes at once),
 * and the deadline starts only when the caller asks for the replies. What the caller does in between
 * runs while the server compiles (load writes its lint cache), and is not counted as the server's silence.
 */
export async function sendScriptLoads(conn: RedisConnection, bodies: Buffer[]): Promise<SentScriptLoads> {
  const pending = loadEach(conn, bodies);
  for (const p of pending) p.catch(() => undefined); // sendBatch takes them over in replies()
  // The connection writes what was queued on the next tick (resp-client.ts): setImmediate comes after.
  await new Promise((resolve) => setImmediate(resolve));
  return {
    replies: (timeoutMs) => sendBatch(conn, pending, timeoutMs, `SCRIPT LOAD of ${bodies.length} script(s)`),
  };
}

/** One SCRIPT LOAD per body, sent now with no deadline of its own; an error reply is a result, not a failure. */
function loadEach(conn: RedisConnection, bodies: Buffer[]): Promise<ScriptLoadReply>[] {
  return bodies.map((body) =>
    conn.send(['SCRIPT', 'LOAD', body], { timeoutMs: 0 }).then(
      (sha): ScriptLoadReply => ({ sha: String(sha) }),
      (err: unknown): ScriptLoadReply => {
        if (replyCode(err) !== undefined) return { error: (err as Error).message };
        throw err;
      },
    ),
  );
}

/** Waits for a batch under one deadline; the first connection failure fails the batch. */
export async function sendBatch<T>(
  conn: RedisConnection,
  pending: Promise<T>[],
  timeoutMs: number,
  what: string,
): Promise<T[]> {
  const all = Promise.all(pending);
  // Don't let the other rejections of a failed batch surface as unhandled.
  for (const p of pending) p.catch(() => undefined);
  return withDeadline(all, timeoutMs, () => {
    void conn.close();
    return new ConnectionError(
      `${conn.label}: no answer to ${what} within ${timeoutMs} ms (change the limit with --timeout)`,
    );
  });
}

export interface EvalResult {
  reply: unknown;
  /** Round trip of the call that answered, in ms. */
  rttMs: number;
  /** True when the server lacked the script and it was loaded, then run again. */
  reloaded: boolean;
}

/**
 * EVALSHA (or EVALSHA_RO); on NOSCRIPT, SCRIPT LOAD of `body` and one retry.
 * @see https://redis.io/commands/evalsha/
 */
export async function evalSha(
  conn: RedisConnection,
  sha: string,
  keys: Arg[],
  args: Arg[],
  options: { readOnly?: boolean; body?: Buffer; raw?: boolean } = {},
): Promise<EvalResult> {
  const command: Arg[] = [options.readOnly ? 'EVALSHA_RO' : 'EVALSHA', sha, String(keys.length), ...keys, ...args];
  const timed = async () => {
    const start = process.hrtime.bigint();
    const reply = await conn.send(command, { raw: options.raw });
    return { reply, rttMs: Number(process.hrtime.bigint() - start) / 1e6 };
  };
  try {
    return { ...(await timed()), reloaded: false };
  } catch (err) {
    if (replyCode(err) !== 'NOSCRIPT' || !options.body) throw err;
  }
  const loaded = String(await conn.send(['SCRIPT', 'LOAD', options.body]));
  if (loaded !== sha) {
    throw new ConnectionError(`${conn.label}: SCRIPT LOAD returned sha ${loaded}, expected ${sha}`);
  }
  return { ...(await timed()), reloaded: true };
}

/**
 * Empties one node's script cache.
 * @see https://redis.io/commands/script-flush/
 */
export async function scriptFlush(conn: RedisConnection, mode?: 'ASYNC' | 'SYNC'): Promise<void> {
  await conn.send(['SCRIPT', 'FLUSH', ...(mode ? [mode] : [])]);
}

export type KillOutcome = 'killed script' | 'killed function' | 'nothing running';

/**
 * SCRIPT KILL on one node, with each of the server's answers turned into an outcome or an error.
 * @see https://redis.io/commands/script-kill/
 */
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

/**
 * The node's `evicted_scripts` (INFO stats): how many EVAL-added scripts Redis 7.4+ and Valkey 8+
 * dropped from the cache (at most 500 such scripts are kept, least recently used first). 0 on a
 * server without the field, or for a user without the ACL permission for INFO (a runner may have
 * only +evalsha and +script|exists): a count that cannot be read is not a reason to fail a check.
 * Sent beside the check's own command, which reports a lost or busy server as it would alone.
 * @see https://redis.io/docs/latest/develop/interact/programmability/eval-intro/#script-cache
 */
export async function evictedScripts(conn: RedisConnection): Promise<number> {
  let reply: unknown;
  try {
    reply = await conn.send(['INFO', 'stats']);
  } catch {
    return 0;
  }
  const m = /(?:^|\n)evicted_scripts:(\d+)/.exec(String(reply));
  return m ? Number(m[1]) : 0;
}

/**
 * The source of a cached script (`SCRIPT SHOW <sha>`, Valkey 8.0+), or undefined when the server
 * lacks the script or the command, or the user the ACL permission for it (+script|show).
 * @see https://valkey.io/commands/script-show/
 */
export async function scriptShow(conn: RedisConnection, sha: string): Promise<Buffer | undefined> {
  try {
    const reply = await conn.send(['SCRIPT', 'SHOW', sha], { raw: true });
    return Buffer.isBuffer(reply) ? reply : Buffer.from(String(reply));
  } catch (err) {
    if (replyCode(err) !== undefined || (err instanceof ConnectionError && err.message.includes('permission denied')))
      return undefined;
    throw err;
  }
}

/**
 * The server's copy of a script against the local text: `same`, `differs` (with the server's
 * source), `not cached`, or `unavailable` with the reason (no SCRIPT SHOW there, or no local text to
 * compare with: the server's source is given then).
 */
export interface ServerCopy {
  status: 'same' | 'differs' | 'not cached' | 'unavailable';
  /** The SHA asked for. */
  sha: string;
  /** The server's source, when it differs from the local text or there is none. */
  source?: string;
  reason?: string;
}

/**
 * Reads the copy of `sha` the node holds (SCRIPT SHOW) and compares it with `local`, the text
 * rscript load sent (fragments spliced in); `local` undefined: no file to compare with.
 * @see https://valkey.io/commands/script-show/
 */
export async function serverCopyOf(conn: RedisConnection, sha: string, local: Buffer | undefined): Promise<ServerCopy> {
  const missing = noScriptShow(conn.server);
  if (missing) return { status: 'unavailable', sha, reason: missing };
  const source = await scriptShow(conn, sha);
  if (source === undefined)
    return { status: 'not cached', sha, reason: `the server does not have sha ${sha.slice(0, 12)}` };
  if (local === undefined)
    return { status: 'unavailable', sha, source: source.toString('utf8'), reason: 'no local file to compare with' };
  return local.equals(source) ? { status: 'same', sha } : { status: 'differs', sha, source: source.toString('utf8') };
}
