import type * as lua from 'luaparse';
import { replyReturns, returnedTable, tableShape } from './reply.js';
import type { AstContext, Rule } from './rule.js';

/** `return {a, nil, b}` reaches the caller as `{a}`. */
export const noNilInReplyArray: Rule = {
  id: 'no-nil-in-reply-array',
  defaultSeverity: 'warning',
  description: 'A nil inside a returned array: Redis stops converting the array at the first nil.',
  needsAst: true,
  check(ctx) {
    for (const r of replyReturns(ctx.analysis)) {
      const returned = returnedTable(r.node.arguments[0], ctx.analysis);
      if (returned) checkTable(returned.table, ctx);
    }
  },
};

function checkTable(table: lua.TableConstructorExpression, ctx: AstContext): void {
  const shape = tableShape(table);
  if (shape.special) return;
  const nilAt = shape.positional.findIndex((f) => f.value.type === 'NilLiteral');
  if (nilAt >= 0) {
    ctx.report(
      { node: shape.positional[nilAt]!.value },
      {
        message:
          nilAt === 0
            ? 'Redis stops converting the array at the first nil: this one comes first, so the caller gets an empty array'
            : `Redis stops converting the array at the first nil: the caller gets only the ${nilAt} element${nilAt === 1 ? '' : 's'} before it`,
        hint: 'Use false (it arrives as a null reply and does not end the array) or a sentinel value such as "" or -1.',
      },
    );
  }
  // Nested arrays are converted the same way.
  for (const f of shape.positional) if (f.value.type === 'TableConstructorExpression') checkTable(f.value, ctx);
}
