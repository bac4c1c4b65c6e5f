/**
 * One resolver of "name, path, SHA or SHA prefix": exec (resolveScript), exists (manifestEntry) and
 * info (findLocal) find the same script for the same words, and say the same when none is found.
 */
import { join } from 'node:path';
import { UsageError } from '../../src/errors.js';
import { serializeManifest, type Manifest } from '../../src/manifest/manifest.js';
import { findLocal, manifestEntry, resolveScript } from '../../src/manifest/resolve.js';
import { discoverScripts } from '../../src/registry/discover.js';
import { makeProject, type Project } from '../helpers/cli.js';

let project: Project;
afterEach(() => project?.cleanup());

function setUp() {
  project = makeProject({ 'lua/counter.lua': 'return 1\n', 'lua/queue/push.lua': 'return 2\n' });
  const local = discoverScripts({ paths: ['lua'], cwd: project.dir });
  const manifest: Manifest = {
    version: 1,
    scripts: Object.fromEntries(local.map((s) => [s.name, { path: s.path, sha: s.sha, size: s.size, flags: [] }])),
  };
  project.write('rscript.lock.json', serializeManifest(manifest));
  const manifestFile = join(project.dir, 'rscript.lock.json');
  return { local, manifest, manifestFile };
}

test.each([
  ['a name', 'queue/push'],
  ['a path', 'lua/queue/push.lua'],
  ['a path written another way', './lua/queue/../queue/push.lua'],
  ['a SHA prefix', 'SHA12'],
  ['a whole SHA', 'SHA'],
])('%s names the same script for exec, exists and info', (_what, word) => {
  const { local, manifest, manifestFile } = setUp();
  const push = local.find((s) => s.name === 'queue/push')!;
  const ref = word === 'SHA12' ? push.sha.slice(0, 12) : word === 'SHA' ? push.sha : word;
  const resolved = resolveScript(ref, { manifest: manifestFile, scripts: ['lua'], cwd: project.dir });
  expect({ name: resolved.name, sha: resolved.sha }).toEqual({ name: 'queue/push', sha: push.sha });
  expect(manifestEntry(ref, manifest, manifestFile, project.dir)?.[0]).toBe('queue/push');
  expect(findLocal(ref, local, project.dir).map((s) => s.name)).toEqual(['queue/push']);
});

test('a SHA prefix names a local script without a manifest too (as info always did)', () => {
  const { local } = setUp();
  project.remove('rscript.lock.json');
  const push = local.find((s) => s.name === 'queue/push')!;
  const resolved = resolveScript(push.sha.slice(0, 10), {
    manifest: 'rscript.lock.json',
    scripts: ['lua'],
    cwd: project.dir,
  });
  expect(resolved.name).toBe('queue/push');
});

test('a name with the .lua extension that is no file suggests the name; a mistyped path, the path', () => {
  const { manifestFile } = setUp();
  const message = (ref: string) => {
    try {
      resolveScript(ref, { manifest: manifestFile, scripts: ['lua'], cwd: project.dir });
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      return (err as Error).message;
    }
    throw new Error(`${ref} resolved`);
  };
  expect(message('counter.lua')).toBe('script file not found: counter.lua; did you mean "counter"?');
  expect(message('push.lua')).toBe('script file not found: push.lua; did you mean "queue/push"?');
  expect(message('lua/countr.lua')).toBe('script file not found: lua/countr.lua; did you mean "lua/counter.lua"?');
  expect(message('lua/zzzzzz.lua')).toBe('script file not found: lua/zzzzzz.lua');
});
