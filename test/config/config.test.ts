/** Config validation and merging: defaults < config file < REDIS_URL < flags. No Redis needed. */
import { resolve } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { DEFAULTS } from '../../src/config/schema.js';
import { ConfigError } from '../../src/errors.js';
import { makeProject, type Project } from '../helpers/cli.js';

let project: Project;
afterEach(() => project?.cleanup());

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('loadConfig did not fail');
}

describe('validation errors name the file and the key', () => {
  test.each<[string, string, string, RegExp]>([
    [
      'an unknown key',
      '.redisscriptsrc',
      '{ "bogus": 1 }',
      /^\.redisscriptsrc: "bogus" is not a known key \(known: url, scripts, /,
    ],
    [
      'a wrong type',
      '.redisscriptsrc',
      '{ "timeoutMs": "5000" }',
      /^\.redisscriptsrc: "timeoutMs" must be a positive whole number$/,
    ],
    [
      'a zero timeout',
      '.redisscriptsrc',
      '{ "timeoutMs": 0 }',
      /^\.redisscriptsrc: "timeoutMs" must be a positive whole number$/,
    ],
    [
      'an empty scripts list',
      '.redisscriptsrc.json',
      '{ "scripts": [] }',
      /^\.redisscriptsrc\.json: "scripts" must be a path or a non-empty list of paths$/,
    ],
    [
      'a nested wrong type',
      '.redisscriptsrc',
      '{ "tls": { "ca": 1 } }',
      /^\.redisscriptsrc: "tls\.ca" must be a non-empty string$/,
    ],
    [
      'a nested unknown key',
      '.redisscriptsrc',
      '{ "tls": { "cafile": "x" } }',
      /^\.redisscriptsrc: "tls\.cafile" is not a known key/,
    ],
    [
      'a bench fixture',
      '.redisscriptsrc',
      '{ "bench": { "rate": { "requests": -1 } } }',
      /^\.redisscriptsrc: "bench\.rate\.requests" must be a positive whole number$/,
    ],
    [
      'a lint severity',
      '.redisscriptsrc',
      '{ "lint": { "rules": { "no-nil-compare": "loud" } } }',
      /^\.redisscriptsrc: "lint\.rules\.no-nil-compare" must be "off", "warning" or "error"$/,
    ],
    [
      'a misspelled lint rule',
      '.redisscriptsrc',
      '{ "lint": { "rules": { "no-keyspace-scann": "error" } } }',
      /^\.redisscriptsrc: "lint\.rules\.no-keyspace-scann" is not a lint rule; did you mean "no-keyspace-scan"\? \(rules: command-not-allowed-in-script, /,
    ],
    [
      'a misspelled key',
      '.redisscriptsrc',
      '{ "urll": "redis://x" }',
      /^\.redisscriptsrc: "urll" is not a known key; did you mean "url"\? \(known: url, /,
    ],
    [
      'a misspelled nested key',
      '.redisscriptsrc',
      '{ "tls": { "insecur": true } }',
      /^\.redisscriptsrc: "tls\.insecur" is not a known key; did you mean "insecure"\? /,
    ],
    // A shared part is no typo: "redisServer" would set the sandbox's binary, not the URL.
    [
      'a key that only shares a part with one',
      '.redisscriptsrc',
      '{ "redis": "redis://x" }',
      /^\.redisscriptsrc: "redis" is not a known key \(known: /,
    ],
    [
      'YAML with a wrong type',
      '.redisscriptsrc',
      'cluster: maybe\n',
      /^\.redisscriptsrc: "cluster" must be true or false$/,
    ],
    [
      'package.json "redisscripts"',
      'package.json',
      '{ "name": "p", "redisscripts": { "url": 5 } }',
      /^package\.json: "url" must be a non-empty string$/,
    ],
    // Names that Object.prototype holds are no settings either.
    ['"constructor"', '.redisscriptsrc', '{ "constructor": 1 }', /^\.redisscriptsrc: "constructor" is not a known key/],
    ['"toString"', '.redisscriptsrc', '{ "toString": 1 }', /^\.redisscriptsrc: "toString" is not a known key/],
    [
      '"hasOwnProperty"',
      '.redisscriptsrc',
      '{ "hasOwnProperty": 1 }',
      /^\.redisscriptsrc: "hasOwnProperty" is not a known key/,
    ],
    ['"__proto__"', '.redisscriptsrc', '{ "__proto__": {} }', /^\.redisscriptsrc: "__proto__" is not a known key/],
    [
      'a fixture\'s "toString"',
      '.redisscriptsrc',
      '{ "bench": { "x": { "toString": 1 } } }',
      /^\.redisscriptsrc: "bench\.x\.toString" is not a known key/,
    ],
    [
      'a broken package.json, in one line',
      'package.json',
      '{ "name": "x",, }',
      /^package\.json: cannot load the config \([^\n]*\)$/,
    ],
    // .redisscriptsrc is read as YAML: a broken JSON one gets JSON's message, with a line and a column.
    [
      'a .redisscriptsrc that is broken JSON',
      '.redisscriptsrc',
      '{ "url": "redis://x"\n',
      /^\.redisscriptsrc: cannot load the config \(not valid JSON: Expected ',' or '}' after property value at line 2 column 1\)$/,
    ],
    // cosmiconfig answers "no config" when an $import fails: that must not fall back to the defaults.
    [
      'an $import of a missing file (JSON)',
      '.redisscriptsrc',
      '{ "$import": "missing.json", "url": "redis://10.0.0.1" }',
      /^\.redisscriptsrc: cannot load the config \(its \$import gave nothing/,
    ],
    [
      'an $import of a missing file (YAML)',
      '.redisscriptsrc.yaml',
      '$import: missing.yaml\nurl: redis://10.0.0.1\n',
      /^\.redisscriptsrc\.yaml: cannot load the config \(its \$import gave nothing/,
    ],
  ])('%s', async (_what, file, text, message) => {
    project = makeProject({ [file]: text });
    const err = await configError(loadConfig({}, {}, project.dir));
    expect(err.message).toMatch(message);
    expect(err.exitCode).toBe(2);
  });

  test('a file that does not parse names the file', async () => {
    project = makeProject({ '.redisscriptsrc.json': '{ "url": ' });
    const err = await configError(loadConfig({}, {}, project.dir));
    expect(err.message).toContain('.redisscriptsrc.json');
  });

  test('an explicit --config whose $import gives nothing', async () => {
    project = makeProject({ 'conf/x.json': '{ "$import": "gone.json", "url": "redis://10.0.0.1" }' });
    const err = await configError(loadConfig({ config: 'conf/x.json' }, {}, project.dir));
    expect(err.message).toMatch(/^conf\/x\.json: cannot load the config \(.*gone\.json/);
  });

  test('an explicit --config that does not exist', async () => {
    project = makeProject();
    const err = await configError(loadConfig({ config: 'nope.json' }, {}, project.dir));
    expect(err.message).toBe('config file not found: nope.json');
  });
});

describe('precedence: defaults < file < env < flags', () => {
  const FILE = 'redis://file:6379';
  const ENV = 'redis://env:6379';
  const FLAG = 'redis://flag:6379';

  test.each<[string, boolean, Record<string, string>, string | undefined, string]>([
    ['defaults alone', false, {}, undefined, DEFAULTS.url],
    ['the file over the defaults', true, {}, undefined, FILE],
    ['REDIS_URL over the file', true, { REDIS_URL: ENV }, undefined, ENV],
    ['a flag over REDIS_URL', true, { REDIS_URL: ENV }, FLAG, FLAG],
    ['a flag over the file', true, {}, FLAG, FLAG],
    // Kept, and refused when something connects (a missing CI secret must not mean another server).
    ['an empty REDIS_URL is not skipped over', true, { REDIS_URL: '' }, undefined, ''],
  ])('%s', async (_what, withFile, env, flag, expected) => {
    project = makeProject(withFile ? { '.redisscriptsrc': JSON.stringify({ url: FILE, timeoutMs: 1234 }) } : {});
    const { config } = await loadConfig({ url: flag, timeoutMs: undefined }, env, project.dir);
    expect(config.url).toBe(expected);
    // A flag left undefined does not erase the file's value.
    expect(config.timeoutMs).toBe(withFile ? 1234 : DEFAULTS.timeoutMs);
  });

  test.each<[string, boolean, Record<string, string>, string | undefined, string | undefined]>([
    ['the default', false, {}, undefined, undefined],
    ['the file', true, {}, undefined, '"url" in .redisscriptsrc'],
    ['REDIS_URL', true, { REDIS_URL: ENV }, undefined, 'REDIS_URL'],
    ['the flag (the user typed it: not said again)', true, { REDIS_URL: ENV }, FLAG, undefined],
  ])('where the URL came from: %s', async (_what, withFile, env, flag, from) => {
    project = makeProject(withFile ? { '.redisscriptsrc': JSON.stringify({ url: FILE }) } : {});
    expect((await loadConfig({ url: flag }, env, project.dir)).urlFrom).toBe(from);
  });

  test('each key merges on its own', async () => {
    project = makeProject({
      '.redisscriptsrc': JSON.stringify({ manifest: 'locks/a.json', timeoutMs: 100, cluster: true }),
    });
    const { config, file } = await loadConfig({ timeoutMs: 200 }, {}, project.dir);
    expect(file).toBe(project.path('.redisscriptsrc'));
    expect(config).toMatchObject({
      manifest: 'locks/a.json',
      timeoutMs: 200,
      cluster: true,
      scripts: ['lua'],
      url: DEFAULTS.url,
    });
  });
});

describe('relative paths in a config file are relative to its folder', () => {
  test('found by searching up from a sub-folder', async () => {
    project = makeProject({
      '.redisscriptsrc': JSON.stringify({
        scripts: ['lua', 'vendor/lua'],
        manifest: 'rscript.lock.json',
        tls: { ca: 'certs/ca.pem' },
      }),
      'app/src/.keep': '',
    });
    const cwd = project.path('app/src');
    const { config } = await loadConfig({}, {}, cwd);
    expect(config.scripts.map((p) => resolve(cwd, p))).toEqual([project.path('lua'), project.path('vendor/lua')]);
    expect(resolve(cwd, config.manifest)).toBe(project.path('rscript.lock.json'));
    expect(resolve(cwd, config.tls.ca!)).toBe(project.path('certs/ca.pem'));
  });

  test('a config found by searching puts the default scripts folder and manifest beside it', async () => {
    project = makeProject({
      '.redisscriptsrc.json': JSON.stringify({ url: 'redis://db:6379' }),
      'lua/queue/push.lua': 'return 1\n',
    });
    const cwd = project.path('lua/queue');
    const { config } = await loadConfig({}, {}, cwd);
    expect(config.scripts.map((p) => resolve(cwd, p))).toEqual([project.path('lua')]);
    expect(resolve(cwd, config.manifest)).toBe(project.path('rscript.lock.json'));
    // One named by --config can live anywhere: it marks no folder, and the defaults are found as
    // without a config file, from where rscript runs up to the project's root.
    project.remove('.redisscriptsrc.json');
    project.write('conf/rscript.json', JSON.stringify({ url: 'redis://db:6379' }));
    expect((await loadConfig({ config: 'conf/rscript.json' }, {}, project.dir)).config).toMatchObject({
      scripts: ['lua'],
      manifest: 'rscript.lock.json',
    });
    const named = (await loadConfig({ config: '../../conf/rscript.json' }, {}, cwd)).config;
    expect(named.scripts.map((p) => resolve(cwd, p))).toEqual([project.path('lua')]);
    expect(resolve(cwd, named.manifest)).toBe(project.path('rscript.lock.json'));
  });

  test('without a config file, the nearest folder of the project holding lua/ or the lockfile has them', async () => {
    // A user in lua/queue of a project without a config file: `rscript exists` used to look for
    // lua/queue/rscript.lock.json and say "no manifest; run rscript load first".
    project = makeProject({ 'lua/queue/push.lua': 'return 1\n', 'rscript.lock.json': '{"version":1,"scripts":{}}\n' });
    const cwd = project.path('lua/queue');
    const at = async (dir: string) => {
      const { config } = await loadConfig({}, {}, dir);
      return { scripts: config.scripts.map((p) => resolve(dir, p)), manifest: resolve(dir, config.manifest) };
    };
    expect(await at(cwd)).toEqual({ scripts: [project.path('lua')], manifest: project.path('rscript.lock.json') });
    // The lockfile alone marks the folder too (a project whose scripts are named on the command line).
    project.remove('lua');
    project.write('app/src/.keep', '');
    expect((await at(project.path('app/src'))).manifest).toBe(project.path('rscript.lock.json'));
    // A working directory that holds lua/ (or the lockfile) keeps its own, as before.
    project.write('app/src/lua/x.lua', 'return 1\n');
    expect(await at(project.path('app/src'))).toEqual({
      scripts: [project.path('app/src/lua')],
      manifest: project.path('app/src/rscript.lock.json'),
    });
    // Flags are the user's own, relative to where rscript runs.
    expect((await loadConfig({ manifest: 'own.json' }, {}, cwd)).config.manifest).toBe('own.json');
  });

  test('without a config file, the search stops at the project root (package.json or .git)', async () => {
    // lua/ and a lockfile above the project's root belong to something else.
    project = makeProject({
      'lua/a.lua': 'return 1\n',
      'rscript.lock.json': '{"version":1,"scripts":{}}\n',
      'inner/package.json': '{}\n',
      'inner/src/.keep': '',
    });
    const cwd = project.path('inner/src');
    expect((await loadConfig({}, {}, cwd)).config).toMatchObject({ scripts: ['lua'], manifest: 'rscript.lock.json' });
    project.remove('inner/package.json');
    project.write('inner/.git/HEAD', 'ref: refs/heads/main\n');
    expect((await loadConfig({}, {}, cwd)).config).toMatchObject({ scripts: ['lua'], manifest: 'rscript.lock.json' });
    // Without the .git, the outer project's root is the root: its lua/ and lockfile are found.
    project.remove('inner/.git');
    expect(resolve(cwd, (await loadConfig({}, {}, cwd)).config.manifest)).toBe(project.path('rscript.lock.json'));
  });

  test('a redisServer path is relative to the file; a bare name is left for PATH', async () => {
    project = makeProject({
      '.redisscriptsrc': JSON.stringify({ redisServer: 'tools/redis-server' }),
      'deep/er/.keep': '',
    });
    const cwd = project.path('deep/er');
    expect(resolve(cwd, (await loadConfig({}, {}, cwd)).config.redisServer)).toBe(project.path('tools/redis-server'));
    project.write('.redisscriptsrc', JSON.stringify({ redisServer: 'redis-server-7' }));
    expect((await loadConfig({}, {}, cwd)).config.redisServer).toBe('redis-server-7');
    // A path to a file in the folder rscript runs in stays a path, not a name for PATH.
    project.write('.redisscriptsrc', JSON.stringify({ redisServer: './redis-server' }));
    expect((await loadConfig({}, {}, project.dir)).config.redisServer).toBe('./redis-server');
    project.write('.redisscriptsrc', JSON.stringify({ redisServer: 'deep/er/redis-server' }));
    expect((await loadConfig({}, {}, cwd)).config.redisServer).toBe('./redis-server');
  });

  test('given with --config; absolute paths stay; flag paths are not rebased', async () => {
    project = makeProject({
      'conf/rscript.json': JSON.stringify({ scripts: ['../lua', '/opt/scripts'], manifest: 'locks/x.json' }),
    });
    const { config } = await loadConfig({ config: 'conf/rscript.json' }, {}, project.dir);
    expect(config.scripts.map((p) => resolve(project.dir, p))).toEqual([project.path('lua'), '/opt/scripts']);
    expect(resolve(project.dir, config.manifest)).toBe(project.path('conf/locks/x.json'));
    const withFlag = await loadConfig({ config: 'conf/rscript.json', manifest: 'mine.json' }, {}, project.dir);
    expect(withFlag.config.manifest).toBe('mine.json');
  });

  test('a password in the config file is a warning', async () => {
    project = makeProject({ '.redisscriptsrc': JSON.stringify({ url: 'redis://:hunter2@db:6379' }) });
    const { warnings } = await loadConfig({}, {}, project.dir);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/\.redisscriptsrc holds a Redis password in plain text; prefer the REDIS_URL/);
    expect(warnings[0]).not.toContain('hunter2');
  });
});

describe('the fragments folder, TLS files and where a message points', () => {
  test('the fragments folder follows the first scripts folder unless named', async () => {
    project = makeProject({ '.redisscriptsrc': JSON.stringify({ scripts: ['redis/scripts', 'more'] }) });
    expect((await loadConfig({}, {}, project.dir)).config.include).toBe('redis/scripts/include');
    // A scripts flag moves it too.
    expect((await loadConfig({ scripts: ['other'] }, {}, project.dir)).config.include).toBe('other/include');
    // Named in the file: relative to the file, whatever the scripts say.
    project.write('.redisscriptsrc', JSON.stringify({ scripts: ['redis/scripts'], include: 'shared/frag' }));
    project.write('sub/.keep', '');
    const cwd = project.path('sub');
    expect(resolve(cwd, (await loadConfig({}, {}, cwd)).config.include)).toBe(project.path('shared/frag'));
    // Named with a flag: as typed, with or without one in the file.
    expect((await loadConfig({ include: 'mine' }, {}, cwd)).config.include).toBe('mine');
    project.write('.redisscriptsrc', JSON.stringify({ scripts: ['redis/scripts'] }));
    expect((await loadConfig({ include: 'mine' }, {}, cwd)).config.include).toBe('mine');
  });

  test('a config file without "url" is not where the URL came from', async () => {
    project = makeProject({ '.redisscriptsrc': JSON.stringify({ timeoutMs: 100 }) });
    expect((await loadConfig({}, {}, project.dir)).urlFrom).toBeUndefined();
  });

  test('without a config file, the default fragments folder is inside the default scripts folder', async () => {
    project = makeProject({ 'lua/a.lua': 'return 1\n' });
    expect((await loadConfig({}, {}, project.dir)).config.include).toBe('lua/include');
  });

  test('TLS certificate and key paths are relative to the config file, like the CA', async () => {
    project = makeProject({
      'conf/rscript.json': JSON.stringify({ tls: { cert: 'tls/client.crt', key: 'tls/client.key' } }),
    });
    const { config } = await loadConfig({ config: 'conf/rscript.json' }, {}, project.dir);
    expect(resolve(project.dir, config.tls.cert!)).toBe(project.path('conf/tls/client.crt'));
    expect(resolve(project.dir, config.tls.key!)).toBe(project.path('conf/tls/client.key'));
    expect(config.tls.ca).toBeUndefined();
  });

  test('a config file in the folder rscript runs in maps the project folder to "."', async () => {
    project = makeProject({ '.redisscriptsrc': JSON.stringify({ scripts: ['.'] }) });
    expect((await loadConfig({}, {}, project.dir)).config.scripts).toEqual(['.']);
  });

  test('a config file outside the working directory is named by its full path', async () => {
    project = makeProject({
      'shared/rscript.json': JSON.stringify({ url: 'redis://:pw@db:6379' }),
      'app/.keep': '',
    });
    const loaded = await loadConfig({ config: '../shared/rscript.json' }, {}, project.path('app'));
    expect(loaded.warnings).toEqual([
      `${project.path('shared/rscript.json')} holds a Redis password in plain text; prefer the REDIS_URL environment variable`,
    ]);
    expect(loaded.urlFrom).toBe(`"url" in ${project.path('shared/rscript.json')}`);
    project.write('shared/rscript.json', JSON.stringify({ timeoutMs: 'soon' }));
    const err = await configError(loadConfig({ config: '../shared/rscript.json' }, {}, project.path('app')));
    expect(err.message.startsWith(`${project.path('shared/rscript.json')}: `)).toBe(true);
  });

  test('no warning for a URL without a password, with only a user, or one that does not parse', async () => {
    for (const url of ['redis://db:6379', 'redis://app@db:6379', 'not a url']) {
      project = makeProject({ '.redisscriptsrc': JSON.stringify({ url }) });
      expect((await loadConfig({}, {}, project.dir)).warnings).toEqual([]);
      project.cleanup();
    }
  });

  test('a password in REDIS_URL or --url is no warning: only the file is committed', async () => {
    project = makeProject({ '.redisscriptsrc': JSON.stringify({ timeoutMs: 100 }) });
    const loaded = await loadConfig({ url: 'redis://:pw@db:6379' }, { REDIS_URL: 'redis://:pw@db:6379' }, project.dir);
    expect(loaded.warnings).toEqual([]);
  });

  test('a --config flag is not a setting', async () => {
    project = makeProject({ 'c.json': JSON.stringify({ timeoutMs: 100 }) });
    const { config } = await loadConfig({ config: 'c.json' }, {}, project.dir);
    expect(config).not.toHaveProperty('config');
  });
});
