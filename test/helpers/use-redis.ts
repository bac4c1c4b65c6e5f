/**
 * jest hooks around the test servers: kept apart from redis-server.ts, which the benchmarks under
 * bench/ import outside jest (where @jest/globals refuses to load).
 */
import { afterAll, beforeAll } from '@jest/globals';
import { startRedis, type TestServer } from './redis-server.js';

/**
 * The server of one test file (or describe block): started before its tests, stopped after them.
 * `extra` as for startRedis. The object it returns reads the started server.
 */
export function useRedis(extra: string[] = []): TestServer {
  let started: TestServer | undefined;
  beforeAll(async () => {
    started = await startRedis(extra);
  });
  afterAll(async () => {
    await started?.stop();
  });
  const server = (): TestServer => {
    if (!started) throw new Error('the test server is used before its beforeAll started it');
    return started;
  };
  return {
    get port() {
      return server().port;
    },
    get url() {
      return server().url;
    },
    get dir() {
      return server().dir;
    },
    get process() {
      return server().process;
    },
    cli: (...args) => server().cli(...args),
    stop: () => server().stop(),
  };
}
