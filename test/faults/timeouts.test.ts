/**
 * A server that never answers: every command gives up after its timeout with a message that names
 * the limit and how to change it, and exits 2. Bounds are generous: they prove "no hang", not speed.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { startRedisProcess, type RedisProcess } from '../helpers/redis-process.js';
import { expectFailure, expectSuccess, rscript, tempProject, type TempProject } from '../helpers/rscript-process.js';

// kill is apart: a silent connection is also what a server running a script gives before its
// busy-reply-threshold, and kill waits for that (--wait) before it gives up.
const COMMANDS: string[][] = [['load'], ['exec', 'one'], ['exists'], ['flush', '--yes']];
const SLACK_MS = 5000;

let project: TempProject;
let server: RedisProcess;

beforeAll(async () => {
  server = await startRedisProcess();
  project = tempProject({ 'lua/one.lua': 'return 1\n', 'lua/two.lua': 'return 2\n' });
  // A manifest, so that exists and exec get as far as the server.
  expectSuccess(await rscript(['load', '--url', server.url], { cwd: project.dir }));
});
afterAll(async () => {
  await server.stop();
  project.cleanup();
});

describe('a listener that accepts connections and never writes a byte', () => {
  let silent: Server;
  let url: string;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    silent = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    url = `redis://127.0.0.1:${(silent.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  it.each(COMMANDS.map((c) => [c.join(' '), c]))('%s gives up after --timeout 300', async (_name, command) => {
    const r = await rscript([...command, '--url', url, '--timeout', '300'], { cwd: project.dir });
    expectFailure(r, 2, /no answer within 300 ms while connecting.*--timeout/);
    expect(r.ms).toBeLessThan(300 + SLACK_MS);
  });

  it('kill says the server may be busy running a script, waits --wait more, then gives up', async () => {
    const r = await rscript(['kill', '--url', url, '--timeout', '300', '--wait', '700'], { cwd: project.dir });
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^127\.0\.0\.1:\d+: no answer within 300 ms: the server is busy running a script .*; waiting up to 700 ms for it to accept SCRIPT KILL \(--wait\)$/,
    );
    expect(lines[1]).toMatch(
      /^rscript: 127\.0\.0\.1:\d+: no answer within 1000 ms while connecting: a server running a script answers once busy-reply-threshold has passed/,
    );
  });

  it('the timeout comes from the config file (timeoutMs) when no flag is given', async () => {
    project.write('timeout.json', JSON.stringify({ url, timeoutMs: 400 }));
    const r = await rscript(['exists', '--config', 'timeout.json'], { cwd: project.dir });
    expectFailure(r, 2, /no answer within 400 ms/);
  });

  it('without any setting, the default 5000 ms applies: no hang', async () => {
    const r = await rscript(['exists', '--url', url], { cwd: project.dir });
    expectFailure(r, 2, /no answer within 5000 ms/);
    expect(r.ms).toBeLessThan(5000 + SLACK_MS);
  });
});

describe('a redis-server frozen with SIGSTOP', () => {
  afterEach(() => server.thaw());

  it.each([['load'], ['exists']])(
    '%s gives up after its timeout, and works once the server runs again',
    async (command) => {
      server.freeze();
      const r = await rscript([command, '--url', server.url, '--timeout', '300'], { cwd: project.dir });
      expectFailure(r, 2, /no answer within 300 ms/);
      expect(r.ms).toBeLessThan(300 + SLACK_MS);
      server.thaw();
      expectSuccess(await rscript([command, '--url', server.url, '--timeout', '2000'], { cwd: project.dir }));
    },
  );
});

describe('a server that stops answering after the handshake', () => {
  let proxy: FaultProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  const cases: Array<[string, string[], RegExp, RegExp]> = [
    ['load', ['load'], /\$6\r\nSCRIPT\r\n/, /no answer to SCRIPT EXISTS within 300 ms/],
    ['exec', ['exec', 'one'], /EVALSHA/, /no answer to EVALSHA within 300 ms/],
    ['exists', ['exists'], /\$6\r\nSCRIPT\r\n/, /no answer to SCRIPT EXISTS within 300 ms/],
    ['flush', ['flush', '--yes'], /FLUSH/, /no answer to SCRIPT FLUSH within 300 ms/],
    ['kill', ['kill'], /KILL/, /no answer to SCRIPT KILL within 300 ms/],
  ];

  it.each(cases)('%s names the command that got no answer', async (_name, command, trigger, message) => {
    proxy = await startFaultProxy(server.port, trigger);
    const r = await rscript([...command, '--url', proxy.url, '--timeout', '300'], { cwd: project.dir });
    expectFailure(r, 2, message);
    expect(r.ms).toBeLessThan(300 + SLACK_MS);
  });

  it('load of missing scripts: the SCRIPT LOAD batch has one deadline', async () => {
    server.cli('SCRIPT', 'FLUSH');
    const before = project.read('rscript.lock.json');
    project.write('lua/three.lua', 'return 3\n');
    try {
      proxy = await startFaultProxy(server.port, /\$4\r\nLOAD\r\n/);
      const r = await rscript(['load', '--url', proxy.url, '--timeout', '300'], { cwd: project.dir });
      expectFailure(r, 2, /no answer to SCRIPT LOAD of 3 script\(s\) within 300 ms/);
      expect(project.read('rscript.lock.json').equals(before)).toBe(true);
    } finally {
      project.remove('lua/three.lua');
    }
  });
});
