/**
 * Every option of the command line, defined once as data (long, short, argument, parser, default,
 * help): the options every command takes, and each command's own. program.ts makes commander's
 * options from these tables, `flagsToConfig` the config overlay, and the argv hints read them.
 */
import { InvalidArgumentError, Option } from 'commander';
import type { Config } from '../config/schema.js';
import { DEFAULT_TARGET, TARGETS } from '../lint/target-ids.js';
import { nearest } from '../suggest.js';

export interface GlobalFlags {
  url?: string;
  config?: string;
  manifest?: string;
  timeout?: number;
  json?: boolean;
  verbose?: boolean;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsInsecure?: boolean;
  cluster?: boolean;
}

export interface BenchFlags {
  keys?: string[];
  args?: string[];
  requests?: number;
  duration?: number;
  connections?: number;
  /** `--concurrency`, the long name `-c` had before it meant connections: a hidden alias. */
  concurrency?: number;
  pipeline?: number;
  warmup?: number;
  keyspace?: number;
  budget?: number;
  csv?: boolean;
  sandbox?: boolean;
  yes?: boolean;
}

/** One option, as data. */
export interface OptionSpec {
  long: string;
  short?: string;
  /** `<file>`, `<keys...>`; none for a switch. */
  arg?: string;
  help: string;
  /** The value parser; it names its flag in its error. */
  parse?: (value: string) => unknown;
  default?: unknown;
  choices?: readonly string[];
  /** Long names (without dashes, camel-cased as commander stores them) this option refuses beside it. */
  conflicts?: string[];
  /** Accepted, left out of the help. */
  hidden?: boolean;
  /** A connection option: left out of a command that needs no server. */
  server?: boolean;
}

/** A value parser for a whole number from `min` (1: positive; 0: a count) up to `max`, naming its flag. */
export function wholeNumber(flag: string, min: 0 | 1 = 1, max = Number.MAX_SAFE_INTEGER, unit = '') {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) {
      const what = min === 1 ? 'a positive whole number' : 'a whole number (0 or more)';
      throw new InvalidArgumentError(`${flag} takes ${what}, got "${value}"`);
    }
    if (n > max) throw new InvalidArgumentError(`${flag} takes at most ${max}${unit}, got "${value}"`);
    return n;
  };
}

/** A value parser for a positive number (not only whole), naming its flag in the error. */
export function positiveNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
      throw new InvalidArgumentError(`${flag} takes a positive number, got "${value}"`);
    }
    return n;
  };
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

/** `--target redis-7.4`: one of the servers the linter has a command table for. */
function lintTarget(value: string): string {
  const id = value.trim().toLowerCase();
  if (TARGETS.includes(id)) return id;
  const close = nearest(id, TARGETS);
  throw new InvalidArgumentError(
    `unknown target "${value}"${close ? ` (did you mean ${close}?)` : ''}; known: ${TARGETS.join(', ')}`,
  );
}

/** What a command does with the server and the manifest, which its common options' help follows. */
export interface OptionUse {
  /** False for a command that never connects (build, gen): it takes no --url, --timeout, --cluster, --tls-*. */
  server: boolean;
  /**
   * What it does with the manifest, said in -m's help; undefined when it does not use it: -m is then
   * left out of its help, and still accepted (a shared alias or script may pass it to every command).
   */
  manifest?: 'read' | 'read and write';
  /** --url's help where the command connects only when given it (lint) or asked to (info). */
  urlHelp?: string;
}

/** Node's timers hold at most 2^31 - 1 ms (24.8 days); past that a timer fires at once. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The options every command takes (the program takes them all, before a command's name). `--config`
 * has no short form: `-c` is bench's connections, as in redis-benchmark.
 */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  {
    long: '--url',
    short: '-u',
    arg: '<url>',
    help: 'Redis URL, redis://[user:password@]host:port[/db] or rediss:// (env REDIS_URL)',
    server: true,
  },
  { long: '--config', arg: '<file>', help: 'config file (default: .redisscriptsrc and friends, found from here up)' },
  { long: '--manifest', short: '-m', arg: '<file>', help: 'SHA manifest (lockfile)' },
  {
    long: '--timeout',
    arg: '<ms>',
    help: 'connect and request timeout in ms (default 5000)',
    parse: wholeNumber('--timeout', 1, MAX_TIMER_MS, ' ms'),
    server: true,
  },
  { long: '--cluster', help: 'treat the server as a Redis Cluster (detected by itself otherwise)', server: true },
  { long: '--tls-ca', arg: '<file>', help: 'CA certificate (PEM) to verify a rediss:// server', server: true },
  { long: '--tls-cert', arg: '<file>', help: 'client certificate (PEM) for rediss://', server: true },
  { long: '--tls-key', arg: '<file>', help: 'client key (PEM) for rediss://', server: true },
  { long: '--tls-insecure', help: 'skip TLS certificate verification (testing only)', server: true },
  { long: '--json', help: 'print one JSON document on stdout and nothing else there' },
  {
    long: '--verbose',
    short: '-v',
    help: 'say more, and show stack traces on errors (also DEBUG=rscript); rscript -v alone prints the version',
  },
];

const keysArgs = (extra = ''): OptionSpec[] => [
  { long: '--keys', short: '-k', arg: '<keys...>', help: `key names (KEYS)${extra}` },
  { long: '--args', short: '-a', arg: '<args...>', help: `arguments (ARGV)${extra}` },
];

const yes = (help: string): OptionSpec => ({ long: '--yes', short: '-y', help });

/** `--target` of lint and load: the linter's command table; `server` names the server read before the config. */
const targetOption = (server: string): OptionSpec => ({
  long: '--target',
  arg: '<server>',
  help: `the server the scripts must run on, for the linter: ${TARGETS.join(', ')} (default: the release of ${server}, else lint.target in the config, else ${DEFAULT_TARGET})`,
  parse: lintTarget,
});

const SANDBOX_HELP = 'a throwaway redis-server (from PATH or "redisServer"), stopped afterwards; not with --url';

/** Each command's own options, by the command's name (`functions dump`: by its full name). */
export const COMMAND_OPTIONS: Readonly<Record<string, readonly OptionSpec[]>> = {
  load: [
    { long: '--dry-run', help: 'show the plan; load nothing and write nothing' },
    { long: '--check', help: 'exit 1 if the manifest does not match the files (no server needed)' },
    { long: '--no-lint', help: 'load even when the linter finds error-level problems' },
    { long: '--no-cache', help: 'lint every new or changed script again instead of reusing the lint cache' },
    { long: '--all', help: 'list every script (past 50 unchanged ones already cached, the table counts them instead)' },
    { long: '--watch', help: 'load again on each save of a script, for a dev server (Ctrl-C to stop)' },
    targetOption('the server it loads to'),
  ],
  exec: [
    ...keysArgs().map((o) => ({ ...o, default: [] })),
    { long: '--ro', help: 'use EVALSHA_RO (scripts flagged no-writes; runs on replicas)' },
    {
      long: '--sandbox',
      help: `run on ${SANDBOX_HELP}, after the script's fixture setup; without --keys and --args, with the fixture's`,
    },
  ],
  exists: [
    {
      long: '--all',
      help: 'list every script (past 50 cached ones, the table lists the missing ones and counts the others)',
    },
  ],
  flush: [
    { long: '--functions', help: 'delete every Functions library on every primary (FUNCTION FLUSH) instead' },
    { long: '--async', help: 'flush in the background (SCRIPT FLUSH ASYNC)' },
    { long: '--sync', help: 'flush before answering (SCRIPT FLUSH SYNC)' },
    yes('do not ask for confirmation (needed when stdin is not a terminal)'),
  ],
  kill: [
    {
      long: '--wait',
      arg: '<ms>',
      help: 'how long to wait, past --timeout, for a server busy running a script to accept SCRIPT KILL (default 60000)',
      parse: wholeNumber('--wait', 0, MAX_TIMER_MS, ' ms'),
    },
  ],
  'functions dump': [{ long: '--out', short: '-o', arg: '<file>', help: 'file to write the payload to' }],
  'functions restore': [
    {
      long: '--policy',
      arg: '<policy>',
      help: 'what to do with the libraries already there',
      choices: ['append', 'replace', 'flush'],
      default: 'append',
    },
    yes('do not ask for confirmation of --policy flush'),
  ],
  lint: [
    {
      long: '--format',
      short: '-f',
      arg: '<format>',
      help: 'output format (--json is --format json)',
      choices: ['text', 'json', 'sarif'],
    },
    {
      long: '--max-warnings',
      arg: '<n>',
      help: 'exit 1 when there are more warnings than this',
      parse: wholeNumber('--max-warnings', 0),
    },
    { long: '--no-cache', help: 'check every script again instead of reusing the lint cache' },
    targetOption('the --url server'),
  ],
  build: [{ long: '--out', short: '-o', arg: '<dir>', help: 'write <name>.lua files there instead of printing' }],
  gen: [
    { long: '--out', short: '-o', arg: '<file>', help: 'write the module there instead of printing it' },
    { long: '--check', help: 'exit 1 if the file given with --out is not what gen would write (write nothing)' },
  ],
  info: [
    {
      long: '--server-copy',
      help: "read each script's copy from the server (SCRIPT SHOW, Valkey 8.0+) and compare it with the file",
    },
  ],
  bench: [
    ...keysArgs("; __rand_int__ is replaced per call (default: the fixture's)"),
    {
      long: '--requests',
      short: '-n',
      arg: '<n>',
      help: 'calls to make (default 100000 for one script, 10000 per fixture)',
      parse: wholeNumber('--requests'),
      conflicts: ['duration'],
    },
    {
      long: '--duration',
      short: '-d',
      arg: '<time>',
      help: 'run for this long instead of a number of calls: 10s, 500ms, 2m',
      parse: durationFlag('--duration'),
    },
    {
      long: '--connections',
      short: '-c',
      arg: '<n>',
      help: 'connections, each with one batch of -P calls in flight, as redis-benchmark -c (default 50 for one script, 1 per fixture)',
      parse: wholeNumber('--connections'),
      conflicts: ['concurrency'],
    },
    {
      long: '--concurrency',
      arg: '<n>',
      help: 'the former name of --connections',
      parse: wholeNumber('--concurrency'),
      hidden: true,
    },
    {
      long: '--pipeline',
      short: '-P',
      arg: '<n>',
      help: 'calls per batch, written together (default 1)',
      parse: wholeNumber('--pipeline'),
    },
    {
      long: '--warmup',
      arg: '<n>',
      help: 'calls made and not measured before the bench (default 1000, or 1 s if that is shorter)',
      parse: wholeNumber('--warmup', 0),
    },
    {
      long: '--keyspace',
      short: '-r',
      arg: '<n>',
      help: '__rand_int__ becomes a 12-digit number below this (default: any 12-digit number, unique in practice)',
      parse: wholeNumber('--keyspace'),
    },
    {
      long: '--budget',
      arg: '<ms>',
      help: "server-side time per call allowed, ms (default: the fixture's budgetMs, else budgetMs, else 50)",
      parse: positiveNumber('--budget'),
    },
    { long: '--csv', help: 'print CSV on stdout (one line per script)', conflicts: ['json'] },
    { long: '--sandbox', help: `run against ${SANDBOX_HELP}` },
    yes('do not ask before writing to a server that is not on loopback'),
  ],
  test: [
    {
      long: '--resp',
      arg: '<version>',
      help: 'protocol of the connections',
      choices: ['2', '3', 'both'],
      default: 'both',
    },
    {
      long: '--reporter',
      arg: '<format>',
      help: 'output format; junit writes JUnit XML on stdout for CI',
      choices: ['text', 'junit'],
      default: 'text',
    },
    yes('do not ask before emptying a --url server that is not on loopback or holds keys'),
    { long: '--watch', help: 'run again what a saved script, include or spec changes (Ctrl-C to stop)' },
  ],
};

/** commander's Option for a spec. */
export function toOption(spec: OptionSpec): Option {
  const flags = `${spec.short ? `${spec.short}, ` : ''}${spec.long}${spec.arg ? ` ${spec.arg}` : ''}`;
  const option = new Option(flags, spec.help);
  if (spec.parse) option.argParser(spec.parse);
  if (spec.choices) option.choices(spec.choices);
  if (spec.default !== undefined) option.default(spec.default);
  if (spec.conflicts) option.conflicts(spec.conflicts);
  if (spec.hidden) option.hideHelp();
  return option;
}

/**
 * The options every command takes, as commander options; `use` leaves out the connection options of
 * a command that needs no server and says what -m does.
 */
export function globalOptions(use: OptionUse = { server: true, manifest: 'read and write' }): Option[] {
  return GLOBAL_OPTIONS.filter((spec) => use.server || !spec.server).map((spec) => {
    if (spec.long === '--url' && use.urlHelp) return toOption({ ...spec, help: use.urlHelp });
    if (spec.long !== '--manifest') return toOption(spec);
    const help = use.manifest
      ? `${spec.help} to ${use.manifest} (default rscript.lock.json)`
      : `${spec.help}: accepted, not used by this command`;
    const option = toOption({ ...spec, help });
    return use.manifest ? option : option.hideHelp();
  });
}

/** A command's own options, as commander options. */
export function commandOptions(command: string): Option[] {
  return (COMMAND_OPTIONS[command] ?? []).map(toOption);
}

/** The flags (short and long) of the options every command takes that need a server. */
export function connectionFlags(): Set<string> {
  return new Set(
    GLOBAL_OPTIONS.filter((o) => o.server).flatMap((o) => [o.long, o.short].filter((f): f is string => !!f)),
  );
}

/** The TLS flags the command line gave, by name. */
export function tlsFlagsGiven(flags: GlobalFlags): string[] {
  const given: Array<[unknown, string]> = [
    [flags.tlsCa, '--tls-ca'],
    [flags.tlsCert, '--tls-cert'],
    [flags.tlsKey, '--tls-key'],
    [flags.tlsInsecure, '--tls-insecure'],
  ];
  return given.filter(([value]) => value !== undefined).map(([, name]) => name);
}

/** The config overlay the flags make; flags left undefined are dropped by loadConfig. */
export function flagsToConfig(flags: GlobalFlags): Partial<Config> & { config?: string } {
  const tls =
    tlsFlagsGiven(flags).length > 0
      ? { ca: flags.tlsCa, cert: flags.tlsCert, key: flags.tlsKey, insecure: flags.tlsInsecure }
      : undefined;
  return {
    config: flags.config,
    url: flags.url,
    manifest: flags.manifest,
    timeoutMs: flags.timeout,
    cluster: flags.cluster,
    tls,
  };
}
