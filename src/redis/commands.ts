/** The shipped command table (redis-commands.json, read once), and the keys of a command given as an argv. */
import table from './redis-commands.json' with { type: 'json' };
import { keyPositions, type CommandTable } from './command-table.js';

export const COMMAND_TABLE: CommandTable = table as unknown as CommandTable;

/**
 * The keys of a command given word by word, where the table puts them: `['BITOP', 'OR', 'd', 's']`
 * -> `['d', 's']`, `['CONFIG', 'SET', ...]` -> `[]`. Undefined when the table does not know the
 * command or its subcommand (a module's command, or one newer than the table).
 */
export function commandKeys(argv: readonly string[], commands = COMMAND_TABLE): string[] | undefined {
  const name = (argv[0] ?? '').toLowerCase();
  let info = Object.hasOwn(commands.commands, name) ? commands.commands[name] : undefined;
  if (info?.subcommands) {
    const sub = (argv[1] ?? '').toLowerCase();
    info = Object.hasOwn(info.subcommands, sub) ? info.subcommands[sub] : undefined;
  }
  if (!info) return undefined;
  return keyPositions(
    info,
    argv.map((literal) => ({ literal })),
    false,
  ).map((i) => argv[i]!);
}
