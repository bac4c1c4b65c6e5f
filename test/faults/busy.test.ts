/**
 * A long script holds the server (BUSY): exec and load say so and point at `rscript kill`; kill
 * recovers the server, and explains the one case it cannot (a script that already wrote).
 * As in Redis's own tests: busy-reply-threshold 100 ms, and a second client runs an endless script.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { startRedisProcess, type RedisProcess } from '../helpers/redis-process.js';
import { CLI_BIN } from '../helpers/server-under-test.js';
import { expectFailure, expectSuccess, rscript, tempProject, type TempProject } from '../helpers/rscript-process.js';

let server: RedisProcess;
let project: TempProject;

beforeAll(async () => {
  server = await startRedisProcess({ extra: ['--busy-reply-threshold', '100'] });
  project = tempProject({ 'lua/one.lua': 'return 1\n' });
  expectSuccess(await rscript(['load', '--url', server.url], { cwd: project.dir }));
});
afterAll(async () => {
  await server.stop();
  project.cleanup();
});

const run = (...args: string[]) => rscript([...args, '--url', server.url, '--timeout', '3000'], { cwd: project.dir });

/** Starts `body` through redis-cli on its own connection and waits until the server answers BUSY. */
async function holdServer(body: string): Promise<{ client: ChildProcess; output: Promise<string> }> {
  const client = spawn(CLI_BIN, ['-h', '127.0.0.1', '-p', String(server.port), 'EVAL', body, '0']);
  let text = '';
  client.stdout.on('data', (c: Buffer) => (text += c.toString()));
  client.stderr.on('data', (c: Buffer) => (text += c.toString()));
  const output = new Promise<string>((r) => client.on('close', () => r(text)));
  for (let i = 0; i < 200; i++) {
    if (server.cli('PING').startsWith('BUSY')) return { client, output };
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the server never became busy');
}

describe('a script that loops forever', () => {
  it('exec, load and exists say the server is busy and point at rscript kill; kill recovers it', async () => {
    const { output } = await holdServer('while true do end');
    try {
      project.write('lua/two.lua', 'return 2\n');
      const before = project.read('rscript.lock.json');
      for (const command of [['exec', 'one'], ['load'], ['exists']]) {
        expectFailure(await run(...command), 2, /busy running a script.*stop it with: rscript kill/);
      }
      expect(project.read('rscript.lock.json').equals(before)).toBe(true);

      const killed = await run('kill');
      expectSuccess(killed);
      expect(killed.stdout).toMatch(/the running script was killed/);
      expect(await output).toMatch(/Script killed by user with SCRIPT KILL/);
    } finally {
      server.cli('SCRIPT', 'KILL');
    }
    expect(server.cli('PING')).toBe('PONG');
    const after = await run('exec', 'one', '--json');
    expectSuccess(after);
    expect(JSON.parse(after.stdout).reply).toBe(1);
    expectSuccess(await run('load'));
    project.remove('lua/two.lua');
  });

  it('exec of a script that outlives --timeout says it may still be running, and kill stops it', async () => {
    project.write('lua/spin.lua', 'while true do end\n');
    try {
      const r = await rscript(['exec', 'lua/spin.lua', '--url', server.url, '--timeout', '300'], { cwd: project.dir });
      expectFailure(
        r,
        2,
        /no answer to EVALSHA within 300 ms \(change the limit with --timeout\); the script may still be running there: rscript kill stops it/,
      );
      expect(server.cli('PING')).toMatch(/^BUSY/);
      expectSuccess(await run('kill'));
      expect(server.cli('PING')).toBe('PONG');
    } finally {
      server.cli('SCRIPT', 'KILL');
      project.remove('lua/spin.lua');
    }
  });

  it('kill with nothing running says so and exits 0', async () => {
    const r = await run('kill');
    expectSuccess(r);
    expect(r.stdout).toMatch(/no script is running; nothing to kill/);
  });
});

describe('a script that wrote before looping', () => {
  it('kill exits 1, explains that only SHUTDOWN NOSAVE stops it, and does not do it', async () => {
    const { output } = await holdServer("redis.call('SET', 'rscript:busy', '1') while true do end");
    const r = await run('kill');
    expectFailure(r, 1, /already written data and cannot be killed/);
    expect(r.stderr).toMatch(/SHUTDOWN NOSAVE/);
    expect(server.cli('PING')).toMatch(/^BUSY/); // still running: rscript did not shut the server down
    // The test ends it the only way there is, and starts a fresh server for the other tests.
    server.cli('SHUTDOWN', 'NOSAVE');
    await output;
    await server.restart();
  });
});
