import { readFileSync } from 'node:fs';
import { CONFIG_KEYS, validateConfig } from '../../src/config/schema.js';

// The example is what users copy: it must be valid and must show every key the tool reads.
describe('.redisscriptsrc.example', () => {
  const example = JSON.parse(readFileSync(new URL('../../.redisscriptsrc.example', import.meta.url), 'utf8'));

  it('passes the config validation', () => {
    expect(() => validateConfig(example)).not.toThrow();
  });

  it('documents every config key', () => {
    const missing = Object.keys(CONFIG_KEYS).filter((k) => !(k in example));
    expect(missing).toEqual([]);
  });

  it('rejects an unknown key, naming it', () => {
    expect(() => validateConfig({ ...example, urll: 'x' })).toThrow(/"urll" is not a known key/);
  });
});
