import { nearest } from '../../suggest.js';
import { addedIn } from '../target.js';
import type { Rule } from './rule.js';

/** A literal command name the target's command table does not know. */
export const unknownCommand: Rule = {
  id: 'unknown-command',
  defaultSeverity: 'error',
  description:
    'redis.call with a command (or subcommand) name the target server does not know, or one a newer release added (module commands such as JSON.GET are not checked).',
  needsAst: true,
  check(ctx) {
    const table = ctx.commandTable;
    const label = ctx.target.label;
    for (const { site, command } of ctx.commands) {
      if (!command?.unknown) continue;
      // Module commands (JSON.GET, FT.SEARCH, TS.ADD) are not in the core table: no opinion.
      if (command.unknown === 'command' && command.name.includes('.')) continue;
      const node = command.unknown === 'command' ? command.nodes[0]! : command.nodes[1]!;
      const sub = command.args[1]?.literal;
      const what =
        command.unknown === 'command'
          ? `'${command.written}' is not a ${label} command`
          : `'${sub}' is not a subcommand of ${command.name.toUpperCase()} in ${label}`;
      const newer = addedIn(
        command.unknown === 'command' ? command.name : `${command.name} ${sub!.toLowerCase()}`,
        ctx.target,
      );
      // A command a later release added is no typo: say when it came, guess nothing (HEXPIRE is one
      // edit from EXPIRE, which would expire the whole hash).
      const close =
        newer !== undefined
          ? undefined
          : command.unknown === 'command'
            ? nearest(command.name, Object.keys(table.commands))
            : nearest(sub!, Object.keys(table.commands[command.name]?.subcommands ?? {}));
      const meant =
        newer !== undefined
          ? ''
          : close === undefined
            ? ''
            : `Did you mean ${command.unknown === 'command' ? close.toUpperCase() : `${command.name.toUpperCase()} ${close.toUpperCase()}`}? `;
      ctx.report(
        { node },
        newer !== undefined
          ? {
              message: `${what}: it came with ${newer}, and on ${label} redis.${site.method} fails with "ERR Unknown Redis command called from script"`,
              hint: `Set "target" in the config (or --target) to the oldest server the script must run on, if that server has it; otherwise do without the command.`,
            }
          : {
              message: `${what}: redis.${site.method} fails with "ERR Unknown Redis command called from script"`,
              hint:
                `${meant}The command table is ${label}'s ("target" in the config, or --target, selects another); for a command only some of your servers have, ` +
                `put "-- rscript-disable-next-line unknown-command" above the call.`,
            },
      );
    }
  },
};
