/**
 * One walk over a parsed script that resolves every name to its local declaration (or to a global)
 * and collects what the rules look at: redis.call sites, returns, loops, comparisons, global reads
 * and writes, KEYS/ARGV indexes. Rules then work on these lists instead of walking the tree again.
 */
import type * as lua from 'luaparse';
import { rangeOf } from './source.js';

export type FunctionNode = lua.FunctionDeclaration | lua.Chunk;
export type CallNode = lua.CallExpression | lua.StringCallExpression | lua.TableCallExpression;

/** Where a variable's value may come from. Flow-insensitive: every assignment counts. */
export type Source =
  /** The `index`-th value of `expr` (0 unless `expr` is a call spread over several names). */
  | { kind: 'expr'; expr: lua.Expression; index: number }
  /** A name left without a value (`local a, b = 1`). */
  | { kind: 'nil' }
  /** A `for ... in` variable: `position` 0 is the key/index, 1 the value. */
  | { kind: 'iter'; iterators: lua.Expression[]; position: number }
  /** A parameter or a numeric-for counter: unknown. */
  | { kind: 'opaque' };

export interface FieldWrite {
  /** `t.name = v` or `t["name"] = v` give the string; other indexes give undefined. */
  key: string | undefined;
  value: lua.Expression;
}

export interface Binding {
  name: string;
  kind: 'local' | 'param' | 'for' | 'function';
  decl: lua.Identifier;
  fn: FunctionNode;
  sources: Source[];
  /** `t.x = v`, `t[k] = v` on this variable. */
  fieldWrites: FieldWrite[];
  /** Values added with `table.insert(t, v)`. */
  inserts: lua.Expression[];
  /**
   * What the local stands for when its only value is the sandbox's `redis` table (`local r = redis`),
   * `redis.call`/`redis.pcall` (`local rcall = redis.call`), or a function that only forwards its
   * arguments to one of them. Another assignment to the local drops it.
   */
  alias?: 'redis' | 'call' | 'pcall';
}

export interface RedisCallSite {
  node: CallNode;
  method: 'call' | 'pcall';
  /** Arguments, the command name first. A trailing call or `...` may expand to more values. */
  args: lua.Expression[];
  fn: FunctionNode;
  /** Inside a while/repeat/for loop of the same function. */
  inLoop: boolean;
  /** The innermost while/repeat loop of the same function around the call, if any. */
  loop: LoopInfo | undefined;
}

export interface LoopInfo {
  node: lua.WhileStatement | lua.RepeatStatement;
  /** A `break` of this loop, a `return` or an `error(...)` call is somewhere in its body. */
  hasExit: boolean;
}

export interface ReturnSite {
  node: lua.ReturnStatement;
  fn: FunctionNode;
}

export interface GlobalWrite {
  /** The node to point at. */
  node: lua.Node;
  name: string;
  /** `assign`: `x = 1`; `function`: `function f() end`; `field`: `string.x = 1` (a readonly library table). */
  kind: 'assign' | 'function' | 'field';
}

export interface KeysArgvUse {
  table: 'KEYS' | 'ARGV';
  /** The literal n of `KEYS[n]`. */
  index: number;
  node: lua.IndexExpression;
  /** Read with a default (`ARGV[2] or 0`, `if ARGV[2] then`): the caller may leave it out. */
  optional?: boolean;
}

export interface Analysis {
  chunk: lua.Chunk;
  /** Variable references (reads and writes) -> their declaration; null for globals. */
  refs: Map<lua.Identifier, Binding | null>;
  bindings: Binding[];
  globalReads: lua.Identifier[];
  globalWrites: GlobalWrite[];
  redisCalls: RedisCallSite[];
  /** Every call (for `rawset`, `table.insert`, `redis.setresp`...). */
  calls: CallNode[];
  returns: ReturnSite[];
  loops: LoopInfo[];
  /** `==` and `~=` expressions. */
  equalities: lua.BinaryExpression[];
  keysArgv: KeysArgvUse[];
  /** KEYS/ARGV used as a whole (`#KEYS`, `unpack(ARGV)`, `KEYS[i]`): the highest index is unknown. */
  dynamic: { KEYS: boolean; ARGV: boolean };
  /** `x == nil` of `x == nil or x == false` (and `x ~= nil and x ~= false`): the test is right, if wordy. */
  nilOrFalse: Set<lua.BinaryExpression>;
  /** Slots from this index on are guarded by a `#KEYS`/`#ARGV` test (`if #ARGV >= 3 then`): optional. */
  guardedFrom: { KEYS: number; ARGV: number };
}

interface FunctionState {
  node: FunctionNode;
  /** The loops open at the current position, innermost last (null: a for loop). */
  loops: Array<LoopInfo | null>;
}

class Analyzer {
  private readonly scopes: Map<string, Binding>[] = [];
  private readonly fns: FunctionState[] = [];
  readonly result: Analysis;

  constructor(chunk: lua.Chunk) {
    this.result = {
      chunk,
      refs: new Map(),
      bindings: [],
      globalReads: [],
      globalWrites: [],
      redisCalls: [],
      calls: [],
      returns: [],
      loops: [],
      equalities: [],
      keysArgv: [],
      dynamic: { KEYS: false, ARGV: false },
      guardedFrom: { KEYS: Infinity, ARGV: Infinity },
      nilOrFalse: new Set(),
    };
    this.fns.push({ node: chunk, loops: [] });
    this.scopes.push(new Map());
    this.block(chunk.body);
  }

  private get fn(): FunctionState {
    return this.fns[this.fns.length - 1]!;
  }

  private declare(id: lua.Identifier, kind: Binding['kind'], sources: Source[]): Binding {
    const binding: Binding = { name: id.name, kind, decl: id, fn: this.fn.node, sources, fieldWrites: [], inserts: [] };
    const only = sources.length === 1 ? sources[0]! : undefined;
    if (only?.kind === 'expr' && only.index === 0 && (kind === 'local' || kind === 'function')) {
      const alias = this.aliasOf(only.expr);
      if (alias) binding.alias = alias;
    }
    this.scopes[this.scopes.length - 1]!.set(id.name, binding);
    this.result.bindings.push(binding);
    this.result.refs.set(id, binding);
    return binding;
  }

  /** `redis` (or Valkey's `server`), `redis.call`, `redis.pcall`, or a function forwarding to them. */
  private aliasOf(e: lua.Expression): Binding['alias'] {
    if (e.type === 'Identifier') {
      const b = this.lookup(e.name);
      if (b === null) return e.name === 'redis' || e.name === 'server' ? 'redis' : undefined;
      return b.alias;
    }
    if (
      e.type === 'MemberExpression' &&
      e.indexer === '.' &&
      (e.identifier.name === 'call' || e.identifier.name === 'pcall')
    ) {
      return this.aliasOf(e.base) === 'redis' ? e.identifier.name : undefined;
    }
    if (e.type === 'FunctionDeclaration') return this.forwarder(e);
    return undefined;
  }

  /**
   * `function (...) return redis.call(...) end`, `function (cmd, key) return rcall(cmd, key) end`:
   * a body of one statement that passes the parameters on, in order, to redis.call or redis.pcall.
   */
  private forwarder(f: lua.FunctionDeclaration): 'call' | 'pcall' | undefined {
    if (f.body.length !== 1) return undefined;
    const s = f.body[0]!;
    const call =
      s.type === 'ReturnStatement' && s.arguments.length === 1
        ? s.arguments[0]
        : s.type === 'CallStatement'
          ? s.expression
          : undefined;
    if (call?.type !== 'CallExpression') return undefined;
    const params = f.parameters;
    if (params.length === 0 || call.arguments.length !== params.length) return undefined;
    for (let i = 0; i < params.length; i++) {
      const p = params[i]!;
      const a = call.arguments[i]!;
      if (p.type === 'VarargLiteral' ? a.type !== 'VarargLiteral' : a.type !== 'Identifier' || a.name !== p.name)
        return undefined;
    }
    const alias = this.aliasOf(call.base);
    return alias === 'call' || alias === 'pcall' ? alias : undefined;
  }

  private lookup(name: string): Binding | null {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const b = this.scopes[i]!.get(name);
      if (b) return b;
    }
    return null;
  }

  private block(body: lua.Statement[], declare?: () => void, after?: () => void): void {
    this.scopes.push(new Map());
    declare?.();
    for (const statement of body) this.statement(statement);
    after?.();
    this.scopes.pop();
  }

  /** `node` is null for numeric and generic for loops: they end by themselves but own their `break`s. */
  private loop(node: lua.WhileStatement | lua.RepeatStatement | null, run: () => void): void {
    const info: LoopInfo | null = node ? { node, hasExit: false } : null;
    const state = this.fn;
    state.loops.push(info);
    run();
    state.loops.pop();
    if (info) this.result.loops.push(info);
  }

  private statement(s: lua.Statement): void {
    switch (s.type) {
      case 'LocalStatement': {
        for (const e of s.init) this.expression(e);
        const sources = spread(s.variables.length, s.init);
        s.variables.forEach((v, i) => this.declare(v, 'local', [sources[i]!]));
        break;
      }
      case 'AssignmentStatement': {
        for (const e of s.init) this.expression(e);
        const sources = spread(s.variables.length, s.init);
        s.variables.forEach((v, i) => this.assignTo(v, sources[i]!));
        break;
      }
      case 'CallStatement':
        this.expression(s.expression);
        if (isGlobalCall(s.expression, 'error', this)) this.markExit(true);
        break;
      case 'FunctionDeclaration':
        this.functionStatement(s);
        break;
      case 'ReturnStatement':
        for (const e of s.arguments) this.expression(e);
        this.result.returns.push({ node: s, fn: this.fn.node });
        this.markExit(true);
        break;
      case 'BreakStatement':
        this.markExit(false);
        break;
      case 'IfStatement':
        for (const clause of s.clauses) {
          if (clause.type !== 'ElseClause') {
            this.expression(clause.condition);
            this.tested(clause.condition);
          }
          this.block(clause.body);
        }
        break;
      case 'WhileStatement':
        this.expression(s.condition);
        this.loop(s, () => this.block(s.body));
        break;
      case 'RepeatStatement':
        // The `until` condition sees the body's locals.
        this.loop(s, () => this.block(s.body, undefined, () => this.expression(s.condition)));
        break;
      case 'DoStatement':
        this.block(s.body);
        break;
      case 'ForNumericStatement':
        this.expression(s.start);
        this.expression(s.end);
        if (s.step) this.expression(s.step);
        this.loop(null, () => this.block(s.body, () => void this.declare(s.variable, 'for', [{ kind: 'opaque' }])));
        break;
      case 'ForGenericStatement':
        for (const e of s.iterators) this.expression(e);
        this.loop(null, () =>
          this.block(s.body, () =>
            s.variables.forEach((v, i) =>
              this.declare(v, 'for', [{ kind: 'iter', iterators: s.iterators, position: i }]),
            ),
          ),
        );
        break;
      case 'LabelStatement':
      case 'GotoStatement':
        break;
    }
  }

  /** `x == nil or x == false`, `x ~= nil and x ~= false`, either order. */
  private pairedNil(e: lua.LogicalExpression): void {
    const op = e.operator === 'or' ? '==' : '~=';
    const l = e.left;
    const r = e.right;
    if (l.type !== 'BinaryExpression' || r.type !== 'BinaryExpression' || l.operator !== op || r.operator !== op)
      return;
    const subject = (b: lua.BinaryExpression, lit: string): string | undefined => {
      const [x, y] =
        b.right.type === lit ? [b.left, b.right] : b.left.type === lit ? [b.right, b.left] : [undefined, undefined];
      if (!x || !y || x.type !== 'Identifier') return undefined;
      if (lit === 'BooleanLiteral' && (y as lua.BooleanLiteral).value !== false) return undefined;
      return x.name;
    };
    for (const [n, f] of [
      [l, r],
      [r, l],
    ] as const) {
      const name = subject(n, 'NilLiteral');
      if (name !== undefined && subject(f, 'BooleanLiteral') === name) this.result.nilOrFalse.add(n);
    }
  }

  /**
   * A condition that tests a slot (`if ARGV[2] then`, `if not ARGV[2]`, `ARGV[2] and ...`,
   * `if not ARGV[2] or ARGV[2] == "" then`).
   */
  private tested(e: lua.Expression): void {
    if (e.type === 'UnaryExpression' && e.operator === 'not') this.markOptional(e.argument);
    else if (e.type === 'LogicalExpression') this.tested(e.left);
    else this.markOptional(e);
  }

  /** Marks `KEYS[n]` / `ARGV[n]` (or `tonumber(...)`/`tostring(...)` of one) as read with a default. */
  private markOptional(e: lua.Expression): void {
    if (
      e.type === 'CallExpression' &&
      e.arguments.length >= 1 &&
      e.base.type === 'Identifier' &&
      (e.base.name === 'tonumber' || e.base.name === 'tostring')
    ) {
      e = e.arguments[0]!;
    }
    if (e.type !== 'IndexExpression') return;
    for (let i = this.result.keysArgv.length - 1; i >= 0; i--) {
      const use = this.result.keysArgv[i]!;
      if (use.node === e) {
        use.optional = true;
        return;
      }
    }
  }

  /** `#ARGV >= 3` or `#ARGV > 2` (either way round): slots from 3 on are optional. */
  private lengthGuard(e: lua.BinaryExpression): void {
    const FLIP: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '==': '==', '~=': '~=' };
    let len = e.left;
    let other = e.right;
    let op = e.operator as string;
    if (!isLength(len)) {
      [len, other] = [other, len];
      op = FLIP[op] ?? op;
    }
    // Only a test that the slots are there (`if #ARGV >= 3 then ... end`): `if #ARGV < 3 then
    // return error(...)` makes them required, not optional.
    if (!isLength(len) || other.type !== 'NumericLiteral' || (op !== '>=' && op !== '>')) return;
    const table = ((len as lua.UnaryExpression).argument as lua.Identifier).name as 'KEYS' | 'ARGV';
    const k = other.value;
    const from = op === '>=' ? k : k + 1;
    if (from >= 1 && from < this.result.guardedFrom[table]) this.result.guardedFrom[table] = from;
  }

  /** `break` exits the innermost loop; `return` and `error()` exit every loop of the function. */
  private markExit(all: boolean): void {
    const loops = this.fn.loops;
    if (loops.length === 0) return;
    if (!all) {
      const innermost = loops[loops.length - 1];
      if (innermost) innermost.hasExit = true;
      return;
    }
    for (const l of loops) if (l) l.hasExit = true;
  }

  private functionStatement(s: lua.FunctionDeclaration): void {
    const id = s.identifier;
    if (id && id.type === 'Identifier') {
      if (s.isLocal) {
        this.declare(id, 'function', [{ kind: 'expr', expr: s, index: 0 }]);
      } else {
        const binding = this.lookup(id.name);
        this.result.refs.set(id, binding);
        if (binding) {
          binding.sources.push({ kind: 'expr', expr: s, index: 0 });
          delete binding.alias;
        } else {
          this.result.globalWrites.push({ node: id, name: id.name, kind: 'function' });
        }
      }
    } else if (id && id.type === 'MemberExpression') {
      // function t.f() / function t:m(): a field write on t.
      this.fieldTarget(id, { kind: 'expr', expr: s, index: 0 });
    }
    this.functionBody(s);
  }

  private functionBody(f: lua.FunctionDeclaration): void {
    this.fns.push({ node: f, loops: [] });
    const isMethod = f.identifier?.type === 'MemberExpression' && f.identifier.indexer === ':';
    this.block(f.body, () => {
      if (isMethod) this.declare(syntheticSelf(f), 'param', [{ kind: 'opaque' }]);
      for (const p of f.parameters) if (p.type === 'Identifier') this.declare(p, 'param', [{ kind: 'opaque' }]);
      // Lua 5.1 (built with LUA_COMPAT_VARARG, as Redis does) gives a vararg function a local `arg`
      // holding its extra arguments.
      if (f.parameters.some((p) => p.type === 'VarargLiteral'))
        this.declare(syntheticName(f, 'arg'), 'param', [{ kind: 'opaque' }]);
    });
    this.fns.pop();
  }

  private assignTo(target: lua.Identifier | lua.MemberExpression | lua.IndexExpression, source: Source): void {
    if (target.type === 'Identifier') {
      const binding = this.lookup(target.name);
      this.result.refs.set(target, binding);
      if (binding) {
        binding.sources.push(source);
        delete binding.alias;
      } else this.result.globalWrites.push({ node: target, name: target.name, kind: 'assign' });
      return;
    }
    this.fieldTarget(target, source);
  }

  /** `t.x = v`, `t[k] = v`, `function t.f()`: records the write and checks it against globals. */
  private fieldTarget(target: lua.MemberExpression | lua.IndexExpression, source: Source): void {
    this.expression(target.base);
    if (target.type === 'IndexExpression') this.expression(target.index);
    const root = rootIdentifier(target);
    if (!root) return;
    const binding = this.result.refs.get(root);
    if (binding === null && root.name !== 'KEYS' && root.name !== 'ARGV') {
      this.result.globalWrites.push({ node: target, name: root.name, kind: 'field' });
    }
    if (binding && target.base === root && source.kind === 'expr') {
      // t[10] = v is an array element even though Lua would print its key as "10"; t['10'] = v is a string key.
      const key =
        target.type === 'MemberExpression'
          ? target.identifier.name
          : target.index.type === 'StringLiteral'
            ? stringValue(target.index)
            : undefined;
      binding.fieldWrites.push({ key, value: source.expr });
    }
  }

  private expression(e: lua.Expression): void {
    switch (e.type) {
      case 'Identifier': {
        const binding = this.lookup(e.name);
        this.result.refs.set(e, binding);
        if (!binding) {
          this.result.globalReads.push(e);
          if (e.name === 'KEYS' || e.name === 'ARGV') this.result.dynamic[e.name] = true;
        }
        break;
      }
      case 'IndexExpression': {
        const base = e.base;
        if (base.type === 'Identifier' && (base.name === 'KEYS' || base.name === 'ARGV') && !this.lookup(base.name)) {
          this.result.refs.set(base, null);
          this.result.globalReads.push(base);
          const n = numberValue(e.index);
          if (n !== undefined && Number.isInteger(n))
            this.result.keysArgv.push({ table: base.name, index: n, node: e });
          else this.result.dynamic[base.name] = true;
        } else {
          this.expression(base);
        }
        this.expression(e.index);
        break;
      }
      case 'MemberExpression':
        this.expression(e.base);
        break;
      case 'CallExpression':
      case 'StringCallExpression':
      case 'TableCallExpression':
        this.call(e);
        break;
      case 'FunctionDeclaration':
        this.functionBody(e);
        break;
      case 'TableConstructorExpression':
        for (const field of e.fields) {
          if (field.type === 'TableKey') this.expression(field.key);
          this.expression(field.value);
        }
        break;
      case 'BinaryExpression':
        this.expression(e.left);
        this.expression(e.right);
        if (e.operator === '==' || e.operator === '~=') {
          this.result.equalities.push(e);
          if (e.right.type === 'NilLiteral') this.markOptional(e.left);
          else if (e.left.type === 'NilLiteral') this.markOptional(e.right);
        }
        this.lengthGuard(e);
        break;
      case 'LogicalExpression':
        this.expression(e.left);
        this.expression(e.right);
        // `ARGV[2] or 0`, `tonumber(ARGV[2]) or 0`: a default for a slot the caller may leave out.
        if (e.operator === 'or') this.markOptional(e.left);
        else this.tested(e.left);
        this.pairedNil(e);
        break;
      case 'UnaryExpression':
        this.expression(e.argument);
        break;
      default:
        break;
    }
  }

  private call(e: CallNode): void {
    this.expression(e.base);
    const args = callArguments(e);
    for (const a of args) this.expression(a);
    this.result.calls.push(e);
    const method = redisMethod(e.base, this.result.refs);
    if (method === 'call' || method === 'pcall') {
      const loops = this.fn.loops;
      const loop = loops.findLast((l): l is LoopInfo => l !== null);
      this.result.redisCalls.push({ node: e, method, args, fn: this.fn.node, inLoop: loops.length > 0, loop });
    }
    // table.insert(t, v) / table.insert(t, pos, v) on a local table.
    if (isLibraryCall(e.base, 'table', 'insert', this.result.refs) && args.length >= 2) {
      const target = args[0]!;
      const binding = target.type === 'Identifier' ? this.result.refs.get(target) : undefined;
      if (binding) binding.inserts.push(args[args.length - 1]!);
    }
  }
}

/** Parses nothing: analyses a chunk luaparse produced. */
export function analyse(chunk: lua.Chunk): Analysis {
  return new Analyzer(chunk).result;
}

/** The arguments of any call form. */
export function callArguments(e: CallNode): lua.Expression[] {
  if (e.type === 'CallExpression') return e.arguments;
  if (e.type === 'StringCallExpression') return [e.argument];
  return [e.arguments];
}

/**
 * `redis.<name>` where `redis` is the sandbox's global (or Valkey's `server`, or a local alias of
 * either): returns `<name>`. A local alias of redis.call or redis.pcall (`local rcall = redis.call`,
 * or a function that only forwards its arguments to one) returns `call` or `pcall`.
 */
export function redisMethod(base: lua.Expression, refs: Map<lua.Identifier, Binding | null>): string | undefined {
  if (base.type === 'Identifier') {
    const alias = refs.get(base)?.alias;
    return alias === 'call' || alias === 'pcall' ? alias : undefined;
  }
  if (base.type !== 'MemberExpression' || base.indexer !== '.' || base.base.type !== 'Identifier') return undefined;
  const binding = refs.get(base.base);
  if (binding === null)
    return base.base.name === 'redis' || base.base.name === 'server' ? base.identifier.name : undefined;
  return binding?.alias === 'redis' ? base.identifier.name : undefined;
}

/** `lib.fn` where `lib` is the global library table. */
export function isLibraryCall(
  base: lua.Expression,
  lib: string,
  fn: string,
  refs: Map<lua.Identifier, Binding | null>,
): boolean {
  return (
    base.type === 'MemberExpression' &&
    base.base.type === 'Identifier' &&
    base.base.name === lib &&
    base.identifier.name === fn &&
    refs.get(base.base) === null
  );
}

function isGlobalCall(e: CallNode, name: string, analyzer: Analyzer): boolean {
  return e.base.type === 'Identifier' && e.base.name === name && analyzer.result.refs.get(e.base) === null;
}

/** True when an expression can produce several values (a call or `...` in last position). */
export function isMultiValue(e: lua.Expression): boolean {
  return (
    e.type === 'CallExpression' ||
    e.type === 'StringCallExpression' ||
    e.type === 'TableCallExpression' ||
    e.type === 'VarargLiteral'
  );
}

/** Which value each of `count` names receives from an expression list (Lua's adjustment rules). */
function spread(count: number, init: lua.Expression[]): Source[] {
  const out: Source[] = [];
  for (let i = 0; i < count; i++) {
    if (i < init.length - 1) out.push({ kind: 'expr', expr: init[i]!, index: 0 });
    else if (init.length === 0) out.push({ kind: 'nil' });
    else {
      const last = init[init.length - 1]!;
      const offset = i - (init.length - 1);
      if (offset === 0) out.push({ kind: 'expr', expr: last, index: 0 });
      else if (isMultiValue(last)) out.push({ kind: 'expr', expr: last, index: offset });
      else out.push({ kind: 'nil' });
    }
  }
  return out;
}

/** `#KEYS` or `#ARGV` of the sandbox's tables. */
function isLength(e: lua.Expression): boolean {
  return (
    e.type === 'UnaryExpression' &&
    e.operator === '#' &&
    e.argument.type === 'Identifier' &&
    (e.argument.name === 'KEYS' || e.argument.name === 'ARGV')
  );
}

function rootIdentifier(e: lua.Expression): lua.Identifier | undefined {
  let node: lua.Expression = e;
  while (node.type === 'MemberExpression' || node.type === 'IndexExpression') node = node.base;
  return node.type === 'Identifier' ? node : undefined;
}

function syntheticSelf(f: lua.FunctionDeclaration): lua.Identifier {
  return syntheticName(f, 'self');
}

function syntheticName(f: lua.FunctionDeclaration, name: string): lua.Identifier {
  const id: lua.Identifier = { type: 'Identifier', name };
  return Object.assign(id, { range: rangeOf(f) });
}

/** The text a string or number literal stands for (Lua 5.1 escapes decoded); undefined otherwise. */
export function stringValue(e: lua.Expression | undefined): string | undefined {
  if (!e) return undefined;
  if (e.type === 'StringLiteral') return decodeLuaString(e.raw);
  if (e.type === 'NumericLiteral') return numberToLuaString(e.value);
  if (e.type === 'UnaryExpression' && e.operator === '-' && e.argument.type === 'NumericLiteral') {
    return numberToLuaString(-e.argument.value);
  }
  return undefined;
}

/** The number a numeric literal (or a string literal Lua would coerce) stands for. */
export function numberValue(e: lua.Expression | undefined): number | undefined {
  if (!e) return undefined;
  if (e.type === 'NumericLiteral') return e.value;
  if (e.type === 'UnaryExpression' && e.operator === '-' && e.argument.type === 'NumericLiteral')
    return -e.argument.value;
  return undefined;
}

/**
 * Lua 5.1 formats numbers with "%.14g": 14 significant digits, no trailing zeros, and e-notation when
 * the exponent is below -4 or 14 and more (1e+14, 1e-05); the C library spells infinity "inf".
 */
function numberToLuaString(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (Object.is(n, -0)) return '-0'; // "%.14g" keeps the sign of a negative zero
  const [digits, exponent] = n.toExponential(13).split('e') as [string, string];
  const x = Number(exponent);
  if (x < -4 || x >= 14) {
    return `${digits.replace(/\.?0+$/, '')}e${x < 0 ? '-' : '+'}${String(Math.abs(x)).padStart(2, '0')}`;
  }
  const fixed = n.toFixed(13 - x);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/**
 * Decodes the raw text of a Lua 5.1 string literal. luaparse keeps string values only in its
 * byte-oriented encoding modes, which would turn columns into byte offsets; decoding the raw token
 * keeps positions in characters.
 */
export function decodeLuaString(raw: string): string {
  const long = /^\[(=*)\[/.exec(raw);
  if (long) {
    let body = raw.slice(long[0].length, raw.length - long[0].length);
    // A newline right after the opening bracket is not part of the string.
    body = body.replace(/^(\r\n|\n\r|\n|\r)/, '');
    return body;
  }
  const body = raw.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = body[++i];
    if (n === undefined) break;
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
    if (n in simple) out += simple[n];
    else if (n >= '0' && n <= '9') {
      let digits = n;
      while (digits.length < 3 && body[i + 1] !== undefined && body[i + 1]! >= '0' && body[i + 1]! <= '9')
        digits += body[++i];
      out += String.fromCharCode(Number(digits));
    } else if (n === '\r' || n === '\n') {
      out += '\n';
      const next = body[i + 1];
      if ((next === '\r' || next === '\n') && next !== n) i++;
    } else out += n;
  }
  return out;
}
