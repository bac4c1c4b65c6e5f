import type * as lua from 'luaparse';
import { callArguments, numberValue, redisMethod } from '../analysis.js';
import { isReplyValue } from '../values.js';
import type { Rule } from './rule.js';

/** Under RESP2 a nil reply arrives in Lua as `false`, so `== nil` never matches. */
export const noNilCompare: Rule = {
  id: 'no-nil-compare',
  defaultSeverity: 'warning',
  description:
    'Comparing a whole redis.call reply with nil: a missing value arrives as false, so the test never matches (an element of a reply, which can be nil, is not flagged; `x == nil or x == false` is a note).',
  needsAst: true,
  check(ctx) {
    const a = ctx.analysis;
    // After redis.setresp(3) a null reply does arrive as nil.
    const resp3 = a.calls.some(
      (c) => redisMethod(c.base, a.refs) === 'setresp' && numberValue(callArguments(c)[0]) !== 2,
    );
    if (resp3) return;
    for (const e of a.equalities) {
      const other = isNil(e.left) ? e.right : isNil(e.right) ? e.left : undefined;
      // Only a whole reply: an element past the end of an array reply (`reply[2] == nil`) is nil.
      if (!other || !isReplyValue(other, a, undefined, false)) continue;
      const paired = a.nilOrFalse.has(e);
      const always = e.operator === '==' ? 'false' : 'true';
      ctx.report(
        { node: e },
        paired
          ? {
              message: `A missing value comes back from redis.call as false, not nil: this ${e.operator} nil half of the test never decides it`,
              hint:
                e.operator === '=='
                  ? 'The test works; "not value" says the same in one.'
                  : 'The test works; "if value then" says the same in one.',
              info: true,
            }
          : {
              message: `A missing value comes back from redis.call as false, not nil: this ${e.operator} nil test is always ${always}`,
              hint:
                e.operator === '=='
                  ? 'Test with "not value" (or "value == false").'
                  : 'Test the value itself ("if value then").',
            },
      );
    }
  },
};

function isNil(e: lua.Expression): boolean {
  return e.type === 'NilLiteral';
}
