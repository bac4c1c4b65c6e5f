import { describe, expect, it } from '@jest/globals';
import { useLuaHarness } from '../../helpers/lua.js';

type Item = [id: string, data: string, priority: number];

describe('lua/queue/priority_pop', () => {
  const h = useLuaHarness();
  const [queue, items, seq, stats] = ['{jobs}:queue', '{jobs}:items', '{jobs}:seq', '{jobs}:stats'];
  const push = (priority: number, data: string) =>
    h.run('queue/priority_push', [queue, items, seq, stats], [String(priority), data]);
  const pop = (count: number | string) =>
    h.run('queue/priority_pop', [queue, items, stats], [String(count)]) as Promise<Item[]>;

  it('pops by priority first, then oldest first within a priority', async () => {
    const pushed: Array<[number, string]> = [
      [5, 'a'],
      [1, 'b'],
      [5, 'c'],
      [0, 'd'],
      [1, 'e'],
      [9, 'f'],
      [0, 'g'],
      [5, 'h'],
      [5, 'i'],
      [5, 'j'],
      [5, 'k'],
      [5, 'l'],
      [5, 'm'],
      [5, 'n'],
    ];
    for (const [p, d] of pushed) await push(p, d);
    const popped = await pop(100);
    expect(popped.map(([, data]) => data)).toEqual([
      'd',
      'g',
      'b',
      'e',
      'a',
      'c',
      'h',
      'i',
      'j',
      'k',
      'l',
      'm',
      'n',
      'f',
    ]);
    expect(popped.map(([, , p]) => p)).toEqual([0, 0, 1, 1, 5, 5, 5, 5, 5, 5, 5, 5, 5, 9]);
    expect(popped[0]![0]).toBe('000000000000004');
  });

  it('pops at most the count asked for and removes what it returns, payloads included', async () => {
    for (let i = 0; i < 5; i++) await push(2, `job-${i}`);
    expect((await pop(2)).map(([, d]) => d)).toEqual(['job-0', 'job-1']);
    expect(await h.cmd('ZCARD', queue)).toBe(3);
    expect(await h.cmd('HLEN', items)).toBe(3);
    expect(await h.cmd('HGET', stats, 'total_popped')).toBe('2');
    expect((await pop(1)).map(([, d]) => d)).toEqual(['job-2']);
  });

  it('answers an empty array on an empty queue', async () => {
    expect(await pop(5)).toEqual([]);
    expect(await h.cmd('EXISTS', stats)).toBe(0);
  });

  it('drops an id whose payload is gone instead of blocking the head of the queue for ever', async () => {
    await push(0, 'lost');
    await push(1, 'next');
    await h.cmd('HDEL', items, '000000000000001');
    expect(await pop(1)).toEqual([]);
    expect(await pop(1)).toEqual([['000000000000002', 'next', 1]]);
  });

  it('hands every item to exactly one of 5 concurrent consumers', async () => {
    for (let i = 0; i < 100; i++) await push(i % 10, `job-${i}`);
    const clients = await Promise.all(Array.from({ length: 5 }, () => h.connect()));
    const taken = await Promise.all(
      clients.map(async (client) => {
        const mine: string[] = [];
        for (;;) {
          const batch = (await h.run('queue/priority_pop', [queue, items, stats], ['3'], { client })) as Item[];
          if (batch.length === 0) return mine;
          mine.push(...batch.map(([, data]) => data));
        }
      }),
    );
    const all = taken.flat();
    expect(all).toHaveLength(100);
    expect(new Set(all).size).toBe(100);
    expect(await h.cmd('HGET', stats, 'total_popped')).toBe('100');
  });

  it.each(['0', '-1', '1001', 'all', ''])(
    'refuses the count %j and pops nothing (the guide popped everything on 0)',
    async (count) => {
      await push(1, 'a');
      expect(await h.runError('queue/priority_pop', [queue, items, stats], [count])).toMatch(
        /^ERR ARGV\[1\] \(count\) must be an integer from 1 to 1000/,
      );
      expect(await h.cmd('ZCARD', queue)).toBe(1);
    },
  );

  it('refuses a payload key of the wrong type before popping anything', async () => {
    await h.cmd('ZADD', queue, '0', '000000000000001');
    await h.cmd('SET', items, 'oops');
    expect(await h.runError('queue/priority_pop', [queue, items, stats], ['1'])).toBe(
      'WRONGTYPE KEYS[2] holds a string, expected a hash',
    );
    expect(await h.cmd('ZCARD', queue)).toBe(1);
  });
});
