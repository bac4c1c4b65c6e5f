/**
 * Functions libraries without a server: what a library registers, the checks made before anything is
 * sent, the lockfile's library entries, and error lines mapped to the library file.
 */
import { CheckFailedError } from '../../src/errors.js';
import { readRegistrations } from '../../src/lint/library.js';
import { parseManifest, serializeManifest, type Manifest } from '../../src/manifest/manifest.js';
import { libraryKind, splitLibraries } from '../../src/registry/library.js';
import { makeScript } from '../../src/registry/script.js';
import { locateFunctionError } from '../../src/redis/script-errors.js';

const file = (path: string, text: string) =>
  makeScript(path.replace(/^lua\/|\.lua$/g, ''), path, `/p/${path}`, Buffer.from(text));

const LOCKS = `#!lua name=locks
-- lock_acquire: takes a lock
--
-- KEYS[1]: the lock (string)
-- ARGV[1]: the token (string)
-- ARGV[2]: ttl in ms (integer)
local function acquire(keys, args)
  return redis.call('SET', keys[1], args[1], 'PX', args[2])
end

redis.register_function('lock_acquire', acquire)
-- lock_peek: who holds it
redis.register_function{function_name = 'lock_peek', callback = function(keys) return redis.call('GET', keys[1]) end, flags = {'no-writes'}, description = 'reads the lock'}
`;

test('the first line decides: #!lua name= is a library, a flags-only shebang or none is a script', () => {
  expect(libraryKind(Buffer.from('#!lua name=locks\nredis.register_function("f", function() end)'))).toEqual({
    library: 'locks',
  });
  expect(libraryKind(Buffer.from('#!lua flags=no-writes\nreturn 1'))).toBeNull();
  expect(libraryKind(Buffer.from('return 1'))).toBeNull();
  expect(libraryKind(Buffer.from('#!lua\nredis.register_function("f", function() end)'))).toEqual({
    missingName: true,
  });
});

test('both forms of register_function: names, flags, and keys/args from the comments above and the parameters read', () => {
  const r = readRegistrations(LOCKS);
  expect(r.problems).toEqual([]);
  expect(r.functions).toEqual([
    {
      name: 'lock_acquire',
      flags: [],
      line: 11,
      keys: ['the lock (string)'],
      args: ['the token (string)', 'ttl in ms (integer)'],
      summary: 'takes a lock',
    },
    {
      name: 'lock_peek',
      flags: ['no-writes'],
      line: 13,
      keys: [''],
      args: [],
      description: 'reads the lock',
      summary: 'who holds it',
    },
  ]);
});

test('an unknown flag, a computed name and an unknown named argument are problems with their line', () => {
  const r = readRegistrations(`#!lua name=x
redis.register_function{function_name = 'a', callback = function() end, flags = {'no-writes', 'allow-oss'}}
local n = 'b'
redis.register_function(n, function() end)
redis.register_function{function_name = 'c', callback = function() end, flag = {}}
`);
  expect(r.problems.map((p) => p.line)).toEqual([2, 4, 5]);
  expect(r.problems[0]!.message).toContain('unknown flag "allow-oss" for function "a" (Redis: ERR unknown flag given)');
  expect(r.problems[1]!.message).toContain('must be a string literal');
  expect(r.problems[2]!.message).toContain('unknown argument "flag"');
});

test('pre-send checks: no name=, no function, one function in two libraries (both files named), a compile error', async () => {
  const fail = async (files: ReturnType<typeof file>[]) => {
    try {
      await splitLibraries(files);
    } catch (err) {
      expect(err).toBeInstanceOf(CheckFailedError);
      return (err as Error).message;
    }
    throw new Error('no error');
  };
  expect(await fail([file('lua/a.lua', '#!lua\nredis.register_function("f", function() return 1 end)\n')])).toBe(
    'lua/a.lua:1: calls redis.register_function but its first line is not #!lua name=<library> (Redis: ERR Library name was not given)',
  );
  expect(await fail([file('lua/a.lua', '#!lua name=a\nlocal x = 1\n')])).toBe(
    'lua/a.lua: library "a" registers no function (Redis: ERR No functions registered)',
  );
  expect(
    await fail([
      file('lua/a.lua', '#!lua name=a\nredis.register_function("f", function() return 1 end)\n'),
      file('lua/b.lua', '#!lua name=b\nredis.register_function("f", function() return 2 end)\n'),
    ]),
  ).toBe(
    'function "f" is defined by two libraries: lua/a.lua (library "a") and lua/b.lua (library "b"); Redis refuses that even with REPLACE',
  );
  expect(
    await fail([file('lua/a.lua', '#!lua name=a\nredis.register_function("f", function() return 1 end\n')]),
  ).toMatch(/^lua\/a\.lua:3: compile error: /);
  const { scripts, libraries } = await splitLibraries([file('lua/s.lua', 'return 1'), file('lua/locks.lua', LOCKS)]);
  expect(scripts.map((s) => s.name)).toEqual(['s']);
  expect(libraries.map((l) => [l.library, l.functions.map((f) => f.name)])).toEqual([
    ['locks', ['lock_acquire', 'lock_peek']],
  ]);
});

test('the lockfile keeps libraries sorted after the scripts; a lockfile without them is unchanged', () => {
  const m: Manifest = {
    version: 1,
    scripts: {},
    libraries: {
      z: {
        path: 'lua/z.lua',
        sha: 'a'.repeat(40),
        size: 3,
        functions: { g: { flags: [], keys: [], args: [] }, f: { flags: ['no-writes'], keys: ['k'], args: [] } },
      },
    },
  };
  const text = serializeManifest(m);
  expect(Object.keys(JSON.parse(text).libraries.z.functions)).toEqual(['f', 'g']);
  expect(parseManifest(text, 'x.json')).toEqual(m);
  expect(serializeManifest({ version: 1, scripts: {} })).toBe('{\n  "version": 1,\n  "scripts": {}\n}\n');
  expect(() => parseManifest('{"version":1,"scripts":{},"libraries":{"a":{"path":"a.txt"}}}', 'x.json')).toThrow(
    'libraries["a"].path must name a .lua file',
  );
});

test('server errors point at the library file and line', () => {
  const body = Buffer.from(
    '#!lua name=a\nredis.register_function("f", function()\n  return redis.call("INCR", "x", "y")\nend)\n',
  );
  expect(
    locateFunctionError("ERR Error compiling function: user_function:3: ')' expected near '<eof>'", 'lua/a.lua', body)
      .text,
  ).toBe("lua/a.lua:3: compile error: ')' expected near '<eof>'");
  const run = locateFunctionError(
    'ERR Wrong number of args calling Redis command from script script: f, on @user_function:3.',
    'lua/a.lua',
    body,
  );
  expect(run.text).toBe('lua/a.lua:3: ERR Wrong number of args calling Redis command from script');
  expect(run.source).toBe('3 |   return redis.call("INCR", "x", "y")');
  expect(locateFunctionError('ERR Error registering functions: ERR FUNCTION LOAD timeout', 'lua/a.lua').text).toContain(
    'ran past the 500 ms',
  );
});
