import type * as lua from 'luaparse';
import type { Analysis } from '../analysis.js';
import { boundTable } from '../values.js';
import { listKeys, replyReturns, returnedTable, tableShape } from './reply.js';
import { lineOf, rangeOf } from '../source.js';
import type { Rule } from './rule.js';

const HINT =
  'Return an array ({1, remaining}) and document the positions under "Returns:", return {map = {k = v}} ' +
  '(a map for RESP3 callers, a flat key/value array for RESP2), or return cjson.encode(t).';

/** `return {ok = true, remaining = 5}` reaches the caller as an empty array. */
export const noStringKeysInReply: Rule = {
  id: 'no-string-keys-in-reply',
  defaultSeverity: 'error',
  description: 'Returning a table with string keys: Redis converts it to an array and silently drops every string key.',
  needsAst: true,
  check(ctx) {
    const a = ctx.analysis;
    for (const r of replyReturns(a)) {
      const returned = returnedTable(r.node.arguments[0], a);
      if (!returned) continue;
      const { shape, binding } = returned;
      if (shape.special) continue;
      const what = binding
        ? `'${binding.name}' (the table built on line ${lineOf(ctx.source.lineStarts, rangeOf(returned.table)[0])})`
        : 'this table';
      if (shape.stringKeys.length > 0) {
        const why = shape.wrongSpecial.length > 0 ? ` (${shape.wrongSpecial[0]})` : '';
        const result =
          shape.elements.length === 0
            ? 'the caller gets an empty array'
            : shape.grows
              ? 'the caller gets only its array part'
              : `the caller gets only its ${shape.elements.length} positional value${shape.elements.length === 1 ? '' : 's'}`;
        ctx.report(
          { node: r.node },
          {
            message: `Redis converts ${what} to an array and drops its string keys (${listKeys(shape.stringKeys)})${why}: ${result}`,
            hint: HINT,
          },
        );
        continue;
      }
      // An array of records: each record arrives as an empty array.
      const record = shape.elements.map((e) => recordKeys(e, a)).find((keys) => keys !== undefined);
      if (record) {
        ctx.report(
          { node: r.node },
          {
            message: `The elements of ${what} are tables with string keys (${listKeys(record)}): Redis drops the keys, so each element reaches the caller as an empty array`,
            hint: 'Return each element as an array ({id, data, score}) or flatten them into one array, and document the layout under "Returns:".',
          },
        );
      }
    }
  },
};

function recordKeys(e: lua.Expression, a: Analysis): string[] | undefined {
  const table = e.type === 'TableConstructorExpression' ? e : boundTable(e, a)?.table;
  if (!table) return undefined;
  const shape = tableShape(table);
  return !shape.special && shape.stringKeys.length > 0 ? shape.stringKeys : undefined;
}
