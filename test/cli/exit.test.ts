/**
 * bin/rscript exits as soon as the run is over, skipping Node's teardown of the heap, but never
 * before stdout and stderr have written everything: a pipe whose reader is slow still gets it all.
 * A run that never finishes is an error.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, makeProject, runCli, stackLines, type Project } from '../helpers/cli.js';

let project: Project;
let cache: string;

beforeAll(() => {
  // 400 scripts with a finding each: the JSON report is more than twice a pipe's 64 KB buffer.
  const files: Record<string, string> = {};
  for (let i = 0; i < 400; i++)
    files[`lua/s${String(i).padStart(3, '0')}.lua`] = `return redis.call('GET', KEYS[1]) -- script ${i}\n`;
  project = makeProject(files);
  cache = mkdtempSync(join(tmpdir(), 'rscript-exit-test-cache-'));
});
afterAll(() => {
  project.cleanup();
  rmSync(cache, { recursive: true, force: true });
});

test('a reader that starts late still gets the whole output, and the exit code', () => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    NODE: process.execPath,
    RSCRIPT: BIN,
    RSCRIPT_CACHE_DIR: cache,
  };
  for (const k of ['REDIS_URL', 'DEBUG', 'FORCE_COLOR', 'NODE_OPTIONS']) delete env[k];
  // The reader sleeps before reading: rscript fills the pipe and must wait for it to drain (an exit
  // that did not wait left exactly 65,536 bytes). rscript's exit code goes to stderr.
  const pipeline = '{ "$NODE" "$RSCRIPT" lint --format json lua; echo "exit $?" >&2; } | { sleep 1; cat; }';
  const result = spawnSync('sh', ['-c', pipeline], {
    cwd: project.dir,
    env,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    timeout: 20000,
  });
  expect(result.stderr).toBe('exit 0\n');
  expect(result.stdout.length).toBeGreaterThan(2 * 65536);
  const report = JSON.parse(result.stdout) as {
    errors: number;
    warnings: number;
    findings: Array<{ severity: string }>;
  };
  // One header-keys-argv note per script (no KEYS[n]: header): notes are not warnings.
  expect(report.findings).toHaveLength(400);
  expect(report.findings.every((f) => f.severity === 'info')).toBe(true);
  expect(report.warnings).toBe(0);
});

test('a run that waits for what never comes ends with exit 2 and one line, not a silent success', async () => {
  // A config module whose top-level await never settles: Node ends the run when nothing is left.
  project.write('redisscripts.config.mjs', 'export default await new Promise(() => {});\n');
  try {
    for (const args of [
      ['load', '--check'],
      ['lint', 'lua'],
    ]) {
      const result = await runCli(args, { cwd: project.dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        'rscript: stopped before the command finished: it waited for something that never came (a config file whose promise never settles?)\n',
      );
      expect(stackLines(result.stderr)).toEqual([]);
      expect(result.stdout).toBe('');
    }
  } finally {
    project.remove('redisscripts.config.mjs');
  }
});
