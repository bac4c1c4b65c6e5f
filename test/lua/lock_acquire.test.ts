import { describe, expect, it } from '@jest/globals';
import { useLuaHarness } from '../helpers/lua.js';

describe('lua/lock_acquire', () => {
  const h = useLuaHarness();

  it('gives the lock to exactly one of 10 concurrent contenders', async () => {
    const clients = await Promise.all(Array.from({ length: 10 }, () => h.connect()));
    const replies = (await Promise.all(
      clients.map((client, i) => h.run('lock_acquire', ['lock:report'], [`token-${i}`, '10000'], { client })),
    )) as Array<[number, number]>;
    const winners = replies.flatMap(([won], i) => (won === 1 ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(await h.cmd('GET', 'lock:report')).toBe(`token-${winners[0]}`);
    for (const [won, ttl] of replies) {
      if (won === 1) expect(ttl).toBe(10000);
      else {
        expect(ttl).toBeGreaterThan(9000);
        expect(ttl).toBeLessThanOrEqual(10000);
      }
    }
  });

  it("never tells a contender the holder's token (it would let them release the lock)", async () => {
    await h.run('lock_acquire', ['lock:a'], ['secret-owner-token', '10000']);
    const reply = await h.run('lock_acquire', ['lock:a'], ['other', '10000']);
    expect(reply).toEqual([0, expect.any(Number)]);
    expect(JSON.stringify(reply)).not.toContain('secret-owner-token');
  });

  it('lets the holder acquire again with its token, which resets the TTL', async () => {
    await h.run('lock_acquire', ['lock:a'], ['me', '1000']);
    expect(await h.run('lock_acquire', ['lock:a'], ['me', '60000'])).toEqual([1, 60000]);
    expect(Number(await h.cmd('PTTL', 'lock:a'))).toBeGreaterThan(59000);
  });

  it('expires with its TTL, after which another owner gets it', async () => {
    expect(await h.run('lock_acquire', ['lock:a'], ['first', '100'])).toEqual([1, 100]);
    expect(await h.run('lock_acquire', ['lock:a'], ['second', '100'])).toEqual([0, expect.any(Number)]);
    await new Promise((r) => setTimeout(r, 150));
    expect(await h.run('lock_acquire', ['lock:a'], ['second', '5000'])).toEqual([1, 5000]);
    expect(await h.cmd('GET', 'lock:a')).toBe('second');
  });

  it('reports -1 for a lock someone set without a TTL', async () => {
    await h.cmd('SET', 'lock:a', 'manual');
    expect(await h.run('lock_acquire', ['lock:a'], ['me', '1000'])).toEqual([0, -1]);
  });

  it.each([
    [['', '1000'], /^ERR ARGV\[1\] \(token\) must not be empty/],
    [['t', '0'], /^ERR ARGV\[2\] \(ttl_ms\) must be an integer from 1 to 2147483647/],
    [['t', '1.5'], /^ERR ARGV\[2\] \(ttl_ms\)/],
    [['t', 'ten'], /^ERR ARGV\[2\] \(ttl_ms\)/],
    [['t', '2147483648'], /^ERR ARGV\[2\] \(ttl_ms\)/],
    [['t'], /^ERR wrong number of keys or arguments/],
  ])('refuses the arguments %j', async (args, message) => {
    expect(await h.runError('lock_acquire', ['lock:a'], args)).toMatch(message);
    expect(await h.cmd('EXISTS', 'lock:a')).toBe(0);
  });
});
