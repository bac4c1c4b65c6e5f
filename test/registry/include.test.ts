/** Includes: how a script and its fragments are spliced into the text that is hashed and loaded. */
import { readFileSync } from 'node:fs';
import { assemble, lineMapper, mapLine } from '../../src/registry/include.js';
import { sha1hex } from '../../src/registry/script.js';
import { discoverScripts } from '../../src/registry/discover.js';
import { makeProject, type Project } from '../helpers/cli.js';

let project: Project;
afterEach(() => project?.cleanup());

function assembled(rel: string) {
  const abs = project.path(rel);
  return assemble(abs, readFileSync(abs), { display: (p) => p.slice(project.dir.length + 1) });
}

test('a script without @include is returned as it is, with no map', () => {
  project = makeProject({ 'lua/plain.lua': 'return 1\n' });
  const bytes = project.read('lua/plain.lua');
  const out = assemble(project.path('lua/plain.lua'), bytes);
  expect(out.bytes).toBe(bytes);
  expect(out.map).toBeUndefined();
});

test('nested includes are spliced in place, depth first, each line mapped to its file', () => {
  project = makeProject({
    'lua/job.lua': '-- job\n--- @include "include/a"\nreturn a()\n',
    'lua/include/a.lua': '--- @include "b.lua"\nlocal function a() return b() end\n',
    'lua/include/b.lua': "local function b() return 'b' end\n",
  });
  const { bytes, map } = assembled('lua/job.lua');
  expect(bytes.toString()).toBe(
    "-- job\nlocal function b() return 'b' end\nlocal function a() return b() end\nreturn a()\n",
  );
  expect(map!.sources.map((s) => s.absPath.slice(project.dir.length + 1))).toEqual([
    'lua/job.lua',
    'lua/include/a.lua',
    'lua/include/b.lua',
  ]);
  const where = (n: number) => {
    const m = mapLine(map, '', n);
    return `${m.absPath.slice(project.dir.length + 1)}:${m.line}${m.fragment ? ' (fragment)' : ''}`;
  };
  expect([1, 2, 3, 4].map(where)).toEqual([
    'lua/job.lua:1',
    'lua/include/b.lua:1 (fragment)',
    'lua/include/a.lua:2 (fragment)',
    'lua/job.lua:3',
  ]);
  // Each source's SHA is the SHA of its own bytes.
  expect(map!.sources[2]!.sha).toBe(sha1hex(project.read('lua/include/b.lua')));
});

test('a diamond includes the shared fragment once, where it is first used', () => {
  project = makeProject({
    'lua/job.lua': '--- @include "include/left"\n--- @include "include/right"\nreturn left() .. right()\n',
    'lua/include/left.lua': '--- @include "shared"\nlocal function left() return shared() end\n',
    'lua/include/right.lua': '--- @include "shared"\nlocal function right() return shared() end\n',
    'lua/include/shared.lua': "local function shared() return 's' end\n",
  });
  const text = assembled('lua/job.lua').bytes.toString();
  expect(text.match(/local function shared/g)).toHaveLength(1);
  expect(text).toBe(
    "local function shared() return 's' end\nlocal function left() return shared() end\nlocal function right() return shared() end\nreturn left() .. right()\n",
  );
});

test('a cycle is refused with its chain, at the include line that closes it', () => {
  project = makeProject({
    'lua/job.lua': '--- @include "include/a"\nreturn 1\n',
    'lua/include/a.lua': '--- @include "b"\n',
    'lua/include/b.lua': '-- b\n--- @include "a"\n',
  });
  expect(() => assembled('lua/job.lua')).toThrow(
    'lua/include/b.lua:2: include cycle: lua/include/a.lua -> lua/include/b.lua -> lua/include/a.lua',
  );
});

test('a script that includes itself is a cycle too', () => {
  project = makeProject({ 'lua/self.lua': '--- @include "self"\nreturn 1\n' });
  expect(() => assembled('lua/self.lua')).toThrow('lua/self.lua:1: include cycle: lua/self.lua -> lua/self.lua');
});

test('a missing file is an error at the include line', () => {
  project = makeProject({ 'lua/job.lua': '-- job\n\n--- @include "include/nope"\nreturn 1\n' });
  expect(() => assembled('lua/job.lua')).toThrow('lua/job.lua:3: included file not found: "include/nope"');
});

test('a fragment may not carry a #! line: only the script decides its flags', () => {
  project = makeProject({
    'lua/job.lua': '--- @include "frag"\nreturn 1\n',
    'lua/frag.lua': '#!lua flags=no-writes\nlocal x = 1\n',
  });
  expect(() => assembled('lua/job.lua')).toThrow(/lua\/frag\.lua:1: an included file cannot start with a #! line/);
});

test("the script's own #! line stays its first line, and its flags come from it", () => {
  project = makeProject({
    'lua/ro.lua': '#!lua flags=no-writes\n--- @include "include/get"\nreturn get(KEYS[1])\n',
    'lua/include/get.lua': "local function get(k) return redis.call('GET', k) end\n",
  });
  const [script] = discoverScripts({ paths: ['lua'], cwd: project.dir, include: ['lua/include'] });
  expect(script!.bytes.toString().split('\n')[0]).toBe('#!lua flags=no-writes');
  expect(script!.flags).toEqual(['no-writes']);
  expect(script!.sha).toBe(sha1hex(script!.bytes));
});

test('the include folder holds fragments, not scripts: a walk skips it, naming it is an error', () => {
  project = makeProject({
    'lua/job.lua': '--- @include "include/a"\nreturn a()\n',
    'lua/include/a.lua': 'local function a() return 1 end\n',
  });
  const names = discoverScripts({ paths: ['lua'], cwd: project.dir, include: ['lua/include'] }).map((s) => s.name);
  expect(names).toEqual(['job']);
  expect(() => discoverScripts({ paths: ['lua/include/a.lua'], cwd: project.dir, include: ['lua/include'] })).toThrow(
    /lua\/include\/a\.lua is in the include folder lua\/include: its files are fragments/,
  );
});

test('a file that names @include only in prose is left as it is', () => {
  project = makeProject({ 'lua/doc.lua': '-- uses no @include at all\nreturn 1\n' });
  const bytes = project.read('lua/doc.lua');
  expect(assembled('lua/doc.lua')).toEqual({ bytes });
});

test('CRLF files: the include line is recognised and the fragment spliced', () => {
  project = makeProject({
    'lua/job.lua': '--- @include "f"\r\nreturn f()\r\n',
    'lua/f.lua': 'local function f() return 1 end\r\n',
  });
  expect(assembled('lua/job.lua').bytes.toString()).toBe('local function f() return 1 end\r\nreturn f()\r\n');
});

test("both forms of a server's line (user_script:N and @user_script:N) map to the fragment's line", async () => {
  const { locateScriptError } = await import('../../src/redis/script-errors.js');
  project = makeProject({
    'lua/job.lua': '-- job\n--- @include "include/f"\nreturn f()\n',
    'lua/include/f.lua': "-- f\nlocal function f()\n  error('boom')\nend\n",
  });
  const { bytes, map } = assembled('lua/job.lua');
  // Line 4 of the text sent is line 3 of the fragment.
  expect(bytes.toString().split('\n')[3]).toBe("  error('boom')");
  const show = (p: string) => p.slice(project.dir.length + 1);
  const sha = sha1hex(bytes);
  const prefix = locateScriptError(
    `ERR user_script:4: boom script: ${sha}, on @user_script:4.`,
    'lua/job.lua',
    bytes,
    lineMapper(map, show),
  );
  expect(prefix).toMatchObject({
    text: 'lua/include/f.lua:3: boom (included into lua/job.lua)',
    file: 'lua/include/f.lua',
    line: 3,
    source: "3 |   error('boom')",
  });
  const suffix = locateScriptError(
    `ERR value is not an integer or out of range script: ${sha}, on @user_script:4.`,
    'lua/job.lua',
    bytes,
    lineMapper(map, show),
  );
  expect(suffix.text).toBe(
    'lua/include/f.lua:3: ERR value is not an integer or out of range (included into lua/job.lua)',
  );
  const compile = locateScriptError(
    "ERR Error compiling script (new function): user_script:3: '=' expected near 'f'",
    'lua/job.lua',
    bytes,
    lineMapper(map, show),
  );
  expect(compile.text).toBe("lua/include/f.lua:2: compile error: '=' expected near 'f' (included into lua/job.lua)");
  // A line of the script itself keeps the script's name and its own number.
  const own = locateScriptError(
    `ERR user_script:6: x script: ${sha}, on @user_script:6.`,
    'lua/job.lua',
    bytes,
    lineMapper(map, show),
  );
  expect(own).toMatchObject({ text: 'lua/job.lua:3: x', line: 3, file: 'lua/job.lua' });
});

test("the lockfile's sources round-trip, and a bad entry is refused naming the script", async () => {
  const { parseManifest, serializeManifest } = await import('../../src/manifest/manifest.js');
  const sha = 'a'.repeat(40);
  const text = serializeManifest({
    version: 1,
    scripts: {
      job: {
        path: 'lua/job.lua',
        sha,
        size: 1,
        flags: [],
        sources: [
          { path: 'lua/job.lua', sha },
          { path: 'lua/include/keys', sha },
        ],
      },
    },
  });
  expect(parseManifest(text, 'rscript.lock.json').scripts.job!.sources).toEqual([
    { path: 'lua/job.lua', sha },
    { path: 'lua/include/keys', sha },
  ]);
  expect(() => parseManifest(text.replace(`"path": "lua/include/keys"`, '"path": 3'), 'rscript.lock.json')).toThrow(
    'rscript.lock.json: scripts["job"].sources must hold { "path": "<file>", "sha": "<40 lowercase hex digits>" } entries; fix it or delete it and run rscript load',
  );
});
