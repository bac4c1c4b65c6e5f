/**
 * Hints for errors that come from where something was written in argv, read from argv and commander's
 * public parts (its commands' options, its error codes), never from its message text or private
 * members: an unknown option before a command's name is found here before commander runs (with the
 * nearest of the program's options, which commander hides from its suggestions, or the command that
 * owns it); after the name, commander's error gets a detail line (lint takes no --url; -c is bench's).
 */
import { CommanderError, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { distance } from '../suggest.js';
import { andList } from '../text.js';
import { connectionFlags } from './options.js';

/** Said of `-c` anywhere but after bench: the config file is --config, with no short form. */
export const C_IS_CONNECTIONS = "(-c is bench's connections; use --config <file>)";

/**
 * The error for the first option before the command's name (or in an argv that names none) that
 * the program does not take, with a hint; undefined when there is none.
 */
export function programOptionError(program: Command, argv: readonly string[]): UsageError | undefined {
  const flag = strayOption(program, argv);
  if (flag === undefined) return undefined;
  // The command meant: the first word that names one (`rscript -k a bench x`: bench, not "a").
  const named = argv.find((a) => findCommand(program, a) !== undefined);
  const owner = named === undefined ? undefined : findCommand(program, named)?.name();
  const hint =
    flag === '-c' && owner !== 'bench'
      ? C_IS_CONNECTIONS
      : (misplacedOption(program, flag, owner) ?? closestHint(program, flag));
  return new UsageError(`unknown option '${flag}'`, hint ? [hint] : []);
}

/**
 * commander's error with rscript's hint added as a detail line, when argv explains it: an option of
 * the program that a command needing no server leaves out (`lint --url`), `-c` after a command that
 * is not bench, or exec's script name taken as a value of --args.
 */
export function withArgvHint(err: unknown, program: Command, argv: readonly string[]): unknown {
  if (!(err instanceof CommanderError)) return err;
  const at = commandIndex(program, argv);
  if (at < 0) return err;
  const name = argv[at]!;
  const command = findCommand(program, name);
  const end = argv.indexOf('--', at);
  const words = argv.slice(at + 1, end < 0 ? undefined : end);
  const flags = words.filter((w) => w.startsWith('-')).map((w) => w.split('=')[0]!);
  let hint: string | undefined;
  if (err.code === 'commander.unknownOption' && command) {
    const takes = (flag: string) => command.options.some((o) => o.long === flag || o.short === flag);
    const leftOut = flags.find((f) => !takes(f) && connectionFlags().has(f));
    if (command.name() !== 'bench' && flags.includes('-c') && !takes('-c')) hint = C_IS_CONNECTIONS;
    else if (leftOut) hint = `(${command.name()} needs no server: it takes no ${leftOut})`;
  }
  // `rscript exec --keys c --args 1 counter_incr`: --args took the script's name as one of its values.
  if (err.code === 'commander.missingArgument' && name === 'exec' && flags.some((f) => KEYS_ARGS.includes(f)))
    hint =
      "(--keys and --args take every value up to the next option: put the script's name first, rscript exec <script> --keys ... --args ...)";
  return hint ? new CommanderError(err.exitCode, err.code, `${err.message}\n${hint}`) : err;
}

const KEYS_ARGS = ['-k', '--keys', '-a', '--args'];

function findCommand(program: Command, name: string): Command | undefined {
  return program.commands.find((c) => c.name() === name || c.aliases().includes(name));
}

/** "(--all is an option of load: ...)" when `arg` is some command's option; the typed command first. */
export function misplacedOption(program: Command, arg: string, command: string | undefined): string | undefined {
  const flag = arg.split('=')[0]!;
  if (!flag.startsWith('-') || program.options.some((o) => o.long === flag || o.short === flag)) return undefined;
  const owners = program.commands.filter((c) => c.options.some((o) => o.long === flag || o.short === flag));
  if (owners.length === 0) return undefined;
  const owner = owners.find((c) => c.name() === command) ?? owners[0]!;
  const option = owner.options.find((o) => o.long === flag || o.short === flag)!;
  const value = /<[^>]+>|\[[^\]]+\]/.exec(option.flags)?.[0];
  const example = `rscript ${owner.name()} ${flag}${value ? ` ${value}` : ''}`;
  return `(${flag} is an option of ${andList(owners.map((c) => c.name()))}: it goes after the command's name, e.g. ${example})`;
}

/** "(Did you mean --verbose?)" for a flag close to one of the program's options, hidden ones included. */
function closestHint(program: Command, flag: string): string | undefined {
  const close = closestProgramOption(program, flag);
  return close ? `(Did you mean ${close}?)` : undefined;
}

/**
 * The closest of the program's long options (hidden ones included) to `flag`; undefined when none is
 * (edits in proportion to the option's length, at least one).
 */
export function closestProgramOption(program: Command, flag: string): string | undefined {
  if (!flag.startsWith('--')) return undefined;
  const word = flag.slice(2);
  const longs = ['--help', ...program.options.flatMap((o) => (o.long ? [o.long] : []))];
  return longs
    .map((long) => ({ long, d: distance(word, long.slice(2)) }))
    .filter(({ long, d }) => d <= Math.max(1, Math.floor((long.length - 2) / 3)))
    .sort((x, y) => x.d - y.d)[0]?.long;
}

/**
 * The first option before the command's name (or in an argv that names none) that the program does
 * not take; undefined when none.
 */
export function strayOption(program: Command, argv: readonly string[]): string | undefined {
  const known = (flag: string) =>
    flag === '-h' || flag === '--help' || program.options.some((o) => o.long === flag || o.short === flag);
  let stray: string | undefined;
  walkProgramOptions(program, argv, (flag) => (known(flag) ? false : ((stray = flag), true)));
  return stray;
}

/**
 * Where the command's name is in argv: past the program's own options and their values (`-u x`,
 * `--url=x`, `-vu x`), as commander reads them with positional options; -1 when argv names none.
 */
export function commandIndex(program: Command, argv: readonly string[]): number {
  return walkProgramOptions(program, argv);
}

/**
 * Walks the program's options at the head of argv, passing over their values: the index of the
 * first word that is not one (the command's name), or -1. `onFlag` sees each flag on the way
 * (combined short flags one by one); when it returns true the walk stops there, with -1.
 */
function walkProgramOptions(
  program: Command,
  argv: readonly string[],
  onFlag: (flag: string) => boolean = () => false,
): number {
  const takesValue = (flag: string) => program.options.some((o) => o.required && (o.long === flag || o.short === flag));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') return i;
    if (arg === '--') return i + 1 < argv.length ? i + 1 : -1;
    if (arg.startsWith('--')) {
      const flag = arg.split('=')[0]!;
      if (onFlag(flag)) return -1;
      if (!arg.includes('=') && takesValue(flag)) i++;
      continue;
    }
    // Short flags, maybe combined: the first one that takes a value takes the rest of the word, or
    // the next word when it is the last letter.
    for (let j = 1; j < arg.length; j++) {
      const flag = `-${arg[j]}`;
      if (onFlag(flag)) return -1;
      if (!takesValue(flag)) continue;
      if (j === arg.length - 1) i++;
      break;
    }
  }
  return -1;
}
