/**
 * The guide's TokenBucketRateLimiter, on lua/rate_limit_token_bucket.lua.
 * Run: npx tsx examples/rate-limiter.ts
 */
import type { RedisClientType } from '@redis/client';
import { rateLimitTokenBucket } from './scripts.gen.js';
import { isMain, runExample } from './shared.js';

export interface Decision {
  allowed: boolean;
  tokensLeft: number;
  retryAfterMs: number;
}

export class TokenBucketRateLimiter {
  constructor(
    private readonly client: RedisClientType,
    private readonly capacity = 100,
    private readonly refillPerSecond = 10,
  ) {}

  /** Takes `requested` tokens for `id` if the bucket has them. */
  async allow(id: string, requested = 1, nowMs = Date.now()): Promise<Decision> {
    // Typed from the script's header by `rscript gen ts` (examples/scripts.gen.ts): named keys and
    // args, a [allowed, tokensLeft, retryAfterMs] tuple back.
    const [allowed, tokensLeft, retryAfterMs] = await rateLimitTokenBucket(this.client, {
      keys: { bucket: `ratelimit:${id}` },
      args: { capacity: this.capacity, refillRate: this.refillPerSecond, tokens: requested, callersClock: nowMs },
    });
    return { allowed: allowed === 1, tokensLeft, retryAfterMs };
  }

  /** The bucket's tokens now, without taking any (the guide's get_status), read on the client side. */
  async status(id: string, nowMs = Date.now()): Promise<{ tokens: number; capacity: number; refillPerSecond: number }> {
    const [tokens, ts] = (await this.client.sendCommand(['HMGET', `ratelimit:${id}`, 'tokens', 'ts'])) as Array<
      string | null
    >;
    if (tokens === null || ts === null)
      return { tokens: this.capacity, capacity: this.capacity, refillPerSecond: this.refillPerSecond };
    const refilled = Number(tokens) + (Math.max(0, nowMs - Number(ts)) / 1000) * this.refillPerSecond;
    return {
      tokens: Math.floor(Math.min(this.capacity, refilled)),
      capacity: this.capacity,
      refillPerSecond: this.refillPerSecond,
    };
  }
}

/** Sends 12 requests at one instant to a bucket of 10, then asks again after the refill. */
export async function main(client: RedisClientType, log: (line: string) => void = console.log) {
  const limiter = new TokenBucketRateLimiter(client, 10, 5);
  const user = `example:${process.pid}`;
  const now = Date.now();
  const decisions: Decision[] = [];
  for (let i = 1; i <= 12; i++) {
    const d = await limiter.allow(user, 1, now);
    decisions.push(d);
    log(
      `request ${i}: ${d.allowed ? 'allowed' : `refused, retry in ${d.retryAfterMs} ms`} (${d.tokensLeft} ${d.tokensLeft === 1 ? 'token' : 'tokens'} left)`,
    );
  }
  const later = await limiter.allow(user, 1, now + 1000);
  log(
    `one second later: ${later.allowed ? 'allowed' : 'refused'} (${later.tokensLeft} ${later.tokensLeft === 1 ? 'token' : 'tokens'} left)`,
  );
  const status = await limiter.status(user, now + 1000);
  log(`status: ${status.tokens}/${status.capacity} tokens`);
  await client.sendCommand(['DEL', `ratelimit:${user}`]);
  return { decisions, later, status };
}

if (isMain(import.meta.url)) await runExample(main);
