/**
 * Several `rscript load` at once on one folder and one manifest (two terminals, a watcher and a git
 * hook): each succeeds or fails cleanly, and the manifest ends valid and equal to a single run's.
 */
import { startRedisProcess, type RedisProcess } from '../helpers/redis-process.js';
import { expectSuccess, rscript, tempProject, type RunResult, type TempProject } from '../helpers/rscript-process.js';

const RUNS = 5;
const SCRIPTS = 300;
let server: RedisProcess;
let project: TempProject;

beforeAll(async () => {
  server = await startRedisProcess();
  project = tempProject();
  for (let i = 0; i < SCRIPTS; i++) project.write(`lua/s${String(i).padStart(3, '0')}.lua`, `return ${i}\n`);
});
afterAll(async () => {
  await server.stop();
  project.cleanup();
});

const load = () => rscript(['load', '--url', server.url, '--json'], { cwd: project.dir });

async function loadTogether(): Promise<RunResult[]> {
  const results = await Promise.all(Array.from({ length: RUNS }, load));
  for (const r of results) {
    expectSuccess(r);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).rows).toHaveLength(SCRIPTS);
  }
  expect(project.list().filter((f) => f !== 'lua' && f !== 'package.json')).toEqual(['rscript.lock.json']);
  return results;
}

it(`${RUNS} loads at once: all succeed, no temp file is left, and the manifest equals a single run's`, async () => {
  // No manifest yet, empty server cache: every run loads and writes.
  await loadTogether();
  const together = project.read('rscript.lock.json');
  expect(Object.keys(JSON.parse(together.toString()).scripts)).toHaveLength(SCRIPTS);

  // Again after a flush, and after a change to one file: the runs race on loading and on writing.
  server.cli('SCRIPT', 'FLUSH');
  await loadTogether();
  project.write('lua/s007.lua', 'return "seven"\n');
  const changed = await loadTogether();
  const statuses = changed.map(
    (r) => JSON.parse(r.stdout).rows.find((row: { name: string }) => row.name === 's007').status,
  );
  expect(statuses.every((s: string) => s === 'changed' || s === 'unchanged')).toBe(true);
  const afterChange = project.read('rscript.lock.json');

  project.remove('rscript.lock.json');
  expectSuccess(await load());
  expect(project.read('rscript.lock.json').equals(afterChange)).toBe(true);
  expect(server.cli('SCRIPT', 'EXISTS', JSON.parse(afterChange.toString()).scripts.s007.sha)).toBe('1');
});
