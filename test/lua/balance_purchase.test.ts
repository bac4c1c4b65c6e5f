import { describe, expect, it } from '@jest/globals';
import { useLuaHarness } from '../helpers/lua.js';

describe('lua/balance_purchase', () => {
  const h = useLuaHarness();
  const keys = ['account:{42}:balance', 'account:{42}:transactions'];

  it('debits a covered amount and logs the purchase', async () => {
    await h.cmd('SET', keys[0]!, '150');
    expect(await h.run('balance_purchase', keys, ['100', 'purchase:1'])).toEqual([1, 50]);
    expect(await h.cmd('GET', keys[0]!)).toBe('50');
    expect(await h.cmd('LRANGE', keys[1]!, '0', '-1')).toEqual(['purchase:1']);
  });

  it('debits an amount equal to the balance, down to 0', async () => {
    await h.cmd('SET', keys[0]!, '100');
    expect(await h.run('balance_purchase', keys, ['100', 'p'])).toEqual([1, 0]);
  });

  it('refuses an amount above the balance and changes nothing', async () => {
    await h.cmd('SET', keys[0]!, '50');
    expect(await h.run('balance_purchase', keys, ['100', 'p'])).toEqual([0, 50]);
    expect(await h.cmd('GET', keys[0]!)).toBe('50');
    expect(await h.cmd('EXISTS', keys[1]!)).toBe(0);
  });

  it('treats a missing balance as 0 (the guide compared nil and failed)', async () => {
    expect(await h.run('balance_purchase', keys, ['1', 'p'])).toEqual([0, 0]);
    expect(await h.cmd('DBSIZE')).toBe(0);
  });

  it('never overdraws with 20 concurrent buyers', async () => {
    await h.cmd('SET', keys[0]!, '1000');
    const clients = await Promise.all(Array.from({ length: 20 }, () => h.connect()));
    const replies = (await Promise.all(
      clients.map((client, i) => h.run('balance_purchase', keys, ['100', `buyer:${i}`], { client })),
    )) as Array<[number, number]>;
    expect(replies.filter(([ok]) => ok === 1)).toHaveLength(10);
    expect(await h.cmd('GET', keys[0]!)).toBe('0');
    expect(await h.cmd('LLEN', keys[1]!)).toBe(10);
  });

  it('refuses a balance that is not an integer', async () => {
    await h.cmd('SET', keys[0]!, 'lots');
    expect(await h.runError('balance_purchase', keys, ['1', 'p'])).toBe(
      'ERR KEYS[1] (balance) holds a value that is not an integer',
    );
    expect(await h.cmd('EXISTS', keys[1]!)).toBe(0);
  });

  it.each(['0', '-5', 'abc', '1.5', ''])('refuses the amount %j', async (bad) => {
    await h.cmd('SET', keys[0]!, '100');
    expect(await h.runError('balance_purchase', keys, [bad, 'p'])).toMatch(
      /^ERR ARGV\[1\] \(amount\) must be an integer from 1/,
    );
    expect(await h.cmd('GET', keys[0]!)).toBe('100');
  });

  it('refuses an empty log entry and a wrong number of keys', async () => {
    expect(await h.runError('balance_purchase', keys, ['1', ''])).toBe('ERR ARGV[2] (entry) must not be empty');
    expect(await h.runError('balance_purchase', [keys[0]!], ['1', 'p'])).toMatch(
      /^ERR wrong number of keys or arguments: expected 2 keys/,
    );
  });
});
