import { describe, expect, it } from '@jest/globals';
import { useLuaHarness } from '../../helpers/lua.js';

describe('lua/counter/sharded_get', () => {
  const h = useLuaHarness();
  const shards = (n: number) => Array.from({ length: n }, (_, i) => `views:{video:1}:${i}`);

  it('sums the shards through EVALSHA_RO, missing shards counting as 0', async () => {
    const keys = shards(4);
    await h.cmd('MSET', keys[0]!, '10', keys[2]!, '-3');
    expect(await h.run('counter/sharded_get', keys, [], { readOnly: true })).toBe(7);
    expect(await h.run('counter/sharded_get', shards(1), [], { readOnly: true })).toBe(10);
  });

  it('runs on a read-only replica, where a writing script is refused', async () => {
    const keys = shards(3);
    await h.cmd('MSET', keys[0]!, '1', keys[1]!, '2', keys[2]!, '3');
    await h.cmd('REPLICAOF', '127.0.0.1', '1'); // nothing listens there: the node just turns read-only
    try {
      expect(await h.run('counter/sharded_get', keys, [], { readOnly: true })).toBe(6);
      expect(await h.runError('counter_incr', ['c'], ['1'])).toMatch(/^READONLY /);
    } finally {
      await h.cmd('REPLICAOF', 'NO', 'ONE');
    }
  });

  it('sums up to 2^53 - 1 exactly and refuses a total it could not hold exactly', async () => {
    const keys = shards(2);
    await h.cmd('MSET', keys[0]!, '4503599627370496', keys[1]!, '4503599627370000');
    expect(await h.run('counter/sharded_get', keys, [], { readOnly: true })).toBe(9007199254740496);
    await h.cmd('MSET', keys[0]!, '9007199254740991', keys[1]!, '1');
    expect(await h.runError('counter/sharded_get', keys, [], { readOnly: true })).toMatch(
      /^ERR total passes 9007199254740991/,
    );
  });

  it('refuses a shard that is not an integer, or not a string, instead of counting it as 0', async () => {
    const keys = shards(3);
    await h.cmd('SET', keys[0]!, '5');
    await h.cmd('SET', keys[1]!, 'five');
    expect(await h.runError('counter/sharded_get', keys, [], { readOnly: true })).toBe(
      'ERR KEYS[2] holds a value that is not an integer',
    );
    await h.cmd('DEL', keys[1]!);
    await h.cmd('RPUSH', keys[2]!, '5');
    expect(await h.runError('counter/sharded_get', keys, [], { readOnly: true })).toBe(
      'ERR KEYS[3] holds a list, expected a string',
    );
  });

  it('refuses arguments, no keys and more than 1024 keys', async () => {
    expect(await h.runError('counter/sharded_get', shards(2), ['10'], { readOnly: true })).toMatch(
      /^ERR wrong number of keys or arguments/,
    );
    expect(await h.runError('counter/sharded_get', [], [], { readOnly: true })).toMatch(/^ERR wrong number of keys/);
    expect(await h.runError('counter/sharded_get', shards(1025), [], { readOnly: true })).toMatch(
      /^ERR wrong number of keys/,
    );
  });
});
