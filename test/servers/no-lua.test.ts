/**
 * A server without Lua. Server-specific: Valkey 9.1 made Lua a module (built in by default, or built
 * as libvalkeylua.so); unloaded (`MODULE UNLOAD lua`) or never loaded, the server has no engine for
 * scripts and answers SCRIPT LOAD with "Could not find scripting engine 'lua'". Every other server
 * has Lua built in, and this file is skipped there. load, exec, exists and bench refuse such a server
 * at connect with one clear error (exit 2); flush still works (it needs no Lua).
 */
import { createClient, type RedisClientType } from '@redis/client';
import { Scripts } from '../../src/index.js';
import { makeProject, runCli, stackLines, type Project } from '../helpers/cli.js';
import { startRedis, type TestServer } from '../helpers/redis-server.js';
import { serverUnderTest } from '../helpers/server-under-test.js';

const sut = serverUnderTest();
const LUA_IS_A_MODULE = sut.atLeast('valkey', '9.1.0');
const maybe = LUA_IS_A_MODULE ? describe : describe.skip;

maybe(`${sut.name} without its Lua module`, () => {
  let server: TestServer;
  let project: Project;

  beforeAll(async () => {
    server = await startRedis(['--enable-module-command', 'yes']);
    project = makeProject({ 'lua/one.lua': "return 'one'\n" });
    // The manifest first, while Lua is there; then Lua goes.
    expect((await cli('load')).code).toBe(0);
    expect(server.cli('MODULE', 'UNLOAD', 'lua')).toBe('OK');
    expect(server.cli('SCRIPT', 'LOAD', 'return 1')).toBe("ERR Could not find scripting engine 'lua'");
  });
  afterAll(async () => {
    await server?.stop();
    project?.cleanup();
  });

  const cli = (...args: string[]) => runCli([...args, '--url', server.url], { cwd: project.dir });

  test.each([['load'], ['exec', 'one'], ['exists'], ['bench', 'one', '-n', '10']])(
    '%s: one clear error, exit 2',
    async (...args) => {
      const r = await cli(...args);
      expect(r.code).toBe(2);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines[0]).toBe(
        `rscript: 127.0.0.1:${server.port} (${sut.name}) has no Lua scripting engine: its scripts cannot be loaded or run there`,
      );
      expect(lines.slice(1)).toEqual([
        expect.stringMatching(
          /^ {2}Valkey 9\.1 can keep Lua in a module: start the server with --loadmodule .*libvalkeylua\.so/,
        ),
      ]);
      expect(stackLines(r.stderr)).toEqual([]);
      expect(r.stdout).toBe('');
    },
  );

  test('--json: the same error in the JSON document', async () => {
    const r = await cli('exists', '--json');
    expect(r.code).toBe(2);
    expect(JSON.stringify(JSON.parse(r.stdout))).toContain('has no Lua scripting engine');
  });

  test('flush works there (it needs no Lua)', async () => {
    const r = await cli('flush', '--yes');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`script cache flushed on 127.0.0.1:${server.port}`);
  });

  test("the runtime API: the server's error reply, naming the script", async () => {
    const client = createClient({ url: server.url }) as RedisClientType;
    await client.connect();
    try {
      await expect(Scripts.fromManifest(project.path('rscript.lock.json')).run(client, 'one')).rejects.toThrow(
        "one: ERR Could not find scripting engine 'lua'",
      );
    } finally {
      client.destroy();
    }
  });
});

// Where Lua is built in, the same commands work: the error above is not said by mistake.
(LUA_IS_A_MODULE ? test.skip : test)(`${sut.name} has Lua built in: load runs`, async () => {
  const server = await startRedis();
  const project = makeProject({ 'lua/one.lua': "return 'one'\n" });
  try {
    const r = await runCli(['load', '--url', server.url], { cwd: project.dir });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('no Lua');
  } finally {
    await server.stop();
    project.cleanup();
  }
});
