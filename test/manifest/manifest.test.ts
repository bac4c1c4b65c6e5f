/** The lockfile: deterministic bytes, strict parsing, atomic writes, and the plan (files vs manifest). */
import { readdirSync, writeFileSync } from 'node:fs';
import { ConfigError, UsageError } from '../../src/errors.js';
import {
  parseManifest,
  readManifest,
  serializeManifest,
  writeManifestAtomic,
  type Manifest,
} from '../../src/manifest/manifest.js';
import { planManifest } from '../../src/manifest/plan.js';
import { discoverScripts } from '../../src/registry/discover.js';
import { makeProject, type Project } from '../helpers/cli.js';

let project: Project;
afterEach(() => project?.cleanup());

const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);

describe('serializeManifest', () => {
  test('sorted names, 2-space indent, fixed key order, trailing newline', () => {
    const manifest: Manifest = {
      version: 1,
      scripts: {
        zeta: { flags: ['no-writes'], size: 3, sha: SHA_B, path: 'lua/zeta.lua' },
        alpha: { sha: SHA_A, path: 'lua/alpha.lua', size: 8, flags: [] },
      },
    };
    expect(serializeManifest(manifest)).toBe(
      [
        '{',
        '  "version": 1,',
        '  "scripts": {',
        '    "alpha": {',
        '      "path": "lua/alpha.lua",',
        `      "sha": "${SHA_A}",`,
        '      "size": 8,',
        '      "flags": []',
        '    },',
        '    "zeta": {',
        '      "path": "lua/zeta.lua",',
        `      "sha": "${SHA_B}",`,
        '      "size": 3,',
        '      "flags": [',
        '        "no-writes"',
        '      ]',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  test('insertion order does not change the bytes', () => {
    const a: Manifest = { version: 1, scripts: {} };
    const b: Manifest = { version: 1, scripts: {} };
    const names = ['q/b', 'a', 'Z', 'q/a', '_'];
    for (const n of names) a.scripts[n] = { path: `${n}.lua`, sha: SHA_A, size: 1, flags: [] };
    for (const n of [...names].reverse()) b.scripts[n] = { path: `${n}.lua`, sha: SHA_A, size: 1, flags: [] };
    expect(serializeManifest(a)).toBe(serializeManifest(b));
    expect(Object.keys(JSON.parse(serializeManifest(a)).scripts)).toEqual(['Z', '_', 'a', 'q/a', 'q/b']);
  });

  test('serialize then parse gives the same manifest back', () => {
    const m: Manifest = {
      version: 1,
      scripts: { x: { path: 'lua/x.lua', sha: SHA_A, size: 5, flags: ['allow-oom'] } },
    };
    expect(parseManifest(serializeManifest(m), 'm.json')).toEqual(m);
  });
});

describe('parseManifest: every problem names the file', () => {
  const good = { path: 'lua/a.lua', sha: SHA_A, size: 1, flags: [] };
  test.each<[string, string, RegExp]>([
    ['corrupt JSON', '{"version": 1, "scripts": {', /not valid JSON/],
    // A position is said as a line and a column, as the config's errors say it.
    [
      'a missing comma on line 3',
      '{\n  "version": 1,\n  "scripts": {} "x": 1\n}\n',
      /: not valid JSON \(Expected .* at line 3 column 17\); fix it/,
    ],
    ['an empty file', '', /not valid JSON/],
    // V8 quotes a short text whole, line breaks included: the message stays on one line.
    [
      'a short text with a line break',
      'not json\n',
      /^[^\n]*not valid JSON \(.*"not json\\n" is not valid JSON\); fix it/,
    ],
    [
      'a git merge conflict',
      '{\n  "version": 1,\n<<<<<<< HEAD\n  "scripts": {}\n=======\n  "scripts": {"a": {}}\n>>>>>>> feature\n}\n',
      /has git merge conflict markers; resolve the conflict, or delete it and run rscript load/,
    ],
    ['an array', '[]', /expected a JSON object/],
    [
      'an unknown version',
      JSON.stringify({ version: 2, scripts: {} }),
      /unknown manifest version 2 \(this rscript reads version 1\)/,
    ],
    ['no version', JSON.stringify({ scripts: {} }), /unknown manifest version undefined/],
    ['an unknown top-level key', JSON.stringify({ version: 1, scripts: {}, extra: 1 }), /unknown key "extra"/],
    ['scripts not an object', JSON.stringify({ version: 1, scripts: [] }), /"scripts" must be an object/],
    ['an entry not an object', JSON.stringify({ version: 1, scripts: { a: 'x' } }), /scripts\["a"\] must be an object/],
    [
      'an uppercase sha',
      JSON.stringify({ version: 1, scripts: { a: { ...good, sha: SHA_A.toUpperCase() } } }),
      /scripts\["a"\]\.sha must be 40 lowercase hex/,
    ],
    ['a short sha', JSON.stringify({ version: 1, scripts: { a: { ...good, sha: 'abc' } } }), /scripts\["a"\]\.sha/],
    [
      'a missing path',
      JSON.stringify({ version: 1, scripts: { a: { ...good, path: undefined } } }),
      /scripts\["a"\]\.path must be a non-empty string/,
    ],
    [
      'a path to a file that is not a script',
      JSON.stringify({ version: 1, scripts: { a: { ...good, path: '../../etc/passwd' } } }),
      /scripts\["a"\]\.path must name a \.lua file, got "\.\.\/\.\.\/etc\/passwd"/,
    ],
    [
      'a negative size',
      JSON.stringify({ version: 1, scripts: { a: { ...good, size: -1 } } }),
      /scripts\["a"\]\.size must be a whole number/,
    ],
    [
      'flags not strings',
      JSON.stringify({ version: 1, scripts: { a: { ...good, flags: [1] } } }),
      /scripts\["a"\]\.flags must be an array of strings/,
    ],
  ])('%s', (_what, text, message) => {
    let error: unknown;
    try {
      parseManifest(text, 'deploy/rscript.lock.json');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^deploy\/rscript\.lock\.json: /);
    expect((error as Error).message).toMatch(message);
    expect((error as ConfigError).exitCode).toBe(2);
  });
});

describe('readManifest and writeManifestAtomic', () => {
  test('an absent manifest reads as null; a corrupt one throws', () => {
    project = makeProject({ 'bad.json': '{oops' });
    expect(readManifest(project.path('none.json'))).toBeNull();
    expect(() => readManifest(project.path('bad.json'))).toThrow(ConfigError);
  });

  test('writes the serialized text, leaves no temp file, and skips an identical rewrite', () => {
    project = makeProject();
    const file = project.path('rscript.lock.json');
    const m: Manifest = { version: 1, scripts: { a: { path: 'lua/a.lua', sha: SHA_A, size: 1, flags: [] } } };
    expect(writeManifestAtomic(file, m)).toBe(true);
    expect(project.read('rscript.lock.json').toString()).toBe(serializeManifest(m));
    expect(writeManifestAtomic(file, m)).toBe(false);
    m.scripts.b = { path: 'lua/b.lua', sha: SHA_B, size: 2, flags: [] };
    expect(writeManifestAtomic(file, m)).toBe(true);
    expect(readManifest(file)).toEqual(m);
    expect(readdirSync(project.dir).sort()).toEqual(['package.json', 'rscript.lock.json']);
  });

  test('a failed write names the file and leaves no temp file', () => {
    project = makeProject();
    const m: Manifest = { version: 1, scripts: {} };
    // The target is a folder: the rename fails after the temp file was written.
    project.write('lock.json/keep', '');
    expect(() => writeManifestAtomic(project.path('lock.json'), m)).toThrow(/lock\.json: cannot write the manifest/);
    expect(readdirSync(project.dir).sort()).toEqual(['lock.json', 'package.json']);
  });

  test('a manifest path under a regular file is the same one-line config error', () => {
    project = makeProject({ blocked: '' });
    const m: Manifest = { version: 1, scripts: {} };
    // Not even the temp file can be made (ENOTDIR), nor removed.
    expect(() => writeManifestAtomic(project.path('blocked/lock.json'), m)).toThrow(ConfigError);
    expect(() => writeManifestAtomic(project.path('blocked/lock.json'), m)).toThrow(
      /blocked\/lock\.json: cannot write the manifest \(ENOTDIR\)/,
    );
  });
});

describe('planManifest', () => {
  const plan = (roots: string[], manifestFile = project.path('rscript.lock.json')) =>
    planManifest(
      discoverScripts({ paths: roots, cwd: project.dir }),
      readManifest(manifestFile),
      manifestFile,
      roots,
      project.dir,
    );
  const save = (roots: string[]) => {
    const p = plan(roots);
    writeManifestAtomic(project.path('rscript.lock.json'), p.next);
    return p;
  };

  test('no manifest: everything is new; paths are relative to the manifest folder', () => {
    project = makeProject({ 'lua/a.lua': 'return 1', 'lua/q/b.lua': 'return 2' });
    const p = plan(['lua']);
    expect(p.rows.map((r) => [r.script.name, r.status])).toEqual([
      ['a', 'new'],
      ['q/b', 'new'],
    ]);
    expect(p.changed).toBe(true);
    expect(p.next.scripts.a).toEqual({
      path: 'lua/a.lua',
      sha: 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db',
      size: 8,
      flags: [],
    });
    expect(p.next.scripts['q/b']!.path).toBe('lua/q/b.lua');
  });

  test('a manifest in a sub-folder records paths relative to itself', () => {
    project = makeProject({ 'lua/a.lua': 'return 1' });
    const file = project.path('deploy/rscript.lock.json');
    const p = planManifest(discoverScripts({ paths: ['lua'], cwd: project.dir }), null, file, ['lua'], project.dir);
    expect(p.next.scripts.a!.path).toBe('../lua/a.lua');
  });

  test('new, changed, unchanged and removed; an unchanged set gives byte-identical text', () => {
    project = makeProject({ 'lua/keep.lua': 'return 1', 'lua/edit.lua': 'return 2', 'lua/gone.lua': 'return 3' });
    save(['lua']);
    const before = project.read('rscript.lock.json');
    const again = plan(['lua']);
    expect(again.changed).toBe(false);
    expect(again.rows.every((r) => r.status === 'unchanged')).toBe(true);
    expect(serializeManifest(again.next)).toBe(before.toString());

    project.write('lua/edit.lua', 'return 2\n');
    project.remove('lua/gone.lua');
    project.write('lua/fresh.lua', 'return 4');
    const p = plan(['lua']);
    expect(p.rows.map((r) => [r.script.name, r.status])).toEqual([
      ['edit', 'changed'],
      ['fresh', 'new'],
      ['keep', 'unchanged'],
    ]);
    expect(p.rows[0]!.previousSha).toBe(JSON.parse(before.toString()).scripts.edit.sha);
    expect(p.removed).toEqual(['gone']);
    expect(p.next.scripts.gone).toBeUndefined();
    expect(p.changed).toBe(true);
  });

  test('only a removal still makes the manifest stale', () => {
    project = makeProject({ 'lua/a.lua': 'return 1', 'lua/b.lua': 'return 2' });
    save(['lua']);
    project.remove('lua/b.lua');
    const p = plan(['lua']);
    expect(p.removed).toEqual(['b']);
    expect(p.changed).toBe(true);
  });

  test('a moved file (same bytes, new path) counts as changed', () => {
    project = makeProject({ 'lua/a.lua': 'return 1' });
    save(['lua']);
    project.remove('lua');
    project.write('lib/a.lua', 'return 1');
    const manifestFile = project.path('rscript.lock.json');
    const p = planManifest(
      discoverScripts({ paths: ['lib'], cwd: project.dir }),
      readManifest(manifestFile),
      manifestFile,
      ['lua', 'lib'],
      project.dir,
    );
    expect(p.rows.map((r) => [r.script.name, r.status])).toEqual([['a', 'changed']]);
    expect(p.next.scripts.a!.path).toBe('lib/a.lua');
  });

  test('entries outside the scanned roots are kept as they are', () => {
    project = makeProject({ 'lua/a.lua': 'return 1', 'vendor/v.lua': 'return 2' });
    save(['lua', 'vendor']);
    const vendorEntry = JSON.parse(project.read('rscript.lock.json').toString()).scripts.v;
    project.write('lua/a.lua', 'return 10');
    const p = plan(['lua']);
    expect(p.removed).toEqual([]);
    expect(p.next.scripts.v).toEqual(vendorEntry);
    expect(Object.keys(p.next.scripts).sort()).toEqual(['a', 'v']);
    expect(p.rows.map((r) => r.script.name)).toEqual(['a']);
  });

  test('a scanned name that the manifest holds for a file elsewhere is an error', () => {
    project = makeProject({ 'lua/a.lua': 'return 1', 'vendor/a.lua': 'return 2' });
    save(['vendor']);
    expect(() => plan(['lua'])).toThrow(UsageError);
    expect(() => plan(['lua'])).toThrow(/"a" is already in the manifest for vendor\/a\.lua/);
  });

  test('a manifest written by hand with odd key order still compares equal', () => {
    project = makeProject({ 'lua/a.lua': 'return 1' });
    writeFileSync(
      project.path('rscript.lock.json'),
      JSON.stringify({
        scripts: { a: { flags: [], size: 8, sha: 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', path: 'lua/a.lua' } },
        version: 1,
      }),
    );
    expect(plan(['lua']).rows[0]!.status).toBe('unchanged');
  });
});
