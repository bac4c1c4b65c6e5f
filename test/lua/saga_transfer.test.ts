import { describe, expect, it } from '@jest/globals';
import { ScriptReplyError } from '../../src/runtime.js';
import { seededNumbers, useLuaHarness } from '../helpers/lua.js';

describe('lua/saga_transfer', () => {
  const h = useLuaHarness();
  const acct = (n: number) => `{bank}:acct:${n}`;
  const log = '{bank}:txlog';

  it('moves the amount, returns both balances and logs the success', async () => {
    await h.cmd('MSET', acct(1), '100', acct(2), '5');
    expect(await h.run('saga_transfer', [acct(1), acct(2), log], ['30', 'tx-1'])).toEqual([70, 35]);
    expect(await h.cmd('MGET', acct(1), acct(2))).toEqual(['70', '35']);
    expect(await h.cmd('HGET', log, 'tx-1')).toBe(`SUCCESS:from=${acct(1)}:to=${acct(2)}:amount=30`);
  });

  it('creates a missing destination and refuses an amount above the balance', async () => {
    await h.cmd('SET', acct(1), '10');
    expect(await h.run('saga_transfer', [acct(1), acct(2), log], ['10', 'tx-1'])).toEqual([0, 10]);
    expect(await h.runError('saga_transfer', [acct(1), acct(2), log], ['1', 'tx-2'])).toBe(
      'ERR insufficient funds (balance 0, amount 1)',
    );
    expect(await h.cmd('MGET', acct(1), acct(2))).toEqual(['0', '10']);
    expect(await h.cmd('HEXISTS', log, 'tx-2')).toBe(0);
  });

  it('undoes the debit when the credit fails for real (destination holds a list)', async () => {
    await h.cmd('SET', acct(1), '100');
    await h.cmd('RPUSH', acct(2), 'not', 'a', 'balance');
    const reply = await h.runError('saga_transfer', [acct(1), acct(2), log], ['40', 'tx-1']);
    expect(reply).toMatch(/^ERR failed to credit destination \(WRONGTYPE .*\), transaction compensated$/);
    expect(await h.cmd('GET', acct(1))).toBe('100');
    expect(await h.cmd('LRANGE', acct(2), '0', '-1')).toEqual(['not', 'a', 'balance']);
    expect(await h.cmd('HGET', log, 'tx-1')).toMatch(/^FAILED:compensated:WRONGTYPE /);
  });

  it('undoes the debit when the credit would overflow the destination', async () => {
    await h.cmd('MSET', acct(1), '100', acct(2), '9223372036854775800');
    expect(await h.runError('saga_transfer', [acct(1), acct(2), log], ['50', 'tx-1'])).toBe(
      'ERR failed to credit destination (ERR increment or decrement would overflow), transaction compensated',
    );
    expect(await h.cmd('MGET', acct(1), acct(2))).toEqual(['100', '9223372036854775800']);
  });

  it('never moves the money twice for one transaction id, but lets a failed one be retried', async () => {
    await h.cmd('SET', acct(1), '100');
    await h.cmd('HSET', acct(2), 'f', 'v');
    await h.runError('saga_transfer', [acct(1), acct(2), log], ['10', 'tx-1']);
    await h.cmd('DEL', acct(2));
    expect(await h.run('saga_transfer', [acct(1), acct(2), log], ['10', 'tx-1'])).toEqual([90, 10]);
    expect(await h.runError('saga_transfer', [acct(1), acct(2), log], ['10', 'tx-1'])).toBe(
      'ERR transaction tx-1 already completed',
    );
    expect(await h.cmd('MGET', acct(1), acct(2))).toEqual(['90', '10']);
  });

  it('neither creates nor destroys money across 400 concurrent transfers, some failing', async () => {
    const accounts = [1, 2, 3, 4, 5];
    await h.cmd('MSET', ...accounts.flatMap((n) => [acct(n), '1000']));
    await h.cmd('SADD', acct(6), 'broken'); // every credit to account 6 fails and is compensated
    const clients = await Promise.all(Array.from({ length: 8 }, () => h.connect()));
    const outcomes = { ok: 0, compensated: 0, insufficient: 0 };
    await Promise.all(
      clients.map(async (client, c) => {
        const draws = seededNumbers(c + 1, 150, 6000);
        for (let i = 0; i < 50; i++) {
          const from = (draws[i * 3]! % 5) + 1;
          let to = (draws[i * 3 + 1]! % 6) + 1;
          if (to === from) to = 6;
          const amount = (draws[i * 3 + 2]! % 400) + 1;
          try {
            await h.run('saga_transfer', [acct(from), acct(to), log], [String(amount), `tx-${c}-${i}`], { client });
            outcomes.ok++;
          } catch (err) {
            if (!(err instanceof ScriptReplyError)) throw err;
            if (err.reply.startsWith('ERR insufficient funds')) outcomes.insufficient++;
            else if (err.reply.endsWith('transaction compensated')) outcomes.compensated++;
            else throw err;
          }
        }
      }),
    );
    const balances = ((await h.cmd('MGET', ...accounts.map(acct))) as string[]).map(Number);
    expect(balances.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(balances.every((b) => b >= 0)).toBe(true);
    expect(outcomes.ok + outcomes.compensated + outcomes.insufficient).toBe(400);
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes.compensated).toBeGreaterThan(0);
    expect(await h.cmd('HLEN', log)).toBe(outcomes.ok + outcomes.compensated);
  });

  it.each([
    [['-50', 'tx'], /^ERR ARGV\[1\] \(amount\) must be an integer from 1/],
    [['0', 'tx'], /^ERR ARGV\[1\] \(amount\)/],
    [['1.5', 'tx'], /^ERR ARGV\[1\] \(amount\)/],
    [['10', ''], /^ERR ARGV\[2\] \(transaction_id\) must be 1 to 128 bytes/],
    [['10'], /^ERR wrong number of keys or arguments/],
  ])('refuses the arguments %j and moves nothing', async (args, message) => {
    await h.cmd('MSET', acct(1), '100', acct(2), '100');
    expect(await h.runError('saga_transfer', [acct(1), acct(2), log], args)).toMatch(message);
    expect(await h.cmd('MGET', acct(1), acct(2))).toEqual(['100', '100']);
  });

  it('refuses a transfer from an account to itself and a source that is not an integer', async () => {
    await h.cmd('SET', acct(1), '100');
    expect(await h.runError('saga_transfer', [acct(1), acct(1), log], ['10', 'tx'])).toBe(
      'ERR source and destination are the same key',
    );
    await h.cmd('SET', acct(3), 'rich');
    expect(await h.runError('saga_transfer', [acct(3), acct(1), log], ['10', 'tx'])).toBe(
      'ERR KEYS[1] (source) holds a value that is not an integer',
    );
    expect(await h.cmd('GET', acct(1))).toBe('100');
  });
});
