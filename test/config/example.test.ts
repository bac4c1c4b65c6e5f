import { cpSync, readFileSync } from 'node:fs';
import { CONFIG_KEYS, validateConfig } from '../../src/config/schema.js';
import { makeProject, runCli } from '../helpers/cli.js';
import { assertRedisInstalled } from '../helpers/redis-server.js';

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

  // Copied as it is beside the lua/ library, it runs: its fixtures pass the scripts' own checks.
  it('bench --sandbox with its fixtures on the library: every call succeeds, within budget', async () => {
    assertRedisInstalled();
    const project = makeProject({
      '.redisscriptsrc': readFileSync(new URL('../../.redisscriptsrc.example', import.meta.url)),
    });
    try {
      cpSync(new URL('../../lua', import.meta.url), project.path('lua'), { recursive: true });
      const r = await runCli(['bench', '--sandbox', '-n', '200', '--json'], { cwd: project.dir, timeoutMs: 60_000 });
      expect({ code: r.code, stderr: r.stderr.replace(/^sandbox: .*\n/m, '') }).toEqual({ code: 0, stderr: '' });
      const report = JSON.parse(r.stdout) as { results: Array<{ script: string; errors: number; verdict: string }> };
      expect(report.results.map(({ script, errors, verdict }) => ({ script, errors, verdict }))).toEqual(
        Object.keys(example.bench).map((script) => ({ script, errors: 0, verdict: 'ok' })),
      );
    } finally {
      project.cleanup();
    }
  }, 60_000);
});
