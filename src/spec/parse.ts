/**
 * Reads a spec file (`<script>.spec.yaml`, beside the script) into a SpecFile. YAML, read with the
 * `yaml` package: it keeps every node's offset, so each expectation and each mistake is reported
 * with its file:line, and its core schema keeps `8` (an integer) apart from `"8"` (a string), which
 * is how a spec says integer reply vs bulk string reply. A spec that cannot be used throws a
 * SpecError (exit 2) naming the file and line. Pure apart from reading the file.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, type Node, type Pair, type YAMLMap } from 'yaml';
import { ConfigError } from '../errors.js';
import type {
  Call,
  Concurrency,
  KeyExpectation,
  RepliesInvariant,
  ReplyMatcher,
  SetupStep,
  SpecCase,
  SpecFile,
  Step,
  TextMatcher,
  TtlMatcher,
  ValueMatcher,
} from './spec.js';

/** A spec that cannot be read or used: its message starts with `file:line:`. Exit 2. */
export class SpecError extends ConfigError {
  constructor(
    readonly file: string,
    readonly line: number,
    problem: string,
    detail: string[] = [],
  ) {
    super(`${file}:${line}: ${problem}`, detail);
  }
}
SpecError.prototype.name = 'SpecError';

/** The file name ending that marks a spec. */
export const SPEC_SUFFIX = '.spec.yaml';

/** The most clients and calls a concurrency case may ask for (a typo of 1e6 would hang the run). */
const MAX_CLIENTS = 1000;
const MAX_CALLS = 100_000;

/** Reads and checks one spec file; `path` is how it is shown. */
export function readSpec(absPath: string, path: string): SpecFile {
  let text: string;
  try {
    text = readFileSync(absPath, 'utf8');
  } catch (err) {
    throw new SpecError(
      path,
      1,
      `cannot read the spec: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return parseSpec(text, absPath, path);
}

/** Parses a spec's text (see readSpec). */
export function parseSpec(text: string, absPath: string, path: string): SpecFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, intAsBigInt: true, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const line = lines.linePos(first.pos[0]).line;
    throw new SpecError(
      path,
      line,
      `invalid YAML: ${first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
    );
  }
  const p = new Parser(path, lines);
  const root = doc.contents;
  if (!isMap(root)) {
    throw new SpecError(
      path,
      root ? p.line(root) : 1,
      'a spec is a mapping with "cases" (and optionally "script" and "setup")',
      ['cases:\n    - name: adds 1 to a missing counter\n      call: { keys: [c], args: ["1"] }\n      reply: 1'],
    );
  }
  const top = p.fields(root, ['script', 'setup', 'cases'], 'the spec');
  const beside = basename(absPath).endsWith(SPEC_SUFFIX) ? basename(absPath).slice(0, -SPEC_SUFFIX.length) : undefined;
  const script = top.script ? p.string(top.script, 'script') : beside;
  if (script === undefined || script === '') {
    throw new SpecError(
      path,
      1,
      `no script: name it with "script: <name>" or call the file <script>${SPEC_SUFFIX}, beside the script`,
    );
  }
  const setup = top.setup ? p.setup(top.setup, script) : [];
  if (!top.cases) throw new SpecError(path, p.line(root), 'no "cases": list the cases to run under "cases:"');
  if (!isSeq(top.cases) || top.cases.items.length === 0) {
    throw new SpecError(path, p.line(top.cases), '"cases" must be a list with at least one case');
  }
  const names = new Map<string, number>();
  const cases = top.cases.items.map((node) => {
    const c = p.specCase(node as Node, script);
    const seen = names.get(c.name);
    if (seen !== undefined)
      throw new SpecError(
        path,
        c.line,
        `two cases named "${c.name}" (the other at line ${seen}): give each its own name`,
      );
    names.set(c.name, c.line);
    return c;
  });
  return { path, absPath, script, setup, cases };
}

/** The spec file of a script path (`lua/counter_incr.lua` -> `lua/counter_incr.spec.yaml`). */
export function specPathOf(scriptPath: string): string {
  return `${scriptPath.replace(/\.lua$/, '')}${SPEC_SUFFIX}`;
}

/** The folder a spec's scripts are looked up in first. */
export function specDir(spec: SpecFile): string {
  return dirname(spec.absPath);
}

const REPLY_TAGS = [
  'status',
  'map',
  'pairs',
  'set',
  'double',
  'boolean',
  'big_number',
  'error',
  'type',
  'between',
  'pattern',
  'any',
  'resp2',
  'resp3',
  'nil',
];
const REPLY_TYPES = [
  'integer',
  'bulk string',
  'status',
  'double',
  'boolean',
  'big number',
  'null',
  'array',
  'set',
  'map',
  'error',
  'verbatim string',
];
const KEY_TYPES = ['string', 'hash', 'list', 'set', 'zset', 'stream'];

class Parser {
  constructor(
    private readonly path: string,
    private readonly lines: LineCounter,
  ) {}

  line(node: Node | Pair | null | undefined): number {
    const range = (node as Node | null)?.range ?? ((node as Pair | null)?.key as Node | null)?.range;
    return range ? this.lines.linePos(range[0]).line : 1;
  }

  fail(node: Node | null | undefined, problem: string, detail: string[] = []): never {
    throw new SpecError(this.path, this.line(node), problem, detail);
  }

  /** A mapping's values by key, refusing keys outside `allowed` (a typo must not be skipped silently). */
  fields(map: YAMLMap, allowed: string[], what: string): Record<string, Node | undefined> & { __line?: number } {
    const out: Record<string, Node | undefined> = {};
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined || !allowed.includes(key)) {
        this.fail(
          pair.key as Node,
          `unknown field ${key === undefined ? '' : `"${key}" `}in ${what}: expected ${allowed.map((a) => `"${a}"`).join(', ')}`,
        );
      }
      out[key] = (pair.value as Node | null) ?? undefined;
      // A field written with no value (`reply:`) is a null scalar, kept as such.
      if (pair.value === null) out[key] = nullNodeAt(pair);
    }
    return out;
  }

  string(node: Node, what: string): string {
    if (!isScalar(node) || node.value === null || typeof node.value === 'object')
      this.fail(node, `${what} must be a string`);
    return this.word(node, what);
  }

  /** A command word or argument: the scalar as written (`0x10`, `-0`, `1e3` stay as typed). */
  word(node: Node, what: string): string {
    if (!isScalar(node))
      this.fail(node, `${what} must be a string or a number, not a ${isSeq(node) ? 'list' : 'mapping'}`);
    const value = (node as Scalar).value;
    if (value === null) this.fail(node, `${what} is empty (null): write "" for an empty string`);
    if (typeof value === 'string') return value;
    const source = (node as Scalar & { source?: string }).source;
    return node.type === 'PLAIN' && typeof source === 'string' && source !== '' ? source : String(value);
  }

  words(node: Node, what: string): string[] {
    if (!isSeq(node)) this.fail(node, `${what} must be a list, e.g. [a, b]`);
    return node.items.map((item, i) => this.word(item as Node, `${what}[${i}]`));
  }

  flag(node: Node | undefined, what: string): boolean {
    if (node === undefined) return false;
    if (!isScalar(node) || typeof node.value !== 'boolean') this.fail(node, `${what} must be true or false`);
    return node.value as boolean;
  }

  count(node: Node, what: string, max: number): number {
    const value = isScalar(node) ? node.value : undefined;
    const n = typeof value === 'bigint' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > max)
      this.fail(node, `${what} must be a whole number from 0 to ${max}`);
    return n;
  }

  number(node: Node, what: string): number {
    const value = isScalar(node) ? node.value : undefined;
    const n = typeof value === 'bigint' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isFinite(n)) this.fail(node, `${what} must be a number`);
    return n;
  }

  regex(node: Node, what: string): { source: string; re: RegExp } {
    const source = this.string(node, what);
    try {
      return { source, re: new RegExp(source) };
    } catch (err) {
      this.fail(node, `${what} is not a valid regular expression: ${(err as Error).message}`);
    }
  }

  setup(node: Node, script: string): SetupStep[] {
    if (!isSeq(node)) this.fail(node, 'setup must be a list of commands, e.g. - [SET, counter, "5"]');
    return node.items.map((item, i) => {
      const n = item as Node;
      if (isSeq(n)) {
        const argv = this.words(n, `setup[${i}]`);
        if (argv.length === 0) this.fail(n, `setup[${i}] is an empty command`);
        return { kind: 'command', argv, line: this.line(n) };
      }
      if (isMap(n) && n.items.length === 1 && isScalar(n.items[0]!.key) && n.items[0]!.key.value === 'sleep') {
        // A wait, for a TTL to run out (`{sleep: 150}`, milliseconds).
        return {
          kind: 'sleep',
          ms: this.count(n.items[0]!.value as Node, `setup[${i}].sleep`, 60_000),
          line: this.line(n),
        };
      }
      if (isMap(n)) return { kind: 'call', call: this.call(n, script, `setup[${i}]`), line: this.line(n) };
      this.fail(
        n,
        `setup[${i}] must be a command as a list ([SET, k, v]) or a script call ({script: name, keys: [...], args: [...]})`,
      );
    });
  }

  call(node: Node, script: string, what: string): Call {
    if (!isMap(node))
      this.fail(node, `${what} must be a mapping: { keys: [...], args: [...] } (and "script" to call another script)`);
    const f = this.fields(node, ['script', 'keys', 'args', 'ro'], what);
    return {
      script: f.script ? this.string(f.script, `${what}.script`) : script,
      keys: f.keys ? this.words(f.keys, `${what}.keys`) : [],
      args: f.args ? this.words(f.args, `${what}.args`) : [],
      ...(this.flag(f.ro, `${what}.ro`) ? { readOnly: true } : {}),
      line: this.line(node),
    };
  }

  specCase(node: Node, script: string): SpecCase {
    if (!isMap(node))
      this.fail(node, 'a case is a mapping with "name", a "call" (or "steps" or "concurrent") and what to expect');
    const f = this.fields(
      node,
      [
        'name',
        'resp',
        'cluster',
        'setup',
        'call',
        'reply',
        'error',
        'steps',
        'concurrent',
        'replies',
        'keyspace',
        'dbsize',
      ],
      'a case',
    );
    const line = this.line(node);
    if (!f.name) this.fail(node, 'a case needs a "name" (it names the case in the output)');
    const name = this.string(f.name, 'name');
    let resp: 2 | 3 | undefined;
    if (f.resp) {
      const v = isScalar(f.resp) ? Number(f.resp.value) : NaN;
      if (v !== 2 && v !== 3) this.fail(f.resp, 'resp must be 2 or 3 (leave it out to run the case under both)');
      resp = v;
    }
    if (f.cluster && (!isScalar(f.cluster) || typeof f.cluster.value !== 'boolean'))
      this.fail(f.cluster, 'cluster must be true or false (false: skip the case on a cluster)');
    const cluster = f.cluster ? (f.cluster as Scalar).value === true : undefined;
    const forms = ['call', 'steps', 'concurrent'].filter((k) => f[k] !== undefined);
    if (forms.length !== 1) {
      this.fail(
        node,
        forms.length === 0
          ? `case "${name}": give a "call", "steps" or "concurrent"`
          : `case "${name}": give one of ${forms.map((x) => `"${x}"`).join(' and ')}, not both`,
      );
    }
    if (!f.call && (f.reply || f.error))
      this.fail(
        f.reply ?? f.error,
        `case "${name}": "reply" and "error" go with "call" (with "steps", inside each step)`,
      );
    if (f.reply && f.error) this.fail(f.error, `case "${name}": expect a "reply" or an "error", not both`);
    let steps: Step[] = [];
    if (f.call) {
      const call = this.call(f.call, script, 'call');
      steps = [
        {
          name: call.script,
          call,
          ...(f.reply ? { reply: this.reply(f.reply) } : {}),
          ...(f.error ? { error: this.text(f.error, 'error') } : {}),
        },
      ];
    } else if (f.steps) {
      steps = this.steps(f.steps, script, 'steps', false);
    }
    const concurrent = f.concurrent ? this.concurrent(f.concurrent, script) : undefined;
    if (f.replies && !concurrent)
      this.fail(f.replies, `case "${name}": "replies" checks the replies of a "concurrent" run`);
    const replies = f.replies ? this.replies(f.replies, concurrent!) : [];
    const keyspace = f.keyspace ? this.keyspace(f.keyspace) : [];
    const dbsize = f.dbsize
      ? { count: this.count(f.dbsize, 'dbsize', Number.MAX_SAFE_INTEGER), line: this.line(f.dbsize) }
      : undefined;
    const expects =
      steps.some((s) => s.reply || s.error) || replies.length > 0 || keyspace.length > 0 || dbsize !== undefined;
    // A concurrent run whose steps expect replies checks something; one without any does not.
    if (!expects && !concurrent?.steps.some((s) => s.reply || s.error)) {
      this.fail(
        node,
        `case "${name}" expects nothing: add a "reply", an "error", a "keyspace" or a "dbsize"${concurrent ? ', or "replies"' : ''}`,
      );
    }
    return {
      name,
      line,
      ...(resp ? { resp } : {}),
      ...(cluster === false ? { cluster } : {}),
      setup: f.setup ? this.setup(f.setup, script) : [],
      steps,
      ...(concurrent ? { concurrent } : {}),
      replies,
      keyspace,
      ...(dbsize ? { dbsize } : {}),
    };
  }

  steps(node: Node, script: string, what: string, concurrent: boolean): Step[] {
    if (!isSeq(node) || node.items.length === 0) this.fail(node, `${what} must be a list of calls with at least one`);
    const names = new Set<string>();
    return node.items.map((item, i) => {
      const n = item as Node;
      if (!isMap(n)) this.fail(n, `${what}[${i}] must be a mapping: { keys: [...], args: [...], reply: ... }`);
      const allowed = ['name', 'script', 'keys', 'args', 'ro', 'reply', 'error', ...(concurrent ? ['if'] : [])];
      const f = this.fields(n, allowed, `${what}[${i}]`);
      // In a concurrent run both may be given: each call answers one or the other (a limit reached).
      if (f.reply && f.error && !concurrent)
        this.fail(f.error, `${what}[${i}]: expect a "reply" or an "error", not both`);
      const call: Call = {
        script: f.script ? this.string(f.script, `${what}[${i}].script`) : script,
        keys: f.keys ? this.words(f.keys, `${what}[${i}].keys`) : [],
        args: f.args ? this.words(f.args, `${what}[${i}].args`) : [],
        ...(this.flag(f.ro, `${what}[${i}].ro`) ? { readOnly: true } : {}),
        line: this.line(n),
      };
      const name = f.name ? this.string(f.name, `${what}[${i}].name`) : call.script;
      if (concurrent && names.has(name))
        this.fail(
          n,
          `${what}[${i}]: two steps named "${name}": give them a "name" each, the invariants under "replies" name them`,
        );
      names.add(name);
      if (f.if && i === 0)
        this.fail(f.if, `${what}[0]: "if" tests the reply of the step before, and the first step has none`);
      return {
        name,
        call,
        ...(f.reply ? { reply: this.reply(f.reply) } : {}),
        ...(f.error ? { error: this.text(f.error, 'error') } : {}),
        ...(f.if ? { when: this.reply(f.if) } : {}),
      };
    });
  }

  concurrent(node: Node, script: string): Concurrency {
    if (!isMap(node)) this.fail(node, 'concurrent must be a mapping: { clients: 10, calls: 100, steps: [...] }');
    const f = this.fields(node, ['clients', 'calls', 'steps'], 'concurrent');
    if (!f.clients || !f.calls || !f.steps)
      this.fail(
        node,
        'concurrent needs "clients" (connections), "calls" (rounds per client) and "steps" (the calls of a round)',
      );
    const clients = this.count(f.clients, 'concurrent.clients', MAX_CLIENTS);
    const calls = this.count(f.calls, 'concurrent.calls', MAX_CALLS);
    if (clients < 1 || calls < 1) this.fail(node, 'concurrent.clients and concurrent.calls must be at least 1');
    return { clients, calls, steps: this.steps(f.steps, script, 'concurrent.steps', true), line: this.line(node) };
  }

  replies(node: Node, concurrent: Concurrency): RepliesInvariant[] {
    if (!isSeq(node))
      this.fail(node, 'replies must be a list of invariants: - { step: name, where: [1, {any: true}], max: 1 }');
    return node.items.map((item, i) => {
      const n = item as Node;
      if (!isMap(n)) this.fail(n, `replies[${i}] must be a mapping: { step, where, count | min | max }`);
      const f = this.fields(n, ['step', 'where', 'count', 'min', 'max'], `replies[${i}]`);
      const step = f.step
        ? this.string(f.step, `replies[${i}].step`)
        : concurrent.steps[concurrent.steps.length - 1]!.name;
      if (!concurrent.steps.some((s) => s.name === step)) {
        this.fail(
          f.step ?? n,
          `replies[${i}]: no step named "${step}" (the steps: ${concurrent.steps.map((s) => s.name).join(', ')})`,
        );
      }
      const total = concurrent.clients * concurrent.calls;
      let min: number | undefined;
      let max: number | undefined;
      if (f.count) min = max = this.count(f.count, `replies[${i}].count`, total);
      if (f.min) min = this.count(f.min, `replies[${i}].min`, total);
      if (f.max) max = this.count(f.max, `replies[${i}].max`, total);
      if (f.count && (f.min || f.max)) this.fail(n, `replies[${i}]: give "count", or "min" and/or "max", not both`);
      if (min === undefined && max === undefined)
        this.fail(n, `replies[${i}] checks nothing: give "count", "min" or "max"`);
      return {
        line: this.line(n),
        step,
        ...(f.where ? { where: this.reply(f.where) } : {}),
        ...(min !== undefined ? { min } : {}),
        ...(max !== undefined ? { max } : {}),
      };
    });
  }

  text(node: Node, what: string): TextMatcher {
    const line = this.line(node);
    if (isMap(node)) {
      const f = this.fields(node, ['pattern'], what);
      if (!f.pattern) this.fail(node, `${what}: a text, or {pattern: <regular expression>}`);
      return { line, kind: 'pattern', ...this.regex(f.pattern, `${what}.pattern`) };
    }
    return { line, kind: 'prefix', text: this.string(node, what) };
  }

  /** An expected reply: YAML's types are the reply's types; a one-key mapping is a tagged type or a matcher. */
  reply(node: Node): ReplyMatcher {
    const line = this.line(node);
    if (isScalar(node)) {
      const v = node.value;
      if (v === null) return { line, kind: 'null' };
      if (typeof v === 'bigint')
        return { line, kind: 'integer', value: Number.isSafeInteger(Number(v)) ? Number(v) : v.toString() };
      if (typeof v === 'number')
        return Number.isInteger(v) ? { line, kind: 'integer', value: v } : { line, kind: 'double', value: v };
      if (typeof v === 'boolean') return { line, kind: 'boolean', value: v };
      return { line, kind: 'bulk string', value: String(v) };
    }
    if (isSeq(node)) return { line, kind: 'array', items: node.items.map((i) => this.reply(i as Node)) };
    if (!isMap(node)) this.fail(node, 'unexpected YAML node in a reply');
    const keys = node.items.map((p) => (isScalar(p.key) ? String(p.key.value) : ''));
    if (keys.length === 2 && keys.includes('resp2') && keys.includes('resp3')) {
      const f = this.fields(node, ['resp2', 'resp3'], 'a reply');
      return {
        line,
        kind: 'per protocol',
        resp2: this.reply(f.resp2 ?? nullNode(node)),
        resp3: this.reply(f.resp3 ?? nullNode(node)),
      };
    }
    if (keys.length !== 1 || !REPLY_TAGS.includes(keys[0]!) || keys[0] === 'resp2' || keys[0] === 'resp3') {
      this.fail(
        node,
        `a mapping in a reply is one tag: {status: OK}, {map: {...}}, {pairs: {...}}, {set: [...]}, {double: 1.5}, {error: text}, {type: integer}, {between: [1, 10]}, {pattern: regex}, {any: true}, or {resp2: ..., resp3: ...}; got ${keys.map((k) => `"${k}"`).join(', ') || 'an empty mapping'}`,
      );
    }
    const tag = keys[0]!;
    const value = (node.items[0]!.value as Node | null) ?? nullNodeAt(node.items[0]!);
    switch (tag) {
      case 'status':
        return { line, kind: 'status', value: this.string(value, 'status') };
      case 'nil':
        return { line, kind: 'null' };
      case 'double':
        return { line, kind: 'double', value: this.number(value, 'double') };
      case 'boolean': {
        if (!isScalar(value) || typeof value.value !== 'boolean') this.fail(value, 'boolean must be true or false');
        return { line, kind: 'boolean', value: value.value as boolean };
      }
      case 'big_number':
        return { line, kind: 'big number', value: this.word(value, 'big_number') };
      case 'map':
      case 'pairs': {
        if (!isMap(value)) this.fail(value, `${tag} must be a mapping of field: reply`);
        return {
          line,
          kind: tag,
          entries: value.items.map((p) => [
            this.word(p.key as Node, 'a map field'),
            this.reply((p.value as Node | null) ?? nullNodeAt(p)),
          ]),
        };
      }
      case 'set': {
        if (!isSeq(value)) this.fail(value, 'set must be a list of members (any order)');
        return { line, kind: 'set', items: value.items.map((i) => this.reply(i as Node)) };
      }
      case 'error':
        return { line, kind: 'error', text: this.text(value, 'error') };
      case 'type': {
        const type = this.string(value, 'type');
        if (!REPLY_TYPES.includes(type))
          this.fail(value, `unknown reply type "${type}": one of ${REPLY_TYPES.join(', ')}`);
        return { line, kind: 'type', type };
      }
      case 'between':
        return { line, kind: 'between', ...this.range(value, 'between') };
      case 'pattern':
        return { line, kind: 'pattern', ...this.regex(value, 'pattern') };
      case 'any':
        return { line, kind: 'any' };
    }
    this.fail(node, `unknown reply tag "${tag}"`);
  }

  range(node: Node, what: string): { min: number; max: number } {
    if (!isSeq(node) || node.items.length !== 2) this.fail(node, `${what} takes [min, max]`);
    const [min, max] = node.items.map((i) => this.number(i as Node, what)) as [number, number];
    if (min > max) this.fail(node, `${what}: min ${min} is above max ${max}`);
    return { min, max };
  }

  value(node: Node, what: string): ValueMatcher {
    const line = this.line(node);
    if (isMap(node)) {
      const f = this.fields(node, ['pattern', 'between', 'any'], what);
      if (f.pattern) return { line, kind: 'pattern', ...this.regex(f.pattern, `${what}.pattern`) };
      if (f.between) return { line, kind: 'between', ...this.range(f.between, `${what}.between`) };
      if (f.any) return { line, kind: 'any' };
      this.fail(node, `${what}: a string, or {pattern: regex}, {between: [min, max]}, {any: true}`);
    }
    return { line, kind: 'exact', value: this.word(node, what) };
  }

  keyspace(node: Node): KeyExpectation[] {
    if (!isMap(node))
      this.fail(node, 'keyspace must be a mapping of key: what it holds (null for a key that must not exist)');
    return node.items.map((pair) => {
      const key = this.word(pair.key as Node, 'a key');
      const line = this.line(pair.key as Node);
      const v = pair.value as Node | null;
      if (v === null || (isScalar(v) && v.value === null)) return { key, line, kind: 'absent' };
      // A string written as a matcher: `key: {pattern: ...}`.
      const matcherOnly =
        isMap(v) &&
        v.items.length === 1 &&
        isScalar(v.items[0]!.key) &&
        ['pattern', 'between', 'any'].includes(String(v.items[0]!.key.value));
      if (!isMap(v) || matcherOnly) return { key, line, kind: 'string', value: this.value(v, `keyspace["${key}"]`) };
      const what = `keyspace["${key}"]`;
      const f = this.fields(
        v,
        ['string', 'hash', 'fields', 'list', 'set', 'zset', 'exists', 'type', 'ttl', 'pttl'],
        what,
      );
      const ttl = f.ttl
        ? this.ttl(f.ttl, 's', `${what}.ttl`)
        : f.pttl
          ? this.ttl(f.pttl, 'ms', `${what}.pttl`)
          : undefined;
      if (f.ttl && f.pttl) this.fail(f.pttl, `${what}: give "ttl" (seconds) or "pttl" (milliseconds), not both`);
      const kinds = ['string', 'hash', 'fields', 'list', 'set', 'zset', 'exists', 'type'].filter(
        (k) => f[k] !== undefined,
      );
      if (kinds.length > 1) this.fail(v, `${what}: give one of ${kinds.map((k) => `"${k}"`).join(', ')}`);
      const base = { key, line, ...(ttl ? { ttl } : {}) };
      const kind = kinds[0];
      const n = kind ? f[kind]! : undefined;
      switch (kind) {
        case 'string':
          return { ...base, kind: 'string', value: this.value(n!, `${what}.string`) };
        case 'hash':
        case 'fields': {
          if (!isMap(n)) this.fail(n, `${what}.${kind} must be a mapping of field: value`);
          const fields = n.items.map((p): [string, ValueMatcher] => [
            this.word(p.key as Node, 'a field'),
            this.value((p.value as Node | null) ?? nullNodeAt(p), `${what}.${kind}`),
          ]);
          return { ...base, kind: 'hash', fields, exact: kind === 'hash' };
        }
        case 'list':
        case 'set': {
          if (!isSeq(n)) this.fail(n, `${what}.${kind} must be a list`);
          const items = n.items.map((i) => this.value(i as Node, `${what}.${kind}`));
          return kind === 'list' ? { ...base, kind: 'list', items } : { ...base, kind: 'set', members: items };
        }
        case 'zset': {
          if (!isSeq(n)) this.fail(n, `${what}.zset must be a list of [member, score], lowest score first`);
          const members = n.items.map((i): [ValueMatcher, number] => {
            if (!isSeq(i) || i.items.length !== 2) this.fail(i as Node, `${what}.zset: each member is [member, score]`);
            return [
              this.value(i.items[0] as Node, `${what}.zset member`),
              this.number(i.items[1] as Node, `${what}.zset score`),
            ];
          });
          return { ...base, kind: 'zset', members };
        }
        case 'exists': {
          if (!isScalar(n) || n.value !== true)
            this.fail(n, `${what}.exists must be true (write null for a key that must not exist)`);
          return { ...base, kind: 'exists' };
        }
        case 'type': {
          const type = this.string(n!, `${what}.type`);
          if (!KEY_TYPES.includes(type)) this.fail(n, `${what}.type: one of ${KEY_TYPES.join(', ')}`);
          return { ...base, kind: 'exists', type };
        }
      }
      if (!ttl)
        this.fail(v, `${what} checks nothing: give string, hash, fields, list, set, zset, exists, type, ttl or pttl`);
      return { ...base, kind: 'exists' };
    });
  }

  ttl(node: Node, unit: 's' | 'ms', what: string): TtlMatcher {
    const line = this.line(node);
    if (isScalar(node) && Number(node.value) === -1) return { line, unit, kind: 'none' };
    if (isSeq(node)) return { line, unit, kind: 'range', ...this.range(node, what) };
    this.fail(
      node,
      `${what} takes [min, max] (${unit === 's' ? 'seconds' : 'milliseconds'}), or -1 for a key without TTL`,
    );
  }
}

/** A null scalar placed where a field without value (`reply:`) was written. */
function nullNodeAt(pair: Pair): Node {
  return nullNode(pair.key as Node | null);
}

function nullNode(near: Node | null): Node {
  const node = new Scalar(null);
  if (near?.range) node.range = near.range;
  return node;
}
