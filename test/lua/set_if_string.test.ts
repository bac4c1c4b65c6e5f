import { describe, expect, it } from '@jest/globals';
import { useLuaHarness } from '../helpers/lua.js';

describe('lua/set_if_string', () => {
  const h = useLuaHarness();

  it('sets a missing key and replaces a string', async () => {
    expect(await h.run('set_if_string', ['k'], ['one'])).toBe('OK');
    expect(await h.run('set_if_string', ['k'], ['two'])).toBe('OK');
    expect(await h.cmd('GET', 'k')).toBe('two');
  });

  it.each([
    ['list', ['RPUSH', 'k', 'a']],
    ['hash', ['HSET', 'k', 'f', 'v']],
    ['set', ['SADD', 'k', 'm']],
    ['zset', ['ZADD', 'k', '1', 'm']],
  ])('refuses to replace a %s (the guide ignored its own failed assertion and did)', async (type, setup) => {
    await h.cmd(...setup);
    expect(await h.runError('set_if_string', ['k'], ['v'])).toBe(
      `WRONGTYPE KEYS[1] holds a ${type}, expected a string or no key`,
    );
    expect(await h.cmd('TYPE', 'k')).toBe(type);
  });

  it('refuses a call without its key or value', async () => {
    expect(await h.runError('set_if_string', [], ['v'])).toMatch(/^ERR wrong number of keys or arguments/);
    expect(await h.runError('set_if_string', ['k'], [])).toMatch(/^ERR wrong number of keys or arguments/);
    expect(await h.cmd('EXISTS', 'k')).toBe(0);
  });
});
