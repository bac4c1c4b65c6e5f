import { connect, type RedisConnection, type Target } from './connection.js';

/** Runs `fn` with a connection and closes it afterwards, also on error. */
export async function withConnection<T>(target: Target, fn: (conn: RedisConnection) => Promise<T>): Promise<T> {
  const conn = await connect(target);
  try {
    return await fn(conn);
  } finally {
    await conn.close();
  }
}
