import { describe, expect, it } from '@jest/globals';
import { ScriptReplyError } from '../../src/runtime.js';
import { useLuaHarness } from '../helpers/lua.js';

describe('lua/increment_with_max', () => {
  const h = useLuaHarness();

  it('counts up to the maximum, then refuses and keeps the value', async () => {
    expect(await h.run('increment_with_max', ['v'], ['1', '3'])).toBe(1);
    expect(await h.run('increment_with_max', ['v'], ['1', '3'])).toBe(2);
    expect(await h.run('increment_with_max', ['v'], ['1', '3'])).toBe(3);
    expect(await h.runError('increment_with_max', ['v'], ['1', '3'])).toBe(
      'ERR would exceed maximum value (current 3 + increment 1 > max 3)',
    );
    expect(await h.cmd('GET', 'v')).toBe('3');
  });

  it('refuses a step that would jump past the maximum', async () => {
    await h.cmd('SET', 'v', '2');
    expect(await h.runError('increment_with_max', ['v'], ['2', '3'])).toMatch(/^ERR would exceed maximum value/);
    expect(await h.run('increment_with_max', ['v'], ['1', '3'])).toBe(3);
  });

  it('stops at exactly the maximum under 10 concurrent clients', async () => {
    const clients = await Promise.all(Array.from({ length: 10 }, () => h.connect()));
    const outcomes = await Promise.all(
      clients.map(async (client) => {
        let ok = 0;
        for (let i = 0; i < 20; i++) {
          try {
            await h.run('increment_with_max', ['v'], ['1', '50'], { client });
            ok++;
          } catch (err) {
            if (!(err instanceof ScriptReplyError) || !err.reply.startsWith('ERR would exceed maximum value'))
              throw err;
          }
        }
        return ok;
      }),
    );
    expect(outcomes.reduce((a, b) => a + b, 0)).toBe(50);
    expect(await h.cmd('GET', 'v')).toBe('50');
  });

  it('refuses a stored value that is not an integer', async () => {
    await h.cmd('SET', 'v', 'x');
    expect(await h.runError('increment_with_max', ['v'], ['1', '10'])).toBe(
      'ERR KEYS[1] (counter) holds a value that is not an integer',
    );
  });

  it.each([
    [['0', '10'], /^ERR ARGV\[1\] \(increment\) must be an integer from 1 to/],
    [['-1', '10'], /^ERR ARGV\[1\] \(increment\)/],
    [['a', '10'], /^ERR ARGV\[1\] \(increment\)/],
    [['1', ''], /^ERR ARGV\[2\] \(max\) must be an integer from -9007199254740991/],
    [['1', '1.5'], /^ERR ARGV\[2\] \(max\)/],
    [['1'], /^ERR wrong number of keys or arguments/],
  ])('refuses the arguments %j', async (args, message) => {
    expect(await h.runError('increment_with_max', ['v'], args)).toMatch(message);
    expect(await h.cmd('EXISTS', 'v')).toBe(0);
  });
});
