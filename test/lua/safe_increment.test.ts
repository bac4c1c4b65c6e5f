import { describe, expect, it } from '@jest/globals';
import { useLuaHarness } from '../helpers/lua.js';

describe('lua/safe_increment', () => {
  const h = useLuaHarness();

  it('increments a missing or integer counter and says nothing was reset', async () => {
    expect(await h.run('safe_increment', ['c'], ['5'])).toEqual([5, 0]);
    expect(await h.run('safe_increment', ['c'], ['-7'])).toEqual([-2, 0]);
  });

  it('replaces a string that is not an integer, keeping its TTL, and says so', async () => {
    await h.cmd('SET', 'c', 'garbage', 'EX', '100');
    expect(await h.run('safe_increment', ['c'], ['3'])).toEqual([3, 1]);
    expect(await h.cmd('GET', 'c')).toBe('3');
    expect(await h.cmd('TTL', 'c')).toBeGreaterThan(90);
  });

  it('never destroys a list (the guide ran SET key 0 over it)', async () => {
    await h.cmd('RPUSH', 'c', 'precious');
    expect(await h.runError('safe_increment', ['c'], ['1'])).toMatch(/^WRONGTYPE /);
    expect(await h.cmd('LRANGE', 'c', '0', '-1')).toEqual(['precious']);
  });

  it('never resets a valid counter whose increment overflows', async () => {
    await h.cmd('SET', 'c', '9223372036854775807');
    expect(await h.runError('safe_increment', ['c'], ['1'])).toBe('ERR increment or decrement would overflow');
    expect(await h.cmd('GET', 'c')).toBe('9223372036854775807');
  });

  it('keeps an integer too large for 64 bits rather than zeroing it', async () => {
    await h.cmd('SET', 'c', '99999999999999999999');
    expect(await h.runError('safe_increment', ['c'], ['1'])).toBe('ERR value is not an integer or out of range');
    expect(await h.cmd('GET', 'c')).toBe('99999999999999999999');
  });

  it.each(['x', '1.5', '', '9007199254740992'])('refuses the increment %j', async (bad) => {
    await h.cmd('SET', 'c', 'garbage');
    expect(await h.runError('safe_increment', ['c'], [bad])).toMatch(/^ERR ARGV\[1\] \(increment\) must be an integer/);
    expect(await h.cmd('GET', 'c')).toBe('garbage');
  });

  it('refuses a call without its key', async () => {
    expect(await h.runError('safe_increment', [], ['1'])).toMatch(/^ERR wrong number of keys or arguments/);
  });
});
