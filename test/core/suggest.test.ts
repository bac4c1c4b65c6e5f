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

describe('a SHA prefix names a script', () => {
  test('the 12 characters the tables show resolve to the manifest entry; too short or unknown does not', async () => {
    const { makeProject } = await import('../helpers/cli.js');
    const { resolveScript } = await import('../../src/registry/resolve.js');
    const { sha1hex } = await import('../../src/registry/script.js');
    const project = makeProject({
      'lua/one.lua': 'return 1',
      'rscript.lock.json': JSON.stringify({ version: 1, scripts: { one: { path: 'lua/one.lua', sha: sha1hex('return 1'), size: 8, flags: [] } } }),
    });
    try {
      const options = { manifest: project.path('rscript.lock.json'), scripts: ['lua'], cwd: project.dir };
      expect(resolveScript('e0e1f9fabfc9', options)).toMatchObject({ name: 'one', sha: 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db' });
      expect(() => resolveScript('e0e1f9', options)).toThrow(/unknown script "e0e1f9"/);
      expect(() => resolveScript('abcdef012345', options)).toThrow(/unknown script/);
    } finally {
      project.cleanup();
    }
  });
});
