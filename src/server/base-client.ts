/**
 * The only module that imports node-redis's code. connection.ts loads it on the first connect, so a
 * command that never talks to Redis never loads the client (some 480 modules).
 *
 * `new RedisClient()`, not `createClient()`: createClient builds, for every options object, a subclass
 * whose prototype gets some 800 typed command methods (40-50 ms of a CLI run, measured on 6.3.1).
 * rscript sends every command through `sendCommand`, which the base class has. RedisClient is exported
 * by @redis/client but documented less than createClient, so the dependency is pinned to one version.
 */
import { RedisClient, type RedisClientOptions } from '@redis/client';

/** A RESP3 client with no typed command methods: connect, sendCommand, destroy, events. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no modules, functions, scripts or type mapping
export type BaseClient = RedisClient<{}, {}, {}, 3, {}>;

/** A client for one node; nothing is sent before `connect()`. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- see BaseClient
export function createBaseClient(options: RedisClientOptions<{}, {}, {}, 3, {}>): BaseClient {
  return new RedisClient(options);
}
