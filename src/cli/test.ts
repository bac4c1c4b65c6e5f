/**
 * `rscript test` on the command line: flags to TestOptions, a line per case printed as the run goes,
 * Ctrl-C (the case running ends, the server is stopped, what ran is reported), and `--watch`.
 * The run itself is commands/test.ts; the text is output/test.ts.
 */
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, UsageError } from '../errors.js';
import type { GlobalFlags } from './options.js';
import type { Config } from '../config/schema.js';
import type { Target } from '../server/target.js';
import { scrub } from '../secrets.js';

export interface TestCommandInput {
  specs: string[];
  resp: string;
  reporter: 'text' | 'junit';
  yes?: boolean;
  watch?: boolean;
  config: Config;
  flags: GlobalFlags;
  target: Target;
  confirm: (question: string) => Promise<boolean>;
  stderr: () => NodeJS.WriteStream;
}

/** What the CLI's action wrapper prints and exits with. */
export interface TestCommandOutcome {
  data: unknown;
  text: string | (() => string);
  exitCode?: number;
}

export async function testCommand(input: TestCommandInput): Promise<TestCommandOutcome> {
  const { flags, config } = input;
  if (flags.json && input.reporter === 'junit')
    throw new UsageError('--json and --reporter junit conflict: choose one report on stdout');
  const protocols: Array<2 | 3> = input.resp === '2' ? [2] : input.resp === '3' ? [3] : [2, 3];
  const { test } = await import('../commands/test.js');
  const { renderCase, renderSummary, renderTest, junitReport } = await import('../output/test.js');
  const streaming = !flags.json && input.reporter === 'text';
  const say = (line: string) => {
    if (!flags.json || flags.verbose) input.stderr().write(`${line}\n`);
  };
  const options = {
    paths: input.specs,
    scriptRoots: config.scripts,
    // Only --url picks a server: REDIS_URL and the config's url are for the other commands (CI sets
    // REDIS_URL for every step), and a test empties the database it runs on.
    ...(flags.url !== undefined ? { target: input.target } : {}),
    cluster: flags.cluster,
    protocols,
    redisServer: config.redisServer,
    timeoutMs: config.timeoutMs,
    confirm: input.yes ? undefined : input.confirm,
    onServer: (server: string, sandbox: import('../commands/test.js').TestResult['sandbox']) =>
      say(
        sandbox
          ? `rscript test: ${server} (redis-server ${sandbox.version ?? ''}, pid ${sandbox.pids.join(', ')}), thrown away when the run ends`
          : `rscript test: ${server}`,
      ),
    onCase: streaming
      ? (r: import('../commands/test.js').CaseResult) =>
          process.stdout.write(scrub(renderCase(r, protocols.length)) + '\n')
      : undefined,
  };
  if (input.watch) {
    if (flags.json || input.reporter === 'junit')
      throw new UsageError('--watch prints as it goes: drop --json and --reporter junit');
    const { watchTests } = await import('../commands/watch.js');
    const { formatText } = await import('../output/lint.js');
    const { colorLevel } = await import('../output/color.js');
    const code = await watchTests(
      options,
      {
        print: (text) => process.stdout.write(scrub(text) + '\n'),
        summary: renderSummary,
        lintReport: (linted) => formatText(linted.files, colorLevel(process.stdout) > 0),
      },
      {
        include: [config.include],
        rules: config.lint.rules,
        target: config.lint.target,
        headers: config.lint.headers,
      },
    );
    return { data: null, text: '', exitCode: code };
  }
  // Ctrl-C: the case running ends, the server is stopped and what ran is reported; a second one exits at once.
  const controller = new AbortController();
  const onSigint = () => (controller.signal.aborted ? process.exit(EXIT_INTERRUPTED) : controller.abort());
  process.on('SIGINT', onSigint);
  try {
    const result = await test({ ...options, signal: controller.signal });
    if ('tested' in result) {
      if (!flags.json) input.stderr().write(`not tested: nothing was sent to ${result.server}\n`);
      return { data: result, text: '' };
    }
    const text = () =>
      input.reporter === 'junit' ? junitReport(result) : streaming ? renderSummary(result) : renderTest(result);
    return {
      data: result,
      text,
      exitCode: result.interrupted ? EXIT_INTERRUPTED : result.failed > 0 ? EXIT_FAILED : EXIT_OK,
    };
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

/** `rscript load --watch`: loads, then loads again on each save, printing each result. */
export async function loadWatchCommand(
  options: import('../commands/load.js').LoadOptions,
  flags: { json?: boolean; dryRun?: boolean; check?: boolean; all?: boolean },
): Promise<TestCommandOutcome> {
  if (flags.json || flags.dryRun || flags.check) {
    throw new UsageError(
      `--watch loads on each save and prints as it goes: drop ${flags.json ? '--json' : flags.dryRun ? '--dry-run' : '--check'}`,
    );
  }
  const { watchLoad } = await import('../commands/watch.js');
  const { renderLoad } = await import('../output/render.js');
  const { formatText } = await import('../output/lint.js');
  const { colorLevel } = await import('../output/color.js');
  const code = await watchLoad(options, {
    print: (text) => process.stdout.write(scrub(text) + '\n'),
    render: (result) => renderLoad(result, { all: flags.all }),
    lintReport: (linted) => formatText(linted.files, colorLevel(process.stdout) > 0),
  });
  return { data: null, text: '', exitCode: code };
}
