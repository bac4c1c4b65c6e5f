import { displayName } from '../known-commands.js';
import type { Rule } from './rule.js';

/** Commands flagged `noscript` (MULTI, EVAL, WATCH, blocking pops, SCRIPT, CLIENT ...). */
export const commandNotAllowedInScript: Rule = {
  id: 'command-not-allowed-in-script',
  defaultSeverity: 'error',
  description:
    'redis.call with a command Redis refuses inside scripts (the noscript flag: MULTI, EVAL, BLPOP, SUBSCRIBE...).',
  needsAst: true,
  check(ctx) {
    for (const { site, command } of ctx.commands) {
      if (!command?.info?.flags.includes('noscript')) continue;
      ctx.report(
        { node: site.node },
        {
          message: `${displayName(command)} cannot run inside a script: redis.${site.method} fails with "ERR This Redis command is not allowed from script"`,
          hint: command.info.flags.includes('blocking')
            ? 'Scripts cannot block: use the non-blocking form (LPOP instead of BLPOP) and let the client wait and retry.'
            : 'A script is already atomic (no MULTI needed) and cannot call other scripts; run this command from the client.',
        },
      );
    }
  },
};
