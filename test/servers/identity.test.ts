/**
 * rscript names the server it talks to: Redis or Valkey and its version, as HELLO gives them (on
 * Valkey, its own version, not the 7.2.4 it keeps as redis_version), in load, exists and bench, text
 * and --json. The expected name comes from the binary's own `--version`.
 */
import { makeProject, runCli, type Project } from '../helpers/cli.js';
import { startRedis, type TestServer } from '../helpers/redis-server.js';
import { serverUnderTest } from '../helpers/server-under-test.js';

const sut = serverUnderTest();
let server: TestServer;
let project: Project;

beforeAll(async () => {
  server = await startRedis();
  project = makeProject({ 'lua/one.lua': "return 'one'\n" });
});
afterAll(async () => {
  await server?.stop();
  project?.cleanup();
});

const cli = (...args: string[]) => runCli([...args, '--url', server.url], { cwd: project.dir });

test(`load, exists and bench name ${sut.name}`, async () => {
  const loaded = await cli('load');
  expect(loaded.code).toBe(0);
  expect(loaded.stdout.trimEnd().split('\n').at(-1)).toMatch(
    new RegExp(
      `^1 script, 1 new, 0 changed, 0 unchanged, 1 loaded, 0 already cached on ${sut.name} in .* ms; rscript\\.lock\\.json written$`,
    ),
  );
  const loadJson = JSON.parse((await cli('load', '--json')).stdout);
  expect(loadJson.server).toEqual({ flavour: sut.flavour, version: sut.version, name: sut.name });

  const checked = await cli('exists');
  expect(checked.stdout.trimEnd().split('\n').at(-1)).toBe(`the script is cached on the server (${sut.name})`);
  expect(JSON.parse((await cli('exists', '--json')).stdout).server).toEqual({
    flavour: sut.flavour,
    version: sut.version,
    name: sut.name,
  });

  const bench = await cli('bench', 'one', '-n', '50', '--warmup', '0');
  expect(bench.code).toBe(0);
  expect(bench.stdout.split('\n')[0]).toBe(`bench on 127.0.0.1:${server.port} (${sut.name})`);
  const benchJson = JSON.parse((await cli('bench', 'one', '-n', '50', '--warmup', '0', '--json')).stdout);
  expect(benchJson).toMatchObject({ serverFlavour: sut.flavour, serverVersion: sut.version, serverName: sut.name });
});

test('Valkey reports its own version, not the redis_version it keeps for old clients', () => {
  const info = server.cli('INFO', 'server');
  if (sut.flavour === 'valkey') {
    // Server-specific: every Valkey says redis_version:7.2.4; valkey_version is its own.
    expect(info).toMatch(/^redis_version:7\.2\.4\r?$/m);
    expect(info).toMatch(new RegExp(`^valkey_version:${sut.version.replace(/\./g, '\\.')}\\r?$`, 'm'));
  } else {
    expect(info).toMatch(new RegExp(`^redis_version:${sut.version.replace(/\./g, '\\.')}\\r?$`, 'm'));
    expect(info).not.toMatch(/^valkey_version:/m);
  }
});
