/**
 * `rscript gen ts`: the module generated from the repository's lockfile compiles under `tsc --strict`,
 * types what the headers say, and its functions run against a real server with their replies checked.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { createClient, type RedisClientType } from '@redis/client';
import { makeProject, REPO, runCli, type Project } from '../helpers/cli.js';
import { startRedis, type TestServer } from '../helpers/redis-server.js';
import * as gen from '../../examples/scripts.gen.js';

const MODULE = join(REPO, 'examples/scripts.gen.ts');

/** tsc --strict on `files`: its diagnostics, `file:line: message`. */
function compile(files: string[]): string[] {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: ['node'],
    paths: { rscript: [join(REPO, 'src/index.ts')] },
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where =
      d.file && d.start !== undefined
        ? `${d.file.fileName.slice(d.file.fileName.lastIndexOf('/') + 1)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: `
        : '';
    return where + ts.flattenDiagnosticMessageText(d.messageText, ' ');
  });
}

/** The module's code without its comments (the docs may say "any number of keys"). */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

describe('the generated module of lua/ (examples/scripts.gen.ts)', () => {
  test('is what rscript gen ts writes from the committed lockfile (gen ts --check passes)', async () => {
    const r = await runCli(['gen', 'ts', '--out', 'examples/scripts.gen.ts', '--check'], { cwd: REPO });
    expect(r.stdout).toContain('examples/scripts.gen.ts is up to date (18 scripts, 3 functions)');
    expect(r.code).toBe(0);
  });

  test('compiles under tsc --strict, with no any in it', () => {
    expect(compile([MODULE])).toEqual([]);
    expect(code(readFileSync(MODULE, 'utf8'))).not.toMatch(/\bany\b/);
  }, 180_000); // tsc on a busy 2-core machine took 44 s

  test('types keys, args and replies from the headers: misuse is a compile error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rscript-gen-'));
    try {
      writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
      writeFileSync(
        join(dir, 'use.ts'),
        [
          `import { rateLimitTokenBucket, template, queuePriorityPop, counterShardedGet } from ${JSON.stringify(MODULE.replace(/\.ts$/, '.js'))};`,
          "import type { CommandSender } from 'rscript';",
          'declare const client: CommandSender;',
          "const [allowed, left, retry] = await rateLimitTokenBucket(client, { keys: { bucket: 'b' }, args: { capacity: 10, refillRate: 0.5, tokens: 1, callersClock: 0 } });",
          'const n: number = allowed + left + retry;',
          "const previous: string | null = await template(client, { keys: { key: 'k' }, args: { newValue: 'v', ttl: 60 } });",
          "for (const [id, data, priority] of await queuePriorityPop(client, { keys: { queue: 'q', itemPayloads: 'p', statistics: 's' }, args: { howManyItems: 1 } })) { const s: string = id + data; const p: number = priority; void s; void p; }",
          "const sum: number = await counterShardedGet(client, { keys: { shard: 'c:0', shards: ['c:1'] } });",
          // Each of these is wrong, and tsc must say so.
          "await rateLimitTokenBucket(client, { keys: { bucket: 'b' }, args: { capacity: 'ten', refillRate: 1, tokens: 1, callersClock: 0 } });",
          "await rateLimitTokenBucket(client, { keys: { bucket: 'b' }, args: { capacity: 10, refillRate: 1, tokens: 1 } });",
          "await template(client, { keys: { nope: 'k' }, args: { newValue: 'v', ttl: 60 } });",
          'const wrong: string = (await rateLimitTokenBucket(client, { keys: { bucket: "b" }, args: { capacity: 1, refillRate: 1, tokens: 1, callersClock: 0 } }))[0];',
          'void n; void previous; void sum; void wrong;',
        ].join('\n'),
      );
      const errors = compile([join(dir, 'use.ts')]);
      expect(errors.map((e) => e.replace(/:.*$/s, '').replace(/^use\.ts/, 'line'))).toEqual([
        'line',
        'line',
        'line',
        'line',
      ]);
      expect(errors).toEqual([
        expect.stringMatching(/^use\.ts:9: Type 'string' is not assignable to type 'number'/),
        expect.stringMatching(/^use\.ts:10: Property 'callersClock' is missing/),
        expect.stringMatching(/^use\.ts:11: Object literal may only specify known properties, and 'nope'/),
        expect.stringMatching(/^use\.ts:12: Type 'number' is not assignable to type 'string'/),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000); // tsc on a busy 2-core machine took 44 s
});

describe('its functions against a real server', () => {
  let server: TestServer;
  let client: RedisClientType;
  beforeAll(async () => {
    server = await startRedis();
    client = createClient({ url: server.url }) as RedisClientType;
    await client.connect();
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  test('rate limiter: a typed tuple, allowed until the bucket is empty', async () => {
    const call = (nowMs: number) =>
      gen.rateLimitTokenBucket(client, {
        keys: { bucket: 'rl' },
        args: { capacity: 2, refillRate: 1, tokens: 1, callersClock: nowMs },
      });
    expect(await call(1000)).toEqual([1, 1, 0]);
    expect(await call(1000)).toEqual([1, 0, 0]);
    expect(await call(1000)).toEqual([0, 0, 1000]);
    expect(await call(2000)).toEqual([1, 0, 0]);
  });

  test('balance purchase: the discriminated replies of both branches', async () => {
    await client.sendCommand(['SET', 'bal', '100']);
    const input = (amount: number) => ({
      keys: { accountBalance: 'bal', transactionLog: 'log' },
      args: { amount, entryPushed: `debit ${amount}` },
    });
    expect(await gen.balancePurchase(client, input(30))).toEqual([1, 70]);
    expect(await gen.balancePurchase(client, input(100))).toEqual([0, 70]);
    expect(await client.sendCommand(['LRANGE', 'log', '0', '-1'])).toEqual(['debit 30']);
  });

  test('priority queue: push gives [id, position], pop an array of [id, data, priority]', async () => {
    const keys = { queue: 'pq', itemPayloads: 'pq:data', idSequence: 'pq:seq', statistics: 'pq:stats' };
    const [id, position] = await gen.queuePriorityPush(client, { keys, args: { priority: 2, itemData: 'job a' } });
    expect(typeof id).toBe('string');
    expect(position).toBe(0);
    await gen.queuePriorityPush(client, { keys, args: { priority: 0, itemData: 'urgent' } });
    const popped = await gen.queuePriorityPop(client, {
      keys: { queue: 'pq', itemPayloads: 'pq:data', statistics: 'pq:stats' },
      args: { howManyItems: 5 },
    });
    expect(popped.map(([, data, priority]) => [data, priority])).toEqual([
      ['urgent', 0],
      ['job a', 2],
    ]);
  });

  test('a no-writes script goes as EVALSHA_RO, with its variadic keys', async () => {
    await client.sendCommand(['MSET', 'c:0', '1', 'c:1', '2', 'c:2', '3']);
    const get = () => gen.counterShardedGet(client, { keys: { shard: 'c:0', shards: ['c:1', 'c:2'] } });
    expect(await get()).toBe(6); // the first call loads it (NOSCRIPT, SCRIPT LOAD, EVALSHA_RO again)
    const before = roCalls(server);
    expect(await get()).toBe(6);
    expect(roCalls(server)).toBe(before + 1);
    expect(await gen.counterShardedGet(client, { keys: { shard: 'c:0' } })).toBe(1);
  });

  test('a library function goes as FCALL, typed from the doc above it (lua/toolkit.lua)', async () => {
    await client.sendCommand(['FUNCTION', 'LOAD', 'REPLACE', readFileSync(join(REPO, 'lua/toolkit.lua'), 'utf8')]);
    const fcalls = () => Number(/cmdstat_fcall:calls=(\d+)/.exec(server.cli('INFO', 'commandstats'))?.[1] ?? 0);
    const before = fcalls();
    const n: number = await gen.toolkitCounterIncr(client, { keys: { counter: 'tk:c' }, args: { increment: 5 } });
    expect(n).toBe(5);
    expect(await gen.toolkitCounterIncr(client, { keys: { counter: 'tk:c' }, args: { increment: -7 } })).toBe(-2);
    expect(
      await gen.toolkitLockAcquire(client, { keys: { lock: 'tk:l' }, args: { ownersToken: 'a', ttl: 5000 } }),
    ).toEqual([1, 5000]);
    const [held] = await gen.toolkitLockAcquire(client, {
      keys: { lock: 'tk:l' },
      args: { ownersToken: 'b', ttl: 5000 },
    });
    expect(held).toBe(0);
    expect(await gen.toolkitLockRelease(client, { keys: { lock: 'tk:l' }, args: { tokenGiven: 'b' } })).toBe(0);
    expect(await gen.toolkitLockRelease(client, { keys: { lock: 'tk:l' }, args: { tokenGiven: 'a' } })).toBe(1);
    expect(fcalls()).toBe(before + 6);
  });

  test('a nullable reply, and NOSCRIPT recovery after SCRIPT FLUSH', async () => {
    expect(await gen.template(client, { keys: { key: 'tpl' }, args: { newValue: 'one', ttl: 60 } })).toBeNull();
    await client.sendCommand(['SCRIPT', 'FLUSH']);
    expect(await gen.template(client, { keys: { key: 'tpl' }, args: { newValue: 'two', ttl: 60 } })).toBe('one');
  });
});

describe('gen ts on a project of its own', () => {
  let project: Project;
  let server: TestServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });
  afterEach(() => project?.cleanup());

  test('--check exits 1 once a header changes, 0 after gen; an untyped arg is typed string and said once', async () => {
    project = makeProject({
      'lua/greet.lua':
        "-- greet: says hello\n--\n-- KEYS[1]: the greeting's counter (string holding an integer)\n-- ARGV[1]: whom to greet, in free text\n-- Returns: the greeting (string)\nredis.call('INCR', KEYS[1])\nreturn 'hello ' .. ARGV[1]\n",
    });
    const cli = (...args: string[]) => runCli(args, { cwd: project.dir, env: { REDIS_URL: server.url } });
    expect((await cli('load')).code).toBe(0);
    const first = await cli('gen', 'ts', '--out', 'src/scripts.ts');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('src/scripts.ts written (1 script)\n');
    expect(first.stderr).toBe(
      'warning: 1 argument typed string, their header giving no type rscript reads ((integer ...), (string ...)): greet: ARGV[1] (whom to greet, in free text)\n',
    );
    const text = project.read('src/scripts.ts').toString();
    expect(text).toContain(
      'export async function greet(client: CommandSender, input: GreetInput): Promise<GreetReply>',
    );
    expect(text).toContain('    whom: string;');
    expect(text).toContain('export type GreetReply = string;');
    expect((await cli('gen', 'ts', '--out', 'src/scripts.ts', '--check')).code).toBe(0);
    project.write(
      'lua/greet.lua',
      project
        .read('lua/greet.lua')
        .toString()
        .replace('ARGV[1]: whom to greet, in free text', 'ARGV[1]: name (string)'),
    );
    // The lockfile first: gen works from it, and says so when a script changed without a load.
    const stale = await cli('gen', 'ts', '--out', 'src/scripts.ts', '--check');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(
      'lua/greet.lua has changed since rscript.lock.json was written; run rscript load first',
    );
    expect((await cli('load')).code).toBe(0);
    const outdated = await cli('gen', 'ts', '--out', 'src/scripts.ts', '--check');
    expect(outdated.code).toBe(1);
    expect(outdated.stdout).toContain('src/scripts.ts is out of date');
    expect((await cli('gen', 'ts', '--out', 'src/scripts.ts')).code).toBe(0);
    expect(project.read('src/scripts.ts').toString()).toContain('    name: string;');
    expect((await cli('gen', 'ts', '--out', 'src/scripts.ts', '--check')).code).toBe(0);
    // Bad input: one line, exit 2.
    const bad = await cli('gen', 'py');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('rscript: unknown language "py": rscript gen knows ts\n');
  });
});

describe('optional keys and args, and libraries, from the parsed metadata', () => {
  let project: Project;
  let server: TestServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });
  afterEach(() => project?.cleanup());

  test('a slot read with a default is optional, one the code reads unconditionally is required whatever its doc says; a function per library function, FCALL_RO for no-writes', async () => {
    project = makeProject({
      'lua/touch.lua':
        "-- touch: sets a key and its time to live\n--\n-- KEYS[1]: the key (string)\n-- ARGV[1]: value (string)\n-- ARGV[2]: ttl in seconds (integer)\n-- Returns: status OK\nreturn redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2] or 60)\n",
      'lua/says_optional.lua':
        "-- says_optional: its doc calls ARGV[1] optional, its code needs it\n--\n-- KEYS[1]: the key (string)\n-- ARGV[1]: the value, optional (string)\n-- Returns: status OK\nreturn redis.call('SET', KEYS[1], ARGV[1])\n",
      'lua/kv.lua': [
        '#!lua name=kv',
        '-- kv_get: reads a key, or a default when it is missing',
        '--',
        '-- KEYS[1]: the key (string)',
        '-- ARGV[1]: fallback value (string)',
        '-- Returns: the value (bulk string)',
        'local function kv_get(keys, args)',
        "  local fallback = args[1] or ''",
        "  return redis.call('GET', keys[1]) or fallback",
        'end',
        '',
        '-- kv_set: writes a key',
        '--',
        '-- KEYS[1]: the key (string)',
        '-- ARGV[1]: value (string)',
        '-- Returns: status OK',
        'local function kv_set(keys, args)',
        "  return redis.call('SET', keys[1], args[1])",
        'end',
        '',
        "redis.register_function{function_name = 'kv_get', callback = kv_get, flags = {'no-writes'}}",
        "redis.register_function('kv_set', kv_set)",
        '',
      ].join('\n'),
    });
    const cli = (...args: string[]) => runCli(args, { cwd: project.dir, env: { REDIS_URL: server.url } });
    expect((await cli('load')).code).toBe(0);
    // The lockfile says how many a caller must pass; exec and the runtime hold callers to it.
    const lock = JSON.parse(project.read('rscript.lock.json').toString()) as {
      scripts: Record<string, { minArgs?: number }>;
      libraries: Record<string, { functions: Record<string, { minArgs?: number }> }>;
    };
    expect(lock.scripts.touch!.minArgs).toBe(1);
    expect(lock.scripts.says_optional!.minArgs).toBeUndefined();
    expect(lock.libraries.kv!.functions.kv_get!.minArgs).toBe(0);
    expect(lock.libraries.kv!.functions.kv_set!.minArgs).toBeUndefined();
    const r = await cli('gen', 'ts', '--out', 'src/scripts.ts');
    expect(r.stdout).toBe('src/scripts.ts written (2 scripts, 2 functions)\n');
    const text = project.read('src/scripts.ts').toString();
    const block = (name: string) =>
      text.slice(text.indexOf(`export interface ${name}Input`), text.indexOf(`export type ${name}Reply`));
    expect(block('Touch')).toContain('    value: string;\n');
    expect(block('Touch')).toContain('    ttl?: number;\n');
    expect(block('SaysOptional')).toContain('    value: string;\n');
    expect(block('KvKvGet')).toMatch(/ {2}args\?: \{\n[\s\S]*? {4}fallbackValue\?: string;\n/);
    expect(block('KvKvSet')).toMatch(/ {2}args: \{\n[\s\S]*? {4}value: string;\n/);
    expect(text).toContain('Function kv_get of library kv (lua/kv.lua), sent as FCALL_RO');
    expect(text).toContain('Function kv_set of library kv (lua/kv.lua), sent as FCALL.');
    // Named <library><Function>: a library's function may share its name with a script.
    expect(text).toContain(
      "return (await run(client, 'kv.kv_get', [keys.key], [args?.fallbackValue], true)) as KvKvGetReply;",
    );
    // The optional arg may be left out: exec (and the runtime) accept the call.
    expect((await cli('exec', 'kv.kv_get', '-k', 'missing')).code).toBe(0);
    const short = await cli('exec', 'kv.kv_set', '-k', 'x');
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('kv.kv_set reads 1 key(s) and 1 arg(s); got 1 and 0');
  });
});

function roCalls(server: TestServer): number {
  const m = /cmdstat_evalsha_ro:calls=(\d+)/.exec(server.cli('INFO', 'commandstats'));
  return m ? Number(m[1]) : 0;
}
