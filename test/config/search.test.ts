import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readConfigFile } from '../../src/config/file.js';
import { findConfig } from '../../src/config/search.js';

/** Whether a config file can exist: false means cosmiconfig would find nothing. */
const mayHaveConfigFile = (cwd: string) => findConfig(cwd) !== null;

// Skipping cosmiconfig is only right when cosmiconfig would find nothing: every place it looks counts.
describe('findConfig finds nothing only where cosmiconfig finds nothing', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rscript-search-'));
    writeFileSync(join(root, 'package.json'), '{"name":"p"}');
    mkdirSync(join(root, 'sub', 'deeper'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('no config anywhere up to the package root: false', () => {
    expect(mayHaveConfigFile(join(root, 'sub', 'deeper'))).toBe(false);
  });

  test.each(['.redisscriptsrc', '.redisscriptsrc.yaml', 'redisscripts.config.js'])(
    '%s in a parent folder: true',
    (name) => {
      writeFileSync(join(root, 'sub', name), '{}');
      expect(mayHaveConfigFile(join(root, 'sub', 'deeper'))).toBe(true);
    },
  );

  test('.config/redisscriptsrc: true', () => {
    mkdirSync(join(root, '.config'));
    writeFileSync(join(root, '.config', 'redisscriptsrc.json'), '{}');
    expect(mayHaveConfigFile(root)).toBe(true);
  });

  test('a "redisscripts" key in the package.json: true', () => {
    writeFileSync(join(root, 'package.json'), '{"name":"p","redisscripts":{"url":"redis://x"}}');
    expect(mayHaveConfigFile(join(root, 'sub'))).toBe(true);
  });

  test('nothing above the package root is looked at', () => {
    writeFileSync(join(root, 'sub', 'package.json'), '{"name":"inner"}');
    writeFileSync(join(root, '.redisscriptsrc'), '{}');
    expect(mayHaveConfigFile(join(root, 'sub', 'deeper'))).toBe(false);
  });
});

// findConfig reads JSON configs itself; whatever it reads must be what cosmiconfig would have given.
describe('findConfig agrees with cosmiconfig', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rscript-find-'));
    mkdirSync(join(root, 'sub', 'deeper'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const layouts: Array<[string, Record<string, string>, 'plain' | 'cosmiconfig' | null]> = [
    [
      'a JSON .redisscriptsrc here',
      { 'package.json': '{"name":"p"}', 'sub/deeper/.redisscriptsrc': '{"url":"redis://a"}' },
      'plain',
    ],
    [
      'a JSON .redisscriptsrc in a parent',
      { 'package.json': '{"name":"p"}', 'sub/.redisscriptsrc': '{"url":"redis://b"}' },
      'plain',
    ],
    [
      'the package.json key before .redisscriptsrc',
      { 'package.json': '{"redisscripts":{"url":"redis://c"}}', '.redisscriptsrc': '{"url":"redis://d"}' },
      'plain',
    ],
    [
      '.redisscriptsrc.json before .yaml and .js',
      {
        '.redisscriptsrc.json': '{"url":"redis://e"}',
        '.redisscriptsrc.yaml': 'url: redis://f',
        '.redisscriptsrc.js': 'export default {}',
      },
      'plain',
    ],
    [
      '.redisscriptsrc before .redisscriptsrc.json',
      { '.redisscriptsrc': '{"url":"redis://g"}', '.redisscriptsrc.json': '{"url":"redis://h"}' },
      'plain',
    ],
    ['a YAML .redisscriptsrc', { '.redisscriptsrc': 'url: redis://i\n' }, 'cosmiconfig'],
    ['a .yaml file alone', { '.redisscriptsrc.yaml': 'url: redis://j\n' }, 'cosmiconfig'],
    [
      '$import',
      { 'base.json': '{"url":"redis://k"}', '.redisscriptsrc.json': '{"$import":"base.json"}' },
      'cosmiconfig',
    ],
    ['an empty .redisscriptsrc', { '.redisscriptsrc': '' }, 'cosmiconfig'],
    ['only a backup file', { 'package.json': '{"name":"p"}', '.redisscriptsrc.bak': '{"url":"redis://l"}' }, null],
    ['a null package.json key', { 'package.json': '{"redisscripts":null}' }, 'cosmiconfig'],
    ['.config/redisscriptsrc.json', { '.config/redisscriptsrc.json': '{"url":"redis://m"}' }, 'cosmiconfig'],
    [
      'a .redisscriptsrc above the package root',
      { '.redisscriptsrc': '{"url":"redis://n"}', 'sub/package.json': '{"name":"inner"}' },
      null,
    ],
    [
      'a .redisscriptsrc above a package.yaml',
      { '.redisscriptsrc.json': '{"url":"redis://o"}', 'sub/package.yaml': 'name: inner\n' },
      null,
    ],
    [
      '$import in the package.json key',
      { 'base.json': '{"url":"redis://p"}', 'package.json': '{"redisscripts":{"$import":"./base.json"}}' },
      'cosmiconfig',
    ],
    ['a repeated key (YAML refuses it)', { '.redisscriptsrc': '{"url":"redis://q","url":"redis://r"}' }, 'cosmiconfig'],
    [
      'a repeated key in a nested object',
      { '.redisscriptsrc': '{"lint":{"rules":{"a":"off","a":"error"}}}' },
      'cosmiconfig',
    ],
    [
      'the same key in two objects, tabs, escapes',
      {
        '.redisscriptsrc': '{\n\t"bench": {"x": {"keys": ["k\\"", "a"]}, "y": {"keys": []}},\n\t"url": "redis://s"\n}',
      },
      'plain',
    ],
  ];

  test.each(layouts)('%s', async (_, files, expected) => {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, name)), { recursive: true });
      writeFileSync(join(root, name), text);
    }
    const cwd = join(root, 'sub', 'deeper');
    const lookup = findConfig(cwd);
    const ours = lookup !== null && 'cosmiconfig' in lookup ? 'cosmiconfig' : lookup;
    const theirs = await readConfigFile(undefined, cwd).catch((err: Error) => ({ error: err.message }));
    if (expected === 'plain') {
      expect(theirs).not.toHaveProperty('error');
      const found = theirs as { file: string; data: unknown };
      expect(ours).toEqual({ file: found.file, data: found.data });
    } else {
      expect(ours).toBe(expected);
      if (expected === null) expect(theirs).toBeNull();
    }
  });
});
