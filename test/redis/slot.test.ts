import { EXIT_USAGE } from '../../src/errors.js';
import { crc16, crossSlotError, hashTag, keySlot, slotOfKeys } from '../../src/redis/slot.js';

describe('crc16 (XMODEM)', () => {
  test('the standard check value: "123456789" -> 0x31C3', () => {
    expect(crc16(Buffer.from('123456789'))).toBe(0x31c3);
  });
  test('empty input -> 0', () => {
    expect(crc16(Buffer.alloc(0))).toBe(0);
  });
});

describe('keySlot', () => {
  // Each expected value is what `redis-cli CLUSTER KEYSLOT <key>` answered on a Redis 7.0 cluster node.
  test.each([
    ['foo', 12182],
    ['bar', 5061],
    ['a', 15495],
    ['hello', 866],
    ['user:1000', 1649],
    ['123456789', 12739],
    ['', 0],
    [' ', 9314],
    ['é', 10180],
    ['{user1000}.following', 3443],
    ['{user1000}.followers', 3443],
    ['{bank}:acct:1', 11529],
    // Only the first {...} counts, and only when it is not empty.
    ['foo{bar}{zap}', 5061],
    ['foo{}{bar}', 8363],
    ['{}', 15257],
    ['foo{{bar}}', 4015],
    ['{bar', 4015],
    ['foo{', 7673],
    ['}{', 12793],
  ])('%j -> %i', (key, slot) => {
    expect(keySlot(key)).toBe(slot);
  });

  test('a Buffer key hashes its bytes', () => {
    expect(keySlot(Buffer.from('{user1000}.following'))).toBe(3443);
  });
});

describe('hashTag', () => {
  test.each([
    ['{user1000}.following', 'user1000'],
    ['no tag', 'no tag'],
    ['foo{}{bar}', 'foo{}{bar}'],
    ['a{b}c{d}', 'b'],
    ['x{y', 'x{y'],
    // A } with no { before it is no tag either.
    ['ab}c', 'ab}c'],
    ['ab}c{d}', 'd'],
  ])('%j hashes %j', (key, tag) => {
    expect(Buffer.from(hashTag(Buffer.from(key))).toString()).toBe(tag);
  });
});

describe('slotOfKeys', () => {
  test('keys sharing a hash tag share a slot', () => {
    expect(slotOfKeys(['{bank}:a', '{bank}:b', '{bank}:log'])).toEqual({
      slot: 11529,
      keys: [
        { key: '{bank}:a', slot: 11529 },
        { key: '{bank}:b', slot: 11529 },
        { key: '{bank}:log', slot: 11529 },
      ],
    });
  });
  test('keys in different slots have no common slot, and each keeps its own', () => {
    const r = slotOfKeys(['foo', 'bar']);
    expect(r.slot).toBeUndefined();
    expect(r.keys).toEqual([
      { key: 'foo', slot: 12182 },
      { key: 'bar', slot: 5061 },
    ]);
  });
  test('no keys: no slot', () => {
    expect(slotOfKeys([]).slot).toBeUndefined();
  });
});

describe('crossSlotError: what a user reads when the keys of one call are in several slots (exit 2)', () => {
  const lead = 'the keys hash to different cluster slots; a script runs only when all its keys are in one slot';
  const rule = 'Give the keys a common hash tag (only the text inside the first {...} is hashed)';

  test('KEYS[1] has a tag: every key gets it, the ones that lack it shown with it; slots aligned', () => {
    const err = crossSlotError([
      { key: '{user}:a', slot: 5474 },
      { key: 'b', slot: 3300 },
      { key: 'x{user}', slot: 5474 },
    ]);
    expect(err.exitCode).toBe(EXIT_USAGE);
    expect(err.message).toBe(lead);
    expect(err.detail).toEqual([
      'KEYS[1] {user}:a  slot 5474',
      'KEYS[2] b         slot 3300',
      'KEYS[3] x{user}   slot 5474',
      `${rule}, e.g. put {user} in every key name, as KEYS[1] has it: {user}:a {user}:b x{user}.`,
    ]);
  });

  test('no tag in KEYS[1]: a generic example', () => {
    expect(
      crossSlotError([
        { key: 'order:1', slot: 14374 },
        { key: 'order:2', slot: 2117 },
      ]).detail,
    ).toEqual([
      'KEYS[1] order:1  slot 14374',
      'KEYS[2] order:2  slot 2117',
      `${rule}, e.g. {order:42}:stock and {order:42}:log.`,
    ]);
  });

  test('a key drawn per call (bench __rand_int__ in its hashed part): said so, with the way out', () => {
    expect(crossSlotError([{ key: '{a:__rand_int__}' }, { key: 'bb', slot: 8620 }]).detail).toEqual([
      'KEYS[1] {a:__rand_int__}  slot drawn per call',
      'KEYS[2] bb                slot 8620',
      `${rule}, with __rand_int__ outside the hash tag, as each one is drawn on its own: e.g. {bench}:a:__rand_int__ and {bench}:b:__rand_int__.`,
    ]);
  });
});
