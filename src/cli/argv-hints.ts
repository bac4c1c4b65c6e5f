/**
 * Hints for errors that come from where something was written in argv (an option of a command
 * before its name, a mistyped option of the program, bench's -c before its name), and the walk over
 * the program's options that finds the command's name.
 */
import { CommanderError, type Command } from 'commander';
import { ConfigError } from '../errors.js';
import { distance } from '../suggest.js';
import { andList } from '../text.js';
import { globalOptions } from './options.js';
import { stderr } from './report.js';

/** The flags of the options a command that needs no server leaves out (globalOptions with server false). */
export function connectionFlags(): Set<string> {
  const kept = globalOptions({ server: false }).map((o) => o.long);
  return new Set(
    globalOptions().flatMap((o) =>
      kept.includes(o.long) ? [] : [o.long, o.short].filter((f): f is string => f !== undefined),
    ),
  );
}

/**
 * A hint for an error that comes from where something was written: `rscript --all load` (an option
 * of load before its name), `rscript --jsn exists` (a mistyped option of the program, which commander
 * does not suggest: they are hidden from its help) and `rscript -c 50 bench` (redis-benchmark's -c,
 * which is the config file before a command's name). Commander prints its own errors: the hint is
 * written under it here, and added to the error for --json's document.
 */
export async function withArgvHint(err: unknown, program: Command, argv: readonly string[]): Promise<unknown> {
  const at = commandIndex(program, argv);
  const command = at < 0 ? undefined : argv[at];
  if (err instanceof CommanderError && err.code === 'commander.unknownOption') {
    // The command meant: the first word that names one (`rscript -k a bench x`: bench, not "a").
    const named = argv.find((a) => program.commands.some((c) => c.name() === a || c.aliases().includes(a)));
    const flag = /'([^']+)'/.exec(err.message)?.[1]?.split('=')[0];
    const position = argv.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
    const early = flag !== undefined && (at < 0 || position < at);
    // After the name of a command that leaves out the connection options (lint: no server). Not for
    // the program's own -V/--version and -h, which no command takes.
    const leftOut = !early && command !== undefined && flag !== undefined && connectionFlags().has(flag);
    const hint =
      (early ? misplacedOption(program, flag, named) : undefined) ??
      (leftOut ? `(${command} needs no server: it takes no ${flag})` : undefined);
    if (!hint) return err;
    stderr().write(`  ${hint}\n`);
    return new CommanderError(err.exitCode, err.code, `${err.message}\n${hint}`);
  }
  // `rscript exec --keys c --args 1 counter_incr`: --args took the script's name as one of its values.
  if (err instanceof CommanderError && err.code === 'commander.missingArgument' && command === 'exec') {
    if (argv.some((a) => ['-k', '--keys', '-a', '--args'].includes(a))) {
      stderr().write(
        `  (--keys and --args take every value up to the next option: put the script's name first, rscript exec <script> --keys ... --args ...)\n`,
      );
    }
    return err;
  }
  if (err instanceof ConfigError && command === 'bench') {
    const value = /^config file not found: (\d+)$/.exec(err.message)?.[1];
    const before = argv.slice(0, at);
    if (value !== undefined && before.some((a, i) => a === '-c' && before[i + 1] === value)) {
      return new ConfigError(err.message, [
        ...err.detail,
        `before a command's name -c is the config file; bench takes its connections after its name: rscript bench -c ${value}`,
      ]);
    }
  }
  return err;
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

/**
 * "(Did you mean --verbose?)" for a flag close to one of the program's options, hidden ones included;
 * undefined when none is (edits in proportion to the option's length, at least one).
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
 * The first option in `argv` (which names no command) that neither the program nor any command has;
 * undefined when none.
 */
export function strayOption(program: Command, argv: readonly string[]): string | undefined {
  const known = (flag: string) =>
    [program, ...program.commands].some((c) => c.options.some((o) => o.long === flag || o.short === flag));
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
