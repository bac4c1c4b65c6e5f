/**
 * The one way out of a run: results printed on stdout, errors turned into one line on stderr (plus
 * detail lines) and an exit code, cluster warnings on stderr, and a closed pipe ended quietly.
 */
import { printable } from '../output/printable.js';
import { CommanderError } from 'commander';
import { EXIT_OK, EXIT_USAGE, RscriptError, UsageError } from '../errors.js';
import { scrub } from '../secrets.js';
import type { TopologySummary } from '../server/topology.js';
import type { GlobalFlags } from './options.js';

/**
 * `rscript info | head -3`, `rscript --help | less` quit early: the next write to the closed pipe
 * fails with EPIPE, which Node raises as an uncaught error with a stack trace. The reader has all it
 * wanted; rscript stops quietly with the exit code it has so far.
 */
export function quietOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  // Once per stream, however often run() is called in one process (the tests call it many times).
  if (GUARDED.has(stream)) return;
  GUARDED.add(stream);
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK);
  });
}

const GUARDED = new WeakSet<NodeJS.WriteStream>();

/** process.stderr, made (and guarded against a closed pipe) only when something is written to it. */
export function stderr(): NodeJS.WriteStream {
  quietOnClosedPipe(process.stderr);
  return process.stderr;
}

export function print(text: string): void {
  process.stdout.write(scrub(text) + '\n');
}

/** Turns any error into one line on stderr (plus detail lines) and an exit code. */
export function report(err: unknown, flags: GlobalFlags): number {
  if (err instanceof CommanderError) {
    // commander has printed the help or the version already.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
      return EXIT_OK;
    // commander's own "no command" (run() answers that before parsing): a placeholder message.
    if (err.code === 'commander.help')
      return report(new UsageError('no command given: rscript --help lists the commands'), flags);
    // A usage error, printed as every rscript error: its first line the message (without commander's
    // "error: "), the others (commander's "(Did you mean ...?)", rscript's hints) detail lines.
    const [first = '', ...detail] = err.message.split('\n');
    const message = first.startsWith('error: ') ? first.slice('error: '.length) : first;
    return report(new UsageError(message, detail), flags);
  }
  const debug = flags.verbose || /\brscript\b/.test(process.env.DEBUG ?? '');
  const known = err instanceof RscriptError;
  const message = known ? err.message : `unexpected error: ${(err as Error)?.message ?? String(err)}`;
  const exitCode = known ? err.exitCode : EXIT_USAGE;
  const detail = known ? err.detail : [];
  if (flags.json) {
    print(JSON.stringify({ error: { message, exitCode, detail } }, null, 2));
  }
  const lines = [`rscript: ${printable(message)}`, ...detail.map((d) => `  ${printable(d)}`)];
  if (debug && err instanceof Error && err.stack) lines.push(err.stack);
  stderr().write(scrub(lines.join('\n')) + '\n');
  return exitCode;
}

/** `--json` among the options (not after `--`), for errors commander raises before any action runs. */
export function jsonRequested(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/**
 * The cluster nodes a command did not ask (marked failed, no address yet, the URL's node busy, a
 * kill that failed on one), said on stderr as other warnings are: stdout keeps the result
 * (`rscript exists | tail -1`), and --json lists them (`cluster.skipped`, `nodes`).
 */
export function clusterWarnings(data: unknown): string[] {
  const { cluster, nodes } = (data ?? {}) as {
    cluster?: TopologySummary;
    nodes?: Array<{ node: string; outcome?: string; error?: string }>;
  };
  if (!cluster) return [];
  const lines = cluster.skipped.map((n) => `${n.label} (${n.role}) was skipped: ${n.reason}`);
  if (cluster.note) lines.push(cluster.note);
  // kill: a node that could not be asked (the others were).
  for (const n of nodes ?? []) if (n.outcome === 'failed') lines.push(`${n.node}: ${n.error}`);
  // load: a replica that did not show a new Functions library in time (a failed one is skipped above).
  for (const r of (data as { laggingReplicas?: Array<{ node: string; primary?: string; libraries: string[] }> })
    .laggingReplicas ?? []) {
    lines.push(
      `replica ${r.node}${r.primary ? ` of ${r.primary}` : ''} does not show the new code of ${r.libraries.join(', ')} yet: check its replication link (INFO replication)`,
    );
  }
  return lines;
}
