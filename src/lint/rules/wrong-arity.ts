import { displayName } from '../known-commands.js';
import type { Rule } from './rule.js';

/** A call whose argument count the command's arity rules out. */
export const wrongArity: Rule = {
  id: 'wrong-arity',
  defaultSeverity: 'error',
  description: 'redis.call with a number of arguments the command does not accept.',
  needsAst: true,
  check(ctx) {
    for (const { site, command } of ctx.commands) {
      if (!command?.info || command.open) continue;
      // Arity counts the command name (and the subcommand name for containers).
      const words = command.sub ? 2 : 1;
      const arity = command.info.arity;
      const given = command.args.length - words;
      const need = Math.abs(arity) - words;
      const ok = arity >= 0 ? given === need : given >= need;
      if (ok) continue;
      const expected = arity >= 0 ? `exactly ${need}` : `at least ${need}`;
      ctx.report(
        { node: site.node },
        {
          message: `${displayName(command)} takes ${expected} argument${need === 1 ? '' : 's'}, this call passes ${given}: redis.${site.method} fails with "ERR Wrong number of args calling Redis command from script"`,
          hint: `See https://redis.io/commands/${command.name}${command.sub ? `-${command.sub}` : ''}/ for the syntax.`,
        },
      );
    }
  },
};
