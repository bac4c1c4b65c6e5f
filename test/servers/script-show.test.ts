/**
 * The server's copy of a script. Server-specific: Valkey 8.0+ has SCRIPT SHOW <sha> (the cached
 * source); Redis has no such command. `exists --verbose`, `exec --verbose` and `info --server-copy`
 * read the copy back there and flag a file that changed since rscript load; elsewhere they say the
 * server cannot.
 */
import { makeProject, runCli, type Project } from '../helpers/cli.js';
import { startRedis, type TestServer } from '../helpers/redis-server.js';
import { serverUnderTest } from '../helpers/server-under-test.js';

const sut = serverUnderTest();
const HAS_SCRIPT_SHOW = sut.atLeast('valkey', '8.0.0');

let server: TestServer;
let project: Project;

beforeAll(async () => {
  server = await startRedis();
  project = makeProject({ 'lua/one.lua': "return 'one'\n", 'lua/two.lua': "return 'two'\n" });
  expect((await cli('load')).code).toBe(0);
});
afterAll(async () => {
  await server?.stop();
  project?.cleanup();
});

const cli = (...args: string[]) => runCli([...args, '--url', server.url], { cwd: project.dir });

test(`exists --verbose and exec --verbose on ${sut.name}: ${HAS_SCRIPT_SHOW ? "the server's copy, and a file changed since load" : 'no SCRIPT SHOW, said once'}`, async () => {
  const same = await cli('exists', '--verbose');
  expect(same.code).toBe(0);
  if (HAS_SCRIPT_SHOW) {
    expect(same.stdout).toMatch(/│ one +│ [0-9a-f]{12} │ yes +│ same as the file +│/);
    expect(same.stdout).not.toContain('DIFFERS');
  } else {
    expect(same.stdout).toContain(
      `${sut.name} has no SCRIPT SHOW (Valkey 8.0+ has it): the server's copies cannot be read back`,
    );
  }

  project.write('lua/one.lua', "return 'one, edited'\n");
  const changed = await cli('exists', '--verbose');
  const json = JSON.parse((await cli('exists', '--verbose', '--json')).stdout);
  const one = json.rows.find((r: { name: string }) => r.name === 'one');
  const exec = await cli('exec', 'one', '--verbose');
  expect(exec.code).toBe(0);
  if (HAS_SCRIPT_SHOW) {
    expect(changed.stdout).toMatch(/│ one +│ [0-9a-f]{12} │ yes +│ DIFFERS from the file +│/);
    expect(changed.stdout).toContain("one: the server's copy (sha ");
    expect(changed.stdout).toContain("\n  return 'one'\n");
    expect(one).toMatchObject({ serverCopy: 'differs', serverSource: "return 'one'\n" });
    expect(exec.stdout).toMatch(
      /the server's copy \(sha [0-9a-f]{12}, from the manifest\) differs from the file, which changed since rscript load; the server has:\n {2}return 'one'$/m,
    );
    const two = await cli('exec', 'two', '--verbose');
    expect(two.stdout).toMatch(/the server's copy \(SCRIPT SHOW [0-9a-f]{12}\) is the same as the file/);
  } else {
    expect(changed.stdout).not.toContain('DIFFERS');
    expect(one.serverCopy).toBeUndefined();
    expect(exec.stdout).toContain(`server's copy: ${sut.name} has no SCRIPT SHOW (Valkey 8.0+ has it)`);
  }
  // Whatever the server, the script ran: the file as it is now.
  expect(exec.stdout).toContain('one, edited');
});

test(`info --server-copy on ${sut.name}: ${HAS_SCRIPT_SHOW ? 'same, differs and not cached, per script' : 'no SCRIPT SHOW, said in one line'}`, async () => {
  const own = makeProject({ 'lua/a.lua': "return 'a'\n", 'lua/b.lua': "return 'b'\n" });
  const run = (...args: string[]) => runCli(args, { cwd: own.dir });
  try {
    expect((await run('load', '--url', server.url)).code).toBe(0);
    own.write('lua/a.lua', "return 'a, edited'\n");
    // Never loaded: the file's own SHA, which the server lacks.
    own.write('lua/c.lua', "return 'c'\n");
    const table = await run('info', '--server-copy', '--url', server.url);
    const json = JSON.parse((await run('info', '--server-copy', '--url', server.url, '--json')).stdout);
    const copy = (name: string) => json.find((r: { name: string }) => r.name === name).serverCopy;
    const card = await run('info', 'a', '--server-copy', '--url', server.url);
    expect([table.code, card.code]).toEqual([0, 0]);
    if (HAS_SCRIPT_SHOW) {
      expect(table.stdout).toMatch(/│ a +│ [0-9a-f]{12} │ .*│ DIFFERS from the file │/);
      expect(table.stdout).toMatch(/│ b +│ [0-9a-f]{12} │ .*│ same as the file +│/);
      expect(table.stdout).toMatch(/│ c +│ [0-9a-f]{12} │ .*│ not cached +│/);
      expect(table.stdout).toMatch(
        /^a: the server's copy \(sha [0-9a-f]{12}, from the manifest\) differs from the file, which changed since rscript load; the server has:\n {2}return 'a'$/m,
      );
      expect(copy('a')).toEqual({
        status: 'differs',
        sha: expect.stringMatching(/^[0-9a-f]{40}$/),
        source: "return 'a'\n",
      });
      expect(copy('b')).toEqual({ status: 'same', sha: json.find((r: { name: string }) => r.name === 'b').sha });
      expect(copy('c')).toMatchObject({ status: 'not cached' });
      expect(card.stdout).toMatch(
        /^server's copy \(sha [0-9a-f]{12}, from the manifest\) differs from the file, which changed since rscript load; the server has:\n {2}return 'a'$/m,
      );
      const same = await run('info', 'b', '--server-copy', '--url', server.url);
      expect(same.stdout).toMatch(/^server's copy \(sha [0-9a-f]{12}\) is the same as the file$/m);
    } else {
      // One line for the catalog, not one per script, and no column; exit 0.
      expect(table.stdout).toContain(
        `server copy: ${sut.name} has no SCRIPT SHOW (Valkey 8.0+ has it): the server's copies cannot be read back`,
      );
      expect(table.stdout).not.toContain('server copy │');
      for (const name of ['a', 'b', 'c'])
        expect(copy(name)).toMatchObject({
          status: 'unavailable',
          reason: `${sut.name} has no SCRIPT SHOW (Valkey 8.0+ has it)`,
        });
      expect(card.stdout).toMatch(
        new RegExp(`^server's copy: ${sut.name} has no SCRIPT SHOW \\(Valkey 8\\.0\\+ has it\\)$`, 'm'),
      );
    }
    // Without --server-copy, info asks no server, and says nothing of one.
    const offline = JSON.parse((await run('info', '--json')).stdout);
    expect(offline.some((r: { serverCopy?: unknown }) => r.serverCopy !== undefined)).toBe(false);
    const down = await run('info', '--server-copy', '--url', 'redis://127.0.0.1:1');
    expect(down.code).toBe(2);
  } finally {
    own.cleanup();
  }
});
