/** The lookup of the command a `redis.call(...)` site names, in the shipped table (redis/commands.ts). */
import type * as lua from 'luaparse';
import { isMultiValue, stringValue } from './analysis.js';
import type { CallArg, CommandInfo } from '../redis/command-table.js';
import { COMMAND_TABLE } from '../redis/commands.js';

export interface ResolvedCommand {
  /** The command name as written (`GET`, `object`). */
  written: string;
  /** Lowercase command name, and subcommand for container commands. */
  name: string;
  sub?: string;
  /** The command's (or the subcommand's) entry; undefined when Redis does not know it. */
  info?: CommandInfo;
  /** Which part is unknown to the table, if any. */
  unknown?: 'command' | 'subcommand';
  /** Arguments with their literal values, the command name first; a trailing spread is left out. */
  args: CallArg[];
  /** True when a trailing call or `...` adds an unknown number of arguments. */
  open: boolean;
  /** The call's argument expressions, aligned with `args`. */
  nodes: lua.Expression[];
}

/** The command of a `redis.call` site; undefined when its name is not a literal. */
export function resolveCommand(
  callArgs: readonly lua.Expression[],
  commands = COMMAND_TABLE,
): ResolvedCommand | undefined {
  const open = callArgs.length > 0 && isMultiValue(callArgs[callArgs.length - 1]!);
  const nodes = open ? callArgs.slice(0, -1) : callArgs.slice();
  const written = stringValue(nodes[0]);
  if (written === undefined || nodes[0]!.type !== 'StringLiteral') return undefined;
  const args = nodes.map((n) => ({ literal: stringValue(n) }));
  const name = written.toLowerCase();
  const info = Object.hasOwn(commands.commands, name) ? commands.commands[name] : undefined;
  if (!info) return { written, name, unknown: 'command', args, open, nodes };
  if (info.subcommands) {
    const subWritten = args[1]?.literal;
    if (subWritten === undefined) return { written, name, info, args, open, nodes };
    const sub = subWritten.toLowerCase();
    const subInfo = Object.hasOwn(info.subcommands, sub) ? info.subcommands[sub] : undefined;
    if (!subInfo) return { written, name, sub, unknown: 'subcommand', args, open, nodes };
    return { written, name, sub, info: subInfo, args, open, nodes };
  }
  return { written, name, info, args, open, nodes };
}

/** `GET` or `OBJECT ENCODING`, upper case, as Redis documents commands. */
export function displayName(cmd: ResolvedCommand): string {
  return (cmd.sub ? `${cmd.name} ${cmd.sub}` : cmd.name).toUpperCase();
}
