/**
 * The linter on Functions libraries: load-time code, register_function's arguments, writes in a
 * no-writes function, the key rules on a function's keys/args parameters, names unique across a tree.
 */
import { lintSource } from '../../src/lint/lint.js';
import { lint } from '../../src/commands/lint.js';
import { makeProject, type Project } from '../helpers/cli.js';

let project: Project | undefined;
afterEach(() => project?.cleanup());

const ids = (source: string) => lintSource(source, 'lua/lib.lua').map((f) => `${f.line}:${f.rule}:${f.severity}`);

test('a clean library has no findings: its name= is no shebang problem, its functions are documented above them', () => {
  const source = `#!lua name=counters
redis.log(redis.LOG_NOTICE, 'counters on ' .. redis.REDIS_VERSION)

-- counter_add: adds to a counter
--
-- KEYS[1]: the counter
-- ARGV[1]: increment (integer)
redis.register_function('counter_add', function(keys, args)
  return redis.call('INCRBY', keys[1], args[1])
end)
`;
  expect(lintSource(source, 'lua/lib.lua')).toEqual([]);
});

test('load-time redis.call and a top-level loop are errors that say Redis refuses them', () => {
  const findings = lintSource(
    "#!lua name=x\nlocal v = redis.call('GET', KEYS and 'a' or 'b')\nwhile true do end\nredis.register_function('f', function() return 1 end)\n",
    'lua/lib.lua',
  );
  const load = findings.filter((f) => f.rule === 'library-load-time');
  expect(load.map((f) => [f.line, f.severity])).toEqual([
    [2, 'error'],
    [3, 'error'],
  ]);
  expect(load[0]!.message).toContain('redis.call at load time: Redis refuses the library');
  expect(load[1]!.message).toContain('ERR FUNCTION LOAD timeout');
});

test('register_function: unknown flag, no function, no name= are errors', () => {
  expect(
    ids(
      "#!lua name=x\nredis.register_function{function_name='f', callback=function() return 1 end, flags={'allow-oss'}}\n",
    ),
  ).toContain('2:library-register:error');
  expect(ids('#!lua name=x\nlocal a = 1\n')).toContain('1:invalid-shebang:error');
  const noName = lintSource("#!lua\nredis.register_function('f', function() return 1 end)\n", 'lua/lib.lua').filter(
    (f) => f.rule === 'library-register',
  );
  expect(noName[0]!.message).toContain('ERR Library name was not given');
});

test('inside a function the key rules apply to its keys/args parameters, and a no-writes function may not write', () => {
  const findings = lintSource(
    "#!lua name=x\nredis.register_function{function_name='peek', callback=function(keys, args)\n  redis.call('SET', keys[1], 'v')\n  return redis.call('GET', 'user:' .. args[1])\nend, flags={'no-writes'}}\n",
    'lua/lib.lua',
  );
  expect(findings.map((f) => `${f.line}:${f.column}:${f.rule}`)).toEqual([
    '3:3:library-no-writes',
    '4:28:keys-from-keys-array',
  ]);
  expect(findings[1]!.message).toContain('built by concatenation from ARGV');
});

test('rscript lint names a function defined by two libraries of the tree', async () => {
  project = makeProject({
    'lua/a.lua': "#!lua name=a\nredis.register_function('f', function() return 1 end)\n",
    'lua/b.lua':
      "#!lua name=b\nredis.register_function('g', function() return 1 end)\nredis.register_function('f', function() return 2 end)\n",
  });
  const result = await lint({ paths: ['lua'], cwd: project.dir, cache: false });
  expect(result.errors).toBe(1);
  const f = result.files.find((x) => x.file === 'lua/b.lua')!.findings[0]!;
  expect([f.line, f.rule, f.message]).toEqual([
    3,
    'library-register',
    'function "f" is also defined by lua/a.lua (library "a"): Redis refuses a second library defining it, even with REPLACE',
  ]);
});
