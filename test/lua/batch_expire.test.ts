import { describe, expect, it } from '@jest/globals';
import { useLuaHarness } from '../helpers/lua.js';

describe('lua/batch_expire', () => {
  const h = useLuaHarness();

  const fill = async (prefix: string, count: number) => {
    for (let start = 0; start < count; start += 1000) {
      const pairs: string[] = [];
      for (let i = start; i < Math.min(count, start + 1000); i++) pairs.push(`${prefix}${i}`, 'v');
      await h.cmd('MSET', ...pairs);
    }
  };
  const expire = (pattern: string, ttl: string, cursor: string, maxKeys: string) =>
    h.run('batch_expire', [], [pattern, ttl, cursor, maxKeys]) as Promise<[string, number]>;
  /** Calls the script until the scan is complete; returns the total and the number of calls. */
  const expireAll = async (pattern: string, ttl: string, maxKeys: string) => {
    let cursor = '0';
    let total = 0;
    let calls = 0;
    do {
      const [next, expired] = await expire(pattern, ttl, cursor, maxKeys);
      cursor = next;
      total += expired;
      calls++;
    } while (cursor !== '0' && calls < 1000);
    return { total, calls, cursor };
  };
  const ttlsOf = async (prefix: string, count: number) =>
    Promise.all(Array.from({ length: count }, (_, i) => h.cmd('TTL', `${prefix}${i}`) as Promise<number>));

  it('sets the TTL on every matching key and on no other key', async () => {
    await fill('session:', 300);
    await fill('user:', 100);
    const { total, cursor } = await expireAll('session:*', '3600', '10000');
    expect(cursor).toBe('0');
    expect(total).toBe(300);
    for (const ttl of await ttlsOf('session:', 300)) {
      expect(ttl).toBeGreaterThan(3500);
      expect(ttl).toBeLessThanOrEqual(3600);
    }
    expect(new Set(await ttlsOf('user:', 100))).toEqual(new Set([-1]));
  });

  it('stops at its cap and hands back a cursor that resumes without missing a key', async () => {
    await fill('session:', 300);
    await fill('user:', 300);
    const [cursor, expired] = await expire('session:*', '600', '0', '50');
    expect(cursor).not.toBe('0');
    expect(expired).toBeGreaterThanOrEqual(1);
    // The cap is checked between SCAN steps, which return whole hash buckets: a few over at most.
    expect(expired).toBeLessThanOrEqual(55);
    const withTtl = (await ttlsOf('session:', 300)).filter((t) => t > 0).length;
    expect(withTtl).toBe(expired);

    let next = cursor;
    let total = expired;
    for (let calls = 0; next !== '0' && calls < 100; calls++) {
      const [c, n] = await expire('session:*', '600', next, '50');
      expect(n).toBeLessThanOrEqual(55);
      next = c;
      total += n;
    }
    expect(next).toBe('0');
    expect((await ttlsOf('session:', 300)).every((t) => t > 0)).toBe(true);
    expect(total).toBeGreaterThanOrEqual(300); // SCAN may return a key twice across calls, never skip one
    expect(new Set(await ttlsOf('user:', 300))).toEqual(new Set([-1]));
  });

  it('bounds the work of one call even when almost nothing matches', async () => {
    await fill('other:', 30000);
    await h.cmd('SET', 'session:1', 'v');
    const [cursor] = await expire('session:*', '60', '0', '10000');
    // 100 SCAN steps of COUNT 100 cannot cover 30000 keys: the call returned early with a cursor.
    expect(cursor).not.toBe('0');
    const { cursor: end } = await expireAll('session:*', '60', '10000');
    expect(end).toBe('0');
    expect(await h.cmd('TTL', 'session:1')).toBeGreaterThan(0);
  });

  it('treats the pattern as a pattern, not a key (the guide passed it in KEYS)', async () => {
    await h.cmd('SET', 'a1', 'v');
    await h.cmd('SET', 'a?', 'v');
    expect((await expireAll('a?', '60', '100')).total).toBe(2);
    expect(await h.runError('batch_expire', ['a*'], ['a*', '60', '0', '10'])).toMatch(
      /^ERR wrong number of keys or arguments: expected 0 keys/,
    );
  });

  it.each([
    [['', '60', '0', '10'], /^ERR ARGV\[1\] \(pattern\) must not be empty/],
    [['s:*', '0', '0', '10'], /^ERR ARGV\[2\] \(ttl\) must be an integer from 1 to 2147483647/],
    [['s:*', '-1', '0', '10'], /^ERR ARGV\[2\] \(ttl\)/],
    [['s:*', '60', 'start', '10'], /^ERR ARGV\[3\] \(cursor\) must be 0 or a cursor returned by a previous call/],
    [['s:*', '60', '0', '0'], /^ERR ARGV\[4\] \(max_keys\) must be an integer from 1 to 10000/],
    [['s:*', '60', '0', '10001'], /^ERR ARGV\[4\] \(max_keys\)/],
    [['s:*', '60', '0'], /^ERR wrong number of keys or arguments/],
  ])('refuses the arguments %j', async (args, message) => {
    await h.cmd('SET', 's:1', 'v');
    expect(await h.runError('batch_expire', [], args)).toMatch(message);
    expect(await h.cmd('TTL', 's:1')).toBe(-1);
  });
});
