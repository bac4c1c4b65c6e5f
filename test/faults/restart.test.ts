/**
 * The server loses its script cache (restart, crash) between commands, or dies in the middle of a
 * load. Real redis-server processes, killed for real; the CLI is the built binary.
 */
import { statSync } from 'node:fs';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { startRedisProcess, type RedisProcess } from '../helpers/redis-process.js';
import {
  beforeExit,
  expectFailure,
  expectSuccess,
  rscript,
  startRscript,
  tempProject,
  type TempProject,
} from '../helpers/rscript-process.js';
import { serverUnderTest } from '../helpers/server-under-test.js';

describe('the server restarts between load and exec', () => {
  let server: RedisProcess;
  let project: TempProject;

  beforeAll(async () => {
    server = await startRedisProcess();
    project = tempProject({
      'lua/one.lua': 'return 1\n',
      'lua/echo.lua': 'return ARGV[1]\n',
    });
  });
  afterAll(async () => {
    await server.stop();
    project.cleanup();
  });

  const run = (...args: string[]) => rscript([...args, '--url', server.url], { cwd: project.dir });

  it('exists reports the loss (exit 1); exec reloads, retries and says so with --verbose', async () => {
    expectSuccess(await run('load'));
    expectSuccess(await run('exists'));

    await server.restart();
    expect(server.cli('SCRIPT', 'EXISTS', sha(project, 'one'))).toBe('0');

    const lost = await run('exists', '--json');
    expectSuccess(lost, 1);
    expect(JSON.parse(lost.stdout)).toMatchObject({
      missing: 2,
      rows: [
        { name: 'echo', cached: false },
        { name: 'one', cached: false },
      ],
    });
    const lostText = await run('exists');
    expectSuccess(lostText, 1);
    expect(lostText.stdout).toContain(
      `2 of 2 scripts missing on the server (${serverUnderTest().name}): run rscript load`,
    );

    const recovered = await run('exec', 'one', '--verbose');
    expectSuccess(recovered);
    expect(recovered.stderr).toMatch(/the server lacked one \(NOSCRIPT\): loaded it and retried/);
    expect(recovered.stdout).toMatch(/integer\s*│\s*1\b/);
    expect(server.cli('SCRIPT', 'EXISTS', sha(project, 'one'))).toBe('1');

    // Now cached: no reload, and --json reports it as data.
    const again = await run('exec', 'one', '--json');
    expectSuccess(again);
    expect(JSON.parse(again.stdout)).toMatchObject({
      reloaded: false,
      reply: 1,
      replyTyped: { type: 'integer', value: 1 },
    });

    const oneLeft = await run('exists', '--json');
    expectSuccess(oneLeft, 1);
    expect(JSON.parse(oneLeft.stdout).missing).toBe(1);
  });

  it('exec --json reports the reload as data, without a note on stderr', async () => {
    await server.restart();
    const r = await run('exec', 'echo', '--args', 'hi', '--json');
    expectSuccess(r);
    expect(JSON.parse(r.stdout)).toMatchObject({
      reloaded: true,
      reply: 'hi',
      replyTyped: { type: 'bulk string', value: 'hi' },
    });
    expect(r.stderr).toBe('');
  });

  it('a SHA with no known file cannot be reloaded: exit 1 saying to run load', async () => {
    const body = 'return "orphan"';
    const orphan = server.cli('SCRIPT', 'LOAD', body);
    expect(orphan).toMatch(/^[0-9a-f]{40}$/);
    await server.restart();
    expectFailure(await run('exec', orphan), 1, /does not have sha [0-9a-f]{40}.*no local file/);
  });

  it('load after the restart loads everything again and exists passes', async () => {
    await server.restart();
    const r = await run('load', '--json');
    expectSuccess(r);
    const data = JSON.parse(r.stdout);
    expect(data.rows.map((row: { server: string }) => row.server)).toEqual(['loaded', 'loaded']);
    expect(data.manifestWritten).toBe(false);
    expectSuccess(await run('exists'));
  });
});

describe('the server is killed in the middle of a load of many scripts', () => {
  const COUNT = 2000;
  let server: RedisProcess;
  let project: TempProject;

  beforeAll(async () => {
    server = await startRedisProcess();
    project = tempProject({ 'lua/base.lua': 'return "base"\n' });
  });
  afterAll(async () => {
    await server.stop();
    project.cleanup();
  });

  it('fails with exit 2 and a clear message, leaves the manifest byte for byte, and a re-run completes', async () => {
    expectSuccess(await rscript(['load', '--url', server.url], { cwd: project.dir }));
    const before = project.read('rscript.lock.json');
    const inode = statSync(project.path('rscript.lock.json')).ino;
    for (let i = 0; i < COUNT; i++) project.write(`lua/bulk/s${String(i).padStart(4, '0')}.lua`, `return ${i}\n`);

    // The proxy passes the handshake and SCRIPT EXISTS, then holds the replies once SCRIPT LOAD is
    // sent: the load is certainly in flight when the server is SIGKILLed.
    const proxy = await startFaultProxy(server.port, /\$4\r\nLOAD\r\n/);
    try {
      const running = startRscript(['load', '--url', proxy.url, '--timeout', '15000'], { cwd: project.dir });
      await beforeExit(running, proxy.triggered);
      await server.kill('SIGKILL');
      const r = await running.done;
      expectFailure(r, 2, /connection (was lost|was closed).*SCRIPT LOAD/);
      expect(r.stdout).toBe('');
    } finally {
      await proxy.close();
    }
    // The load failed before writing anything (a write cut short is test/faults/atomic-write.test.ts):
    // the manifest is the same file, untouched, and nothing is beside it.
    expect(project.read('rscript.lock.json').equals(before)).toBe(true);
    expect(statSync(project.path('rscript.lock.json')).ino).toBe(inode);
    expect(project.list()).toEqual(['lua', 'package.json', 'rscript.lock.json']);

    await server.restart();
    const rerun = await rscript(['load', '--url', server.url, '--json'], { cwd: project.dir });
    expectSuccess(rerun);
    const manifest = JSON.parse(project.read('rscript.lock.json').toString());
    expect(Object.keys(manifest.scripts)).toHaveLength(COUNT + 1);
    expect(JSON.parse(rerun.stdout).rows.filter((row: { server: string }) => row.server === 'loaded')).toHaveLength(
      COUNT + 1,
    );
    expectSuccess(await rscript(['exists', '--url', server.url], { cwd: project.dir }));
  });
});

function sha(project: TempProject, name: string): string {
  return (JSON.parse(project.read('rscript.lock.json').toString()) as { scripts: Record<string, { sha: string }> })
    .scripts[name]!.sha;
}
