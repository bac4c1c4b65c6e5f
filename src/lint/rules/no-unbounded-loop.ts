import type * as lua from 'luaparse';
import { positionAt, rangeOf } from '../source.js';
import type { Rule } from './rule.js';

/** `while true do` without a way out keeps the server busy until SCRIPT KILL (or SHUTDOWN NOSAVE). */
export const noUnboundedLoop: Rule = {
  id: 'no-unbounded-loop',
  defaultSeverity: 'warning',
  description: 'A while-true or repeat-until-false loop with no break, return or error in its body.',
  needsAst: true,
  check(ctx) {
    for (const loop of ctx.analysis.loops) {
      if (loop.hasExit) continue;
      const forever =
        loop.node.type === 'WhileStatement'
          ? isTruthyConstant(loop.node.condition)
          : isFalsyConstant(loop.node.condition);
      if (!forever) continue;
      ctx.report(positionAt(ctx.source.lineStarts, rangeOf(loop.node)[0]), {
        message:
          'This loop never ends: the script runs until busy-reply-threshold (5 s by default), then every other client gets "BUSY Redis is busy running a script" until SCRIPT KILL, or SHUTDOWN NOSAVE once the script has written',
        hint: 'Bound the loop (a counter, a deadline read with redis.call("TIME")) and break or return out of it.',
      });
    }
  },
};

function isTruthyConstant(e: lua.Expression): boolean {
  return (
    (e.type === 'BooleanLiteral' && e.value) ||
    e.type === 'NumericLiteral' ||
    e.type === 'StringLiteral' ||
    e.type === 'TableConstructorExpression'
  );
}

function isFalsyConstant(e: lua.Expression): boolean {
  return (e.type === 'BooleanLiteral' && !e.value) || e.type === 'NilLiteral';
}
