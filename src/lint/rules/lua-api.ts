import type * as lua from 'luaparse';
import { redisMethod } from '../analysis.js';
import { rangeOf } from '../source.js';
import { atLeast } from '../target.js';
import type { AstContext, Rule } from './rule.js';

/**
 * Lua API that Redis removed, disabled or changed between releases, checked against the target
 * (read on Redis 7.0.15 and 8.0.2 and Valkey 8.1.1 and 9.1.2):
 * - `print` is no global since Redis 7.0;
 * - `os` only exists from Redis 7.4 (and in Valkey 8.0, forked after it came), with `os.clock` alone;
 * - `getfenv`, `setfenv` and `newproxy` are disabled by default since Redis 7.4.6 and 8.2.2 and Valkey
 *   8.0.6 and 8.1.4 (their security releases; patched distribution builds of 7.0 lack them too);
 * - `server` is Valkey's alias of `redis`: Redis has no such global;
 * - `redis.replicate_commands()` does nothing since 7.0 (effects replication is the only mode).
 * Lua 5.2+ syntax (goto, //, bitwise operators) is a syntax error, explained by syntax-error.
 */
export const luaApi: Rule = {
  id: 'lua-api',
  defaultSeverity: 'error',
  description:
    "Lua API the target server removed or lacks: print (gone since 7.0), os.* other than os.clock (which needs Redis 7.4), getfenv/setfenv/newproxy (disabled since Redis 7.4.6/8.2.2, Valkey 8.0.6/8.1.4), Valkey's server.* on Redis; redis.replicate_commands() (a no-op since 7.0) is a note.",
  needsAst: true,
  check(ctx) {
    const a = ctx.analysis;
    const t = ctx.target;
    const osClock = t.flavour === 'valkey' || atLeast(t, 7, 4);
    for (const id of a.globalReads) {
      switch (id.name) {
        case 'print':
          ctx.report(
            { node: id },
            {
              message: `print was removed from the scripting sandbox in Redis 7.0: the script fails with "Script attempted to access nonexistent global variable 'print'"`,
              hint: 'Use redis.log(redis.LOG_NOTICE, msg) (it goes to the server log), or return the value.',
            },
          );
          break;
        case 'os':
          reportOs(ctx, id, osClock);
          break;
        case 'getfenv':
        case 'setfenv':
        case 'newproxy':
          ctx.report(
            { node: id },
            {
              message: `${id.name} is disabled by default since Redis 7.4.6 and 8.2.2 and Valkey 8.0.6 and 8.1.4 (security releases): the script fails with "Script attempted to access nonexistent global variable '${id.name}'"`,
              hint: 'Pass values as arguments or keep them in locals; scripts cannot rely on function environments.',
            },
          );
          break;
        case 'server':
          if (t.flavour === 'redis') {
            ctx.report(
              { node: id },
              {
                message: `server is Valkey's name for the redis table (Valkey 7.2.4 and later); ${t.label} has no such global and fails with "Script attempted to access nonexistent global variable 'server'"`,
                hint: 'Write redis.call: Valkey accepts it too.',
              },
            );
          }
          break;
      }
    }
    for (const c of a.calls) {
      if (redisMethod(c.base, a.refs) !== 'replicate_commands') continue;
      ctx.report(
        { node: c },
        {
          message:
            'redis.replicate_commands() does nothing since Redis 7.0: scripts are always replicated by their effects',
          hint: 'Remove the call (it still returns true, so leaving it does no harm).',
          info: true,
        },
      );
    }
  },
};

function reportOs(ctx: AstContext, id: lua.Identifier, osClock: boolean): void {
  // `os.clock()` is the one function, from 7.4 on. Find the member read on `os`, if any.
  const member = memberOf(ctx, id);
  if (osClock && member === 'clock') return;
  const label = ctx.target.label;
  if (!osClock) {
    ctx.report(
      { node: id },
      {
        message: `${label} has no os library: the script fails with "Script attempted to access nonexistent global variable 'os'"${member === 'clock' ? ' (os.clock came with Redis 7.4)' : ''}`,
        hint:
          member === 'clock'
            ? 'Set "target" to redis-7.4 or later if every server has it; otherwise time with redis.call("TIME").'
            : 'Read the time with redis.call("TIME").',
      },
    );
    return;
  }
  ctx.report(
    { node: id },
    {
      message: `${member ? `os.${member}` : 'os'} does not exist in ${label}'s sandbox, which keeps only os.clock: the call fails with "attempt to call field '${member ?? '?'}' (a nil value)"`,
      hint: 'Read the time with redis.call("TIME"); os.clock() measures CPU time only.',
    },
  );
}

/** `clock` of `os.clock`, found by position: the member expression starts where `os` does. */
function memberOf(ctx: AstContext, id: lua.Identifier): string | undefined {
  const [from] = rangeOf(id);
  const text = ctx.source.code.slice(from, from + 40);
  return /^os\s*\.\s*([A-Za-z_]\w*)/.exec(text)?.[1];
}
