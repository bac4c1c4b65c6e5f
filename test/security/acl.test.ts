/**
 * ACL users with less than every permission: what they may do still works, and what they may not
 * fails with "permission denied" naming the missing command (exit 2), never a half-written manifest.
 *
 * The least a runner needs: `+evalsha +script|exists` (exec, exists, and a load that finds every
 * script cached); `+evalsha_ro` for `exec --ro`. HELLO/AUTH need no permission. A deployer adds
 * `+script|load`; `flush` needs `+script|flush`, `kill` needs `+script|kill` and `+function|kill`.
 */
import { startRedisProcess, type RedisProcess } from '../helpers/redis-process.js';
import { expectFailure, expectSuccess, rscript, tempProject, type TempProject } from '../helpers/rscript-process.js';

const RUNNER_PW = 'runner-Pw-314';
let server: RedisProcess;
let project: TempProject;
let runner: string;
let blind: string;

beforeAll(async () => {
  server = await startRedisProcess();
  project = tempProject({ 'lua/one.lua': 'return 1\n', 'lua/peek.lua': '#!lua flags=no-writes\nreturn "peek"\n' });
  expect(
    server.cli(
      'ACL',
      'SETUSER',
      'runner',
      'on',
      `>${RUNNER_PW}`,
      '~*',
      '-@all',
      '+evalsha',
      '+evalsha_ro',
      '+script|exists',
    ),
  ).toBe('OK');
  expect(server.cli('ACL', 'SETUSER', 'blind', 'on', '>blind-Pw-271', '~*', '-@all', '+script|load')).toBe('OK');
  runner = `redis://runner:${RUNNER_PW}@127.0.0.1:${server.port}`;
  blind = `redis://blind:blind-Pw-271@127.0.0.1:${server.port}`;
  // The deployer (the default user, all permissions) loads the scripts.
  expectSuccess(await rscript(['load', '--url', server.url], { cwd: project.dir }));
});
afterAll(async () => {
  await server.stop();
  project.cleanup();
});

const as = (url: string, ...args: string[]) => rscript([...args, '--url', url], { cwd: project.dir });

describe('a runner: EVALSHA and SCRIPT EXISTS only', () => {
  it('exists, exec, exec --ro and a load with nothing to load work', async () => {
    expectSuccess(await as(runner, 'exists'));
    const one = await as(runner, 'exec', 'one', '--json');
    expectSuccess(one);
    expect(JSON.parse(one.stdout).reply).toBe(1);
    expectSuccess(await as(runner, 'exec', 'peek', '--ro'));
    const load = await as(runner, 'load', '--json');
    expectSuccess(load);
    expect(JSON.parse(load.stdout).rows.every((r: { server: string }) => r.server === 'cached')).toBe(true);
  });

  it('load of a new script: permission denied naming SCRIPT LOAD, exit 2, manifest unchanged', async () => {
    const before = project.read('rscript.lock.json');
    project.write('lua/two.lua', 'return 2\n');
    try {
      const r = await as(runner, 'load');
      expectFailure(r, 2, /permission denied: this user may not run SCRIPT LOAD/);
      expect(r.stderr).not.toContain(RUNNER_PW);
      expect(project.read('rscript.lock.json').equals(before)).toBe(true);
    } finally {
      project.remove('lua/two.lua');
    }
  });

  it('exec of a script the server lost cannot reload it: permission denied naming SCRIPT LOAD', async () => {
    server.cli('SCRIPT', 'FLUSH');
    try {
      expectFailure(await as(runner, 'exec', 'one'), 2, /permission denied: this user may not run SCRIPT LOAD/);
      expectSuccess(await as(runner, 'exists'), 1); // allowed, and it reports the loss
    } finally {
      expectSuccess(await rscript(['load', '--url', server.url], { cwd: project.dir }));
    }
  });

  it.each([
    [['flush', '--yes'], 'SCRIPT FLUSH', 'Ask for the ACL permission +script|flush, or use a user that has it.'],
    [
      ['kill'],
      'SCRIPT KILL',
      'Ask for the ACL permissions +script|kill and +function|kill, or use a user that has them.',
    ],
  ])('%j: permission denied naming %s, and a hint about that command, exit 2', async (command, verb, hint) => {
    const r = await as(runner, ...command);
    expectFailure(r, 2, new RegExp(`permission denied: this user may not run ${verb}`));
    expect(r.stderr.split('\n')[1]).toBe(`  ${hint}`);
    expect(server.cli('SCRIPT', 'EXISTS', sha('one'))).toBe('1'); // nothing was flushed
  });
});

describe('a user without EVALSHA or SCRIPT EXISTS', () => {
  it.each([
    [['exists'], 'SCRIPT EXISTS'],
    [['load'], 'SCRIPT EXISTS'],
    [['exec', 'one'], 'EVALSHA'],
    [['exec', 'peek', '--ro'], 'EVALSHA_RO'],
  ])('%j: permission denied naming %s, exit 2', async (command, verb) => {
    const r = await as(blind, ...command);
    expectFailure(r, 2, new RegExp(`permission denied: this user may not run ${verb}\\b`));
    expect(r.stderr.split('\n')[1]).toBe(
      `  Ask for the ACL permission +${verb.toLowerCase().replace(' ', '|')}, or use a user that has it (running scripts needs SCRIPT EXISTS/LOAD and EVALSHA).`,
    );
  });
});

describe('a user whose key patterns leave out the keys given', () => {
  it('exec: permission denied on the keys, with a hint about key patterns, not about EVALSHA', async () => {
    expect(server.cli('ACL', 'SETUSER', 'keyed', 'on', '>keyed-Pw-161', '~allowed:*', '+@all')).toBe('OK');
    const keyed = `redis://keyed:keyed-Pw-161@127.0.0.1:${server.port}`;
    expectSuccess(await as(keyed, 'exec', 'one', '--keys', 'allowed:1'));
    // The user may run EVALSHA: "ask for +evalsha" sent people after the wrong permission.
    const r = await as(keyed, 'exec', 'one', '--keys', 'other:1');
    expectFailure(
      r,
      2,
      /permission denied: this user may not access the keys given to EVALSHA \(NOPERM this user has no permissions to access one of the keys used as arguments\)/,
    );
    expect(r.stderr.split('\n')[1]).toBe(
      '  Ask for a key pattern (~prefix:*) that covers them, or use a user that has one.',
    );
  });
});

function sha(name: string): string {
  return (JSON.parse(project.read('rscript.lock.json').toString()) as { scripts: Record<string, { sha: string }> })
    .scripts[name]!.sha;
}
