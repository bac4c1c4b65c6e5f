/** "Did you mean": the closest known script names for a mistyped one. */
import { distance, nearest, suggest } from '../src/suggest.js';

const known = [
  'rate_limit',
  'rate_limit_token_bucket',
  'lock_acquire',
  'lock_release',
  'queue/push',
  'queue/pop',
  'counter_incr',
];

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

test('distance is the edit distance, a swap of two neighbours counting one', () => {
  expect(distance('kitten', 'sitting')).toBe(3);
  expect(distance('', 'abc')).toBe(3);
  expect(distance('same', 'same')).toBe(0);
  expect(distance('hepl', 'help')).toBe(1);
  expect(distance('lcok_acquire', 'lock_acquire')).toBe(1);
  expect(distance('ab', 'ba')).toBe(1);
});

describe('a SHA prefix names a script', () => {
  test('the 12 characters the tables show resolve to the manifest entry; too short or unknown does not', async () => {
    const { makeProject } = await import('./helpers/cli.js');
    const { resolveScript } = await import('../src/manifest/resolve.js');
    const { sha1hex } = await import('../src/registry/script.js');
    const project = makeProject({
      'lua/one.lua': 'return 1',
      'rscript.lock.json': JSON.stringify({
        version: 1,
        scripts: { one: { path: 'lua/one.lua', sha: sha1hex('return 1'), size: 8, flags: [] } },
      }),
    });
    try {
      const options = { manifest: project.path('rscript.lock.json'), scripts: ['lua'], cwd: project.dir };
      expect(resolveScript('e0e1f9fabfc9', options)).toMatchObject({
        name: 'one',
        sha: 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db',
      });
      expect(() => resolveScript('e0e1f9', options)).toThrow(/unknown script "e0e1f9"/);
      expect(() => resolveScript('abcdef012345', options)).toThrow(/unknown script/);
    } finally {
      project.cleanup();
    }
  });

  test('hex too short to be a prefix, that begins a known SHA: says how many digits it takes and whose SHA it begins', async () => {
    const { MIN_SHA_PREFIX, unknownScript } = await import('../src/manifest/resolve.js');
    const shas = [
      { name: 'one', sha: 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db' },
      { name: 'one', sha: 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db' }, // the manifest's and the file's
      { name: 'two', sha: 'e0e1aaaa00000000000000000000000000000000' },
      { name: 'three', sha: '7a3f000000000000000000000000000000000000' },
    ];
    const known = ['one', 'two', 'three'];
    const error = (ref: string) => {
      const e = unknownScript(ref, known, shas);
      return [e.message, ...e.detail];
    };
    expect(MIN_SHA_PREFIX).toBe(7);
    expect(error('E0E1F9')).toEqual([
      'unknown script "E0E1F9": a SHA prefix needs at least 7 hex digits',
      'e0e1f9fabfc9 is "one"',
    ]);
    expect(error('e0e1')).toEqual([
      'unknown script "e0e1": a SHA prefix needs at least 7 hex digits',
      'e0e1f9fabfc9 is "one", e0e1aaaa0000 is "two"',
    ]);
    // Begins no SHA, or too short to be taken for one: the usual message.
    expect(error('e0e2')).toEqual(['unknown script "e0e2"']);
    expect(error('e0e')).toEqual(['unknown script "e0e"; did you mean "one"?']);
    expect(error('7a3')).toEqual(['unknown script "7a3"']);
  });
});

describe('nearest: one name within two edits, by edit distance alone', () => {
  test('a typo finds its name, a shared part does not', () => {
    expect(nearest('urll', ['url', 'scripts', 'redisServer'])).toBe('url');
    expect(nearest('manifets', ['manifest', 'scripts'])).toBe('manifest');
    // suggest() takes a shared part as close; a config key named after it would set the wrong thing.
    expect(nearest('redis', ['url', 'redisServer'])).toBeUndefined();
    expect(nearest('GETT', ['getex', 'get', 'getdel'])).toBe('get');
  });
});
