import { argvMaker, commandEncoder, expandRandInt, hasRandInt, randDigits } from '../../src/bench/rand-int.js';
import { encodeCommand } from '../../src/server/resp-client.js';
import { prng } from '../helpers/prng.js';

const seeded = (seed: number) => {
  const g = prng(seed);
  return () => g.next();
};

/** What encodeCommand writes for these argvs, as one string. */
const encoded = (argvs: string[][]) =>
  argvs
    .map((argv) => {
      const out: Array<string | Buffer> = [];
      encodeCommand(argv, out);
      return out.join('');
    })
    .join('');

describe('__rand_int__', () => {
  it('becomes 12 digits below the keyspace, as redis-benchmark -r writes it', () => {
    expect(randDigits(1000, () => 0)).toBe('000000000000');
    expect(randDigits(1000, () => 0.4217)).toBe('000000000421');
    expect(randDigits(1000, () => 0.999999)).toBe('000000000999');
    for (let i = 0; i < 1000; i++) {
      const d = randDigits(50);
      expect(d).toMatch(/^\d{12}$/);
      expect(Number(d)).toBeLessThan(50);
    }
    expect(randDigits(1e13, () => 0.5)).toBe('5000000000000');
  });

  it('replaces each occurrence with its own number', () => {
    const values = [0.1, 0.2];
    const out = expandRandInt('a:__rand_int__:b:__rand_int__', 100, () => values.shift()!);
    expect(out).toBe('a:000000000010:b:000000000020');
    expect(expandRandInt('plain', 100)).toBe('plain');
    expect(hasRandInt(['x', 'y__rand_int__'])).toBe(true);
    expect(hasRandInt(['x', '__rand_int'])).toBe(false);
  });

  it('hands out the same argv when nothing is random, and fresh ones otherwise', () => {
    const fixed = argvMaker(['EVALSHA', 'sha', '1'], ['k', 'a'], 10);
    expect(fixed()).toBe(fixed());
    expect(fixed()).toEqual(['EVALSHA', 'sha', '1', 'k', 'a']);

    const random = argvMaker(['EVALSHA', 'sha', '1'], ['rl:__rand_int__', '10', 'x__rand_int__'], 1_000_000);
    const a = random();
    const b = random();
    expect(a).not.toBe(b);
    expect(a.slice(0, 3)).toEqual(['EVALSHA', 'sha', '1']);
    expect(a[3]).toMatch(/^rl:\d{12}$/);
    expect(a[4]).toBe('10');
    expect(a[5]).toMatch(/^x\d{12}$/);
    const seen = new Set(Array.from({ length: 200 }, () => random()[3]));
    expect(seen.size).toBeGreaterThan(190);
  });

  it('encodes a batch of calls as RESP exactly as the argvs would be, placeholders drawn per call', () => {
    const head = ['EVALSHA', 'sha', '2'];
    for (const [tail, keyspace] of [
      [['clé:__rand_int__', 'x', 'a__rand_int__b__rand_int__', '✓'], 1000],
      [['k', 'v'], 10],
      [['big:__rand_int__'], 1e15],
    ] as Array<[string[], number]>) {
      for (const n of [1, 3, 16]) {
        const fromArgv = argvMaker(head, tail, keyspace, seeded(7));
        const fromEncoder = commandEncoder(head, tail, keyspace, seeded(7));
        const batch = fromEncoder(n);
        expect(Buffer.from(batch).toString()).toBe(encoded(Array.from({ length: n }, () => fromArgv())));
      }
    }
  });

  it('shares one encoded batch per size when nothing is random', () => {
    const encode = commandEncoder(['EVALSHA', 'sha', '1'], ['k'], 10);
    expect(encode(16)).toBe(encode(16));
    expect(encode(3)).not.toBe(encode(16));
  });
});
