/**
 * The plan `rscript load` acts on: which scripts are new, changed (and through which file), unchanged
 * or removed, whether the lockfile is stale, and what the next lockfile holds.
 */
import { readManifest, writeManifestAtomic, type Manifest, type ManifestEntry } from '../../src/manifest/manifest.js';
import { planManifest } from '../../src/manifest/plan.js';
import { discoverScripts } from '../../src/registry/discover.js';
import { makeProject, type Project } from '../helpers/cli.js';

let project: Project;
afterEach(() => project?.cleanup());

const LOCK = 'rscript.lock.json';

/** The plan of a load of `roots` (scanned from the project's folder) against the lockfile `lock`. */
function plan(roots: string[], lock = LOCK) {
  const file = project.path(lock);
  return planManifest(
    discoverScripts({ paths: roots, cwd: project.dir }),
    readManifest(file),
    file,
    roots,
    project.dir,
  );
}

/** A load of `roots` that writes its lockfile, as `rscript load` does. */
function save(roots: string[], lock = LOCK) {
  const p = plan(roots, lock);
  writeManifestAtomic(project.path(lock), p.next);
  return p;
}

/** Edits a script's entry in the lockfile, as a hand edit or a bad merge would. */
function editEntry(name: string, edit: (entry: ManifestEntry) => void, lock = LOCK) {
  const manifest = readManifest(project.path(lock))!;
  edit(manifest.scripts[name]!);
  writeManifestAtomic(project.path(lock), manifest);
}

const statuses = (p: ReturnType<typeof plan>) => p.rows.map((r) => [r.script.name, r.status]);

describe('what counts as changed', () => {
  test('an edit that keeps the size is a change; the untouched script stays unchanged', () => {
    project = makeProject({ 'lua/a.lua': 'return 1', 'lua/b.lua': 'return 2' });
    const first = save(['lua']);
    project.write('lua/a.lua', 'return 3');
    const p = plan(['lua']);
    expect(statuses(p)).toEqual([
      ['a', 'changed'],
      ['b', 'unchanged'],
    ]);
    expect(p.rows[0]!.previousSha).toBe(first.next.scripts.a!.sha);
    expect(p.next.scripts.a!.sha).not.toBe(first.next.scripts.a!.sha);
    // Nothing was removed: the one changed script alone makes the lockfile stale.
    expect(p.removed).toEqual([]);
    expect(p.changed).toBe(true);
  });

  test('a script with flags, loaded again untouched, is unchanged and the lockfile is not stale', () => {
    project = makeProject({ 'lua/a.lua': '#!lua flags=no-writes,allow-stale\nreturn 1' });
    save(['lua']);
    const p = plan(['lua']);
    expect(statuses(p)).toEqual([['a', 'unchanged']]);
    expect(p.changed).toBe(false);
  });

  // Size and flags follow from the file's bytes: a lockfile that says otherwise is rewritten.
  test.each<[string, (entry: ManifestEntry) => void]>([
    ['a wrong size', (e) => (e.size += 1)],
    ['no flags where the file has one', (e) => (e.flags = [])],
    ['another flag in its place', (e) => (e.flags = ['allow-oom'])],
    ['one flag more than the file has', (e) => (e.flags = ['no-writes', 'allow-oom'])],
  ])('a lockfile entry with %s is stale and is rewritten from the file', (_what, edit) => {
    project = makeProject({ 'lua/a.lua': '#!lua flags=no-writes\nreturn 1' });
    const first = save(['lua']);
    editEntry('a', edit);
    const p = plan(['lua']);
    expect(statuses(p)).toEqual([['a', 'changed']]);
    expect(p.changed).toBe(true);
    expect(p.next.scripts.a).toEqual(first.next.scripts.a);
  });

  test('no lockfile yet: the plan is stale even with no script to record', () => {
    project = makeProject();
    const p = planManifest([], null, project.path(LOCK), ['lua'], project.dir);
    expect(p.changed).toBe(true);
    expect(p.next).toEqual({ version: 1, scripts: {} });
  });
});

describe('a script that includes fragments', () => {
  const files = {
    'lua/a.lua': '--- @include "../frag/util"\n--- @include "../frag/keys"\nreturn util() + keys()',
    'frag/util.lua': 'local function util() return 1 end\n',
    'frag/keys.lua': 'local function keys() return 2 end\n',
  };

  test('the lockfile records every file it was built from; loaded again untouched, it is unchanged', () => {
    project = makeProject(files);
    const first = save(['lua']);
    expect(first.next.scripts.a!.sources!.map((s) => s.path)).toEqual(['lua/a.lua', 'frag/util.lua', 'frag/keys.lua']);
    const p = plan(['lua']);
    expect(statuses(p)).toEqual([['a', 'unchanged']]);
    expect(p.rows[0]!.changedSources).toBeUndefined();
    expect(p.changed).toBe(false);
  });

  test('an edited fragment makes it changed, through that fragment only', () => {
    project = makeProject(files);
    save(['lua']);
    project.write('frag/keys.lua', 'local function keys() return 3 end\n');
    const p = plan(['lua']);
    expect(statuses(p)).toEqual([['a', 'changed']]);
    expect(p.rows[0]!.changedSources).toEqual(['frag/keys.lua']);
  });

  test('a fragment included anew is named as the file it changed through', () => {
    project = makeProject({ ...files, 'frag/more.lua': 'local function more() return 4 end\n' });
    save(['lua']);
    project.write('lua/a.lua', `--- @include "../frag/more"\n${files['lua/a.lua']}`);
    const p = plan(['lua']);
    expect(statuses(p)).toEqual([['a', 'changed']]);
    expect(p.rows[0]!.changedSources).toEqual(['lua/a.lua', 'frag/more.lua']);
  });

  // The assembled text (its SHA, its size) is the same in each: only the list of files differs.
  test.each<[string, (sources: NonNullable<ManifestEntry['sources']>) => ManifestEntry['sources']]>([
    ['a fragment recorded under another path', (s) => [s[0]!, { ...s[1]!, path: 'frag/old.lua' }, s[2]!]],
    ['a fragment recorded with another SHA', (s) => [s[0]!, { ...s[1]!, sha: 'f'.repeat(40) }, s[2]!]],
    ['a fragment missing', (s) => [s[0]!, s[1]!]],
    ['a fragment too many', (s) => [...s, { path: 'frag/gone.lua', sha: 'f'.repeat(40) }]],
    ['no list of files at all', () => undefined],
  ])('a lockfile with %s is stale and is rewritten from the files', (_what, edit) => {
    project = makeProject(files);
    const first = save(['lua']);
    editEntry('a', (e) => {
      const sources = edit(e.sources!);
      if (sources) e.sources = sources;
      else delete e.sources;
    });
    const p = plan(['lua']);
    expect(statuses(p)).toEqual([['a', 'changed']]);
    expect(p.changed).toBe(true);
    expect(p.next.scripts.a).toEqual(first.next.scripts.a);
  });

  test('a stale size alone names no file as changed', () => {
    project = makeProject(files);
    save(['lua']);
    editEntry('a', (e) => (e.size += 1));
    const p = plan(['lua']);
    expect(statuses(p)).toEqual([['a', 'changed']]);
    expect(p.rows[0]!.changedSources).toBeUndefined();
  });
});

describe('which lockfile entries a scan covers', () => {
  test('a folder whose name starts like the scanned one is not under it: its scripts are kept', () => {
    project = makeProject({ 'lua/a.lua': 'return 1', 'lua-old/b.lua': 'return 2' });
    save(['lua', 'lua-old']);
    const p = plan(['lua']);
    expect(p.removed).toEqual([]);
    expect(Object.keys(p.next.scripts).sort()).toEqual(['a', 'b']);
    expect(p.changed).toBe(false);
  });

  test('a single file scanned updates its own entry and leaves the others', () => {
    project = makeProject({ 'lua/a.lua': 'return 1', 'lua/b.lua': 'return 2' });
    const first = save(['lua']);
    project.write('lua/a.lua', 'return 3');
    const p = plan(['lua/a.lua']);
    expect(statuses(p)).toEqual([['a', 'changed']]);
    expect(p.removed).toEqual([]);
    expect(p.next.scripts.b).toEqual(first.next.scripts.b);
  });

  test('a lockfile in a sub-folder: loaded again untouched, unchanged; a deleted script is removed', () => {
    project = makeProject({ 'lua/a.lua': 'return 1', 'lua/b.lua': 'return 2', 'deploy/.keep': '' });
    const lock = 'deploy/rscript.lock.json';
    save(['lua'], lock);
    expect(readManifest(project.path(lock))!.scripts.a!.path).toBe('../lua/a.lua');
    const again = plan(['lua'], lock);
    expect(statuses(again)).toEqual([
      ['a', 'unchanged'],
      ['b', 'unchanged'],
    ]);
    expect(again.changed).toBe(false);
    project.remove('lua/b.lua');
    const p = plan(['lua'], lock);
    expect(p.removed).toEqual(['b']);
    expect(p.next.scripts.b).toBeUndefined();
  });

  // A hand-edited (or merged) lockfile may spell a path another way: it still names the file the
  // scan finds, which the plan rewrites in the plain form rather than calling it a second script.
  test.each<[string, string, (p: Project) => string]>([
    ['./lua/q/b.lua', 'lua', () => './lua/q/b.lua'],
    ['lua/./q/b.lua', 'lua', () => 'lua/./q/b.lua'],
    ['lua/x/../q/b.lua', 'lua', () => 'lua/x/../q/b.lua'],
    ['lua//q/b.lua', 'lua/q', () => 'lua//q/b.lua'],
    ['an absolute path', 'lua', (p) => p.path('lua/q/b.lua')],
  ])('an entry spelled %s is the scanned file', (_what, root, spelled) => {
    project = makeProject({ 'lua/q/b.lua': 'return 2' });
    const name = root === 'lua' ? 'q/b' : 'b';
    save([root]);
    editEntry(name, (e) => (e.path = spelled(project)));
    const p = plan([root]);
    expect(statuses(p)).toEqual([[name, 'changed']]);
    expect(p.next.scripts[name]!.path).toBe('lua/q/b.lua');
    // And once the file is gone, that entry is the one removed.
    editEntry(name, (e) => (e.path = spelled(project)));
    project.remove('lua/q/b.lua');
    expect(plan([root]).removed).toEqual([name]);
  });
});

describe('the lockfile a plan writes', () => {
  test('an empty script is recorded with size 0 and reads back', () => {
    project = makeProject({ 'lua/empty.lua': '' });
    save(['lua']);
    const back: Manifest | null = readManifest(project.path(LOCK));
    expect(back!.scripts.empty).toEqual({
      path: 'lua/empty.lua',
      sha: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
      size: 0,
      flags: [],
    });
    expect(plan(['lua']).changed).toBe(false);
  });
});
