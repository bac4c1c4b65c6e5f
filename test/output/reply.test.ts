/** Typing node-redis replies (RESP3, bulk strings as Buffers) and flattening them into table rows. */
import { plainReply, replyRows, scalarText } from '../../src/output/reply.js';
import { typeReply, type TypedReply } from '../../src/redis/typed-reply.js';

const bulk = (s: string) => Buffer.from(s);

describe('typeReply', () => {
  test.each<[string, unknown, unknown]>([
    ['integer', 42, { type: 'integer', value: 42 }],
    ['negative integer', -7, { type: 'integer', value: -7 }],
    ['double', 3.5, { type: 'double', value: 3.5 }],
    ['infinite double', Infinity, { type: 'double', value: 'Infinity' }],
    ['big number', 12345678901234567890n, { type: 'big number', value: '12345678901234567890' }],
    ['null', null, { type: 'null' }],
    ['status (simple string)', 'OK', { type: 'status', value: 'OK' }],
    ['bulk string', bulk('OK'), { type: 'bulk string', value: 'OK' }],
    ['empty bulk string', bulk(''), { type: 'bulk string', value: '' }],
    ['unicode bulk string', bulk('héllo ✓'), { type: 'bulk string', value: 'héllo ✓' }],
    ['binary bulk string', Buffer.from([0xff, 0x00, 0x61]), { type: 'bulk string', value: '/wBh', encoding: 'base64' }],
    ['boolean true', true, { type: 'boolean', value: true }],
    ['boolean false', false, { type: 'boolean', value: false }],
    ['empty array', [], { type: 'array', items: [] }],
  ])('%s', (_what, value, expected) => {
    expect(typeReply(value)).toEqual(expected);
  });

  test('a status and a bulk string with the same text stay apart', () => {
    expect(typeReply('OK')).not.toEqual(typeReply(bulk('OK')));
  });

  test('nested arrays keep their shape', () => {
    expect(typeReply([1, [bulk('a'), [null]], 'OK'])).toEqual({
      type: 'array',
      items: [
        { type: 'integer', value: 1 },
        {
          type: 'array',
          items: [
            { type: 'bulk string', value: 'a' },
            { type: 'array', items: [{ type: 'null' }] },
          ],
        },
        { type: 'status', value: 'OK' },
      ],
    });
  });

  test('a map keeps its keys and typed values; a set its members', () => {
    // node-redis hands map keys over as JS strings; from a script they are bulk strings.
    const map = new Map<unknown, unknown>([
      ['count', 5],
      ['tags', new Set([bulk('x')])],
    ]);
    expect(typeReply(map)).toEqual({
      type: 'map',
      entries: [
        [
          { type: 'bulk string', value: 'count' },
          { type: 'integer', value: 5 },
        ],
        [
          { type: 'bulk string', value: 'tags' },
          { type: 'set', items: [{ type: 'bulk string', value: 'x' }] },
        ],
      ],
    });
  });
});

describe('replyRows', () => {
  test('a scalar is one row', () => {
    expect(replyRows(typeReply(bulk('hi')))).toEqual([{ path: '(reply)', type: 'bulk string', value: '"hi"' }]);
    expect(replyRows(typeReply(null))).toEqual([{ path: '(reply)', type: 'null', value: '(nil)' }]);
    expect(replyRows(typeReply('QUEUED'))).toEqual([{ path: '(reply)', type: 'status', value: 'QUEUED' }]);
  });

  test('nested arrays: one row per value, numbered paths', () => {
    expect(replyRows(typeReply([1, [bulk('a'), [null]], []]))).toEqual([
      { path: '(reply)', type: 'array', value: '3 elements' },
      { path: '1', type: 'integer', value: '1' },
      { path: '2', type: 'array', value: '2 elements' },
      { path: '2.1', type: 'bulk string', value: '"a"' },
      { path: '2.2', type: 'array', value: '1 element' },
      { path: '2.2.1', type: 'null', value: '(nil)' },
      { path: '3', type: 'array', value: '(empty)' },
    ]);
  });

  test('a map: quoted keys in the path, nested values under them', () => {
    const map = new Map<unknown, unknown>([
      ['ok', 1],
      ['list', [bulk('x'), 2.5]],
      [7, null],
    ]);
    expect(replyRows(typeReply(map))).toEqual([
      { path: '(reply)', type: 'map', value: '3 fields' },
      { path: '["ok"]', type: 'integer', value: '1' },
      { path: '["list"]', type: 'array', value: '2 elements' },
      { path: '["list"].1', type: 'bulk string', value: '"x"' },
      { path: '["list"].2', type: 'double', value: '2.5' },
      { path: '[7]', type: 'null', value: '(nil)' },
    ]);
  });

  test('a set and a binary value', () => {
    expect(replyRows(typeReply(new Set([bulk('a'), Buffer.from([0xfe])])))).toEqual([
      { path: '(reply)', type: 'set', value: '2 elements' },
      { path: '1', type: 'bulk string', value: '"a"' },
      { path: '2', type: 'bulk string', value: 'base64:/g==' },
    ]);
  });

  test('strings are quoted so spaces, quotes and newlines are visible', () => {
    expect(scalarText(typeReply(bulk('a "b"\n')))).toBe('"a \\"b\\"\\n"');
    expect(scalarText(typeReply(bulk(' ')))).toBe('" "');
  });
});

// exec --json's `reply`: what redis-cli --json writes, except where that is not JSON or loses a value.
describe('plainReply', () => {
  const bulkOf = (value: string) => ({ type: 'bulk string', value }) as const;
  test.each<[string, TypedReply, unknown]>([
    ['integer', { type: 'integer', value: 42 }, 42],
    ['integer past 2^53: its digits, as a string', { type: 'integer', value: '9007199254740993' }, '9007199254740993'],
    ['double', { type: 'double', value: 3.5 }, 3.5],
    ['inf as RESP3 spells it', { type: 'double', value: 'Infinity' }, 'inf'],
    ['-inf', { type: 'double', value: '-Infinity' }, '-inf'],
    ['nan', { type: 'double', value: 'NaN' }, 'nan'],
    ['exact big number: a number', { type: 'big number', value: '12' }, 12],
    ['big number past 2^53: a string', { type: 'big number', value: '123456789012345678901' }, '123456789012345678901'],
    ['bulk string', bulkOf('OK'), 'OK'],
    [
      'binary bulk string: U+FFFD for the bytes that are not UTF-8',
      { type: 'bulk string', value: '/wBh', encoding: 'base64' },
      '\ufffd\u0000a',
    ],
    ['verbatim string', { type: 'verbatim string', value: 'txt' }, 'txt'],
    ['status', { type: 'status', value: 'OK' }, 'OK'],
    ['error item', { type: 'error', value: 'ERR x' }, { error: 'ERR x' }],
    ['boolean', { type: 'boolean', value: false }, false],
    ['null', { type: 'null' }, null],
    ['array', { type: 'array', items: [{ type: 'integer', value: 1 }, { type: 'null' }] }, [1, null]],
    ['set', { type: 'set', items: [bulkOf('a')] }, ['a']],
    [
      'map: an object, keys as text',
      {
        type: 'map',
        entries: [
          [bulkOf('n'), { type: 'integer', value: 1 }],
          [{ type: 'integer', value: 2 }, bulkOf('two')],
        ],
      },
      { n: 1, '2': 'two' },
    ],
  ])('%s', (_what, reply, expected) => {
    expect(plainReply(reply)).toEqual(expected);
  });

  test('a map key named __proto__ is a key, in the object and in its JSON', () => {
    const plain = plainReply({ type: 'map', entries: [[bulkOf('__proto__'), bulkOf('p')]] });
    expect(JSON.stringify(plain)).toBe('{"__proto__":"p"}');
  });

  test('two keys with one text: the last value, as jq reads a duplicate key', () => {
    const plain = plainReply({
      type: 'map',
      entries: [
        [{ type: 'integer', value: 1 }, bulkOf('number')],
        [bulkOf('1'), bulkOf('string')],
      ],
    });
    expect(plain).toEqual({ '1': 'string' });
  });
});
