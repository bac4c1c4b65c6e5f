import { SANDBOX_GLOBALS } from '../../redis/lua-globals.js';
import type { Rule } from './rule.js';

/** Redis 7 makes the global table and the libraries read-only. */
export const noGlobalAssignment: Rule = {
  id: 'no-global-assignment',
  defaultSeverity: 'error',
  description:
    'Assigning a global or defining a global function: Redis 7 aborts with "Attempt to modify a readonly table".',
  needsAst: true,
  check(ctx) {
    const a = ctx.analysis;
    for (const w of a.globalWrites) {
      if (w.kind === 'field' && !SANDBOX_GLOBALS.has(w.name)) continue; // reading it already fails (no-undefined-global)
      const what =
        w.kind === 'assign'
          ? `assigns the global variable '${w.name}'`
          : w.kind === 'function'
            ? `defines the global function '${w.name}'`
            : `modifies the read-only table '${w.name}'`;
      ctx.report(
        { node: w.node },
        {
          message: `This ${what}: Redis 7 aborts the script with "Attempt to modify a readonly table" when it runs`,
          hint:
            w.kind === 'field'
              ? `Copy what you need into a local table instead of changing '${w.name}'.`
              : `Declare it local: local ${w.kind === 'function' ? 'function ' : ''}${w.name}${w.kind === 'function' ? '(...)' : ' = ...'}`,
        },
      );
    }
    // rawset(_G, k, v) and rawset(string, k, v) hit the same protection.
    for (const call of a.calls) {
      if (call.type !== 'CallExpression' || call.base.type !== 'Identifier' || call.base.name !== 'rawset') continue;
      if (a.refs.get(call.base) !== null) continue;
      const target = call.arguments[0];
      if (target?.type !== 'Identifier' || a.refs.get(target) !== null) continue;
      if (!SANDBOX_GLOBALS.has(target.name) || target.name === 'KEYS' || target.name === 'ARGV') continue;
      ctx.report(
        { node: call },
        {
          message: `rawset on '${target.name}': Redis 7 aborts the script with "Attempt to modify a readonly table"`,
          hint: 'Keep your values in a local table.',
        },
      );
    }
  },
};
