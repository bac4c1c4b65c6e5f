import { describe, expect, it } from '@jest/globals';
import { useLuaHarness } from '../helpers/lua.js';

describe('lua/safe_batch_operations', () => {
  const h = useLuaHarness();
  const keys = ['{batch:7}:count', '{batch:7}:log', '{batch:7}:rank'];

  it('reports each result when all three succeed (the guide returned an empty array)', async () => {
    expect(await h.run('safe_batch_operations', keys, ['entry', '2.5', 'alice'])).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    expect(await h.cmd('GET', keys[0]!)).toBe('1');
    expect(await h.cmd('LRANGE', keys[1]!, '0', '-1')).toEqual(['entry']);
    expect(await h.cmd('ZSCORE', keys[2]!, 'alice')).toBe(2.5);
  });

  it('reports a failed INCR and still runs the other two', async () => {
    await h.cmd('SET', keys[0]!, 'not a number');
    expect(await h.run('safe_batch_operations', keys, ['entry', '1', 'bob'])).toEqual([
      [0, 'ERR value is not an integer or out of range'],
      [1, 1],
      [1, 1],
    ]);
    expect(await h.cmd('GET', keys[0]!)).toBe('not a number');
    expect(await h.cmd('LLEN', keys[1]!)).toBe(1);
  });

  it('reports a WRONGTYPE LPUSH and a bad ZADD score, keeping the INCR', async () => {
    await h.cmd('SET', keys[1]!, 'a string');
    const reply = (await h.run('safe_batch_operations', keys, ['entry', 'high', 'bob'])) as Array<[number, unknown]>;
    expect(reply[0]).toEqual([1, 1]);
    expect(reply[1]).toEqual([0, expect.stringMatching(/^WRONGTYPE /)]);
    expect(reply[2]).toEqual([0, expect.stringMatching(/^ERR value is not a valid float/)]);
    expect(await h.cmd('GET', keys[0]!)).toBe('1');
    expect(await h.cmd('EXISTS', keys[2]!)).toBe(0);
  });

  it('gives a RESP2 client the same shape', async () => {
    const resp2 = await h.connect(2);
    await h.cmd('SET', keys[0]!, 'x');
    expect(await h.run('safe_batch_operations', keys, ['e', '1', 'm'], { client: resp2 })).toEqual([
      [0, 'ERR value is not an integer or out of range'],
      [1, 1],
      [1, 1],
    ]);
  });

  it('refuses a call without the three keys and three arguments', async () => {
    expect(await h.runError('safe_batch_operations', keys.slice(0, 2), ['e', '1', 'm'])).toMatch(
      /^ERR wrong number of keys or arguments: expected 3 keys/,
    );
    expect(await h.runError('safe_batch_operations', keys, ['e', '1'])).toMatch(
      /^ERR wrong number of keys or arguments/,
    );
    expect(await h.cmd('DBSIZE')).toBe(0);
  });
});
