import { describe, expect, it } from '@jest/globals';
import { useLuaHarness } from '../../helpers/lua.js';

describe('lua/queue/priority_push', () => {
  const h = useLuaHarness();
  const keys = ['{jobs}:queue', '{jobs}:items', '{jobs}:seq', '{jobs}:stats'];
  const push = (priority: string, data: string) =>
    h.run('queue/priority_push', keys, [priority, data]) as Promise<[string, number]>;

  it('returns a fixed-width id and the 0-based position the item takes in the queue', async () => {
    expect(await push('5', 'a')).toEqual(['000000000000001', 0]);
    expect(await push('5', 'b')).toEqual(['000000000000002', 1]);
    expect(await push('1', 'urgent')).toEqual(['000000000000003', 0]);
    expect(await push('9', 'later')).toEqual(['000000000000004', 3]);
    expect(await h.cmd('HGET', keys[1]!, '000000000000003')).toBe('urgent');
  });

  it('keeps push order within a priority past the 9th item (ids sort as text)', async () => {
    for (let i = 1; i <= 12; i++) await push('3', `item-${i}`);
    const ids = (await h.cmd('ZRANGE', keys[0]!, '0', '-1')) as string[];
    const data = await Promise.all(ids.map((id) => h.cmd('HGET', keys[1]!, id)));
    expect(data).toEqual(Array.from({ length: 12 }, (_, i) => `item-${i + 1}`));
  });

  it('counts pushes in total and per priority', async () => {
    await push('0', 'a');
    await push('0', 'b');
    await push('7', 'c');
    expect(await h.cmd('HGETALL', keys[3]!)).toEqual({ total_pushed: '3', 'priority:0': '2', 'priority:7': '1' });
  });

  it('stores any payload, empty or binary-looking, as given', async () => {
    const [id] = await push('2', '');
    expect(await h.cmd('HGET', keys[1]!, id)).toBe('');
    const [id2] = await push('2', '{"json": true}\n');
    expect(await h.cmd('HGET', keys[1]!, id2)).toBe('{"json": true}\n');
  });

  it.each(['10', '-1', '1.5', 'high', '', '01'])('refuses the priority %j and writes nothing', async (priority) => {
    expect(await h.runError('queue/priority_push', keys, [priority, 'x'])).toMatch(
      /^ERR ARGV\[1\] \(priority\) must be an integer from 0 to 9/,
    );
    expect(await h.cmd('DBSIZE')).toBe(0);
  });

  it('refuses a key of the wrong type before taking an id', async () => {
    await h.cmd('SET', keys[1]!, 'oops');
    expect(await h.runError('queue/priority_push', keys, ['1', 'x'])).toBe(
      'WRONGTYPE KEYS[2] holds a string, expected a hash',
    );
    expect(await h.cmd('EXISTS', keys[2]!)).toBe(0);
  });

  it('refuses a call without the four keys', async () => {
    expect(await h.runError('queue/priority_push', ['{jobs}:queue'], ['1', 'x'])).toMatch(
      /^ERR wrong number of keys or arguments: expected 4 keys/,
    );
  });
});
