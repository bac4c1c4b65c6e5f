/**
 * rscript as another project uses it: installed from a folder (node_modules/rscript is then a link to
 * it, and npm hoists none of its dependencies), following docs/runtime-api.md.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { makeProject, REPO, runCli, type Project } from '../helpers/cli.js';
import { startRedis, type TestServer } from '../helpers/redis-server.js';

let server: TestServer;
let project: Project;

beforeAll(async () => {
  server = await startRedis();
  // What `npm init -y` writes today: a CommonJS project.
  project = makeProject({ 'package.json': '{ "name": "app", "version": "1.0.0", "type": "commonjs" }\n' });
  mkdirSync(project.path('node_modules/@redis'), { recursive: true });
  // `npm install --save-dev <checkout folder>`, then `npm install @redis/client@6.3.1` (here the very
  // copy rscript uses, linked: the tests install nothing).
  symlinkSync(REPO, project.path('node_modules/rscript'), 'dir');
  symlinkSync(join(REPO, 'node_modules/@redis/client'), project.path('node_modules/@redis/client'), 'dir');
  mkdirSync(project.path('lua'));
  copyFileSync(
    project.path('node_modules/rscript/lua/rate_limit_token_bucket.lua'),
    project.path('lua/rate_limit_token_bucket.lua'),
  );
});
afterAll(async () => {
  await server?.stop();
  project?.cleanup();
});

/** The `app.mjs` of docs/runtime-api.md, as a user copies it. */
function readmeApp(): string {
  const readme = readFileSync(join(REPO, 'docs', 'runtime-api.md'), 'utf8');
  const block = /^`app\.mjs`:\n\n```js\n([\s\S]*?)^```$/m.exec(readme);
  if (!block) throw new Error('docs/runtime-api.md has no `app.mjs` block');
  return block[1]!;
}

const node = (args: string[]) =>
  spawnSync(process.execPath, args, {
    cwd: project.dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, REDIS_URL: server.url },
    timeout: 15000,
  });

test('the app.mjs of docs/runtime-api.md runs as written in a CommonJS project that installed rscript from a folder', async () => {
  const load = await runCli(['load'], {
    cwd: project.dir,
    env: { REDIS_URL: server.url },
    bin: project.path('node_modules/rscript/bin/rscript'),
  });
  expect(load.stderr).toBe('');
  expect(load.code).toBe(0);
  project.write('app.mjs', readmeApp());
  const app = node(['app.mjs']);
  expect(app.stderr).toBe('');
  expect(app.status).toBe(0);
  expect(app.stdout).toBe('{ allowed: 1, tokensLeft: 99, retryAfterMs: 0 }\n');
});

test('from CommonJS: require("rscript") works on this Node (20.19+ loads ES modules), and import() too', () => {
  // Without a "require" condition Node said only ERR_PACKAGE_PATH_NOT_EXPORTED.
  const required = node(['-e', "console.log(typeof require('rscript').Scripts.fromManifest)"]);
  expect(required.stderr).toBe('');
  expect(required.stdout).toBe('function\n');
  project.write('imported.cjs', "import('rscript').then(({ Scripts }) => console.log(typeof Scripts.fromManifest));\n");
  const imported = node(['imported.cjs']);
  expect(imported.stderr).toBe('');
  expect(imported.stdout).toBe('function\n');
});
