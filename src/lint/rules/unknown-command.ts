import { nearest } from '../../suggest.js';
import { COMMAND_TABLE } from '../../redis/commands.js';
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
      const version = COMMAND_TABLE.redisVersion;
      const sub = command.args[1]?.literal;
      const what =
        command.unknown === 'command'
          ? `'${command.written}' is not a Redis ${version} command`
          : `'${sub}' is not a subcommand of ${command.name.toUpperCase()} in Redis ${version}`;
      const newer = command.unknown === 'command' ? NEWER[command.name] : NEWER[`${command.name} ${sub!.toLowerCase()}`];
      // A command Redis added after the table's version is no typo: say when it came, guess nothing
      // (HEXPIRE is one edit from EXPIRE, which would expire the whole hash).
      const close =
        newer !== undefined
          ? undefined
          : command.unknown === 'command'
            ? nearest(command.name, Object.keys(COMMAND_TABLE.commands))
            : nearest(sub!, Object.keys(COMMAND_TABLE.commands[command.name]?.subcommands ?? {}));
      const meant =
        newer !== undefined
          ? `It came with Redis ${newer}. `
          : close === undefined
            ? ''
            : `Did you mean ${command.unknown === 'command' ? close.toUpperCase() : `${command.name.toUpperCase()} ${close.toUpperCase()}`}? `;
      ctx.report(
        { node },
        {
          message: `${what}: redis.${site.method} fails with "ERR Unknown Redis command called from script"`,
          hint:
            `${meant}The command table is Redis ${version}'s: for a newer command that every server you run has, put ` +
            `"-- rscript-disable-next-line unknown-command" above the call, or set "unknown-command": "warning" under lint.rules in the config.`,
        },
      );
    }
  },
};

/**
 * Commands (and subcommands) of Redis releases after the shipped table's 7.0, with the release that
 * added them: a script that calls one is not mistyped, it needs that server.
 */
const NEWER: Readonly<Record<string, string>> = {
  waitaof: '7.2',
  'client no-touch': '7.2',
  'client setinfo': '7.2',
  ...Object.fromEntries(['hexpire', 'hpexpire', 'hexpireat', 'hpexpireat', 'httl', 'hpttl', 'hexpiretime', 'hpexpiretime', 'hpersist'].map((c) => [c, '7.4'])),
  ...Object.fromEntries(['hgetdel', 'hgetex', 'hsetex'].map((c) => [c, '8.0'])),
};
