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
      'a sha of 41 digits',
      JSON.stringify({ version: 1, scripts: { a: { ...good, sha: `${SHA_A}0` } } }),
      /scripts\["a"\]\.sha must be 40 lowercase hex/,
    ],
    [
      'a sha after another character',
      JSON.stringify({ version: 1, scripts: { a: { ...good, sha: `x${SHA_A}` } } }),
      /scripts\["a"\]\.sha must be 40 lowercase hex/,
    ],
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

describe('a lockfile with headers, fragments and libraries', () => {
  const full: Manifest = {
    version: 1,
    scripts: {
      push: {
        path: 'lua/push.lua',
        sha: SHA_A,
        size: 120,
        flags: [],
        keys: ['queue', 'dead letters'],
        args: ['payload', ''],
        minKeys: 1,
        minArgs: 0,
        sources: [
          { path: 'lua/push.lua', sha: SHA_A },
          { path: 'lua/include/util', sha: SHA_B },
        ],
      },
    },
    libraries: {
      zlib: {
        path: 'lua/zlib.lua',
        sha: SHA_B,
        size: 40,
        functions: {
          zpop: { flags: ['no-writes'], keys: ['z'], args: [] },
          apush: { flags: [], keys: [], args: ['v'] },
        },
      },
      alib: { path: 'lua/alib.lua', sha: SHA_A, size: 9, functions: {} },
    },
  };

  test('every field survives a write and a read, libraries and functions sorted by name', () => {
    const text = serializeManifest(full);
    expect(parseManifest(text, 'm.json')).toEqual(full);
    const data = JSON.parse(text);
    expect(Object.keys(data)).toEqual(['version', 'scripts', 'libraries']);
    expect(Object.keys(data.scripts.push)).toEqual([
      'path',
      'sha',
      'size',
      'flags',
      'keys',
      'args',
      'minKeys',
      'minArgs',
      'sources',
    ]);
    expect(Object.keys(data.libraries)).toEqual(['alib', 'zlib']);
    expect(Object.keys(data.libraries.zlib.functions)).toEqual(['apush', 'zpop']);
    expect(Object.keys(data.libraries.zlib)).toEqual(['path', 'sha', 'size', 'functions']);
    expect(Object.keys(data.libraries.zlib.functions.zpop)).toEqual(['flags', 'keys', 'args']);
  });

  test('a project without libraries writes no "libraries" key; an empty set writes none either', () => {
    const { libraries: _, ...scriptsOnly } = full;
    expect(JSON.parse(serializeManifest(scriptsOnly))).not.toHaveProperty('libraries');
    expect(JSON.parse(serializeManifest({ ...scriptsOnly, libraries: {} }))).not.toHaveProperty('libraries');
    expect(parseManifest(serializeManifest(scriptsOnly), 'm.json')).not.toHaveProperty('libraries');
  });

  test('a script without headers or fragments writes none of those keys', () => {
    const text = serializeManifest({
      version: 1,
      scripts: { a: { path: 'lua/a.lua', sha: SHA_A, size: 1, flags: [] } },
    });
    expect(Object.keys(JSON.parse(text).scripts.a)).toEqual(['path', 'sha', 'size', 'flags']);
  });

  test('with libraries too, the text ends in a newline', () => {
    expect(serializeManifest(full).endsWith('  }\n}\n')).toBe(true);
  });

  test("a library function's optional keys and args (minKeys, minArgs) are written and read back", () => {
    const m: Manifest = {
      version: 1,
      scripts: {},
      libraries: {
        lib: {
          path: 'lua/lib.lua',
          sha: SHA_A,
          size: 60,
          functions: {
            both: { flags: [], keys: ['k', 'k2'], args: ['a'], minKeys: 1, minArgs: 0 },
            keysOnly: { flags: [], keys: ['k', 'k2'], args: [], minKeys: 1 },
            argsOnly: { flags: [], keys: [], args: ['a', 'b'], minArgs: 1 },
            plain: { flags: [], keys: ['k'], args: [] },
          },
        },
      },
    };
    const text = serializeManifest(m);
    expect(parseManifest(text, 'm.json')).toEqual(m);
    const functions = JSON.parse(text).libraries.lib.functions;
    expect(Object.keys(functions.both)).toEqual(['flags', 'keys', 'args', 'minKeys', 'minArgs']);
    expect(Object.keys(functions.keysOnly)).toEqual(['flags', 'keys', 'args', 'minKeys']);
    expect(Object.keys(functions.argsOnly)).toEqual(['flags', 'keys', 'args', 'minArgs']);
    expect(Object.keys(functions.plain)).toEqual(['flags', 'keys', 'args']);
  });

  test('a minKeys of 0 is written and read back (not dropped as falsy)', () => {
    const m: Manifest = {
      version: 1,
      scripts: { a: { path: 'lua/a.lua', sha: SHA_A, size: 1, flags: [], keys: ['k'], minKeys: 0, minArgs: 0 } },
    };
    const back = parseManifest(serializeManifest(m), 'm.json');
    expect(back.scripts.a).toMatchObject({ minKeys: 0, minArgs: 0 });
  });

  const entry = (over: Record<string, unknown>) =>
    JSON.stringify({ version: 1, scripts: { a: { path: 'lua/a.lua', sha: SHA_A, size: 1, flags: [], ...over } } });
  const library = (over: Record<string, unknown>) =>
    JSON.stringify({
      version: 1,
      scripts: {},
      libraries: { lib: { path: 'lua/lib.lua', sha: SHA_A, size: 1, functions: {}, ...over } },
    });

  test.each<[string, string, string]>([
    ['a fractional size', entry({ size: 1.5 }), 'scripts["a"].size must be a whole number'],
    ['a size as text', entry({ size: '1' }), 'scripts["a"].size must be a whole number'],
    ['flags missing', entry({ flags: undefined }), 'scripts["a"].flags must be an array of strings'],
    ['an empty path', entry({ path: '' }), 'scripts["a"].path must be a non-empty string'],
    ['keys not a list', entry({ keys: 'queue' }), 'scripts["a"].keys must be an array of strings'],
    ['args holding a number', entry({ args: ['a', 2] }), 'scripts["a"].args must be an array of strings'],
    ['a negative minKeys', entry({ minKeys: -1 }), 'scripts["a"].minKeys must be a whole number'],
    ['a fractional minArgs', entry({ minArgs: 0.5 }), 'scripts["a"].minArgs must be a whole number'],
    ['minArgs as text', entry({ minArgs: '1' }), 'scripts["a"].minArgs must be a whole number'],
    ['sources not a list', entry({ sources: {} }), 'scripts["a"].sources must be an array'],
    ...[
      ['a source without a path', { sha: SHA_A }],
      ['a source with an empty path', { path: '', sha: SHA_A }],
      ['a source with a short sha', { path: 'lua/a.lua', sha: 'abc' }],
      ['a source with a numeric sha', { path: 'lua/a.lua', sha: 1 }],
      ['a source that is a string', 'lua/a.lua'],
      ['a null source', null],
    ].map(
      ([what, src]) =>
        [
          what as string,
          entry({ sources: [src] }),
          'scripts["a"].sources must hold { "path": "<file>", "sha": "<40 lowercase hex digits>" } entries',
        ] as [string, string, string],
    ),
    [
      'libraries not an object',
      JSON.stringify({ version: 1, scripts: {}, libraries: [] }),
      '"libraries" must be an object',
    ],
    [
      'a library not an object',
      JSON.stringify({ version: 1, scripts: {}, libraries: { lib: 1 } }),
      'libraries["lib"] must be an object',
    ],
    ['a library path not a .lua file', library({ path: 'lib.txt' }), 'libraries["lib"].path must name a .lua file'],
    ['a library without a path', library({ path: undefined }), 'libraries["lib"].path must name a .lua file'],
    ['a library sha in capitals', library({ sha: SHA_A.toUpperCase() }), 'libraries["lib"].sha must be 40 lowercase'],
    ['a library without a sha', library({ sha: undefined }), 'libraries["lib"].sha must be 40 lowercase'],
    ['a library size below 0', library({ size: -1 }), 'libraries["lib"].size must be a whole number'],
    ['a library size of 1.5', library({ size: 1.5 }), 'libraries["lib"].size must be a whole number'],
    ['a library size as text', library({ size: '1' }), 'libraries["lib"].size must be a whole number'],
    ['functions not an object', library({ functions: [] }), 'libraries["lib"].functions must be an object'],
    ...[
      ['a negative minKeys', { minKeys: -1 }, 'minKeys'],
      ['a fractional minArgs', { minArgs: 1.5 }, 'minArgs'],
      ['minKeys as text', { minKeys: '1' }, 'minKeys'],
    ].map(
      ([what, over, field]) =>
        [
          `a function with ${what as string}`,
          library({ functions: { f: { flags: [], keys: ['k'], args: ['a'], ...(over as object) } } }),
          `libraries["lib"].functions["f"].${field as string} must be a whole number`,
        ] as [string, string, string],
    ),
    ...[
      ['a function that is a list', []],
      ['a function without flags', { keys: [], args: [] }],
      ['a function without keys', { flags: [], args: [] }],
      ['a function with numeric args', { flags: [], keys: [], args: [1] }],
    ].map(
      ([what, fn]) =>
        [
          what as string,
          library({ functions: { f: fn } }),
          'libraries["lib"].functions["f"] must hold flags, keys and args, each an array of strings',
        ] as [string, string, string],
    ),
  ])('%s is refused, naming the field', (_what, text, message) => {
    let error: unknown;
    try {
      parseManifest(text, 'rscript.lock.json');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message.startsWith(`rscript.lock.json: ${message}`)).toBe(true);
    expect((error as Error).message).toMatch(/; fix it or delete it and run rscript load$/);
  });

  test('a size of 0 is a size: an empty script or library file is read back, not refused', () => {
    expect(parseManifest(entry({ size: 0 }), 'm.json').scripts.a!.size).toBe(0);
    expect(parseManifest(library({ size: 0 }), 'm.json').libraries!.lib!.size).toBe(0);
  });

  test('a lockfile with only "libraries", a version as text, or null is refused', () => {
    expect(() => parseManifest(JSON.stringify({ version: 1, libraries: {} }), 'm.json')).toThrow(
      /"scripts" must be an object/,
    );
    expect(() => parseManifest(JSON.stringify({ version: '1', scripts: {} }), 'm.json')).toThrow(
      /unknown manifest version "1"/,
    );
    expect(() => parseManifest('null', 'm.json')).toThrow(/expected a JSON object/);
  });

  test('a merge conflict is told only by markers at the start of a line', () => {
    // Seven < in a value is not a conflict: the JSON error is reported.
    expect(() => parseManifest('{"version": 1, "x": "<<<<<<< HEAD"', 'm.json')).toThrow(/not valid JSON/);
    expect(() => parseManifest('{\n>>>>>>> theirs\n', 'm.json')).toThrow(/merge conflict markers/);
    expect(() => parseManifest('{\n<<<<<<<\n', 'm.json')).toThrow(/merge conflict markers/);
    // A short run of < is not a marker.
    expect(() => parseManifest('{\n<<<<<< HEAD\n', 'm.json')).toThrow(/not valid JSON/);
  });

  test('a manifest that cannot be read (a folder) names the file and why', () => {
    project = makeProject({ 'lock.json/keep': '' });
    expect(() => readManifest(project.path('lock.json'))).toThrow(/lock\.json: cannot read the manifest \(EISDIR\)$/);
  });
});
