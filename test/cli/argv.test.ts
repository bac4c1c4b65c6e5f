/**
 * argv -> options: a table of command lines run through the built binary, each checked by what it
 * did (which server, which manifest, which keys and args reached the script).
 */
import { makeProject, runCli, type Project } from '../helpers/cli.js';
import { commandCalls } from '../helpers/commandstats.js';
import { freePort, startRedis, type TestServer } from '../helpers/redis-server.js';

let server: TestServer;
let project: Project;
let deadUrl: string;

beforeAll(async () => {
  server = await startRedis();
  deadUrl = `redis://127.0.0.1:${await freePort()}`;
});
afterAll(async () => {
  await server?.stop();
});
beforeEach(() => {
  project = makeProject({
    'lua/echo.lua': 'return {KEYS, ARGV}',
    'scripts/other.lua': 'return "other"',
  });
});
afterEach(() => project.cleanup());

interface EchoReply {
  reply: [string[], string[], number, number];
}
const echoed = (stdout: string) => {
  const { reply } = JSON.parse(stdout) as EchoReply;
  return { keys: reply[0], args: reply[1] };
};

describe('exec: -k/--keys and -a/--args reach KEYS and ARGV', () => {
  test.each<[string[], string[], string[]]>([
    [[], [], []],
    [['-k', 'a', 'b', '-a', 'x'], ['a', 'b'], ['x']],
    [['--keys', 'k1', '--args', '', 'two words'], ['k1'], ['', 'two words']],
    [['-a', '1', '2', '-k', 'late'], ['late'], ['1', '2']],
    [['-a', '-5'], [], ['-5']],
    [['--keys=only'], ['only'], []],
    [['-k', 'ключ', '-a', '✓ ok'], ['ключ'], ['✓ ok']],
  ])('%j', async (argv, keys, args) => {
    const result = await runCli(['exec', 'echo', ...argv, '--json', '--url', server.url], { cwd: project.dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(echoed(result.stdout)).toEqual({ keys, args });
  });

  test('--ro sends EVALSHA_RO', async () => {
    project.write('lua/ro.lua', '#!lua flags=no-writes\nreturn 1\n');
    const before = commandCalls(server, 'evalsha_ro');
    const result = await runCli(['exec', 'ro', '--ro', '--url', server.url], { cwd: project.dir });
    expect(result.code).toBe(0);
    expect(commandCalls(server, 'evalsha_ro') - before).toBeGreaterThanOrEqual(1);
  });
});

describe('where the server is: --url > REDIS_URL > config file > default', () => {
  test.each<[string, { flag?: 'live' | 'dead'; env?: 'live' | 'dead'; file?: 'live' | 'dead' }, number]>([
    ['--url', { flag: 'live' }, 0],
    ['--url over a dead REDIS_URL', { flag: 'live', env: 'dead' }, 0],
    ['a dead --url over a live REDIS_URL', { flag: 'dead', env: 'live' }, 2],
    ['REDIS_URL over a dead config file', { env: 'live', file: 'dead' }, 0],
    ['the config file', { file: 'live' }, 0],
    ['a dead config file', { file: 'dead' }, 2],
  ])('%s', async (_what, where, code) => {
    const url = (w: 'live' | 'dead') => (w === 'live' ? server.url : deadUrl);
    if (where.file) project.write('.redisscriptsrc', JSON.stringify({ url: url(where.file) }));
    const argv = ['exists', '--json', ...(where.flag ? ['-u', url(where.flag)] : [])];
    project.write('rscript.lock.json', '{ "version": 1, "scripts": {} }\n');
    const result = await runCli(argv, { cwd: project.dir, env: where.env ? { REDIS_URL: url(where.env) } : {} });
    expect(result.code).toBe(code);
    if (code === 2)
      expect(result.stderr).toMatch(
        new RegExp(`^rscript: 127\\.0\\.0\\.1:${deadUrl.split(':').pop()}: connection refused`),
      );
  });
});

describe('the options every command takes may come before the command name', () => {
  test("rscript --url ... --json exists; the command's own value wins over the program's", async () => {
    project.write('rscript.lock.json', '{ "version": 1, "scripts": {} }\n');
    const before = await runCli(['--url', server.url, '--json', 'exists'], {
      cwd: project.dir,
      env: { REDIS_URL: deadUrl },
    });
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({ rows: [], missing: 0 });
    const both = await runCli(['--url', server.url, 'exists', '--url', deadUrl], { cwd: project.dir });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/connection refused/);
    const reverse = await runCli(['-u', deadUrl, 'exists', '-u', server.url], { cwd: project.dir });
    expect(reverse.code).toBe(0);
  });

  test('--config before a command; -c after bench is its connections (--concurrency, its former name, too)', async () => {
    project.write('conf/rscript.json', JSON.stringify({ scripts: ['../scripts'], manifest: 'lock.json' }));
    const load = await runCli(['--config', 'conf/rscript.json', '-m', 'mine.json', 'load', '--url', server.url], {
      cwd: project.dir,
    });
    expect(load.code).toBe(0);
    expect(Object.keys(JSON.parse(project.read('mine.json').toString()).scripts)).toEqual(['other']);
    const bench = await runCli(
      ['--config', 'conf/rscript.json', 'bench', 'other', '-c', '3', '-n', '30', '--json', '--url', server.url],
      { cwd: project.dir },
    );
    expect(bench.code).toBe(0);
    expect(JSON.parse(bench.stdout)).toMatchObject({
      results: [{ script: 'other', path: 'scripts/other.lua', connections: 3, requests: 30 }],
    });
    const former = await runCli(
      [
        'bench',
        'other',
        '--concurrency',
        '2',
        '-n',
        '20',
        '--json',
        '--url',
        server.url,
        '--config',
        'conf/rscript.json',
      ],
      { cwd: project.dir },
    );
    expect(former.code).toBe(0);
    expect(JSON.parse(former.stdout)).toMatchObject({ results: [{ connections: 2, requests: 20 }] });
  });
});

describe('load: paths, --manifest and --config', () => {
  test.each<[string, string[], string, string[]]>([
    ['defaults: ./lua and rscript.lock.json', [], 'rscript.lock.json', ['echo']],
    ['a positional path', ['scripts'], 'rscript.lock.json', ['other']],
    ['two positional paths', ['lua', 'scripts'], 'rscript.lock.json', ['echo', 'other']],
    ['-m', ['-m', 'custom.json'], 'custom.json', ['echo']],
    ['--manifest in a folder', ['--manifest', 'deploy/lock.json'], 'deploy/lock.json', ['echo']],
  ])('%s', async (_what, argv, manifest, names) => {
    project.write('deploy/.keep', '');
    const result = await runCli(['load', ...argv, '--url', server.url], { cwd: project.dir });
    expect(result.code).toBe(0);
    expect(Object.keys(JSON.parse(project.read(manifest).toString()).scripts)).toEqual(names);
    if (manifest !== 'rscript.lock.json') expect(project.exists('rscript.lock.json')).toBe(false);
  });

  test('--config: paths in the config file are relative to it; a flag still wins', async () => {
    project.write(
      'conf/rscript.json',
      JSON.stringify({ scripts: ['../scripts'], manifest: 'locks/rscript.lock.json' }),
    );
    project.write('conf/locks/.keep', '');
    const result = await runCli(['load', '--config', 'conf/rscript.json', '--url', server.url, '--json'], {
      cwd: project.dir,
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(project.read('conf/locks/rscript.lock.json').toString()).scripts.other.path).toBe(
      '../../scripts/other.lua',
    );
    const flag = await runCli(['load', '--config', 'conf/rscript.json', '-m', 'mine.json', '--url', server.url], {
      cwd: project.dir,
    });
    expect(flag.code).toBe(0);
    expect(project.exists('mine.json')).toBe(true);
  });
});

describe('value parsers name their flag', () => {
  test.each([['0'], ['-1'], ['1.5'], ['soon']])('--timeout %s', async (value) => {
    const result = await runCli(['exists', '--timeout', value], { cwd: project.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--timeout takes a positive whole number, got "${value}"`);
  });
});
