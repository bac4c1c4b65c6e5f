/**
 * The help's own texts: the short usage `rscript` alone prints, the note on the program's options,
 * and each command's exit codes (only those it can return).
 */

const SUCCESS = 'success';
const USAGE = 'usage, config or connection error';
const CTRL_C = 'stopped by Ctrl-C';

/** The exit codes each command can return, with what each means there. */
export const EXIT_CODES: Readonly<Record<string, ReadonlyArray<readonly [number, string]>>> = {
  load: [
    [0, SUCCESS],
    [1, 'a script failed to compile or lint, or --check found the manifest stale'],
    [2, USAGE],
    [130, `${CTRL_C} (--watch)`],
  ],
  exec: [
    [0, SUCCESS],
    [1, 'the script failed (error reply, compile error)'],
    [2, USAGE],
  ],
  exists: [
    [0, 'the server holds every script asked'],
    [1, 'a script or library is missing from the server'],
    [2, USAGE],
  ],
  flush: [
    [0, 'flushed, or declined at the prompt'],
    [2, USAGE],
    [130, `${CTRL_C} at the prompt (nothing was sent)`],
  ],
  kill: [
    [0, 'killed, or nothing was running'],
    [1, 'the running script has written and cannot be killed'],
    [2, USAGE],
  ],
  'functions dump': [
    [0, SUCCESS],
    [1, 'the primaries hold different libraries: nothing dumped'],
    [2, USAGE],
  ],
  'functions restore': [
    [0, 'restored, or declined at the prompt'],
    [1, 'a primary refused the payload (rolled back)'],
    [2, USAGE],
    [130, `${CTRL_C} at the --policy flush prompt (nothing was sent)`],
  ],
  lint: [
    [0, 'no error-level finding (and warnings within --max-warnings)'],
    [1, 'an error-level finding, or more warnings than --max-warnings'],
    [2, USAGE],
  ],
  build: [
    [0, SUCCESS],
    [1, 'an include is missing or loops'],
    [2, USAGE],
  ],
  gen: [
    [0, SUCCESS],
    [1, '--check found the file out of date, or a script changed since rscript load'],
    [2, USAGE],
  ],
  info: [
    [0, SUCCESS],
    [1, 'a script cannot be read as one (an include missing, a BOM)'],
    [2, USAGE],
  ],
  bench: [
    [0, 'every script within its latency budget'],
    [1, 'a script failed or went over its budget'],
    [2, USAGE],
    [130, `${CTRL_C} (what was measured is reported)`],
  ],
  test: [
    [0, 'every case passed'],
    [1, 'a case failed'],
    [2, USAGE],
    [130, `${CTRL_C} (what ran is reported)`],
  ],
};

/** The program's list: every code some command returns. */
export const PROGRAM_EXIT_CODES: ReadonlyArray<readonly [number, string]> = [
  [0, SUCCESS],
  [1, 'a check or a script failed (missing SHAs, error reply, compile error, stale manifest)'],
  [2, USAGE],
  [130, `${CTRL_C} (a bench or a test run reports what it measured)`],
];

/** "Exit codes:" and one line per code, for the end of a help. */
export function exitCodesHelp(codes: ReadonlyArray<readonly [number, string]>): string {
  return `\nExit codes:\n${codes.map(([code, what]) => `  ${String(code).padStart(3)}  ${what}`).join('\n')}`;
}

export const PROGRAM_OPTIONS_HELP = `
The options every command takes (-u/--url, --config, -m/--manifest, --timeout, --cluster, --tls-*,
--json, -v/--verbose; build and gen, which need no server, only --config, --json and -v) go
after the command's name or before it: rscript --url redis://host:6379 exists. lint connects only
given --url after its name, info only with --server-copy; otherwise the two leave the connection
options aside. rscript <command> --help lists those the command uses. rscript -v alone prints the
version.`;

/** What `rscript` alone prints: how to call it, the commands' names, where the rest is. */
export function shortUsage(commands: readonly string[]): string {
  return [
    'Usage: rscript <command> [options]',
    `Commands: ${commands.join(', ')}`,
    'rscript --help says what each does; rscript <command> --help lists its options.',
  ].join('\n');
}
