/**
 * Integers past 2^53 in exec's replies: node-redis's decoding, corrected digit for digit from the same
 * bytes decoded with integers as strings (pure: the decoded values are written out here).
 */
import { withLargeIntegers } from '../../src/redis/large-integer.js';
import { typeReply } from '../../src/redis/typed-reply.js';

const typed = (reply: unknown, asStrings: unknown) => typeReply(withLargeIntegers(reply, asStrings));

test('an integer past 2^53 shows the digits Redis sent, not the rounded number', () => {
  expect(typed(1152921504606846700, '1152921504606846976')).toEqual({ type: 'integer', value: '1152921504606846976' });
  expect(typed(-9223372036854776000, '-9223372036854775808')).toEqual({
    type: 'integer',
    value: '-9223372036854775808',
  });
});

test('a safe integer stays a number, read again from its digits', () => {
  // node-redis decodes :9007199254740991 as 9007199254740992.
  expect(typed(9007199254740992, '9007199254740991')).toEqual({ type: 'integer', value: 9007199254740991 });
  expect(typed(-7, '-7')).toEqual({ type: 'integer', value: -7 });
});

test('a status that reads as digits stays a status; a double stays a double', () => {
  expect(typed('9223372036854775807', '9223372036854775807')).toEqual({ type: 'status', value: '9223372036854775807' });
  // A number in the second decoding is a double (integers come back as strings), whole or not.
  expect(typed(1e300, 1e300)).toEqual({ type: 'double', value: 1e300 });
  expect(typed(3, 3)).toEqual({ type: 'double', value: 3 });
  expect(typed(3.5, 3.5)).toEqual({ type: 'double', value: 3.5 });
});

test('inside arrays, sets and maps (keys too)', () => {
  const reply = [
    new Set([1152921504606846700]),
    new Map<unknown, unknown>([
      [1152921504606846700, 'v'],
      ['n', 1152921504606846700],
    ]),
  ];
  const asStrings = [['1152921504606846976'], ['1152921504606846976', 'v', 'n', '1152921504606846976']];
  const big = { type: 'integer', value: '1152921504606846976' };
  expect(typed(reply, asStrings)).toEqual({
    type: 'array',
    items: [
      { type: 'set', items: [big] },
      {
        type: 'map',
        entries: [
          [big, { type: 'status', value: 'v' }],
          [{ type: 'bulk string', value: 'n' }, big],
        ],
      },
    ],
  });
});

test('shapes that do not line up leave the reply as it was decoded', () => {
  expect(withLargeIntegers([1152921504606846700], undefined)).toEqual([1152921504606846700]);
  expect(withLargeIntegers([1152921504606846700], ['1', '2'])).toEqual([1152921504606846700]);
  // A map whose keys merged (1 and 1.5 both reach the client as :1) has fewer entries than pairs sent.
  const merged = new Map([[1, 'b']]);
  expect(withLargeIntegers(merged, ['1', 'a', '1', 'b'])).toBe(merged);
  expect(withLargeIntegers(1152921504606846700, '1.5')).toBe(1152921504606846700);
});
