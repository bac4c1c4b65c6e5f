/**
 * The lua/ library as a whole: every script carries the header the linter reads, the header's KEYS
 * and ARGV match what the code indexes and what it enforces at run time, read-only scripts (and only
 * they) carry `no-writes`, no script touches a global, and lua/README.md lists every script.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import luaparse from 'luaparse';
import { makeScript, type LocalScript } from '../../src/registry/script.js';
import { ScriptReplyError } from '../../src/runtime.js';
import { LUA_DIR, localLuaScripts, startLuaHarness, type LuaHarness } from '../helpers/lua.js';

interface ParamLine {
  kind: 'KEYS' | 'ARGV';
  index: number;
  /** `KEYS[2..N]`: any number of further keys. */
  variadic: boolean;
  meaning: string;
  type: string;
}

interface Header {
  name: string;
  summary: string;
  params: ParamLine[];
  returns: string;
  errors: string;
}

const PARAM_LINE = /^-- (KEYS|ARGV)\[(\d+)(\.\.N)?\]: (.+) \(([^()]+)\)$/;

/** Parses the header convention; throws with the offending line when the file breaks it. */
function parseHeader(script: LocalScript): Header {
  const lines = script.bytes.toString('utf8').split('\n');
  let i = script.shebang ? 1 : 0;
  const fail = (what: string): never => {
    throw new Error(`${script.path}:${i + 1}: ${what}, got ${JSON.stringify(lines[i])}`);
  };
  const title = /^-- ([\w/]+): (\S.*)$/.exec(lines[i] ?? '') ?? fail('expected "-- <name>: <what it does>"');
  i++;
  if (lines[i] !== '--') fail('expected a "--" line after the title');
  i++;
  const params: ParamLine[] = [];
  for (; lines[i]?.startsWith('-- KEYS[') || lines[i]?.startsWith('-- ARGV['); i++) {
    const m = PARAM_LINE.exec(lines[i]!) ?? fail('expected "-- KEYS[n]: <meaning> (<type>)"');
    params.push({
      kind: m[1] as 'KEYS' | 'ARGV',
      index: Number(m[2]),
      variadic: m[3] !== undefined,
      meaning: m[4]!,
      type: m[5]!,
    });
  }
  const returns = /^-- Returns: (\S.*)$/.exec(lines[i] ?? '') ?? fail('expected "-- Returns: ..."');
  i++;
  const errors = /^-- Errors: (\S.*)$/.exec(lines[i] ?? '') ?? fail('expected "-- Errors: ..."');
  return { name: title[1]!, summary: title[2]!, params, returns: returns[1]!, errors: errors[1]! };
}

interface CodeFacts {
  /** KEYS[n] / ARGV[n] indexed with a literal n. */
  literal: Record<'KEYS' | 'ARGV', Set<number>>;
  /** Indexed with an expression, or passed whole (unpack(KEYS)). */
  dynamic: Record<'KEYS' | 'ARGV', boolean>;
  /** First argument of every redis.call / redis.pcall; null when it is not a string literal. */
  commands: Array<string | null>;
  globalsRead: string[];
  globalsWritten: string[];
}

type AnyNode = { type: string; [field: string]: unknown };

function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as AnyNode).type === 'string';
}

/** What the code does with KEYS, ARGV, redis.call and globals, read from its syntax tree. */
function codeFacts(script: LocalScript): CodeFacts {
  // luaparse does not know the shebang line; blank it, keeping line numbers.
  const text = script.bytes.toString('utf8').replace(/^#!.*/, '');
  const chunk = luaparse.parse(text, { luaVersion: '5.1', scope: true }) as unknown as AnyNode & { globals: AnyNode[] };
  const facts: CodeFacts = {
    literal: { KEYS: new Set(), ARGV: new Set() },
    dynamic: { KEYS: false, ARGV: false },
    commands: [],
    globalsRead: chunk.globals.map((g) => g.name as string),
    globalsWritten: [],
  };
  const isParams = (node: unknown): node is AnyNode & { name: 'KEYS' | 'ARGV' } =>
    isNode(node) && node.type === 'Identifier' && (node.name === 'KEYS' || node.name === 'ARGV') && !node.isLocal;
  const visit = (node: unknown, parent: AnyNode | null): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child, parent);
      return;
    }
    if (!isNode(node)) return;
    if (node.type === 'IndexExpression' && isParams(node.base)) {
      const index = node.index as AnyNode;
      if (index.type === 'NumericLiteral') facts.literal[node.base.name].add(index.value as number);
      else facts.dynamic[node.base.name] = true;
      visit(index, node);
      return;
    }
    if (isParams(node) && !(parent?.type === 'UnaryExpression' && parent.operator === '#')) {
      facts.dynamic[node.name] = true; // passed whole, e.g. unpack(KEYS)
    }
    if (node.type === 'CallExpression') {
      const base = node.base as AnyNode;
      const member = base.identifier as AnyNode | undefined;
      if (
        base.type === 'MemberExpression' &&
        (base.base as AnyNode).name === 'redis' &&
        (member?.name === 'call' || member?.name === 'pcall')
      ) {
        const first = (node.arguments as AnyNode[])[0];
        facts.commands.push(first?.type === 'StringLiteral' ? (first.raw as string).slice(1, -1).toUpperCase() : null);
      }
    }
    if (node.type === 'AssignmentStatement') {
      for (const target of node.variables as AnyNode[]) {
        if (target.type === 'Identifier' && !target.isLocal) facts.globalsWritten.push(target.name as string);
      }
    }
    if (node.type === 'FunctionDeclaration' && !node.isLocal && isNode(node.identifier)) {
      facts.globalsWritten.push(String(node.identifier.name ?? 'a field of a global table'));
    }
    for (const [field, child] of Object.entries(node)) {
      // A member's name (`redis.call`) and a table key (`{map = ...}`) are not variables.
      if (node.type === 'MemberExpression' && field === 'identifier') continue;
      if (node.type === 'TableKeyString' && field === 'key') continue;
      visit(child, node);
    }
  };
  visit(chunk.body, chunk);
  return facts;
}

/** The globals Redis 7.0 gives a script; reading anything else fails at run time. */
const SANDBOX_GLOBALS = new Set([
  'redis',
  'KEYS',
  'ARGV',
  'string',
  'math',
  'table',
  'cjson',
  'cmsgpack',
  'bit',
  'struct',
  'tonumber',
  'tostring',
  'type',
  'ipairs',
  'pairs',
  'next',
  'select',
  'unpack',
  'pcall',
  'error',
  'assert',
]);

const scripts = localLuaScripts();

describe('lua/ library', () => {
  let h: LuaHarness;
  /** Commands the server flags `write` (COMMAND INFO), for the ones the scripts call. */
  let writeCommands = new Set<string>();
  beforeAll(async () => {
    h = await startLuaHarness();
    const called = [...new Set(scripts.flatMap((s) => codeFacts(s).commands.filter((c): c is string => c !== null)))];
    const resp2 = await h.connect(2);
    const info = (await resp2.sendCommand(['COMMAND', 'INFO', ...called])) as Array<[string, number, string[]] | null>;
    writeCommands = new Set(info.flatMap((entry, i) => (entry?.[2].includes('write') ? [called[i]!] : [])));
    expect(writeCommands.has('SET')).toBe(true);
    expect(writeCommands.has('GET')).toBe(false);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('has the scripts of the guide', () => {
    expect(scripts.map((s) => s.name)).toEqual([
      'balance_purchase',
      'batch_expire',
      'counter/sharded_get',
      'counter/sharded_incr',
      'counter_incr',
      'create_user',
      'increment_with_max',
      'lock_acquire',
      'lock_release',
      'purchase_product',
      'queue/priority_pop',
      'queue/priority_push',
      'rate_limit_token_bucket',
      'safe_batch_operations',
      'safe_increment',
      'saga_transfer',
      'set_if_string',
      'template',
    ]);
  });

  describe.each(scripts.map((s) => [s.name, s] as const))('%s', (name, script) => {
    let header: Header;
    let facts: CodeFacts;
    beforeAll(() => {
      header = parseHeader(script);
      facts = codeFacts(script);
    });

    it('starts with the header: name, KEYS and ARGV in order, Returns, Errors', () => {
      expect(header.name).toBe(name);
      for (const kind of ['KEYS', 'ARGV'] as const) {
        const lines = header.params.filter((p) => p.kind === kind);
        // Numbered 1, 2, 3...; a variadic line, if any, comes last.
        expect(lines.map((p) => p.index)).toEqual(lines.map((_, i) => i + 1));
        expect(lines.slice(0, -1).some((p) => p.variadic)).toBe(false);
        for (const p of lines) expect(p.type.length).toBeGreaterThan(0);
      }
      const kinds = header.params.map((p) => p.kind);
      expect(kinds).toEqual([...kinds.filter((k) => k === 'KEYS'), ...kinds.filter((k) => k === 'ARGV')]);
    });

    it('documents every KEYS and ARGV index the code reads, and reads every one it documents', () => {
      for (const kind of ['KEYS', 'ARGV'] as const) {
        const fixed = header.params.filter((p) => p.kind === kind && !p.variadic).map((p) => p.index);
        for (const n of facts.literal[kind])
          expect(`${kind}[${n}] documented: ${fixed.includes(n)}`).toBe(`${kind}[${n}] documented: true`);
        // An index read only through a loop or a helper (KEYS[i], ARGV[i]) cannot be seen statically.
        if (!facts.dynamic[kind]) expect([...facts.literal[kind]].sort((a, b) => a - b)).toEqual(fixed);
      }
    });

    it('names every command it calls with a string literal (so it can be classified)', () => {
      expect(facts.commands.length).toBeGreaterThan(0);
      expect(facts.commands).not.toContain(null);
    });

    it('creates no global and reads only the sandbox globals (Redis 7 forbids the rest)', () => {
      expect(facts.globalsWritten).toEqual([]);
      expect(facts.globalsRead.filter((g) => !SANDBOX_GLOBALS.has(g))).toEqual([]);
    });

    it('shebang: only `#!lua flags=no-writes`, and only on a script that does not write', async () => {
      if (script.shebang) {
        expect(script.bytes.toString('utf8').split('\n')[0]).toBe('#!lua flags=no-writes');
      }
      const writes = facts.commands.some((c) => writeCommands.has(c!));
      expect({ writes, noWrites: script.flags.includes('no-writes') }).toEqual({ writes, noWrites: !writes });
    });

    it('enforces the key and argument counts of its header, variadic KEYS included', async () => {
      const keys = header.params.filter((p) => p.kind === 'KEYS' && !p.variadic).length;
      const args = header.params.filter((p) => p.kind === 'ARGV').length;
      const variadic = header.params.some((p) => p.kind === 'KEYS' && p.variadic);
      const wrongCount = new RegExp(
        `^ERR wrong number of keys or arguments: expected ${keys}( to \\d+)? keys?\\b.* and ${args === 0 ? 'no' : args} args?\\b`,
      );
      const keyNames = (n: number) => Array.from({ length: n }, (_, i) => `{t}:k${i}`);
      const argValues = (n: number) => Array.from({ length: n }, () => '1');
      const readOnly = script.flags.includes('no-writes');
      const reply = async (k: number, a: number) => {
        try {
          return JSON.stringify(await h.run(name, keyNames(k), argValues(a), { readOnly }));
        } catch (err) {
          if (err instanceof ScriptReplyError) return err.reply;
          throw err;
        }
      };
      try {
        expect(await reply(keys, args + 1)).toMatch(wrongCount);
        if (keys > 0 && !variadic) expect(await reply(keys - 1, args)).toMatch(wrongCount);
        if (variadic) expect(await reply(keys + 1, args)).not.toMatch(/wrong number of keys/);
        else expect(await reply(keys + 1, args)).toMatch(wrongCount);
      } finally {
        await h.cmd('FLUSHALL');
      }
    });
  });

  it('flags at least one script read-only, and it runs through EVALSHA_RO', async () => {
    const readOnly = scripts.filter((s) => s.flags.includes('no-writes'));
    expect(readOnly.map((s) => s.name)).toEqual(['counter/sharded_get']);
    expect(await h.run('counter/sharded_get', ['{t}:a', '{t}:b'], [], { readOnly: true })).toBe(0);
  });

  it('lists every script in the table of lua/README.md', () => {
    const readme = readFileSync(join(LUA_DIR, 'README.md'), 'utf8');
    const rows = readme.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows.map((row) => /^\| `([^`]+)`/.exec(row)![1]).sort()).toEqual(scripts.map((s) => s.name).sort());
  });

  describe('the checks above catch what they are for', () => {
    const fake = (text: string) => makeScript('fake', 'fake.lua', '/nonexistent/fake.lua', Buffer.from(text));
    const header = '-- fake: does nothing\n--\n-- KEYS[1]: a key (string)\n-- Returns: 1\n-- Errors: none\n\n';

    it('a global assignment, a global function and an unknown global', () => {
      const facts = codeFacts(fake(header + 'x = 1\nfunction f() end\nreturn print(KEYS[1])'));
      expect(facts.globalsWritten).toEqual(['x', 'f']);
      expect(facts.globalsRead.filter((g) => !SANDBOX_GLOBALS.has(g))).toEqual(['x', 'f', 'print']);
    });

    it('literal and dynamic KEYS/ARGV reads, and commands named by a variable', () => {
      const facts = codeFacts(
        fake(header + "local c = 'GET'\nredis.call(c, KEYS[2])\nreturn redis.pcall('get', unpack(KEYS), ARGV[#ARGV])"),
      );
      expect([...facts.literal.KEYS]).toEqual([2]);
      expect(facts.dynamic).toEqual({ KEYS: true, ARGV: true });
      expect(facts.commands).toEqual([null, 'GET']);
    });

    it('#KEYS alone is not a read, and table keys are not globals', () => {
      const facts = codeFacts(fake(header + 'if #KEYS ~= 1 then return 0 end\nreturn {map = {count = 1}}'));
      expect(facts.dynamic.KEYS).toBe(false);
      expect(facts.globalsRead).toEqual(['KEYS']);
    });

    it('a header line out of the format', () => {
      expect(() => parseHeader(fake(header.replace('(string)', 'string')))).toThrow(
        /fake\.lua:3: expected "-- KEYS\[n\]/,
      );
      expect(() => parseHeader(fake(header.replace('-- Errors: none\n', '')))).toThrow(/expected "-- Errors: \.\.\."/);
      expect(() => parseHeader(fake('#!lua flags=no-writes\n' + header)).name).not.toThrow();
    });
  });
});
