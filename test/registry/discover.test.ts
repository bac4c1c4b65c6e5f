/** Finding scripts on disk: names, ignored files, roots, collisions, symlinks. No Redis needed. */
import { mkdirSync, symlinkSync } from 'node:fs';
import { UsageError } from '../../src/errors.js';
import { discoverScripts } from '../../src/registry/discover.js';
import { makeProject, type Project } from '../helpers/cli.js';

let project: Project;
afterEach(() => project?.cleanup());

const names = (paths: string[]) => discoverScripts({ paths, cwd: project.dir }).map((s) => s.name);
const failure = (paths: string[]): UsageError => {
  try {
    discoverScripts({ paths, cwd: project.dir });
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('discoverScripts did not fail');
};

test('finds .lua files recursively; names are relative to the root, /-separated, without .lua', () => {
  project = makeProject({
    'lua/a.lua': 'return 1',
    'lua/queue/push.lua': 'return 2',
    'lua/queue/deep/pop.lua': 'return 3',
    'lua/README.md': '# not a script',
    'lua/notes.txt': 'return 4',
  });
  const found = discoverScripts({ paths: ['lua'], cwd: project.dir });
  expect(found.map((s) => s.name)).toEqual(['a', 'queue/deep/pop', 'queue/push']);
  expect(found.map((s) => s.path)).toEqual(['lua/a.lua', 'lua/queue/deep/pop.lua', 'lua/queue/push.lua']);
  expect(found[0]!.absPath).toBe(project.path('lua/a.lua'));
  expect(found[0]!.bytes.toString()).toBe('return 1');
});

test('names sort by code unit, the same on every machine', () => {
  project = makeProject({ 'lua/b.lua': '1', 'lua/B2.lua': '2', 'lua/a.lua': '3', 'lua/_x.lua': '4', 'lua/é.lua': '5' });
  expect(names(['lua'])).toEqual(['B2', '_x', 'a', 'b', 'é']);
});

test('dotfiles, editor backups, swap and lock files, dot folders and node_modules are ignored', () => {
  project = makeProject({
    'lua/real.lua': 'return 1',
    'lua/.hidden.lua': 'return 1',
    'lua/real.lua~': 'return 1',
    'lua/backup~.lua~': 'return 1',
    'lua/.real.lua.swp': 'return 1',
    'lua/real.lua.swp': 'return 1',
    'lua/#real.lua#': 'return 1',
    'lua/.git/hooks/x.lua': 'return 1',
    'lua/node_modules/pkg/y.lua': 'return 1',
  });
  // Emacs's lock file is a dangling symlink named .#file.
  symlinkSync('nobody@host.1234', project.path('lua/.#real.lua'));
  expect(names(['lua'])).toEqual(['real']);
});

test('a file path as a root: the script is named after the file', () => {
  project = makeProject({ 'lua/queue/push.lua': 'return 1', 'lua/other.lua': 'return 2' });
  const found = discoverScripts({ paths: ['lua/queue/push.lua'], cwd: project.dir });
  expect(found.map((s) => [s.name, s.path])).toEqual([['push', 'lua/queue/push.lua']]);
});

test('several roots are merged; one root given twice is not a duplicate', () => {
  project = makeProject({ 'lua/a.lua': 'return 1', 'more/b.lua': 'return 2' });
  expect(names(['lua', 'more'])).toEqual(['a', 'b']);
  expect(names(['lua', './lua'])).toEqual(['a']);
});

test('the same name under two roots is an error naming both files', () => {
  project = makeProject({ 'lua/rate_limit.lua': 'return 1', 'vendor/rate_limit.lua': 'return 2' });
  const err = failure(['lua', 'vendor']);
  expect(err.message).toContain('"rate_limit"');
  expect(err.message).toContain('lua/rate_limit.lua');
  expect(err.message).toContain('vendor/rate_limit.lua');
  expect(err.exitCode).toBe(2);
});

test('names differing only by case are an error (they collide on macOS and Windows)', () => {
  project = makeProject({ 'lua/Lock.lua': 'return 1', 'lua/lock.lua': 'return 2' });
  const err = failure(['lua']);
  expect(err.message).toMatch(/"Lock" and "lock" differ only by case/);
  expect(err.message).toContain('lua/Lock.lua');
  expect(err.message).toContain('lua/lock.lua');
});

test('a symlink loop does not hang and yields each script once', () => {
  project = makeProject({ 'lua/a.lua': 'return 1', 'lua/sub/b.lua': 'return 2' });
  symlinkSync('..', project.path('lua/sub/up'));
  symlinkSync('.', project.path('lua/self'));
  expect(names(['lua'])).toEqual(['a', 'sub/b']);
});

test('a symlinked folder is followed; a dangling link is skipped', () => {
  project = makeProject({ 'shared/common.lua': 'return 1' });
  mkdirSync(project.path('lua'));
  symlinkSync('../shared', project.path('lua/shared'));
  symlinkSync('../missing.lua', project.path('lua/gone.lua'));
  expect(names(['lua'])).toEqual(['shared/common']);
});

test('a missing path is an error naming it', () => {
  project = makeProject({ 'lua/a.lua': 'return 1' });
  expect(failure(['lua', 'scripts']).message).toBe('script path not found: scripts');
});

test('a file that is not .lua is refused', () => {
  project = makeProject({ 'lua/a.txt': 'return 1' });
  expect(failure(['lua/a.txt']).message).toMatch(/not a \.lua file or a folder: lua\/a\.txt/);
});

test('an empty folder yields no scripts', () => {
  project = makeProject();
  mkdirSync(project.path('lua'));
  expect(names(['lua'])).toEqual([]);
});

test('a path inside a configured script folder keeps the names it has there (no renames in the lockfile)', () => {
  project = makeProject({
    'lua/a.lua': 'return 1',
    'lua/queue/push.lua': 'return 2',
    'lua/queue/deep/pop.lua': 'return 3',
  });
  const within = (paths: string[]) =>
    discoverScripts({ paths, cwd: project.dir, nameRoots: ['lua'] }).map((s) => s.name);
  expect(within(['lua/queue'])).toEqual(['queue/deep/pop', 'queue/push']);
  expect(within(['lua/queue/push.lua'])).toEqual(['queue/push']);
  expect(within(['lua'])).toEqual(['a', 'queue/deep/pop', 'queue/push']);
  // Outside every configured folder, names are relative to the path given, as before.
  expect(discoverScripts({ paths: ['lua/queue'], cwd: project.dir, nameRoots: ['other'] }).map((s) => s.name)).toEqual([
    'deep/pop',
    'push',
  ]);
});

test('an empty path (an unset shell variable) is refused, not read as the working directory', () => {
  project = makeProject({ 'lua/a.lua': 'return 1' });
  expect(failure(['']).message).toMatch(/empty script path/);
});
