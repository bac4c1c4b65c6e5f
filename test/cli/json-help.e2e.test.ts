/** `--json` (stdout is one JSON document, errors included) and `--help` (exit codes listed). */
import { createRequire } from 'node:module';
import { makeProject, REPO, runCli, stackLines, type CliResult, type Project } from '../helpers/cli.js';
import { freePort, startRedis, type TestServer } from '../helpers/redis-server.js';

let server: TestServer;
let project: Project;

beforeAll(async () => {
  server = await startRedis();
  project = makeProject({ 'lua/one.lua': 'return 1', 'lua/hello.lua': 'return "hello " .. ARGV[1]' });
});
afterAll(async () => {
  await server?.stop();
  project?.cleanup();
});

const cli = (...args: string[]) => runCli(args, { cwd: project.dir, env: { REDIS_URL: server.url } });

/** stdout parses as a whole; an error document carries the same exit code as the process. */
function json(result: CliResult): Record<string, unknown> {
  const data = JSON.parse(result.stdout) as Record<string, unknown>;
  if ('error' in data) {
    expect(data.error).toEqual({ message: expect.any(String), exitCode: result.code, detail: expect.any(Array) });
    expect(result.stderr).toMatch(/^rscript: /);
  }
  expect(stackLines(result.stderr)).toEqual([]);
  return data;
}

test('every command prints one JSON document on success', async () => {
  const load = await cli('load', '--json');
  expect(load.code).toBe(0);
  expect(json(load)).toMatchObject({
    manifestWritten: true,
    rows: [
      { name: 'hello', server: 'loaded' },
      { name: 'one', server: 'loaded' },
    ],
  });
  expect(load.stderr).toBe('');

  const dry = await cli('load', '--dry-run', '--json');
  expect(json(dry)).toMatchObject({ dryRun: true, manifestWritten: false });

  const check = await cli('load', '--check', '--json');
  expect(check.code).toBe(0);
  expect(json(check)).toMatchObject({ check: true, stale: false });

  const exec = await cli('exec', 'hello', '-a', 'world', '--json');
  expect(exec.code).toBe(0);
  expect(json(exec)).toMatchObject({
    script: 'hello',
    reply: 'hello world',
    replyTyped: { type: 'bulk string', value: 'hello world' },
    reloaded: false,
  });

  const exists = await cli('exists', '--json');
  expect(json(exists)).toMatchObject({ missing: 0 });

  const kill = await cli('kill', '--json');
  expect(json(kill)).toEqual({ outcome: 'nothing running', server: `127.0.0.1:${server.port}` });

  const flush = await cli('flush', '--yes', '--json');
  expect(json(flush)).toEqual({ flushed: true, mode: 'default', server: `127.0.0.1:${server.port}` });

  const missing = await cli('exists', '--json');
  expect(missing.code).toBe(1);
  expect(json(missing)).toMatchObject({ missing: 2 });

  const reloaded = await cli('exec', 'one', '--json', '--verbose');
  expect(json(reloaded)).toMatchObject({ reply: 1, reloaded: true });
});

// One style for every command's field names (camelCase, as the JS that reads them), so `jq .opsPerSec`
// and `jq .rttMs` look alike; the script's own data (exec's reply) keeps the names the script gave.
test("every command's --json names its fields in camelCase, bounds included", async () => {
  project.write('lua/snake.lua', 'return {map={snake_key=1}}');
  const names = new Set<string>();
  const walk = (value: unknown, path: string, top = false): void => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (value !== null && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) {
        names.add(`${path}.${k}`);
        if (!(top && (k === 'reply' || k === 'replyTyped'))) walk(v, `${path}.${k}`);
      }
  };
  const runs = [
    ['load'],
    ['exec', 'snake'],
    ['exists'],
    ['info'],
    ['lint'],
    ['bench', 'one', '-n', '50', '--yes'],
    ['kill'],
    ['flush', '--yes'],
  ];
  for (const run of runs) {
    const r = await cli(...run, '--json');
    expect({ run, code: r.code }).toEqual({ run, code: 0 });
    walk(json(r), run[0]!, true);
  }
  const notCamel = [...names].filter((name) => !/^[a-z][a-zA-Z0-9]*$/.test(name.split('.').at(-1)!));
  expect(notCamel).toEqual([]);
  // A bound says so in its name: the table's "≤ 0.016" is serverP99MsAtMost in JSON.
  expect([...names].filter((n) => n.endsWith('AtMost')).map((n) => n.replace(/\[\d+\]/g, ''))).toEqual(
    expect.arrayContaining(['bench.results.serverP99MsAtMost', 'bench.results.budgetFigureMsAtMost']),
  );
  const exec = json(await cli('exec', 'snake', '--json'));
  expect(exec.reply).toEqual({ snake_key: 1 });
});

test('every command prints {"error": ...} on failure, with its exit code', async () => {
  const dead = `redis://127.0.0.1:${await freePort()}`;
  project.write('lua/bad.lua', 'return +');
  project.write('lua/fail.lua', 'return redis.error_reply("NOPE not today")');
  try {
    const cases: Array<[string[], number, RegExp]> = [
      [['load', '--json'], 1, /^lua\/bad\.lua:1:\d+: .*\(syntax-error\)$/],
      [['load', '--no-lint', '--json'], 1, /^lua\/bad\.lua:1: compile error: /],
      [['load', 'missing', '--json'], 2, /^script path not found: missing/],
      [['load', '--check', '--json'], 1, /^$/],
      [['exec', 'fail', '--json'], 1, /^lua\/fail\.lua: NOPE not today$/],
      [['exec', 'onr', '--json'], 2, /^unknown script "onr"; did you mean "one"\?$/],
      [['exists', 'nope', '--json'], 2, /^unknown script "nope"/],
      [['flush', '--json'], 2, /^refusing to flush without confirmation/],
      [['kill', '--json', '--url', dead], 2, /connection refused/],
      [['exec', '--json'], 2, /^missing required argument 'script'$/],
      [['exists', '--json', '--timeout', 'x'], 2, /--timeout takes a positive whole number, got "x"/],
      [['lod', '--json'], 2, /^unknown command 'lod'/],
      [['--json', 'help', 'nope'], 2, /^unknown command 'nope'$/],
      [['--json'], 2, /^no command given: rscript --help lists the commands$/],
      [['--json', '--versoin'], 2, /^unknown option '--versoin'$/],
    ];
    for (const [args, code, message] of cases) {
      const result = await cli(...args);
      expect({ args, code: result.code }).toEqual({ args, code });
      const data = json(result);
      // `load --check` on a stale manifest is a finding, not an error: its document is the plan.
      if (message.source === '^$') expect(data).toMatchObject({ check: true, stale: true });
      else expect((data.error as { message: string }).message).toMatch(message);
    }
  } finally {
    project.remove('lua/bad.lua');
    project.remove('lua/fail.lua');
  }
  // A process per command, one after the other: past jest's 30 s on a loaded 2-core machine (the server matrix).
}, 120000);

test("the argument parser's errors: the hint is a detail line, as on stderr", async () => {
  const cases: Array<[string[], string, string[]]> = [
    [['--json', '--jsn'], "unknown option '--jsn'", ['(Did you mean --json?)']],
    [['--json', 'lod'], "unknown command 'lod'", ['(Did you mean load?)']],
    [
      ['--json', '--all', 'exists'],
      "unknown option '--all'",
      ["(--all is an option of load and exists: it goes after the command's name, e.g. rscript exists --all)"],
    ],
    [['--json', 'exists', '--frobnicate'], "unknown option '--frobnicate'", []],
  ];
  for (const [args, message, detail] of cases) {
    const result = await cli(...args);
    expect({ args, code: result.code, error: json(result).error }).toEqual({
      args,
      code: 2,
      error: { message, exitCode: 2, detail },
    });
  }
});

test('--help lists the exit codes: the program all of them, each command only those it can return', async () => {
  const commands = ['load', 'exec', 'exists', 'flush', 'kill', 'lint', 'build', 'gen', 'info', 'bench', 'test'];
  const runs = await Promise.all(
    [['--help'], ...commands.map((c) => [c, '--help']), ['functions', 'dump', '--help']].map((args) => cli(...args)),
  );
  const codes = (help: string) => {
    const list = help
      .slice(help.indexOf('\nExit codes:\n') + '\nExit codes:\n'.length)
      .trimEnd()
      .split('\n');
    return list.map((line) => Number(/^ +(\d+) {2}\S/.exec(line)?.[1]));
  };
  for (const result of runs) expect(result.code).toBe(0);
  const byCommand = Object.fromEntries(
    ['rscript', ...commands, 'functions dump'].map((c, i) => [c, codes(runs[i]!.stdout)]),
  );
  expect(byCommand).toEqual({
    rscript: [0, 1, 2, 130],
    load: [0, 1, 2, 130],
    exec: [0, 1, 2],
    exists: [0, 1, 2],
    flush: [0, 2, 130],
    kill: [0, 1, 2],
    lint: [0, 1, 2],
    build: [0, 1, 2],
    gen: [0, 1, 2],
    info: [0, 1, 2],
    bench: [0, 1, 2, 130],
    test: [0, 1, 2, 130],
    'functions dump': [0, 1, 2],
  });
  expect(runs[0]!.stdout).toContain('    2  usage, config or connection error');
  expect(runs[3]!.stdout).toContain('    1  a script or library is missing from the server');
  expect(runs[0]!.stdout).toMatch(
    /Commands:\n\s+load .*\n(.*\n)*\s+exec .*\n(.*\n)*\s+exists .*\n(.*\n)*\s+flush .*\n(.*\n)*\s+kill /,
  );
  expect(runs[1]!.stdout).toContain('--dry-run');
  expect(runs[1]!.stdout).toContain('--check');
});

test("each command's help says what it takes: names, paths or SHAs; -m read or written; build no connection options", async () => {
  const help = async (command: string) => {
    const r = await cli(command, '--help');
    expect(r.code).toBe(0);
    // commander wraps descriptions: one line per option or argument, as a user reads it.
    return r.stdout.replace(/\n {10,}/g, ' ');
  };
  const manifest = (text: string) => /-m, --manifest <file> +(.*)/.exec(text)?.[1];
  const texts = Object.fromEntries(
    await Promise.all(
      ['load', 'exec', 'exists', 'flush', 'kill', 'lint', 'info', 'bench', 'build'].map(
        async (c) => [c, await help(c)] as const,
      ),
    ),
  );
  expect(manifest(texts.load!)).toBe('SHA manifest (lockfile) to read and write (default rscript.lock.json)');
  for (const c of ['exec', 'exists', 'bench', 'info'])
    expect({ c, m: manifest(texts[c]!) }).toEqual({
      c,
      m: 'SHA manifest (lockfile) to read (default rscript.lock.json)',
    });
  // The commands that do not use the manifest leave -m out of their help (and still accept it: below).
  for (const c of ['flush', 'kill', 'lint', 'build'])
    expect({ c, manifest: texts[c]!.includes('--manifest') }).toEqual({ c, manifest: false });
  expect(texts.exists).toMatch(
    /^ {2}names +manifest names, paths \(lua\/rate_limit\.lua\) or SHAs \(default: all in the manifest\)$/m,
  );
  expect(texts.info).toMatch(
    /^ {2}script +one script, by name, path \(lua\/rate_limit\.lua\) or SHA \(default: all\)$/m,
  );
  // build needs no server: none of the connection options, the others kept. lint and info take them
  // for lint --url and info --server-copy.
  for (const flag of ['--url', '--timeout', '--cluster', '--tls-ca', '--tls-cert', '--tls-key', '--tls-insecure']) {
    expect({
      flag,
      lint: texts.lint!.includes(flag),
      info: texts.info!.includes(flag),
      exists: texts.exists!.includes(flag),
      build: texts.build!.includes(flag),
    }).toEqual({ flag, lint: true, info: true, exists: true, build: false });
  }
  expect(texts.lint).toMatch(/-u, --url <url> +lint for this server's release/);
  expect(texts.info).toMatch(/--server-copy +read each script's copy from the server \(SCRIPT SHOW, Valkey 8\.0\+\)/);
  for (const flag of ['--config', '--json', '--verbose'])
    expect({ flag, lint: texts.lint!.includes(flag) }).toEqual({ flag, lint: true });
});

test('lint and info accept -m though they do not use it (an alias may pass it to every command)', async () => {
  for (const argv of [
    ['lint', '-m', 'x.json', 'lua'],
    ['info', '--manifest', 'x.json', 'hello'],
    ['-m', 'x.json', 'lint', 'lua'],
  ]) {
    const r = await cli(...argv);
    expect({ argv, code: r.code, stderr: r.stderr }).toEqual({ argv, code: 0, stderr: '' });
  }
});

test('lint connects only given --url after its name; build takes no connection option (it says why)', async () => {
  const after = await cli('lint', '--url', server.url, 'lua');
  expect({ code: after.code, stderr: after.stderr }).toEqual({ code: 0, stderr: '' });
  expect(after.stdout).toMatch(
    /^checked against (Redis|Valkey) \d+\.\d+ \(the server's release, (Redis|Valkey) [\d.]+\)$/m,
  );
  // Before the name, the program takes it for every command (an alias may pass it): lint leaves it aside.
  const before = await cli('--url', server.url, '--timeout', '100', 'lint', 'lua');
  expect({ code: before.code, stderr: before.stderr }).toEqual({ code: 0, stderr: '' });
  expect(before.stdout).not.toContain('checked against');
  // A connection option after the name without --url would do nothing: refused, saying why.
  const alone = await cli('lint', '--timeout', '100', 'lua');
  expect({ code: alone.code, stderr: alone.stderr }).toEqual({
    code: 2,
    stderr:
      "rscript: lint --timeout does nothing without --url: lint reads a server's release only when given its URL\n",
  });
  const build = await cli('build', '--url', server.url);
  expect({ code: build.code, stderr: build.stderr }).toEqual({
    code: 2,
    stderr: "rscript: unknown option '--url'\n  (build needs no server: it takes no --url)\n",
  });
  // The program's own -V, which no command takes, is no connection option: no "needs no server" there.
  for (const [command, flag] of [
    ['load', '-V'],
    ['exists', '--version'],
    ['lint', '-V'],
  ]) {
    const r = await cli(command!, flag!);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: `rscript: unknown option '${flag}'\n` });
  }
});

test('--version prints the package version; with --json as {"version": ...}', async () => {
  const { version } = createRequire(import.meta.url)(`${REPO}/package.json`) as { version: string };
  for (const argv of [
    ['--version', '--json'],
    ['--json', '-V'],
  ]) {
    const asJson = await cli(...argv);
    expect({ code: asJson.code, stderr: asJson.stderr, data: JSON.parse(asJson.stdout) }).toEqual({
      code: 0,
      stderr: '',
      data: { version },
    });
  }
  const result = await cli('--version');
  expect(result.code).toBe(0);
  expect(result.stdout.trim()).toBe(version);
  // -v alone is the version, as node -v and npm -v; after a command's name it is --verbose.
  for (const argv of [['-v'], ['-V']]) {
    const v = await cli(...argv);
    expect({ argv, code: v.code, stdout: v.stdout, stderr: v.stderr }).toEqual({
      argv,
      code: 0,
      stdout: `${version}\n`,
      stderr: '',
    });
  }
  const vJson = await cli('-v', '--json');
  expect({ code: vJson.code, data: JSON.parse(vJson.stdout) }).toEqual({ code: 0, data: { version } });
  const verbose = await cli('exec', 'one', '-v', '--json');
  expect({ code: verbose.code, verbose: JSON.parse(verbose.stdout).serverCopy !== undefined }).toEqual({
    code: 0,
    verbose: true,
  });
});
