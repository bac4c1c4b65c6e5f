import { describe, expect, it } from '@jest/globals';
import { seededNumbers, useLuaHarness } from '../helpers/lua.js';

describe('lua/purchase_product', () => {
  const h = useLuaHarness();
  const stock = '{product:laptop}:stock';
  const sold = '{product:laptop}:sold';
  const history = (user: string) => `{product:laptop}:purchases:${user}`;

  it('sells from stock, counts the sale and records it for the buyer', async () => {
    await h.cmd('SET', stock, '10');
    expect(await h.run('purchase_product', [stock, sold, history('u1')], ['u1', '2', '1700000000'])).toEqual([1, 8, 2]);
    expect(await h.cmd('GET', stock)).toBe('8');
    expect(await h.cmd('GET', sold)).toBe('2');
    expect(await h.cmd('LRANGE', history('u1'), '0', '-1')).toEqual(['u1:2:1700000000']);
  });

  it('refuses more than the stock, says what is available, and changes nothing', async () => {
    await h.cmd('SET', stock, '8');
    expect(await h.run('purchase_product', [stock, sold, history('u2')], ['u2', '20', '1700000001'])).toEqual([
      0, 8, 20,
    ]);
    expect(await h.cmd('GET', stock)).toBe('8');
    expect(await h.cmd('EXISTS', sold)).toBe(0);
    expect(await h.cmd('EXISTS', history('u2'))).toBe(0);
  });

  it('treats a missing stock as empty', async () => {
    expect(await h.run('purchase_product', [stock, sold, history('u1')], ['u1', '1', '1'])).toEqual([0, 0, 1]);
  });

  it('never sells below zero with 20 concurrent buyers, and sold matches what was taken', async () => {
    await h.cmd('SET', stock, '25');
    const quantities = seededNumbers(7, 20, 3).map((n) => n + 1);
    const clients = await Promise.all(quantities.map(() => h.connect()));
    const replies = (await Promise.all(
      clients.map((client, i) =>
        h.run('purchase_product', [stock, sold, history(`u${i}`)], [`u${i}`, String(quantities[i]), '1700000000'], {
          client,
        }),
      ),
    )) as Array<[number, number, number]>;
    const bought = replies.filter(([ok]) => ok === 1).reduce((sum, [, , q]) => sum + q, 0);
    const left = Number(await h.cmd('GET', stock));
    expect(left).toBeGreaterThanOrEqual(0);
    expect(bought + left).toBe(25);
    expect(await h.cmd('GET', sold)).toBe(String(bought));
    // Refusals only happen when the stock really could not cover the request.
    for (const [ok, available, q] of replies) if (ok === 0) expect(available).toBeLessThan(q);
    // The buyers ask for more than the stock, so some must have been refused.
    expect(quantities.reduce((a, b) => a + b, 0)).toBeGreaterThan(25);
    expect(replies.some(([ok]) => ok === 0)).toBe(true);
    const histories = await Promise.all(replies.map((_, i) => h.cmd('LLEN', history(`u${i}`))));
    expect(histories).toEqual(replies.map(([ok]) => ok));
  });

  it('keeps the purchase history to the newest 1000 entries', async () => {
    await h.cmd('SET', stock, '5');
    const key = history('u1');
    for (let i = 0; i < 10; i++) {
      await h.cmd('RPUSH', key, ...Array.from({ length: 100 }, (_, j) => `old:${i * 100 + j}`));
    }
    await h.run('purchase_product', [stock, sold, key], ['u1', '1', '42']);
    expect(await h.cmd('LLEN', key)).toBe(1000);
    expect(await h.cmd('LINDEX', key, '0')).toBe('u1:1:42');
    expect(await h.cmd('LINDEX', key, '-1')).toBe('old:998');
  });

  it('checks every key before the first write, so a bad key leaves the stock untouched', async () => {
    await h.cmd('SET', stock, '5');
    await h.cmd('SET', sold, 'many');
    expect(await h.runError('purchase_product', [stock, sold, history('u1')], ['u1', '1', '1'])).toBe(
      'ERR KEYS[2] (sold) holds a value that is not an integer',
    );
    await h.cmd('SET', sold, '0');
    await h.cmd('HSET', history('u1'), 'f', 'v');
    expect(await h.runError('purchase_product', [stock, sold, history('u1')], ['u1', '1', '1'])).toBe(
      'ERR KEYS[3] (purchases) holds a hash, expected a list',
    );
    expect(await h.cmd('GET', stock)).toBe('5');
    expect(await h.cmd('GET', sold)).toBe('0');
  });

  it.each([
    [['', '1', '1'], /^ERR ARGV\[1\] \(user_id\)/],
    [['a:b', '1', '1'], /^ERR ARGV\[1\] \(user_id\) must be a non-empty string without ':'/],
    [['u', '0', '1'], /^ERR ARGV\[2\] \(quantity\) must be an integer from 1 to 1000000000/],
    [['u', '-2', '1'], /^ERR ARGV\[2\] \(quantity\)/],
    [['u', '1', 'now'], /^ERR ARGV\[3\] \(timestamp\) must be an integer/],
    [['u', '1', '1.5'], /^ERR ARGV\[3\] \(timestamp\)/],
  ])('refuses the arguments %j', async (args, message) => {
    await h.cmd('SET', stock, '5');
    expect(await h.runError('purchase_product', [stock, sold, history('u')], args)).toMatch(message);
    expect(await h.cmd('GET', stock)).toBe('5');
  });
});
