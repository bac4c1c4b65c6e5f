/**
 * What `rscript test --watch` and `load --watch` lint on a save: with the project's settings (include
 * folder, rules, target), and for a saved fragment the scripts and libraries that include it, its
 * findings shown at its own lines. No server: the lint is what is checked here.
 */
import { join } from 'node:path';
import { lintSaved } from '../../src/commands/watch.js';
import { makeProject, type Project } from '../helpers/cli.js';

let project: Project;
afterEach(() => project?.cleanup());

const FRAGMENT = "local function peek(k)\n  return redis.call('GETT', k)\nend\n";

beforeEach(() => {
  project = makeProject({
    'lua/job.lua':
      '-- job: reads a key\n--\n-- KEYS[1]: a key (string)\n--- @include "include/peek"\nreturn peek(KEYS[1])\n',
    'lua/lib.lua':
      '#!lua name=lib\n--- @include "include/peek"\nredis.register_function(\'lib_peek\', function(keys) return peek(keys[1]) end)\n',
    'lua/other.lua': "-- other: unrelated\nreturn redis.call('GET', KEYS[1])\n",
    'lua/include/peek.lua': FRAGMENT,
  });
});

test('a saved fragment re-lints what includes it: its finding once, at its own line, not a script of its own', async () => {
  const r = await lintSaved([project.path('lua/include/peek.lua')], ['lua'], { include: ['lua/include'] }, project.dir);
  expect(r).toBeDefined();
  // A fragment is named relative to the process's working folder (the CLI's cwd), the test's is elsewhere.
  const rel = (file: string) => file.replace(`${project.dir}/`, '');
  expect(r!.files.map((f) => rel(f.file)).sort()).toEqual(['lua/include/peek.lua', 'lua/job.lua', 'lua/lib.lua']);
  const fragment = r!.files.find((f) => rel(f.file) === 'lua/include/peek.lua')!;
  expect(fragment.findings.map((f) => [f.rule, f.line])).toEqual([['unknown-command', 2]]);
  expect(r!.errors).toBe(1);
});

test("the project's rules apply (a rule turned off in the config is silent in the watch too)", async () => {
  const r = await lintSaved(
    [project.path('lua/include/peek.lua')],
    ['lua'],
    { include: ['lua/include'], rules: { 'unknown-command': 'off' } },
    project.dir,
  );
  expect(r!.errors).toBe(0);
});

test('a saved script is linted alone; a fragment nothing includes lints nothing', async () => {
  const r = await lintSaved([join(project.dir, 'lua/other.lua')], ['lua'], { include: ['lua/include'] }, project.dir);
  expect(r!.files.map((f) => f.file)).toEqual(['lua/other.lua']);
  project.write('lua/include/unused.lua', FRAGMENT);
  expect(
    await lintSaved([project.path('lua/include/unused.lua')], ['lua'], { include: ['lua/include'] }, project.dir),
  ).toBeUndefined();
});
