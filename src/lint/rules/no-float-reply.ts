import type * as lua from 'luaparse';
import type { Analysis, Binding } from '../analysis.js';
import { isLibraryCall } from '../analysis.js';
import { replyReturns, returnedTable } from './reply.js';
import type { Rule } from './rule.js';

/** Lua numbers are doubles; Redis turns a returned number into an integer reply by truncating it. */
export const noFloatReply: Rule = {
  id: 'no-float-reply',
  defaultSeverity: 'warning',
  description:
    'A returned number that may have a fractional part (a division, math.* other than floor/ceil, arithmetic on such a value): Redis truncates it to an integer reply (8.7 -> 8).',
  needsAst: true,
  check(ctx) {
    const a = ctx.analysis;
    for (const r of replyReturns(a)) {
      const value = r.node.arguments[0];
      if (!value) continue;
      const table = returnedTable(value, a);
      const candidates = table ? (table.shape.special ? [] : table.shape.elements) : [value];
      for (const e of candidates) {
        if (!mayBeFraction(e, a, new Set())) continue;
        ctx.report(
          { node: e },
          {
            message:
              'This number may have a fractional part, and Redis converts a Lua number to an integer reply by truncating it (8.7 arrives as 8)',
            hint: 'Use math.floor(x) (or math.floor(x + 0.5)) for a count, or tostring(x) to keep the fraction (a {double = x} table under RESP3).',
          },
        );
      }
    }
  },
};

const INTEGER_MATH = new Set(['floor', 'ceil']);
const SAME_AS_ARGS = new Set(['max', 'min', 'abs', 'fmod']);

function mayBeFraction(e: lua.Expression, a: Analysis, seen: Set<Binding>): boolean {
  switch (e.type) {
    case 'NumericLiteral':
      return !Number.isInteger(e.value);
    case 'BinaryExpression':
      if (e.operator === '/' || e.operator === '^') return true;
      if (e.operator === '+' || e.operator === '-' || e.operator === '*' || e.operator === '%') {
        return mayBeFraction(e.left, a, seen) || mayBeFraction(e.right, a, seen);
      }
      return false;
    case 'UnaryExpression':
      return e.operator === '-' && mayBeFraction(e.argument, a, seen);
    case 'CallExpression': {
      const base = e.base;
      if (base.type !== 'MemberExpression' || !isLibraryCall(base, 'math', base.identifier.name, a.refs)) return false;
      const fn = base.identifier.name;
      if (INTEGER_MATH.has(fn)) return false;
      if (fn === 'random') return e.arguments.length === 0;
      if (SAME_AS_ARGS.has(fn)) return e.arguments.some((x) => mayBeFraction(x, a, seen));
      return fn !== 'huge' && fn !== 'pi';
    }
    case 'Identifier': {
      const binding = a.refs.get(e);
      if (!binding || seen.has(binding)) return false;
      seen.add(binding);
      let fraction = false;
      for (const s of binding.sources) {
        if (s.kind !== 'expr' || s.index !== 0) continue;
        // A value rounded somewhere (`x = math.floor(x)`) is taken as rounded before it is returned.
        if (isRounding(s.expr, a)) {
          fraction = false;
          break;
        }
        fraction ||= mayBeFraction(s.expr, a, seen);
      }
      seen.delete(binding);
      return fraction;
    }
    default:
      return false;
  }
}

function isRounding(e: lua.Expression, a: Analysis): boolean {
  if (e.type !== 'CallExpression') return false;
  const base = e.base;
  if (base.type === 'MemberExpression')
    return INTEGER_MATH.has(base.identifier.name) && isLibraryCall(base, 'math', base.identifier.name, a.refs);
  return base.type === 'Identifier' && base.name === 'tostring' && a.refs.get(base) === null;
}
