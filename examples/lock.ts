/**
 * A distributed lock on lua/lock_acquire.lua and lua/lock_release.lua: acquire with a timeout,
 * release by the owner only, and a withLock helper.
 * Run: npx tsx examples/lock.ts
 */
import { randomUUID } from 'node:crypto';
import type { RedisClientType } from '@redis/client';
import type { Scripts } from 'rscript';
import { isMain, loadScripts, runExample } from './shared.js';

export class LockTimeoutError extends Error {}

export class DistributedLock {
  readonly token = randomUUID();

  constructor(
    private readonly client: RedisClientType,
    private readonly scripts: Scripts,
    readonly key: string,
    private readonly ttlMs = 10_000,
  ) {}

  /** Tries once; true when this owner holds the lock. */
  async tryAcquire(): Promise<boolean> {
    const [held] = (await this.scripts.run(this.client, 'lock_acquire', {
      keys: [this.key],
      args: [this.token, this.ttlMs],
    })) as [number, number];
    return held === 1;
  }

  /** Retries until `timeoutMs` has passed, with a short jittered pause between tries. */
  async acquire(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.tryAcquire())) {
      if (Date.now() >= deadline) throw new LockTimeoutError(`${this.key}: not acquired within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 30));
    }
  }

  /** Releases the lock if this owner still holds it; false when it expired or another owner has it. */
  async release(): Promise<boolean> {
    return (await this.scripts.run(this.client, 'lock_release', { keys: [this.key], args: [this.token] })) === 1;
  }
}

/** Runs `fn` while holding `key`, and releases the lock afterwards, also when `fn` throws. */
export async function withLock<T>(
  client: RedisClientType,
  scripts: Scripts,
  key: string,
  fn: () => Promise<T>,
  timeoutMs = 5_000,
): Promise<T> {
  const lock = new DistributedLock(client, scripts, key);
  await lock.acquire(timeoutMs);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

/** Five workers increment a plain (non-atomic) counter under the lock: no update is lost. */
export async function main(client: RedisClientType, log: (line: string) => void = console.log) {
  const scripts = loadScripts();
  const key = `lock:example:${process.pid}`;
  const counter = `counter:example:${process.pid}`;
  await client.sendCommand(['SET', counter, '0']);
  const worker = async (n: number) => {
    for (let i = 0; i < 5; i++) {
      await withLock(client, scripts, key, async () => {
        const value = Number(await client.sendCommand(['GET', counter]));
        await new Promise((r) => setTimeout(r, 2));
        await client.sendCommand(['SET', counter, String(value + 1)]);
      });
    }
    log(`worker ${n} done`);
  };
  await Promise.all([1, 2, 3, 4, 5].map(worker));
  const total = Number(await client.sendCommand(['GET', counter]));
  log(`counter = ${total} (expected 25)`);
  const other = new DistributedLock(client, scripts, key);
  const mine = new DistributedLock(client, scripts, key);
  await mine.acquire();
  const stolen = await other.release();
  log(`release by a non-owner: ${stolen ? 'released (wrong!)' : 'refused'}`);
  await mine.release();
  await client.sendCommand(['DEL', counter]);
  return { total, stolen };
}

if (isMain(import.meta.url)) await runExample(main);
