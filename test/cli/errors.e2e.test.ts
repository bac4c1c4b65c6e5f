/**
 * Bad input, end to end through the built binary: each case gives one clear `rscript:` line on
 * stderr (detail lines indented under it), the right exit code, no stack trace, and leaves the
 * manifest as it was.
 */
import { spawnSync } from 'node:child_process';
import { freePort, startRedis, type TestServer } from '../helpers/redis-server.js';
import { BIN, makeProject, REPO, runCli, stackLines, type CliResult, type Project } from '../helpers/cli.js';
import { httpListener, silentListener } from '../helpers/tcp.js';

let server: TestServer;
let project: Project;
let manifest: Buffer;

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

beforeAll(async () => {
  server = await startRedis();
  project = makeProject({
    'lua/rate_limit.lua': 'return 1',
    'lua/rate_limit_token_bucket.lua': 'return 2',
    'lua/lock_acquire.lua': 'return 3',
  });
  const loaded = await cli('load');
  expect(loaded.code).toBe(0);
  manifest = project.read('rscript.lock.json');
});
afterAll(async () => {
  await server?.stop();
  project?.cleanup();
});
afterEach(() => {
  // Every case leaves the manifest byte for byte as it was.
  expect(project.read('rscript.lock.json').equals(manifest)).toBe(true);
});

function cli(...args: string[]): Promise<CliResult> {
  return runCli(args, { cwd: project.dir, env: { REDIS_URL: server.url } });
}

/** One `rscript:` line (plus indented detail lines), the exit code, no stack trace, nothing on stdout. */
function expectError(result: CliResult, code: number, first: RegExp | string): string[] {
  const lines = result.stderr.trimEnd().split('\n');
  if (typeof first === 'string') expect(lines[0]).toBe(first);
  else expect(lines[0]).toMatch(first);
  expect(lines[0]).toMatch(/^rscript: /);
  for (const line of lines.slice(1)) expect(line).toMatch(/^ {2}\S/);
  expect(stackLines(result.stderr)).toEqual([]);
  expect(result.stdout).toBe('');
  expect(result.code).toBe(code);
  return lines;
}

/** Runs `fn` with extra files in the project, removed afterwards. */
async function withFiles(files: Record<string, string | Buffer>, fn: () => Promise<void>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) project.write(rel, content);
  try {
    await fn();
  } finally {
    for (const rel of Object.keys(files)) project.remove(rel);
  }
}

test('an unknown script name suggests the closest names (exit 2)', async () => {
  expectError(await cli('exec', 'rate_limt'), 2, 'rscript: unknown script "rate_limt"; did you mean "rate_limit"?');
  expectError(
    await cli('exec', 'lock_aquire'),
    2,
    'rscript: unknown script "lock_aquire"; did you mean "lock_acquire"?',
  );
  expectError(await cli('exec', 'zzzzzzzz'), 2, 'rscript: unknown script "zzzzzzzz"');
});

test('a SHA prefix too short to be taken for one says how many digits it takes, for exec, exists and info (exit 2)', async () => {
  const { scripts } = JSON.parse(manifest.toString()) as { scripts: Record<string, { sha: string }> };
  const sha = scripts.lock_acquire!.sha;
  for (const command of ['exec', 'exists', 'info']) {
    const lines = expectError(
      await cli(command, sha.slice(0, 5)),
      2,
      `rscript: unknown script "${sha.slice(0, 5)}": a SHA prefix needs at least 7 hex digits`,
    );
    expect(lines.slice(1)).toEqual([`  ${sha.slice(0, 12)} is "lock_acquire"`]);
  }
});

test('a missing path (exit 2)', async () => {
  expectError(await cli('load', 'scripts'), 2, 'rscript: script path not found: scripts');
  expectError(await cli('exec', 'lua/nope.lua'), 2, 'rscript: script file not found: lua/nope.lua');
});

test('a new project without lua/: load, lint and info say what to do (exit 2)', async () => {
  const fresh = makeProject({ 'package.json': '{}\n' });
  try {
    for (const [command, named] of [
      ['load', 'name them: rscript load path/to/scripts'],
      ['lint', 'name them: rscript lint path/to/scripts'],
      ['info', 'name one: rscript info path/to/script.lua'],
    ] as const) {
      const lines = expectError(
        await runCli([command], { cwd: fresh.dir }),
        2,
        'rscript: no scripts folder: lua/ does not exist',
      );
      expect(lines[1]).toBe(`  put the .lua files in lua/, set "scripts" in .redisscriptsrc, or ${named}`);
    }
  } finally {
    fresh.cleanup();
  }
});

test('an empty scripts folder (exit 2: a usage mistake, nothing to do)', async () => {
  project.write('empty/.keep', '');
  try {
    expectError(await cli('load', 'empty'), 2, 'rscript: no .lua files found under empty');
  } finally {
    project.remove('empty');
  }
});

test('a Lua syntax error: file:LINE, the source line, exit 1', async () => {
  await withFiles({ 'lua/broken.lua': 'local a = 1\nif a then\n  return a +\nend\n' }, async () => {
    // The linter stops it before the server: the same file:LINE and quoted line as a server compile error.
    const lines = expectError(await cli('load'), 1, /^rscript: lua\/broken\.lua:4:1: .*'end'.*\(syntax-error\)$/);
    expect(lines[1]).toBe('  4 | end');
    expect(lines.at(-1)).toMatch(/the manifest rscript\.lock\.json was not changed/);
    // With --no-lint the server's own compile error says the same.
    const server = expectError(
      await cli('load', '--no-lint'),
      1,
      "rscript: lua/broken.lua:4: compile error: unexpected symbol near 'end'",
    );
    expect(server[1]).toBe('  4 | end');
  });
});

test('a file starting with a BOM is refused before anything is sent (exit 1)', async () => {
  await withFiles(
    { 'lua/bom.lua': Buffer.concat([BOM, Buffer.from('#!lua flags=no-writes\nreturn 1\n')]) },
    async () => {
      const lines = expectError(
        await cli('load'),
        1,
        /^rscript: lua\/bom\.lua: starts with a UTF-8 byte order mark \(BOM\)/,
      );
      expect(lines[1]).toMatch(/Save the file as UTF-8 without BOM/);
      expectError(await cli('exec', 'lua/bom.lua'), 1, /^rscript: lua\/bom\.lua: starts with a UTF-8 byte order mark/);
    },
  );
});

// No timing here: a whole process timed against a fixed figure fails on a loaded machine and says
// little; what the --timeout changes is checked by its message, a speed target belongs in bench/.
describe('an unreachable server: exit 2, one line', () => {
  test('nothing listens on the port', async () => {
    const port = await freePort();
    const result = await cli('exists', '--url', `redis://127.0.0.1:${port}`);
    expectError(
      result,
      2,
      `rscript: 127.0.0.1:${port}: connection refused (is redis-server running there? set the URL with --url or REDIS_URL)`,
    );
  });

  test('a listener that never answers: the --timeout is honoured', async () => {
    const listener = await silentListener();
    try {
      const result = await cli('load', '--url', listener.url, '--timeout', '300');
      expectError(
        result,
        2,
        `rscript: 127.0.0.1:${listener.port}: no answer within 300 ms while connecting (is it a Redis server? change the limit with --timeout)`,
      );
    } finally {
      await listener.close();
    }
  });

  test('something that is not Redis (a web server)', async () => {
    const listener = await httpListener();
    try {
      const result = await cli('exec', 'rate_limit', '--url', listener.url);
      expectError(
        result,
        2,
        `rscript: 127.0.0.1:${listener.port}: the server does not speak the Redis protocol (is it a Redis server? check the host and port)`,
      );
    } finally {
      await listener.close();
    }
  });
});

describe('an invalid URL (exit 2, the password never repeated)', () => {
  test.each<[string, string]>([
    ['http://x', 'rscript: invalid Redis URL "http://x": the scheme must be redis:// or rediss:// (TLS)'],
    [
      'redis://:Sup3rSecret@',
      'rscript: invalid Redis URL "redis://:***@": expected redis://[user:password@]host[:port][/db]',
    ],
    [
      'redis://127.0.0.1:6379/abc',
      'rscript: invalid Redis URL "redis://127.0.0.1:6379/abc": the path must be a database number, got "abc"',
    ],
    [
      '127.0.0.1:6379',
      'rscript: invalid Redis URL "127.0.0.1:6379": expected redis://[user:password@]host[:port][/db]',
    ],
    ['not a url', 'rscript: invalid Redis URL "not a url": expected redis://[user:password@]host[:port][/db]'],
  ])('%s', async (url, message) => {
    const result = await cli('load', '--url', url);
    expectError(result, 2, message);
    expect(result.stderr).not.toContain('Sup3rSecret');
  });

  test.each(['127.0.0.1:6379', 'localhost:7451', 'cache.internal', '[::1]:6380/2'])(
    'a bare host %s gets the URL it meant',
    async (url) => {
      const result = await cli('exists', '--url', url);
      const lines = expectError(result, 2, /^rscript: invalid Redis URL /);
      expect(lines[1]).toBe(`  did you mean redis://${url}?`);
    },
  );

  test('a password is never repeated, also in a URL without its scheme', async () => {
    const result = await runCli(['exists'], {
      cwd: project.dir,
      env: { REDIS_URL: 'default:Sup3rSecret@cache.internal:6379' },
    });
    expectError(
      result,
      2,
      'rscript: invalid Redis URL "default:***@cache.internal:6379" (from REDIS_URL): the scheme must be redis:// or rediss:// (TLS)',
    );
    expect(result.stderr).not.toContain('Sup3rSecret');
  });

  test('one the command line did not give names where it came from', async () => {
    const fromEnv = await runCli(['exists'], { cwd: project.dir, env: { REDIS_URL: 'foo' } });
    expectError(
      fromEnv,
      2,
      'rscript: invalid Redis URL "foo" (from REDIS_URL): expected redis://[user:password@]host[:port][/db]',
    );
    await withFiles({ '.redisscriptsrc': '{ "url": "redis://127.0.0.1:6379/abc" }\n' }, async () => {
      const fromFile = await runCli(['exists'], { cwd: project.dir });
      expectError(
        fromFile,
        2,
        'rscript: invalid Redis URL "redis://127.0.0.1:6379/abc" (from "url" in .redisscriptsrc): the path must be a database number, got "abc"',
      );
    });
  });

  // In CI, a secret that is not set gives REDIS_URL=''. Falling back to the config's url or to
  // localhost (where the runner may have its own redis-server) would load a deploy's scripts there.
  test('an empty REDIS_URL is refused by the commands that connect, not skipped over', async () => {
    await withFiles({ '.redisscriptsrc': `{ "url": "${server.url}" }\n` }, async () => {
      for (const command of ['exists', 'load']) {
        const result = await runCli([command], { cwd: project.dir, env: { REDIS_URL: '' } });
        const lines = expectError(result, 2, 'rscript: the Redis URL (from REDIS_URL) is empty');
        expect(lines[1]).toMatch(/a CI secret that is not set gives an empty variable/);
      }
      // Commands that never connect do not mind it.
      expect((await runCli(['load', '--check'], { cwd: project.dir, env: { REDIS_URL: '' } })).stderr).toBe('');
    });
  });

  test('a database the server does not have', async () => {
    expectError(
      await cli('load', '--url', `${server.url}/99`),
      2,
      `rscript: 127.0.0.1:${server.port}: the server refused the connection: ERR DB index is out of range`,
    );
  });
});

test('a corrupt manifest is an error naming the file, for every command that reads it (exit 2)', async () => {
  const message = /^rscript: rscript\.lock\.json: not valid JSON \(.*\); fix it or delete it and run rscript load$/;
  project.write('rscript.lock.json', '{"version": 1, "scripts": {');
  try {
    expectError(await cli('load'), 2, message);
    expectError(await cli('load', '--check'), 2, message);
    expectError(await cli('exists'), 2, message);
    expectError(await cli('exec', 'rate_limit'), 2, message);
    expect(project.read('rscript.lock.json').toString()).toBe('{"version": 1, "scripts": {');
  } finally {
    project.write('rscript.lock.json', manifest);
  }
  project.write('rscript.lock.json', '{"version": 7, "scripts": {}}\n');
  try {
    expectError(
      await cli('load'),
      2,
      'rscript: rscript.lock.json: unknown manifest version 7 (this rscript reads version 1); fix it or delete it and run rscript load',
    );
  } finally {
    project.write('rscript.lock.json', manifest);
  }
});

test('a manifest in a folder that does not exist: said before the server is touched (exit 2)', async () => {
  server.cli('SCRIPT', 'FLUSH');
  const result = await runCli(['load', '--manifest', 'locks/scripts.lock.json'], {
    cwd: project.dir,
    env: { REDIS_URL: server.url },
  });
  expectError(
    result,
    2,
    'rscript: locks/scripts.lock.json: cannot write the manifest: the folder locks does not exist (create it, or change "manifest")',
  );
  // Nothing was loaded: the server is not ahead of a lockfile that could not be written.
  const shas = Object.values(
    (JSON.parse(manifest.toString()) as { scripts: Record<string, { sha: string }> }).scripts,
  ).map((e) => e.sha);
  expect(
    server
      .cli('SCRIPT', 'EXISTS', ...shas)
      .trim()
      .split(/\s+/),
  ).toEqual(['0', '0', '0']);
  expect((await cli('load')).code).toBe(0);
});

test('an unknown key in .redisscriptsrc names the file and the key (exit 2)', async () => {
  await withFiles({ '.redisscriptsrc': '{ "scripts": "lua", "manifets": "x.json" }\n' }, async () => {
    expectError(
      await cli('load'),
      2,
      /^rscript: \.redisscriptsrc: "manifets" is not a known key; did you mean "manifest"\? \(known: url, scripts, manifest, /,
    );
    expectError(await cli('kill'), 2, /^rscript: \.redisscriptsrc: "manifets" is not a known key/);
  });
  await withFiles({ '.redisscriptsrc': 'timeoutMs: soon\n' }, async () => {
    expectError(await cli('exists'), 2, 'rscript: .redisscriptsrc: "timeoutMs" must be a positive whole number');
  });
});

test('usage errors from the argument parser are rscript errors too (exit 2)', async () => {
  expect(expectError(await cli('exec'), 2, "rscript: missing required argument 'script'")).toHaveLength(1);
  // The script's name after --args was taken as an argument: say where it goes.
  const late = expectError(
    await cli('exec', '--keys', 'c', '--args', '1', 'counter_incr'),
    2,
    "rscript: missing required argument 'script'",
  );
  expect(late[1]).toBe(
    "  (--keys and --args take every value up to the next option: put the script's name first, rscript exec <script> --keys ... --args ...)",
  );
  expectError(
    await cli('load', '--timeout', 'soon'),
    2,
    /^rscript: option '--timeout <ms>' argument 'soon' is invalid\. --timeout takes a positive whole number, got "soon"$/,
  );
  const typo = expectError(await cli('lod'), 2, "rscript: unknown command 'lod'");
  expect(typo[1]).toBe('  (Did you mean load?)');
  // `help <topic>` of a command that does not exist says so, as the command itself would.
  expectError(await cli('help', 'nope'), 2, "rscript: unknown command 'nope'");
  expect(expectError(await cli('help', 'lod'), 2, "rscript: unknown command 'lod'")[1]).toBe('  (Did you mean load?)');
  const help = await cli('help', 'ls');
  expect({ code: help.code, stderr: help.stderr }).toEqual({ code: 0, stderr: '' });
  expect(help.stdout).toMatch(/^Usage: rscript info\|ls /);
  // help takes no options: the help, exit 0.
  const withJson = await cli('help', '--json');
  expect({ code: withJson.code, stderr: withJson.stderr }).toEqual({ code: 0, stderr: '' });
  expect(withJson.stdout).toMatch(/^Usage: rscript \[options\] \[command\]/);
  // No command: the help on stderr, then one line saying so. A flag that takes a value took the name.
  for (const argv of [[], ['--url', 'exists']]) {
    const none = await cli(...argv);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^Usage: rscript /);
    expect(none.stderr.trimEnd().split('\n').at(-1)).toBe(
      'rscript: no command given: rscript --help lists the commands',
    );
  }
  // A mistyped option and no command: the unknown option and the nearest flag, not the help; the
  // program's own options (hidden from commander's suggestions) are suggested too, before a command.
  expect(expectError(await cli('--versoin'), 2, "rscript: unknown option '--versoin'")).toEqual([
    "rscript: unknown option '--versoin'",
    '  (Did you mean --version?)',
  ]);
  expect(expectError(await cli('--jsn'), 2, "rscript: unknown option '--jsn'")).toEqual([
    "rscript: unknown option '--jsn'",
    '  (Did you mean --json?)',
  ]);
  expect(expectError(await cli('--url', 'x', '--tiemout', '5'), 2, "rscript: unknown option '--tiemout'")[1]).toBe(
    '  (Did you mean --timeout?)',
  );
  expect(expectError(await cli('--jsn', 'exists'), 2, "rscript: unknown option '--jsn'")[1]).toBe(
    '  (Did you mean --json?)',
  );
  // Among all the program's options, hidden from commander's own suggestions: --verbos got --version.
  expect(expectError(await cli('--verbos'), 2, "rscript: unknown option '--verbos'")).toEqual([
    "rscript: unknown option '--verbos'",
    '  (Did you mean --verbose?)',
  ]);
  // A swap of two letters is one slip.
  expect(expectError(await cli('--hepl'), 2, "rscript: unknown option '--hepl'")[1]).toBe('  (Did you mean --help?)');
  expect(expectError(await cli('-x'), 2, "rscript: unknown option '-x'")).toHaveLength(1);
  expectError(await cli('exists', '--frobnicate'), 2, "rscript: unknown option '--frobnicate'");
  // A command's own option before the command's name says where it goes; one unknown everywhere does not.
  const early = expectError(await cli('--all', 'load'), 2, "rscript: unknown option '--all'");
  expect(early[1]).toBe(
    "  (--all is an option of load and exists: it goes after the command's name, e.g. rscript load --all)",
  );
  expect(expectError(await cli('--frobnicate', 'exists'), 2, "rscript: unknown option '--frobnicate'")).toHaveLength(1);
  // The hint names the command typed, and the option's value.
  const typed = expectError(await cli('-k', 'a', 'bench', 'x'), 2, "rscript: unknown option '-k'");
  expect(typed[1]).toBe(
    "  (-k is an option of exec and bench: it goes after the command's name, e.g. rscript bench -k <keys...>)",
  );
  // redis-benchmark's -c before bench is the config file here; before lint, or after bench, no such hint.
  const connections = expectError(await cli('-c', '3', 'bench'), 2, 'rscript: config file not found: 3');
  expect(connections[1]).toBe(
    "  before a command's name -c is the config file; bench takes its connections after its name: rscript bench -c 3",
  );
  expect(expectError(await cli('-c', '5', 'lint'), 2, 'rscript: config file not found: 5')).toHaveLength(1);
  expect(
    expectError(await cli('bench', '-c', '5', '--config', '7'), 2, 'rscript: config file not found: 7'),
  ).toHaveLength(1);
  // help past the program's options and their values; a missing value is commander's error.
  const helpLoad = await cli('help', '--url', 'x', 'load');
  expect({ code: helpLoad.code, first: helpLoad.stdout.split('\n')[0] }).toEqual({
    code: 0,
    first: 'Usage: rscript load [options] [paths...]',
  });
  expectError(await cli('-vu', 'x', 'help', 'lod'), 2, "rscript: unknown command 'lod'");
  expectError(await cli('--url'), 2, "rscript: option '-u, --url <url>' argument missing");
  expectError(
    await cli('flush', '--yes', '--async', '--sync'),
    2,
    'rscript: flush: choose --async or --sync, not both',
  );
  // 28 processes one after the other: past jest's 30 s on a loaded 2-core machine (the server matrix).
}, 120000);

test('flush without --yes and no terminal (exit 2)', async () => {
  expectError(
    await cli('flush'),
    2,
    'rscript: refusing to flush without confirmation: stdin is not a terminal; pass --yes',
  );
});

// `rscript info | head -3`: the reader quits, the next write meets a closed pipe (EPIPE).
describe('a reader that stops reading early', () => {
  test.each([['--help'], ['lint', '--format', 'json', 'lua'], ['info']])(
    'rscript %s | true: quiet, no stack trace',
    (...args) => {
      const quoted = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
      // `true` exits at once without reading, long before rscript writes.
      const env = { ...process.env, NO_COLOR: '1', RSCRIPT_CACHE_DIR: '' }; // no lint cache written anywhere
      const r = spawnSync('sh', ['-c', `${quoted} | true; exit 0`], { cwd: REPO, encoding: 'utf8', env });
      expect(r.stderr).toBe('');
    },
  );
});
