/**
 * Best-effort answers about what a Lua expression holds, following local variables back to their
 * assignments: "is this a KEYS entry?", "is this a redis.call reply?", "is this a table literal?".
 * When a variable has several possible values that disagree, the answer is "unknown": rules stay
 * quiet rather than guess.
 */
import type * as lua from 'luaparse';
import { isLibraryCall, redisMethod, stringValue, type Analysis, type Binding, type Source } from './analysis.js';

/** Where a key argument comes from. */
export type KeyOrigin =
  | { kind: 'keys' }
  | { kind: 'literal'; value: string }
  | { kind: 'argv' }
  | { kind: 'concat'; fromKeys: boolean; fromArgv: boolean }
  | { kind: 'built'; fn: string }
  | { kind: 'reply' }
  | { kind: 'keys-table' }
  | { kind: 'argv-table' }
  | { kind: 'unknown' };

const UNKNOWN: KeyOrigin = { kind: 'unknown' };
const STRING_BUILDERS = new Set(['format', 'sub', 'lower', 'upper', 'gsub', 'rep', 'reverse']);

/** `seen`: the locals being followed (made when the first one is: most key arguments are KEYS[i]). */
export function keyOrigin(e: lua.Expression, a: Analysis, seen?: Set<Binding>): KeyOrigin {
  switch (e.type) {
    case 'StringLiteral':
    case 'NumericLiteral':
      return { kind: 'literal', value: stringValue(e) ?? '' };
    case 'Identifier': {
      const binding = a.refs.get(e);
      if (binding === null) {
        if (e.name === 'KEYS') return { kind: 'keys-table' };
        if (e.name === 'ARGV') return { kind: 'argv-table' };
        return UNKNOWN;
      }
      if (!binding || seen?.has(binding)) return UNKNOWN;
      const following = seen ?? new Set();
      following.add(binding);
      const origin = combine(binding.sources.map((s) => sourceOrigin(s, a, following)));
      following.delete(binding);
      return origin;
    }
    case 'IndexExpression': {
      const base = keyOrigin(e.base, a, seen);
      if (base.kind === 'keys-table') return { kind: 'keys' };
      if (base.kind === 'argv-table') return { kind: 'argv' };
      if (base.kind === 'reply') return base;
      return UNKNOWN;
    }
    case 'BinaryExpression': {
      if (e.operator !== '..') return UNKNOWN;
      const parts = concatLeaves(e).map((p) => keyOrigin(p, a, seen));
      return {
        kind: 'concat',
        fromKeys: parts.some((p) => p.kind === 'keys'),
        fromArgv: parts.some((p) => p.kind === 'argv'),
      };
    }
    case 'LogicalExpression':
      return combine([keyOrigin(e.left, a, seen), keyOrigin(e.right, a, seen)]);
    case 'CallExpression':
    case 'StringCallExpression': {
      const method = redisMethod(e.base, a.refs);
      if (method === 'call' || method === 'pcall') return { kind: 'reply' };
      if (e.base.type === 'MemberExpression') {
        const fn = e.base.identifier.name;
        const isStringLib = e.base.indexer === '.' && isLibraryCall(e.base, 'string', fn, a.refs);
        if ((isStringLib || e.base.indexer === ':') && STRING_BUILDERS.has(fn)) {
          return { kind: 'built', fn: isStringLib ? `string.${fn}` : `:${fn}` };
        }
      }
      if (
        e.type === 'CallExpression' &&
        e.base.type === 'Identifier' &&
        e.base.name === 'tostring' &&
        a.refs.get(e.base) === null
      ) {
        const arg = e.arguments[0];
        return arg ? keyOrigin(arg, a, seen) : UNKNOWN;
      }
      return calledBuilder(e, a, seen);
    }
    default:
      return UNKNOWN;
  }
}

/**
 * A key made by a call: `queue:prefix('work')` (a method: it computes a name) or `key_for(id)`, a
 * local function whose every return builds a name (a concatenation, string.format, a literal). A
 * local function that hands back what it was given (`getTarget(KEYS[1], KEYS[2])`) is not a builder.
 */
function calledBuilder(
  e: lua.CallExpression | lua.StringCallExpression,
  a: Analysis,
  seen: Set<Binding> | undefined,
): KeyOrigin {
  if (e.base.type === 'MemberExpression' && e.base.indexer === ':') {
    const obj = e.base.base;
    return { kind: 'built', fn: `${obj.type === 'Identifier' ? obj.name : '…'}:${e.base.identifier.name}()` };
  }
  if (e.base.type !== 'Identifier') return UNKNOWN;
  const binding = a.refs.get(e.base);
  if (!binding || seen?.has(binding)) return UNKNOWN;
  const fns = binding.sources.filter((s) => s.kind === 'expr' && s.expr.type === 'FunctionDeclaration');
  if (fns.length !== 1 || binding.sources.length !== 1) return UNKNOWN;
  const fn = (fns[0] as Extract<Source, { kind: 'expr' }>).expr as lua.FunctionDeclaration;
  const returns = a.returns.filter((r) => r.fn === fn);
  if (returns.length === 0) return UNKNOWN;
  const following = seen ?? new Set();
  following.add(binding);
  const built = returns.every((r) => {
    const v = r.node.arguments[0];
    if (!v) return false;
    const o = keyOrigin(v, a, following);
    return o.kind === 'concat' || o.kind === 'built' || o.kind === 'literal';
  });
  following.delete(binding);
  return built ? { kind: 'built', fn: `${e.base.name}()` } : UNKNOWN;
}

function sourceOrigin(s: Source, a: Analysis, seen: Set<Binding>): KeyOrigin | null {
  if (s.kind === 'nil') return null;
  if (s.kind === 'opaque') return UNKNOWN;
  if (s.kind === 'expr') return s.index === 0 ? keyOrigin(s.expr, a, seen) : UNKNOWN;
  // for _, v in ipairs(X) / pairs(X): v is an element of X.
  const container = iteratedTable(s, a);
  if (!container || s.position !== 1) return UNKNOWN;
  const origin = keyOrigin(container, a, seen);
  if (origin.kind === 'keys-table') return { kind: 'keys' };
  if (origin.kind === 'argv-table') return { kind: 'argv' };
  if (origin.kind === 'reply') return origin;
  return UNKNOWN;
}

/** Several possible values: one answer only when they all agree (a `nil` declaration is ignored). */
function combine(origins: Array<KeyOrigin | null>): KeyOrigin {
  const known = origins.filter((o): o is KeyOrigin => o !== null);
  if (known.length === 0) return UNKNOWN;
  const first = known[0]!;
  return known.every((o) => o.kind === first.kind) ? first : UNKNOWN;
}

function concatLeaves(e: lua.Expression): lua.Expression[] {
  if (e.type === 'BinaryExpression' && e.operator === '..') return [...concatLeaves(e.left), ...concatLeaves(e.right)];
  return [e];
}

/** `X` of `for k, v in ipairs(X)` / `pairs(X)`. */
function iteratedTable(s: Extract<Source, { kind: 'iter' }>, a: Analysis): lua.Expression | undefined {
  const it = s.iterators[0];
  if (!it || it.type !== 'CallExpression' || it.base.type !== 'Identifier') return undefined;
  if (it.base.name !== 'ipairs' && it.base.name !== 'pairs') return undefined;
  if (a.refs.get(it.base) !== null) return undefined;
  return it.arguments[0];
}

/**
 * True when the expression is a `redis.call`/`redis.pcall` reply or an element of one, directly or
 * through locals that only ever hold such values.
 */
export function isReplyValue(e: lua.Expression, a: Analysis, seen?: Set<Binding>, elements = true): boolean {
  switch (e.type) {
    case 'CallExpression':
    case 'StringCallExpression':
    case 'TableCallExpression': {
      const method = redisMethod(e.base, a.refs);
      return method === 'call' || method === 'pcall';
    }
    case 'IndexExpression':
      // reply[1]: an array element; a missing one is `false` too. reply.ok / reply['err'] are fields.
      return elements && e.index.type !== 'StringLiteral' && isReplyValue(e.base, a, seen);
    case 'Identifier': {
      const binding = a.refs.get(e);
      if (!binding || seen?.has(binding)) return false;
      const following = seen ?? new Set();
      following.add(binding);
      let any = false;
      let all = true;
      for (const s of binding.sources) {
        if (s.kind === 'nil') continue;
        let ok = false;
        if (s.kind === 'expr') ok = s.index === 0 && isReplyValue(s.expr, a, following, elements);
        else if (s.kind === 'iter' && elements) {
          const container = iteratedTable(s, a);
          ok = s.position === 1 && container !== undefined && isReplyValue(container, a, following);
        }
        any ||= ok;
        all &&= ok;
      }
      following.delete(binding);
      return any && all;
    }
    default:
      return false;
  }
}

/** The table constructor a local is bound to, when its only value is one (in the same function). */
export function boundTable(
  e: lua.Expression,
  a: Analysis,
): { binding: Binding; table: lua.TableConstructorExpression } | undefined {
  if (e.type !== 'Identifier') return undefined;
  const binding = a.refs.get(e);
  if (!binding || binding.kind !== 'local') return undefined;
  const values = binding.sources.filter((s) => s.kind !== 'nil');
  if (values.length !== 1) return undefined;
  const only = values[0]!;
  if (only.kind !== 'expr' || only.index !== 0 || only.expr.type !== 'TableConstructorExpression') return undefined;
  return { binding, table: only.expr };
}
