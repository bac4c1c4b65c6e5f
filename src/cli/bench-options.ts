/**
 * The flags of `rscript bench`, defined once: flag, help, value parser. `-c` is the number of
 * connections, as in redis-benchmark (its clients), so on this command the config file is given with
 * the long `--config` only.
 */
import { InvalidArgumentError, Option } from 'commander';
import { countOf, positiveInt, positiveNumber } from './options.js';

export interface BenchFlags {
  keys?: string[];
  args?: string[];
  requests?: number;
  duration?: number;
  connections?: number;
  /** The former name of --connections, still read (hidden from the help). */
  concurrency?: number;
  pipeline?: number;
  warmup?: number;
  keyspace?: number;
  budget?: number;
  csv?: boolean;
  sandbox?: boolean;
  yes?: boolean;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `10s`, `500ms`, `2m`, `1.5h`, or a bare number of seconds, in ms; undefined when it is none of these. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]) * UNITS[(m[2] ?? 's').toLowerCase()]!;
  return ms >= 1 && Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** A value parser for a duration flag, naming the flag in its error. */
export function durationFlag(flag: string) {
  return (value: string): number => {
    const ms = parseDurationMs(value);
    if (ms === undefined)
      throw new InvalidArgumentError(`${flag} takes a duration such as 10s, 500ms or 2m, got "${value}"`);
    return ms;
  };
}

/** The options of `rscript bench` (the global ones are added by cli.ts). */
export function benchOptions(): Option[] {
  return [
    new Option('-k, --keys <keys...>', "key names (KEYS); __rand_int__ is replaced per call (default: the fixture's)"),
    new Option('-a, --args <args...>', "arguments (ARGV); __rand_int__ is replaced per call (default: the fixture's)"),
    new Option('-n, --requests <n>', 'calls to make (default 100000 for one script, 10000 per fixture)')
      .argParser(positiveInt('--requests'))
      .conflicts('duration'),
    new Option('-d, --duration <time>', 'run for this long instead of a number of calls: 10s, 500ms, 2m').argParser(
      durationFlag('--duration'),
    ),
    new Option(
      '-c, --connections <n>',
      'connections, each with one batch of -P calls in flight, as redis-benchmark -c (default 50 for one script, 1 per fixture)',
    )
      .argParser(positiveInt('--connections'))
      .conflicts('concurrency'),
    new Option('--concurrency <n>', 'the former name of --connections')
      .argParser(positiveInt('--concurrency'))
      .hideHelp(),
    new Option('-P, --pipeline <n>', 'calls per batch, written together (default 1)').argParser(
      positiveInt('--pipeline'),
    ),
    new Option(
      '--warmup <n>',
      'calls made and not measured before the bench (default 1000, or 1 s if that is shorter)',
    ).argParser(countOf('--warmup')),
    new Option(
      '-r, --keyspace <n>',
      '__rand_int__ becomes a 12-digit number below this (default: any 12-digit number, unique in practice)',
    ).argParser(positiveInt('--keyspace')),
    new Option(
      '--budget <ms>',
      "server-side time per call allowed, ms (default: the fixture's budgetMs, else budgetMs, else 50)",
    ).argParser(positiveNumber('--budget')),
    new Option('--csv', 'print CSV on stdout (one line per script)').conflicts('json'),
    new Option(
      '--sandbox',
      'run against a throwaway redis-server (from PATH or "redisServer"), stopped afterwards; not with --url',
    ),
    new Option('-y, --yes', 'do not ask before writing to a server that is not on loopback'),
  ];
}
