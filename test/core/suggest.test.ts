/** "Did you mean": the closest known script names for a mistyped one. */
import { distance, suggest } from '../../src/registry/resolve.js';

const known = ['rate_limit', 'rate_limit_token_bucket', 'lock_acquire', 'lock_release', 'queue/push', 'queue/pop', 'counter_incr'];

test.each<[string, string[]]>([
  ['rate_limt', ['rate_limit']],
  ['Rate_Limit', ['rate_limit', 'rate_limit_token_bucket']],
  ['lock_aquire', ['lock_acquire']],
  ['pusj', ['queue/push']],
  ['queue/pops', ['queue/pop', 'queue/push']],
  ['lock', ['lock_acquire', 'lock_release']],
  ['zzzzzz', []],
])('%s -> %j', (name, expected) => {
  expect(suggest(name, known)).toEqual(expected);
});

test('at most three names, closest first', () => {
  const many = ['ab1', 'ab2', 'ab3', 'ab4', 'abc'];
  expect(suggest('abc', many)).toEqual(['abc', 'ab1', 'ab2']);
});

test('nothing known, nothing suggested', () => {
  expect(suggest('x', [])).toEqual([]);
});

test('distance is the Levenshtein distance', () => {
  expect(distance('kitten', 'sitting')).toBe(3);
  expect(distance('', 'abc')).toBe(3);
  expect(distance('same', 'same')).toBe(0);
});
