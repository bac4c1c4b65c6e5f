import { describe, expect, it } from '@jest/globals';
import { useLuaHarness } from '../helpers/lua.js';

describe('lua/counter_incr', () => {
  const h = useLuaHarness();

  it('starts a missing counter at 0 and adds positive and negative increments', async () => {
    expect(await h.run('counter_incr', ['c'], ['5'])).toBe(5);
    expect(await h.run('counter_incr', ['c'], ['-7'])).toBe(-2);
    expect(await h.cmd('GET', 'c')).toBe('-2');
  });

  it('ends at exactly 1000 after 10 concurrent clients add 1 a hundred times each', async () => {
    const clients = await Promise.all(Array.from({ length: 10 }, () => h.connect()));
    await Promise.all(
      clients.map(async (client) => {
        for (let i = 0; i < 100; i++) await h.run('counter_incr', ['views'], ['1'], { client });
      }),
    );
    expect(await h.cmd('GET', 'views')).toBe('1000');
  });

  it('keeps the TTL the counter already had (the guide SET the key and dropped it)', async () => {
    await h.cmd('SET', 'c', '1', 'EX', '100');
    expect(await h.run('counter_incr', ['c'], ['1'])).toBe(2);
    expect(await h.cmd('TTL', 'c')).toBeGreaterThan(90);
  });

  it('refuses a value that is not an integer instead of overwriting it', async () => {
    await h.cmd('SET', 'c', 'hello');
    expect(await h.runError('counter_incr', ['c'], ['1'])).toMatch(/^ERR value is not an integer/);
    expect(await h.cmd('GET', 'c')).toBe('hello');
  });

  it('handles the range limits of a Lua number exactly', async () => {
    // Read back as a string: node-redis 6 decodes integer replies within ~50 of 2^53 one off.
    await h.run('counter_incr', ['c'], ['9007199254740991']);
    expect(await h.cmd('GET', 'c')).toBe('9007199254740991');
    expect(await h.run('counter_incr', ['d'], ['-0'])).toBe(0);
  });

  it.each(['abc', '1.5', '', '1e3', '0x10', ' 1', '9007199254740992'])('refuses the increment %j', async (bad) => {
    expect(await h.runError('counter_incr', ['c'], [bad])).toMatch(/^ERR ARGV\[1\] \(increment\) must be an integer/);
    expect(await h.cmd('EXISTS', 'c')).toBe(0);
  });

  it('refuses a call without the documented key and argument', async () => {
    expect(await h.runError('counter_incr', ['c'], ['1', '2'])).toMatch(/^ERR wrong number of keys or arguments/);
    expect(await h.runError('counter_incr', [], ['1'])).toMatch(/^ERR wrong number of keys or arguments/);
  });
});
