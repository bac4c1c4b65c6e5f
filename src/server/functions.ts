/**
 * Redis Functions verbs on one connection. Functions are data (saved in RDB/AOF, replicated), so
 * unlike the script cache they are written on primaries only; replicas receive them.
 */
import type { Arg, RedisConnection } from './connection.js';
import { replyCode } from './failures.js';
import { asRecord } from './cluster-nodes.js';
import { sha1hex } from '../registry/script.js';

/** One library as a node holds it. */
export interface ServerLibrary {
  name: string;
  /** SHA1 of `library_code`: compared with the local file's. */
  sha: string;
  functions: Array<{ name: string; flags: string[] }>;
}

/**
 * Every library of a node with its code's SHA1 (the code itself is not kept).
 * @see https://redis.io/commands/function-list/
 */
export async function functionList(conn: RedisConnection): Promise<Map<string, ServerLibrary>> {
  const reply = (await conn.send(['FUNCTION', 'LIST', 'WITHCODE'], { raw: true })) as unknown[];
  const out = new Map<string, ServerLibrary>();
  for (const item of reply ?? []) {
    const lib = record(item);
    const name = text(lib.library_name);
    const code = lib.library_code;
    const functions = ((lib.functions as unknown[]) ?? []).map((f) => {
      const fn = record(f);
      const flags = fn.flags instanceof Set ? [...fn.flags] : ((fn.flags as unknown[]) ?? []);
      return { name: text(fn.name), flags: flags.map(text) };
    });
    out.set(name, { name, sha: sha1hex(Buffer.isBuffer(code) ? code : Buffer.from(String(code ?? ''))), functions });
  }
  return out;
}

/**
 * FUNCTION LOAD [REPLACE]: the server's error reply text on failure, undefined on success.
 * @see https://redis.io/commands/function-load/
 */
export async function functionLoad(conn: RedisConnection, code: Buffer, replace: boolean): Promise<string | undefined> {
  try {
    await conn.send(['FUNCTION', 'LOAD', ...(replace ? ['REPLACE'] : []), code]);
    return undefined;
  } catch (err) {
    if (replyCode(err) !== undefined) return (err as Error).message;
    throw err;
  }
}

/**
 * The node's libraries as one binary payload, for FUNCTION RESTORE.
 * @see https://redis.io/commands/function-dump/
 */
export async function functionDump(conn: RedisConnection): Promise<Buffer> {
  const reply = await conn.send(['FUNCTION', 'DUMP'], { raw: true });
  return Buffer.isBuffer(reply) ? reply : Buffer.from(String(reply), 'binary');
}

export type RestorePolicy = 'APPEND' | 'REPLACE' | 'FLUSH';

/** @see https://redis.io/commands/function-restore/ */
export async function functionRestore(conn: RedisConnection, payload: Buffer, policy: RestorePolicy): Promise<void> {
  await conn.send(['FUNCTION', 'RESTORE', payload, policy]);
}

/** @see https://redis.io/commands/function-flush/ */
export async function functionFlush(conn: RedisConnection, mode?: 'ASYNC' | 'SYNC'): Promise<void> {
  await conn.send(['FUNCTION', 'FLUSH', ...(mode ? [mode] : [])]);
}

/**
 * FCALL (or FCALL_RO), timed.
 * @see https://redis.io/commands/fcall/
 */
export async function fcall(
  conn: RedisConnection,
  name: string,
  keys: Arg[],
  args: Arg[],
  options: { readOnly?: boolean; raw?: boolean } = {},
): Promise<{ reply: unknown; rttMs: number }> {
  const start = process.hrtime.bigint();
  const reply = await conn.send(
    [options.readOnly ? 'FCALL_RO' : 'FCALL', name, String(keys.length), ...keys, ...args],
    { raw: options.raw },
  );
  return { reply, rttMs: Number(process.hrtime.bigint() - start) / 1e6 };
}

function record(value: unknown): Record<string, unknown> {
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[text(k)] = v;
    return out;
  }
  if (Array.isArray(value)) {
    // RESP2 flat key/value list.
    const out: Record<string, unknown> = {};
    for (let i = 0; i + 1 < value.length; i += 2) out[text(value[i])] = value[i + 1];
    return out;
  }
  return asRecord(value);
}

function text(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}
