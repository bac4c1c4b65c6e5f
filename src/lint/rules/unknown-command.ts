import { COMMAND_TABLE } from '../known-commands.js';
import type { Rule } from './rule.js';

/** A literal command name the command table does not know. */
export const unknownCommand: Rule = {
  id: 'unknown-command',
  defaultSeverity: 'error',
  description: 'redis.call with a command (or subcommand) name Redis does not know (module commands such as JSON.GET are not checked).',
  needsAst: true,
  check(ctx) {
    for (const { site, command } of ctx.commands) {
      if (!command?.unknown) continue;
      // Module commands (JSON.GET, FT.SEARCH, TS.ADD) are not in the core table: no opinion.
      if (command.unknown === 'command' && command.name.includes('.')) continue;
      const node = command.unknown === 'command' ? command.nodes[0]! : command.nodes[1]!;
      const what =
        command.unknown === 'command'
          ? `'${command.written}' is not a Redis ${COMMAND_TABLE.redisVersion} command`
          : `'${command.args[1]!.literal}' is not a subcommand of ${command.name.toUpperCase()} in Redis ${COMMAND_TABLE.redisVersion}`;
      ctx.report(
        { node },
        {
          message: `${what}: redis.${site.method} fails with "ERR Unknown Redis command called from script"`,
          hint: `Check the spelling against https://redis.io/commands/ (the table is regenerated with node dist/lint/generate-command-table.js [redis-url] against the oldest server you support).`,
        },
      );
    }
  },
};
