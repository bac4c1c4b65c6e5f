/**
 * `load` against a real redis-server: the SHAs the server computes, what is sent (counted with
 * INFO commandstats and a recording proxy), dry run, check, and compile errors.
 */
import { load, type LoadResult } from '../../src/commands/load.js';
import { sha1hex as sha1 } from '../../src/registry/script.js';
import { checkFailure } from '../helpers/failure.js';
import { makeProject, runCli, type Project } from '../helpers/cli.js';
import { commandCalls } from '../helpers/commandstats.js';
import { useRedis } from '../helpers/use-redis.js';
import { recordingProxy, silentListener } from '../helpers/tcp.js';
import { connect } from '../../src/server/connection.js';
import { sendScriptLoads } from '../../src/server/scripts.js';
import { serverUnderTest } from '../helpers/server-under-test.js';

const server = useRedis();
let project: Project;

beforeEach(() => {
  server.cli('SCRIPT', 'FLUSH');
});
afterEach(() => project?.cleanup());

const FILES: Record<string, string> = {
  'lua/one.lua': 'return 1',
  'lua/newline.lua': 'return 1\n',
  'lua/crlf.lua': 'local a = 1\r\nreturn a\r\n',
  'lua/shebang.lua': '#!lua flags=no-writes\nreturn redis.call("GET", KEYS[1])\n',
  'lua/queue/push.lua': "-- pousser l'élément ✓\nreturn redis.call('RPUSH', KEYS[1], ARGV[1])\n",
};

const MANIFEST = 'rscript.lock.json';
const run = (
  options: { paths?: string[]; dryRun?: boolean; check?: boolean; url?: string; lint?: boolean } = {},
): Promise<LoadResult> =>
  load({
    paths: options.paths ?? ['lua'],
    manifest: project.path(MANIFEST),
    target: { url: options.url ?? server.url, timeoutMs: 5000 },
    dryRun: options.dryRun,
    check: options.check,
    lint: options.lint,
    cwd: project.dir,
  });

const failure = checkFailure;

test('the SHAs equal what redis-cli SCRIPT LOAD returns for the same bytes', async () => {
  project = makeProject(FILES);
  const result = await run();
  expect(result.rows).toHaveLength(5);
  for (const row of result.rows) {
    expect(row.server).toBe('loaded');
    expect(server.cli('SCRIPT', 'LOAD', FILES[row.path]!)).toBe(row.sha);
  }
  expect(result.rows.find((r) => r.name === 'one')!.sha).toBe('e0e1f9fabfc9d4800c877a703b823ac0578ff8db');
  const manifest = JSON.parse(project.read(MANIFEST).toString());
  expect(Object.keys(manifest.scripts)).toEqual(['crlf', 'newline', 'one', 'queue/push', 'shebang']);
  expect(manifest.scripts.shebang.flags).toEqual(['no-writes']);
  for (const row of result.rows) expect(manifest.scripts[row.name].sha).toBe(row.sha);
});

test('a second load with nothing changed sends no SCRIPT LOAD and leaves the manifest byte for byte', async () => {
  project = makeProject(FILES);
  const first = await run();
  expect(first.manifestWritten).toBe(true);
  const bytes = project.read(MANIFEST);
  const loadsBefore = commandCalls(server, 'script|load');
  const second = await run();
  expect(commandCalls(server, 'script|load')).toBe(loadsBefore);
  expect(second.rows.every((r) => r.status === 'unchanged' && r.server === 'cached')).toBe(true);
  expect(second.manifestWritten).toBe(false);
  expect(second.stale).toBe(false);
  expect(project.read(MANIFEST).equals(bytes)).toBe(true);
});

test('nothing changed: a manifest formatted by hand is left as it is; a wrong size in it is put right', async () => {
  project = makeProject(FILES);
  await run({ lint: true });
  const manifest = JSON.parse(project.read(MANIFEST).toString());
  // Same content, other formatting (4 spaces, no final newline): not rewritten.
  const byHand = JSON.stringify(manifest, null, 4);
  project.write(MANIFEST, byHand);
  expect((await run({ lint: true })).manifestWritten).toBe(false);
  expect(project.read(MANIFEST).toString()).toBe(byHand);
  // A size that does not match the file is content: the load writes the manifest again.
  manifest.scripts.one.size = 999;
  project.write(MANIFEST, JSON.stringify(manifest, null, 4));
  expect((await run({ check: true })).stale).toBe(true);
  expect((await run({ lint: true })).manifestWritten).toBe(true);
  expect(JSON.parse(project.read(MANIFEST).toString()).scripts.one.size).toBe(8);
  expect((await run({ check: true })).stale).toBe(false);
});

test('one SCRIPT EXISTS for all scripts, and SCRIPT LOAD only for the missing ones', async () => {
  project = makeProject(FILES);
  server.cli('SCRIPT', 'LOAD', FILES['lua/one.lua']!);
  const existsBefore = commandCalls(server, 'script|exists');
  const loadsBefore = commandCalls(server, 'script|load');
  const result = await run();
  expect(commandCalls(server, 'script|exists') - existsBefore).toBe(1);
  expect(commandCalls(server, 'script|load') - loadsBefore).toBe(4);
  expect(result.rows.find((r) => r.name === 'one')!.server).toBe('cached');
  expect(result.rows.filter((r) => r.server === 'loaded')).toHaveLength(4);
});

test('the SCRIPT LOADs are pipelined: all written before the first reply comes back', async () => {
  project = makeProject(FILES);
  const proxy = await recordingProxy(server.port);
  try {
    await run({ url: proxy.url });
  } finally {
    await proxy.close();
  }
  const marker = '$6\r\nSCRIPT\r\n$4\r\nLOAD\r\n';
  let total = 0;
  let first = -1;
  let last = -1;
  proxy.chunks.forEach((chunk, i) => {
    if (chunk.from !== 'client') return;
    const n = chunk.data.toString('latin1').split(marker).length - 1;
    if (n === 0) return;
    total += n;
    if (first < 0) first = i;
    last = i;
  });
  expect(total).toBe(5);
  // Sent one by one, each LOAD after the previous reply, a server chunk would sit between them.
  expect(proxy.chunks.slice(first, last + 1).filter((c) => c.from === 'server')).toEqual([]);
});

test('--dry-run loads nothing and writes nothing', async () => {
  project = makeProject(FILES);
  const loadsBefore = commandCalls(server, 'script|load');
  const result = await run({ dryRun: true });
  expect(result.dryRun).toBe(true);
  expect(result.manifestWritten).toBe(false);
  expect(result.rows.every((r) => r.server === 'would load' && r.status === 'new')).toBe(true);
  expect(commandCalls(server, 'script|load')).toBe(loadsBefore);
  expect(server.cli('SCRIPT', 'EXISTS', result.rows[0]!.sha)).toBe('0');
  expect(project.exists(MANIFEST)).toBe(false);

  // With a manifest on disk and a changed file: the manifest stays as it was.
  await run();
  const bytes = project.read(MANIFEST);
  project.write('lua/one.lua', 'return 2');
  const dry = await run({ dryRun: true });
  expect(dry.rows.find((r) => r.name === 'one')).toMatchObject({ status: 'changed', server: 'would load' });
  expect(project.read(MANIFEST).equals(bytes)).toBe(true);
  expect(server.cli('SCRIPT', 'EXISTS', dry.rows.find((r) => r.name === 'one')!.sha)).toBe('0');
});

test('after SCRIPT FLUSH every script is loaded again; the manifest is unchanged', async () => {
  project = makeProject(FILES);
  await run();
  const bytes = project.read(MANIFEST);
  server.cli('SCRIPT', 'FLUSH');
  const result = await run();
  expect(result.rows.every((r) => r.status === 'unchanged' && r.server === 'loaded')).toBe(true);
  expect(server.cli('SCRIPT', 'EXISTS', ...result.rows.map((r) => r.sha))).toBe('1\n1\n1\n1\n1');
  expect(project.read(MANIFEST).equals(bytes)).toBe(true);
});

test('a changed file is loaded and its new SHA written; a removed one leaves the manifest', async () => {
  project = makeProject(FILES);
  await run();
  project.write('lua/one.lua', 'return 2');
  project.remove('lua/crlf.lua');
  const result = await run();
  const one = result.rows.find((r) => r.name === 'one')!;
  expect(one).toMatchObject({ status: 'changed', server: 'loaded' });
  expect(result.removed).toEqual(['crlf']);
  expect(result.stale).toBe(true);
  const manifest = JSON.parse(project.read(MANIFEST).toString());
  expect(manifest.scripts.one.sha).toBe(server.cli('SCRIPT', 'LOAD', 'return 2'));
  expect(manifest.scripts.crlf).toBeUndefined();
});

test('a compile error names lua/file.lua:LINE, quotes the line, and leaves the manifest byte for byte', async () => {
  project = makeProject(FILES);
  await run();
  const bytes = project.read(MANIFEST);
  project.write('lua/bad.lua', '#!lua\nlocal a = 1\nlocal b =\nreturn a +\n');
  project.write('lua/one.lua', 'return 3');
  // --no-lint: the server's own compile error (the linter would stop it first, as the next test shows).
  const err = await failure(run({ lint: false }));
  expect(err.message).toBe("lua/bad.lua:4: compile error: unexpected symbol near 'return'");
  expect(err.detail[0]).toBe('4 | return a +');
  // The other scripts did reach the server: the message says which, and which failed.
  expect(err.detail.slice(-2)).toEqual([
    expect.stringMatching(
      /^1 script failed to load: bad; 1 script loaded on the server: one; \d+ scripts already there$/,
    ),
    expect.stringMatching(
      /^the manifest .*rscript\.lock\.json was not changed: fix the failing script\(s\) and run rscript load again$/,
    ),
  ]);
  expect(server.cli('SCRIPT', 'EXISTS', sha1('return 3'))).toBe('1');
  expect(err.exitCode).toBe(1);
  expect(project.read(MANIFEST).equals(bytes)).toBe(true);
});

test('an invalid shebang flag is the server error, pointed at the file', async () => {
  project = makeProject({ 'lua/flags.lua': '#!lua flags=no-writes,bogus\nreturn 1\n' });
  const err = await failure(run({ lint: false }));
  expect(err.message).toBe('lua/flags.lua: ERR Unexpected flag in script shebang: bogus');
  // There was no manifest: none is written (not "was not changed").
  expect(err.detail.slice(-2)).toEqual([
    '1 script failed to load: flags; no other script loaded',
    expect.stringMatching(/^the manifest .*rscript\.lock\.json was not written: fix/),
  ]);
  expect(project.exists(MANIFEST)).toBe(false);
});

test('with the linter on, the same compile error is refused before the server sees it', async () => {
  project = makeProject(FILES);
  await run();
  const bytes = project.read(MANIFEST);
  project.write('lua/bad.lua', '#!lua\nlocal a = 1\nlocal b =\nreturn a +\n');
  const loadsBefore = commandCalls(server, 'script|load');
  const err = await failure(run());
  expect(err.message).toMatch(/^lua\/bad\.lua:4:1: .*\(syntax-error\)$/);
  expect(err.detail[0]).toBe('4 | return a +');
  expect(err.detail.at(-1)).toMatch(
    /load refused before loading anything; the manifest .*rscript\.lock\.json was not changed/,
  );
  expect(commandCalls(server, 'script|load')).toBe(loadsBefore);
  expect(project.read(MANIFEST).equals(bytes)).toBe(true);
});

describe('--check compares files and manifest only, and never connects', () => {
  test('in-process: stale, then up to date', async () => {
    project = makeProject(FILES);
    const listener = await silentListener();
    try {
      expect((await run({ check: true, url: listener.url })).stale).toBe(true);
      await run();
      expect((await run({ check: true, url: listener.url })).stale).toBe(false);
      project.write('lua/newline.lua', 'return 1\n\n');
      const stale = await run({ check: true, url: listener.url });
      expect(stale.stale).toBe(true);
      expect(stale.rows.find((r) => r.name === 'newline')!.status).toBe('changed');
      expect(listener.connections()).toBe(0);
    } finally {
      await listener.close();
    }
  });

  test('the CLI exits 1 on a stale manifest and 0 on a fresh one, without any server', async () => {
    project = makeProject(FILES);
    await run();
    const listener = await silentListener();
    try {
      const fresh = await runCli(['load', '--check', '--url', listener.url], { cwd: project.dir });
      expect(fresh.stderr).toBe('');
      expect(fresh.stdout).toContain('rscript.lock.json is up to date');
      expect(fresh.code).toBe(0);

      project.write('lua/extra.lua', 'return 9');
      const bytes = project.read(MANIFEST);
      const stale = await runCli(['load', '--check', '--url', listener.url], { cwd: project.dir });
      expect(stale.stdout).toMatch(/rscript\.lock\.json is out of date: run rscript load and commit it/);
      expect(stale.code).toBe(1);
      expect(project.read(MANIFEST).equals(bytes)).toBe(true);
      expect(listener.connections()).toBe(0);
    } finally {
      await listener.close();
    }
  });
});

test('past 50 unchanged scripts already cached, the table lists what happened and counts the rest; --all lists all', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 60; i++) files[`lua/s${String(i).padStart(2, '0')}.lua`] = `return ${i}`;
  project = makeProject(files);
  const first = await runCli(['load', '--url', server.url], { cwd: project.dir });
  expect(first.code).toBe(0);
  // 60 new scripts: every one is listed.
  expect(first.stdout.match(/│ s\d\d /g)).toHaveLength(60);

  const again = await runCli(['load', '--url', server.url], { cwd: project.dir });
  expect(again.code).toBe(0);
  expect(again.stdout).not.toContain('│');
  expect(again.stdout).toContain('60 scripts unchanged and already cached are not listed (--all lists every script)');
  expect(again.stdout.trimEnd().split('\n').at(-1)).toMatch(
    new RegExp(
      `^60 scripts, 0 new, 0 changed, 60 unchanged, 0 loaded, 60 already cached on ${serverUnderTest().name.replace(/\./g, '\\.')} in .* ms; rscript\\.lock\\.json unchanged$`,
    ),
  );

  project.write('lua/s07.lua', 'return 700');
  server.cli('SCRIPT', 'FLUSH');
  const changed = await runCli(['load', '--url', server.url], { cwd: project.dir });
  // After a flush every script is loaded again: none is quiet, all are listed.
  expect(changed.stdout.match(/│ s\d\d /g)).toHaveLength(60);
  project.write('lua/s08.lua', 'return 800');
  const one = await runCli(['load', '--url', server.url], { cwd: project.dir });
  expect(one.stdout.match(/│ s\d\d /g)).toEqual(['│ s08 ']);
  expect(one.stdout).toMatch(/│ s08 +│ [0-9a-f]{12} │ changed │ loaded │/);
  expect(one.stdout).toContain('59 scripts unchanged and already cached are not listed');

  const all = await runCli(['load', '--all', '--url', server.url], { cwd: project.dir });
  expect(all.stdout.match(/│ s\d\d /g)).toHaveLength(60);
  expect(all.stdout).not.toContain('not listed');

  const check = await runCli(['load', '--check'], { cwd: project.dir });
  expect(check.stdout).toContain('60 scripts unchanged are not listed');
  const json = await runCli(['load', '--json', '--url', server.url], { cwd: project.dir });
  expect((JSON.parse(json.stdout) as LoadResult).rows).toHaveLength(60);
});

test('exists: past 50 cached scripts, the table lists the missing ones and counts the rest; --all lists all', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 60; i++) files[`lua/s${String(i).padStart(2, '0')}.lua`] = `return ${i}`;
  project = makeProject(files);
  expect((await runCli(['load', '--url', server.url], { cwd: project.dir })).code).toBe(0);
  const all = await runCli(['exists', '--url', server.url], { cwd: project.dir });
  expect(all.code).toBe(0);
  // 60 rows of "yes" used to hide the one line that mattered.
  expect(all.stdout).not.toContain('│');
  expect(all.stdout.trim()).toBe(`all 60 scripts are cached on the server (${serverUnderTest().name})`);

  server.cli('SCRIPT', 'FLUSH');
  for (let i = 5; i < 60; i++) server.cli('SCRIPT', 'LOAD', `return ${i}`);
  const some = await runCli(['exists', '--url', server.url], { cwd: project.dir });
  expect(some.code).toBe(1);
  expect(some.stdout.match(/│ s\d\d /g)).toEqual(['│ s00 ', '│ s01 ', '│ s02 ', '│ s03 ', '│ s04 ']);
  expect(some.stdout).toMatch(/│ s00 +│ [0-9a-f]{12} │ MISSING │/);
  expect(some.stdout).toContain('55 cached scripts are not listed (--all lists every script)');
  expect(some.stdout.trimEnd().split('\n').at(-1)).toBe(
    `5 of 60 scripts missing on the server (${serverUnderTest().name}): run rscript load`,
  );

  const listed = await runCli(['exists', '--all', '--url', server.url], { cwd: project.dir });
  expect(listed.stdout.match(/│ s\d\d /g)).toHaveLength(60);
  expect(listed.stdout).not.toContain('not listed');
  const json = await runCli(['exists', '--json', '--url', server.url], { cwd: project.dir });
  expect((JSON.parse(json.stdout) as { rows: unknown[] }).rows).toHaveLength(60);
});

// load writes its lint cache while the server compiles what it sent (50-100 ms for 10,000 new
// scripts): that time is the client's, and a --timeout shorter than it must not fail the load.
test("the SCRIPT LOAD deadline does not count the client's own work while the server compiles", async () => {
  const conn = await connect({ url: server.url, timeoutMs: 200 });
  try {
    const busy = () => {
      const until = Date.now() + 400;
      while (Date.now() < until);
    };
    const sent = await sendScriptLoads(conn, [Buffer.from('return 1'), Buffer.from('return 2')]);
    busy();
    const outcomes = await sent.replies(200);
    expect(outcomes.map((o) => o.error)).toEqual([undefined, undefined]);
  } finally {
    await conn.close();
  }
});
