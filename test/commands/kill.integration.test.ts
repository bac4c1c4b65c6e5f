/**
 * `kill` against a script that really runs (the recipe of Redis's own tests): a low
 * busy-reply-threshold, an endless EVAL from another client, poll until BUSY, then `rscript kill`.
 */
import { createClient } from '@redis/client';
import { makeProject, runCli, stackLines, type Project } from '../helpers/cli.js';
import { startRedis, type TestServer } from '../helpers/redis-server.js';

let server: TestServer;
let project: Project;

async function freshServer(): Promise<TestServer> {
  const s = await startRedis();
  expect(s.cli('CONFIG', 'SET', 'busy-reply-threshold', '100')).toBe('OK');
  return s;
}

beforeAll(async () => {
  server = await freshServer();
  project = makeProject({ 'lua/one.lua': 'return 1' });
});
afterAll(async () => {
  await server?.stop();
  project?.cleanup();
});

/** Starts `command` on a connection of its own; resolves once the server answers others with BUSY. */
async function startBusy(command: string[]): Promise<{ outcome: Promise<string>; close(): void }> {
  const runner = createClient({ url: server.url });
  runner.on('error', () => undefined);
  await runner.connect();
  const outcome = runner.sendCommand(command).then(
    (reply) => `reply: ${String(reply)}`,
    (err: Error) => `error: ${err.message}`,
  );
  const poller = createClient({ url: server.url });
  poller.on('error', () => undefined);
  await poller.connect();
  try {
    for (let i = 0; ; i++) {
      try {
        await poller.sendCommand(['PING']);
      } catch (err) {
        if (/^BUSY /.test((err as Error).message)) break;
        throw err;
      }
      if (i > 200) throw new Error('the server never became BUSY');
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    poller.destroy();
  }
  return { outcome, close: () => runner.destroy() };
}

const kill = (...extra: string[]) => runCli(['kill', '--url', server.url, ...extra], { cwd: project.dir });

test('kill stops a running script: it says so and exits 0; the server answers again', async () => {
  const busy = await startBusy(['EVAL', 'while true do end', '0']);
  try {
    const result = await kill();
    expect(result.stdout.trim()).toBe(`127.0.0.1:${server.port}: the running script was killed`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await busy.outcome).toMatch(/^error: ERR Script killed by user with SCRIPT KILL/);
    expect(server.cli('PING')).toBe('PONG');
  } finally {
    busy.close();
  }
});

test('while a script runs, other commands say the server is busy and point at rscript kill (exit 2)', async () => {
  const busy = await startBusy(['EVAL', 'while true do end', '0']);
  try {
    const result = await runCli(['load', '--url', server.url], { cwd: project.dir });
    expect(result.stderr.trim()).toBe(
      `rscript: 127.0.0.1:${server.port}: the server is busy running a script and answers nothing else; stop it with: rscript kill`,
    );
    expect(result.code).toBe(2);
    expect(project.exists('rscript.lock.json')).toBe(false);
    expect((await kill('--json')).code).toBe(0);
  } finally {
    busy.close();
  }
});

test('kill with nothing running exits 0 and says nothing is running', async () => {
  const result = await kill();
  expect(result.stdout.trim()).toBe(`127.0.0.1:${server.port}: no script is running; nothing to kill`);
  expect(result.code).toBe(0);
  const json = await kill('--json');
  expect(JSON.parse(json.stdout)).toEqual({ outcome: 'nothing running', server: `127.0.0.1:${server.port}` });
});

test('a running FUNCTION is stopped with FUNCTION KILL', async () => {
  const lib = "#!lua name=spinlib\nredis.register_function('spin', function() while true do end end)";
  expect(server.cli('FUNCTION', 'LOAD', lib)).toBe('spinlib');
  const busy = await startBusy(['FCALL', 'spin', '0']);
  try {
    const result = await kill('--json');
    expect(JSON.parse(result.stdout)).toEqual({ outcome: 'killed function', server: `127.0.0.1:${server.port}` });
    expect(result.code).toBe(0);
    expect(await busy.outcome).toMatch(/^error: ERR Script killed by user/);
  } finally {
    busy.close();
    server.cli('FUNCTION', 'FLUSH');
  }
});

test('a script that already wrote is UNKILLABLE: exit 1, SHUTDOWN NOSAVE explained, not done', async () => {
  const busy = await startBusy(['EVAL', "redis.call('SET', 'written', '1') while true do end", '0']);
  try {
    const result = await kill();
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `rscript: 127.0.0.1:${server.port}: the running script has already written data and cannot be killed`,
    );
    expect(result.stderr).toContain('SHUTDOWN NOSAVE');
    expect(stackLines(result.stderr)).toEqual([]);
    expect(result.stdout).toBe('');

    const json = await kill('--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).error).toMatchObject({
      exitCode: 1,
      message: expect.stringContaining('cannot be killed'),
    });

    // rscript did not stop the server: it is still running the script.
    expect(server.process.exitCode).toBeNull();
    expect(server.cli('PING')).toMatch(/^BUSY /);
  } finally {
    server.cli('SHUTDOWN', 'NOSAVE');
    busy.close();
    await server.stop();
  }
  server = await freshServer();
  const after = await kill();
  expect(after.stdout).toContain('nothing to kill');
  expect(after.code).toBe(0);
});

describe('before busy-reply-threshold, when the server answers nothing yet', () => {
  // Until the threshold has passed a server running a script reads nothing: the socket accepts, the
  // handshake waits. kill says so and waits for the server to accept SCRIPT KILL.
  let slow: TestServer;
  beforeAll(async () => {
    slow = await startRedis(['--busy-reply-threshold', '4000']);
  });
  afterAll(async () => {
    await slow?.stop();
  });

  /** Sends `command` on a connection of its own and lets the server start it. */
  async function startScript(command: string[]): Promise<{ outcome: Promise<string>; close(): void }> {
    const runner = createClient({ url: slow.url });
    runner.on('error', () => undefined);
    await runner.connect();
    const outcome = runner.sendCommand(command).then(
      (reply) => `reply: ${String(reply)}`,
      (err: Error) => `error: ${err.message}`,
    );
    await new Promise((r) => setTimeout(r, 200));
    return { outcome, close: () => runner.destroy() };
  }

  const waiting = (port: number, timeout: number) =>
    `127.0.0.1:${port}: no answer within ${timeout} ms: the server is busy running a script (it answers nothing until busy-reply-threshold, 5000 ms by default, has passed); waiting up to 60 s for it to accept SCRIPT KILL (--wait)`;

  test('kill --timeout 500 says the server is busy, waits for the threshold, then kills the script (exit 0)', async () => {
    const busy = await startScript(['EVAL', 'while true do end', '0']);
    try {
      const result = await runCli(['kill', '--url', slow.url, '--timeout', '500'], { cwd: project.dir });
      expect(result.stderr.trim()).toBe(waiting(slow.port, 500));
      expect(result.stdout.trim()).toBe(`127.0.0.1:${slow.port}: the running script was killed`);
      expect(result.code).toBe(0);
      expect(await busy.outcome).toMatch(/^error: ERR Script killed by user with SCRIPT KILL/);
      expect(slow.cli('PING')).toBe('PONG');
    } finally {
      busy.close();
    }
  });

  test('a script that ends before the threshold: kill waits, then says nothing is running (exit 0, JSON on stdout)', async () => {
    // Loops for about 3 s, less than the 4 s threshold: the server never answers BUSY.
    const loop =
      "local t0 = redis.call('TIME') local function ms(t) return t[1] * 1000 + math.floor(t[2] / 1000) end while ms(redis.call('TIME')) - ms(t0) < 3000 do end return 'done'";
    const busy = await startScript(['EVAL', loop, '0']);
    try {
      const result = await runCli(['kill', '--url', slow.url, '--timeout', '300', '--json'], { cwd: project.dir });
      expect(result.stderr.trim()).toBe(waiting(slow.port, 300));
      expect(JSON.parse(result.stdout)).toEqual({ outcome: 'nothing running', server: `127.0.0.1:${slow.port}` });
      expect(result.code).toBe(0);
      expect(await busy.outcome).toBe('reply: done');
    } finally {
      busy.close();
    }
  });
});
