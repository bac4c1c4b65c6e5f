import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mayHaveConfigFile } from '../../src/config/search.js';

// Skipping cosmiconfig is only right when cosmiconfig would find nothing: every place it looks counts.
describe('mayHaveConfigFile', () => {
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

  test.each(['.redisscriptsrc', '.redisscriptsrc.yaml', 'redisscripts.config.js'])('%s in a parent folder: true', (name) => {
    writeFileSync(join(root, 'sub', name), '{}');
    expect(mayHaveConfigFile(join(root, 'sub', 'deeper'))).toBe(true);
  });

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
