/** `exists` and `flush` against a real redis-server, through the built CLI (exit codes matter here). */
import { makeProject, runCli, runCliOnTerminal, type Project } from '../helpers/cli.js';
import { commandCalls } from '../helpers/commandstats.js';
import { startMonitor } from '../helpers/monitor.js';
import { startRedis, type TestServer } from '../helpers/redis-server.js';
import { serverUnderTest } from '../helpers/server-under-test.js';

let server: TestServer;
let project: Project;
let shas: Record<string, string>;

const SCRIPTS = { 'lua/a.lua': 'return "a"', 'lua/b.lua': 'return "b"', 'lua/queue/push.lua': 'return "push"' };

beforeAll(async () => {
  server = await startRedis();
  project = makeProject(SCRIPTS);
  const loaded = await cli('load', '--json');
  expect(loaded.code).toBe(0);
  shas = Object.fromEntries(
    (JSON.parse(loaded.stdout).rows as Array<{ name: string; sha: string }>).map((r) => [r.name, r.sha]),
  );
});
afterAll(async () => {
  await server?.stop();
  project?.cleanup();
});

function cli(...args: string[]) {
  return runCli([...args, '--url', server.url], { cwd: project.dir });
}
const loadAll = () => Object.values(SCRIPTS).forEach((body) => server.cli('SCRIPT', 'LOAD', body));

describe('exists', () => {
  test('all cached: exit 0, in ONE SCRIPT EXISTS', async () => {
    loadAll();
    const before = commandCalls(server, 'script|exists');
    const result = await cli('exists', '--json');
    expect(commandCalls(server, 'script|exists') - before).toBe(1);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      rows: [
        { name: 'a', sha: shas.a, cached: true },
        { name: 'b', sha: shas.b, cached: true },
        { name: 'queue/push', sha: shas['queue/push'], cached: true },
      ],
      missing: 0,
      server: { flavour: serverUnderTest().flavour, version: serverUnderTest().version, name: serverUnderTest().name },
    });
  });

  test('after SCRIPT FLUSH it reports the missing scripts and exits 1', async () => {
    server.cli('SCRIPT', 'FLUSH');
    server.cli('SCRIPT', 'LOAD', SCRIPTS['lua/b.lua']);
    const json = await cli('exists', '--json');
    expect(json.code).toBe(1);
    const data = JSON.parse(json.stdout);
    expect(data.missing).toBe(2);
    expect(data.rows.filter((r: { cached: boolean }) => !r.cached).map((r: { name: string }) => r.name)).toEqual([
      'a',
      'queue/push',
    ]);

    const text = await cli('exists');
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/│ a\s+│ [0-9a-f]{12} │ MISSING │/);
    expect(text.stdout).toMatch(/│ b\s+│ [0-9a-f]{12} │ yes\s+│/);
    expect(text.stdout).toContain(`2 of 3 scripts missing on the server (${serverUnderTest().name}): run rscript load`);
  });

  test('named scripts only; an unknown name suggests the closest (exit 2)', async () => {
    server.cli('SCRIPT', 'FLUSH');
    server.cli('SCRIPT', 'LOAD', SCRIPTS['lua/a.lua']);
    const some = await cli('exists', 'a', '--json');
    expect(some.code).toBe(0);
    expect(JSON.parse(some.stdout).rows.map((r: { name: string }) => r.name)).toEqual(['a']);

    const typo = await cli('exists', 'queue/psh');
    expect(typo.code).toBe(2);
    expect(typo.stderr.trim()).toBe('rscript: unknown script "queue/psh"; did you mean "queue/push"?');
  });

  test('a script by the path of its file or by SHA (the 12 characters the tables print), once each', async () => {
    server.cli('SCRIPT', 'FLUSH');
    server.cli('SCRIPT', 'LOAD', SCRIPTS['lua/queue/push.lua']);
    const refs = await cli(
      'exists',
      'lua/queue/push.lua',
      shas['queue/push']!.slice(0, 12),
      shas.b!,
      'queue/push',
      '--json',
    );
    expect(refs.code).toBe(1);
    expect(JSON.parse(refs.stdout).rows).toEqual([
      { name: 'queue/push', sha: shas['queue/push'], cached: true },
      { name: 'b', sha: shas.b, cached: false },
    ]);
    const notInManifest = await cli('exists', 'lua/other.lua');
    expect(notInManifest.code).toBe(2);
    expect(notInManifest.stderr.trim()).toBe(
      'rscript: lua/other.lua is not a script of the manifest rscript.lock.json (rscript load adds it)',
    );
  });
});

describe('flush', () => {
  test('--yes empties the script cache', async () => {
    loadAll();
    const before = commandCalls(server, 'script|flush');
    const result = await cli('flush', '--yes');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(`script cache flushed on 127.0.0.1:${server.port}`);
    expect(commandCalls(server, 'script|flush') - before).toBe(1);
    expect(server.cli('SCRIPT', 'EXISTS', shas.a!)).toBe('0');
  });

  // What the server received, from a MONITOR connection of the test's own: the JSON's `mode` is
  // rscript's echo of the flag, not proof that the flag reached the server.
  test.each([
    [['--async'], 'ASYNC', ['SCRIPT', 'FLUSH', 'ASYNC']],
    [['--sync'], 'SYNC', ['SCRIPT', 'FLUSH', 'SYNC']],
    [[], 'default', ['SCRIPT', 'FLUSH']],
  ])('flush %j sends %s to the server', async (flags, mode, sent) => {
    loadAll();
    const monitor = await startMonitor(server.port);
    try {
      const result = await cli('flush', '-y', ...flags, '--json');
      await monitor.sync();
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ flushed: true, mode, server: `127.0.0.1:${server.port}` });
      expect(monitor.matching('SCRIPT', 'FLUSH')).toEqual([sent]);
    } finally {
      monitor.close();
    }
    expect(server.cli('SCRIPT', 'EXISTS', shas.a!)).toBe('0');
  });

  test('without --yes and no terminal: exit 2, nothing flushed', async () => {
    loadAll();
    const before = commandCalls(server, 'script|flush');
    const result = await cli('flush');
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'rscript: refusing to flush without confirmation: stdin is not a terminal; pass --yes',
    );
    expect(result.stdout).toBe('');
    expect(commandCalls(server, 'script|flush')).toBe(before);
    expect(server.cli('SCRIPT', 'EXISTS', shas.a!)).toBe('1');
  });

  // The prompt through a real pseudo-terminal, as a user meets it.
  const onTerminal = (answer: string, ...args: string[]) =>
    runCliOnTerminal(['flush', ...args, '--url', server.url], { cwd: project.dir, prompt: '[y/N] ', answer });

  test('on a terminal, answering y flushes', async () => {
    loadAll();
    const before = commandCalls(server, 'script|flush');
    const result = await onTerminal('y\r');
    expect(result.output).toContain(`Flush the script cache of 127.0.0.1:${server.port}? [y/N] `);
    expect(result.output).toContain(`script cache flushed on 127.0.0.1:${server.port}`);
    expect(result.code).toBe(0);
    expect(commandCalls(server, 'script|flush') - before).toBe(1);
    expect(server.cli('SCRIPT', 'EXISTS', shas.a!)).toBe('0');
  });

  test('on a terminal, answering n (or just Enter) flushes nothing and exits 0: declining is no error', async () => {
    for (const answer of ['n\r', '\r']) {
      loadAll();
      const before = commandCalls(server, 'script|flush');
      const result = await onTerminal(answer);
      expect(result.output).toContain(`not flushed: the script cache of 127.0.0.1:${server.port} is unchanged`);
      expect(result.output).not.toMatch(/rscript:|cancelled/);
      expect(result.code).toBe(0);
      expect(commandCalls(server, 'script|flush')).toBe(before);
      expect(server.cli('SCRIPT', 'EXISTS', shas.a!)).toBe('1');
    }
  });

  test('on a terminal, Ctrl-D at the prompt is a no (exit 0); Ctrl-C stops rscript (exit 130); neither flushes', async () => {
    for (const [answer, code, said] of [
      ['\x04', 0, `not flushed: the script cache of 127.0.0.1:${server.port} is unchanged`],
      ['\x03', 130, 'rscript: flush interrupted at its prompt (Ctrl-C): nothing was sent'],
    ] as const) {
      loadAll();
      const before = commandCalls(server, 'script|flush');
      const result = await onTerminal(answer);
      expect(result.output).toContain(said);
      expect(result.output).not.toMatch(/unexpected error|Aborted/);
      expect(result.code).toBe(code);
      expect(commandCalls(server, 'script|flush')).toBe(before);
      expect(server.cli('SCRIPT', 'EXISTS', shas.a!)).toBe('1');
    }
  });

  test('on a terminal with --json, declining gives {"flushed": false} on stdout', async () => {
    loadAll();
    const result = await onTerminal('n\r', '--json');
    expect(result.code).toBe(0);
    // The terminal shows the prompt, the echoed answer, then the document.
    expect(JSON.parse(result.output.slice(result.output.indexOf('{')))).toEqual({
      flushed: false,
      server: `127.0.0.1:${server.port}`,
    });
    expect(server.cli('SCRIPT', 'EXISTS', shas.a!)).toBe('1');
  });
});
