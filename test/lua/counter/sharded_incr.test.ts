import { describe, expect, it } from '@jest/globals';
import { seededNumbers, useLuaHarness } from '../../helpers/lua.js';

describe('lua/counter/sharded_incr', () => {
  const h = useLuaHarness();
  const shards = (n: number) => Array.from({ length: n }, (_, i) => `views:{video:1}:${i}`);

  it('adds to the shard the hint selects (hint mod N) and returns it', async () => {
    const keys = shards(8);
    expect(await h.run('counter/sharded_incr', keys, ['5', '11'])).toEqual([3, 5]);
    expect(await h.run('counter/sharded_incr', keys, ['-2', '3'])).toEqual([3, 3]);
    expect(await h.run('counter/sharded_incr', keys, ['1', '0'])).toEqual([0, 1]);
    expect(await h.cmd('MGET', ...keys)).toEqual(['1', null, null, '3', null, null, null, null]);
  });

  it('spreads concurrent increments over the shards, and sharded_get reads their exact sum', async () => {
    const keys = shards(10);
    const clients = await Promise.all(Array.from({ length: 10 }, () => h.connect()));
    let expected = 0;
    const plans = clients.map((_, c) => seededNumbers(c + 100, 100, 1000));
    for (const plan of plans) for (const n of plan) expected += (n % 7) + 1;
    await Promise.all(
      clients.map(async (client, c) => {
        for (const n of plans[c]!)
          await h.run('counter/sharded_incr', keys, [String((n % 7) + 1), String(n)], { client });
      }),
    );
    const values = ((await h.cmd('MGET', ...keys)) as Array<string | null>).map(Number);
    expect(values.filter((v) => v > 0).length).toBeGreaterThan(5);
    expect(values.reduce((a, b) => a + b, 0)).toBe(expected);
    expect(await h.run('counter/sharded_get', keys, [], { readOnly: true })).toBe(expected);
  });

  it.each([
    [['0', '1'], /^ERR ARGV\[1\] \(increment\) must be a non-zero integer/],
    [['1.5', '1'], /^ERR ARGV\[1\] \(increment\)/],
    [['1', '-1'], /^ERR ARGV\[2\] \(hint\) must be an integer from 0 to 2147483647/],
    [['1', '2147483648'], /^ERR ARGV\[2\] \(hint\)/],
    [['1'], /^ERR wrong number of keys or arguments/],
  ])('refuses the arguments %j', async (args, message) => {
    expect(await h.runError('counter/sharded_incr', shards(4), args)).toMatch(message);
    expect(await h.cmd('DBSIZE')).toBe(0);
  });

  it('refuses no shard keys and more than 1024', async () => {
    expect(await h.runError('counter/sharded_incr', [], ['1', '1'])).toMatch(
      /^ERR wrong number of keys or arguments: expected 1 to 1024 keys/,
    );
    expect(await h.runError('counter/sharded_incr', shards(1025), ['1', '1'])).toMatch(/^ERR wrong number of keys/);
  });
});
