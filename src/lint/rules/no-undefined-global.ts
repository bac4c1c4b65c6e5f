import { MISSING_GLOBAL_HINTS, SANDBOX_GLOBALS } from '../../redis/lua-globals.js';
import type { Rule } from './rule.js';

/** Names the lua-api rule reports, with the release that removed or added them. */
const LUA_API_NAMES: ReadonlySet<string> = new Set(['print', 'os', 'getfenv', 'setfenv', 'newproxy', 'server']);

/** A name that is neither local nor one of the sandbox's globals. */
export const noUndefinedGlobal: Rule = {
  id: 'no-undefined-global',
  defaultSeverity: 'warning',
  description:
    'Reading a global the Redis sandbox does not define: the script fails with "Script attempted to access nonexistent global variable".',
  needsAst: true,
  check(ctx) {
    const a = ctx.analysis;
    for (const id of a.globalReads) {
      if (SANDBOX_GLOBALS.has(id.name) || LUA_API_NAMES.has(id.name)) continue;
      // A name the script assigns as a global is reported once, by no-global-assignment.
      if (a.globalWrites.some((w) => w.kind !== 'field' && w.name === id.name)) continue;
      ctx.report(
        { node: id },
        {
          message: `'${id.name}' is not defined in Redis's Lua sandbox: the script fails with "Script attempted to access nonexistent global variable '${id.name}'" when this line runs`,
          hint: Object.hasOwn(MISSING_GLOBAL_HINTS, id.name)
            ? MISSING_GLOBAL_HINTS[id.name]
            : 'Declare it with local, or check the spelling.',
        },
      );
    }
  },
};
