import { describe, expect, it } from '@jest/globals';
import { useLuaHarness } from '../helpers/lua.js';

type Reply = [allowed: number, tokensLeft: number, retryAfterMs: number];

describe('lua/rate_limit_token_bucket', () => {
  const h = useLuaHarness();
  const T = 1_700_000_000_000; // the caller's clock, in ms: the tests move it by hand
  const take = (key: string, capacity: number, rate: number | string, now: number, requested = 1) =>
    h.run(
      'rate_limit_token_bucket',
      [key],
      [String(capacity), String(rate), String(requested), String(now)],
    ) as Promise<Reply>;

  it('allows exactly `capacity` requests at one instant, then refuses with the time to the next token', async () => {
    const replies: Reply[] = [];
    for (let i = 0; i < 5; i++) replies.push(await take('rl:user:1', 5, 1, T));
    expect(replies).toEqual([
      [1, 4, 0],
      [1, 3, 0],
      [1, 2, 0],
      [1, 1, 0],
      [1, 0, 0],
    ]);
    expect(await take('rl:user:1', 5, 1, T)).toEqual([0, 0, 1000]);
  });

  it('refills with the clock passed in ARGV: refused just before retry_after, allowed at it', async () => {
    for (let i = 0; i < 5; i++) await take('rl', 5, 1, T);
    expect(await take('rl', 5, 1, T + 999)).toEqual([0, 0, 1]);
    expect(await take('rl', 5, 1, T + 1000)).toEqual([1, 0, 0]);
    expect((await take('rl', 5, 1, T + 1000))[0]).toBe(0);
  });

  it('never refills past the capacity', async () => {
    for (let i = 0; i < 5; i++) await take('rl', 5, 1, T);
    const later = T + 3_600_000;
    const allowed: number[] = [];
    for (let i = 0; i < 6; i++) allowed.push((await take('rl', 5, 1, later))[0]);
    expect(allowed).toEqual([1, 1, 1, 1, 1, 0]);
  });

  it('gives a retry_after that is exact for several rates and request sizes', async () => {
    const cases: Array<[capacity: number, rate: string, requested: number]> = [
      [10, '4', 3],
      [7, '3', 7],
      [7, '0.3', 2],
      [20, '13.7', 5],
      [3, '0.5', 1],
    ];
    for (const [i, [capacity, rate, requested]] of cases.entries()) {
      const key = `rl:case:${i}`;
      // Drain to below `requested` at T.
      let reply = await take(key, capacity, rate, T, requested);
      while (reply[0] === 1) reply = await take(key, capacity, rate, T, requested);
      const wait = reply[2];
      expect(wait).toBeGreaterThan(0);
      if (wait > 1) expect((await take(key, capacity, rate, T + wait - 1, requested))[0]).toBe(0);
      expect((await take(key, capacity, rate, T + wait, requested))[0]).toBe(1);
    }
    // 0.5 token per second: one token takes 2 s.
    for (let i = 0; i < 3; i++) await take('rl:half', 3, '0.5', T);
    expect(await take('rl:half', 3, '0.5', T)).toEqual([0, 0, 2000]);
  });

  it('takes several tokens at once and refuses a request larger than what is left', async () => {
    expect(await take('rl', 10, 4, T, 7)).toEqual([1, 3, 0]);
    expect(await take('rl', 10, 4, T, 4)).toEqual([0, 3, 250]);
    expect(await take('rl', 10, 4, T + 250, 4)).toEqual([1, 0, 0]);
  });

  it('neither refills nor drains for a caller whose clock is behind the last call', async () => {
    for (let i = 0; i < 4; i++) await take('rl', 5, 1, T);
    expect(await take('rl', 5, 1, T - 60_000)).toEqual([1, 0, 0]);
    // Its wait counts from its own clock: the token comes 1 s after the last call, 61 s from its now.
    expect(await take('rl', 5, 1, T - 60_000)).toEqual([0, 0, 61_000]);
    expect(await take('rl', 5, 1, T + 1000)).toEqual([1, 0, 0]);
  });

  it('writes nothing when it refuses, so repeated refusals do not delay the refill', async () => {
    for (let i = 0; i < 5; i++) await take('rl', 5, 1, T);
    const before = await h.cmd('HGETALL', 'rl');
    for (let ms = 100; ms < 1000; ms += 100) expect((await take('rl', 5, 1, T + ms))[2]).toBe(1000 - ms);
    expect(await h.cmd('HGETALL', 'rl')).toEqual(before);
    expect(await take('rl', 5, 1, T + 1000)).toEqual([1, 0, 0]);
  });

  it('allows exactly `capacity` of 20 concurrent clients at one instant', async () => {
    const clients = await Promise.all(Array.from({ length: 20 }, () => h.connect()));
    const replies = (await Promise.all(
      clients.map((client) => h.run('rate_limit_token_bucket', ['rl:burst'], ['5', '1', '1', String(T)], { client })),
    )) as Reply[];
    expect(replies.filter(([allowed]) => allowed === 1)).toHaveLength(5);
    expect(replies.filter(([allowed]) => allowed === 0).every(([, , retry]) => retry === 1000)).toBe(true);
  });

  it('lets the key expire once the bucket would be full again', async () => {
    await take('rl', 5, 1, T); // 4 left: full again after 1 s
    const pttl = Number(await h.cmd('PTTL', 'rl'));
    expect(pttl).toBeGreaterThan(900);
    expect(pttl).toBeLessThanOrEqual(1000);
  });

  it('starts a bucket with a corrupt state full rather than failing', async () => {
    await h.cmd('HSET', 'rl', 'tokens', 'garbage');
    expect(await take('rl', 5, 1, T)).toEqual([1, 4, 0]);
  });

  it.each([
    [['0', '1', '1', String(T)], /^ERR ARGV\[1\] \(capacity\) must be an integer from 1 to 1000000000/],
    [['5', '0', '1', String(T)], /^ERR ARGV\[2\] \(refill_rate\) must be a number of tokens per second from 0.001/],
    [['5', 'fast', '1', String(T)], /^ERR ARGV\[2\] \(refill_rate\)/],
    [['5', '-1', '1', String(T)], /^ERR ARGV\[2\] \(refill_rate\)/],
    [['5', '1', '6', String(T)], /^ERR ARGV\[3\] \(requested\) must be an integer from 1 to 5/],
    [['5', '1', '0', String(T)], /^ERR ARGV\[3\] \(requested\)/],
    [['5', '1', '1', '1.7e12'], /^ERR ARGV\[4\] \(now_ms\) must be an integer/],
    [['5', '1', '1'], /^ERR wrong number of keys or arguments/],
  ])('refuses the arguments %j', async (args, message) => {
    expect(await h.runError('rate_limit_token_bucket', ['rl'], args)).toMatch(message);
    expect(await h.cmd('EXISTS', 'rl')).toBe(0);
  });
});
