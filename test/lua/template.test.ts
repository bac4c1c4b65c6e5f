import { describe, expect, it } from '@jest/globals';
import { useLuaHarness } from '../helpers/lua.js';

describe('lua/template', () => {
  const h = useLuaHarness();

  it('sets the value with its TTL and returns the value it replaced (null the first time)', async () => {
    expect(await h.run('template', ['k'], ['first', '100'])).toBeNull();
    expect(await h.cmd('TTL', 'k')).toBeGreaterThan(90);
    expect(await h.run('template', ['k'], ['second', '200'])).toBe('first');
    expect(await h.cmd('GET', 'k')).toBe('second');
    expect(await h.cmd('TTL', 'k')).toBeGreaterThan(190);
  });

  it('refuses a key of another type and leaves it alone', async () => {
    await h.cmd('HSET', 'k', 'f', 'v');
    expect(await h.runError('template', ['k'], ['v', '10'])).toMatch(/^WRONGTYPE /);
    expect(await h.cmd('HGET', 'k', 'f')).toBe('v');
  });

  it.each([
    [['v', '0'], /^ERR ARGV\[2\] \(ttl\) must be an integer from 1 to 2147483647, got '0'/],
    [['v', 'soon'], /^ERR ARGV\[2\] \(ttl\)/],
    [['v'], /^ERR wrong number of keys or arguments: expected 1 key and 2 args/],
  ])('refuses the arguments %j', async (args, message) => {
    expect(await h.runError('template', ['k'], args)).toMatch(message);
    expect(await h.cmd('EXISTS', 'k')).toBe(0);
  });
});
