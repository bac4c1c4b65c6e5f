import { describe, expect, it } from '@jest/globals';
import { useLuaHarness } from '../helpers/lua.js';

describe('lua/lock_release', () => {
  const h = useLuaHarness();

  it('releases the lock for its owner, so another can take it', async () => {
    await h.run('lock_acquire', ['lock:a'], ['owner', '10000']);
    expect(await h.run('lock_release', ['lock:a'], ['owner'])).toBe(1);
    expect(await h.cmd('EXISTS', 'lock:a')).toBe(0);
    expect(await h.run('lock_acquire', ['lock:a'], ['next', '10000'])).toEqual([1, 10000]);
  });

  it('refuses a release by a non-owner and leaves the lock and its TTL alone', async () => {
    await h.run('lock_acquire', ['lock:a'], ['owner', '10000']);
    expect(await h.run('lock_release', ['lock:a'], ['intruder'])).toBe(0);
    expect(await h.cmd('GET', 'lock:a')).toBe('owner');
    expect(Number(await h.cmd('PTTL', 'lock:a'))).toBeGreaterThan(9000);
  });

  it('answers 0 once the lock has expired, and does not free a later owner', async () => {
    await h.run('lock_acquire', ['lock:a'], ['slow', '50']);
    await new Promise((r) => setTimeout(r, 100));
    await h.run('lock_acquire', ['lock:a'], ['fast', '10000']);
    expect(await h.run('lock_release', ['lock:a'], ['slow'])).toBe(0);
    expect(await h.cmd('GET', 'lock:a')).toBe('fast');
  });

  it('answers 0 for a lock nobody holds', async () => {
    expect(await h.run('lock_release', ['lock:none'], ['t'])).toBe(0);
  });

  it('lets one worker at a time into the critical section across 5 workers', async () => {
    const clients = await Promise.all(Array.from({ length: 5 }, () => h.connect()));
    let inside = 0;
    let maxInside = 0;
    let entered = 0;
    await Promise.all(
      clients.map(async (client, i) => {
        const token = `worker-${i}`;
        for (;;) {
          const [won] = (await h.run('lock_acquire', ['lock:cs'], [token, '5000'], { client })) as [number, number];
          if (won === 1) break;
          await new Promise((r) => setTimeout(r, 2));
        }
        inside++;
        entered++;
        maxInside = Math.max(maxInside, inside);
        await new Promise((r) => setTimeout(r, 10));
        inside--;
        expect(await h.run('lock_release', ['lock:cs'], [token], { client })).toBe(1);
      }),
    );
    expect(entered).toBe(5);
    expect(maxInside).toBe(1);
  });

  it('refuses an empty token and a missing key', async () => {
    expect(await h.runError('lock_release', ['lock:a'], [''])).toBe('ERR ARGV[1] (token) must not be empty');
    expect(await h.runError('lock_release', [], ['t'])).toMatch(/^ERR wrong number of keys or arguments/);
  });
});
