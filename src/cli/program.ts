/**
 * The command line's wiring: commander's program, each action turning its flags into a command's
 * options and the command's result into output and an exit code (report.ts). Commands are imported
 * when they run, so `--help` and `--version` load neither the Redis client nor the config loader.
 */
import { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError } from '../errors.js';
import { scrub } from '../secrets.js';
import { andList } from '../text.js';
import type { Config } from '../config/schema.js';
import type { Target } from '../server/target.js';
import { commandIndex, programOptionError, withArgvHint } from './argv-hints.js';
import { EXIT_CODES, exitCodesHelp, PROGRAM_EXIT_CODES, PROGRAM_OPTIONS_HELP, shortUsage } from './help.js';
import {
  commandOptions,
  flagsToConfig,
  globalOptions,
  tlsFlagsGiven,
  type BenchFlags,
  type GlobalFlags,
  type OptionUse,
} from './options.js';
import { confirm } from './prompt.js';
import { clusterWarnings, jsonRequested, print, quietOnClosedPipe, report, stderr } from './report.js';

interface Context {
  config: Config;
  flags: GlobalFlags;
  target: Target;
}

/** Runs rscript with `argv` (without node and script path); resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  quietOnClosedPipe();
  let exitCode = EXIT_OK;
  // Until commander has parsed the flags (and when it fails to), a usage error still honours --json.
  let flags: GlobalFlags = { json: jsonRequested(argv) };
  const program = new Command('rscript')
    .description('Manage, check, run and benchmark Redis Lua scripts.')
    .version(version(), '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => stderr().write(scrub(s)),
      // commander's usage errors are printed by report(), as every rscript error is, with the hints
      // argv-hints.ts adds to them.
      outputError: () => undefined,
    })
    .addHelpText('after', `${PROGRAM_OPTIONS_HELP}\n${exitCodesHelp(PROGRAM_EXIT_CODES)}`);
  // `rscript --url redis://... exists` as well as `rscript exists --url ...`: the options every command
  // takes are the program's too (before the command name only, so that bench keeps -c for its
  // concurrency; a command's own value wins over the program's). Listed in each command's help.
  program.enablePositionalOptions();
  for (const opt of globalOptions()) program.addOption(opt.hideHelp());

  const command = (name: string, description: string, use: OptionUse) => {
    const cmd = program.command(name).description(description).addHelpText('after', exitCodesHelp(EXIT_CODES[name]!));
    for (const opt of globalOptions(use)) cmd.addOption(opt);
    for (const opt of commandOptions(name)) cmd.addOption(opt);
    return cmd;
  };

  /**
   * Wraps an action: context, the command's result, output, exit code. `text` may be a function so
   * that `--json` skips rendering a large table it would throw away.
   */
  type Outcome = { data: unknown; text: string | (() => string); exitCode?: number };
  const action =
    // biome-ignore lint/suspicious/noExplicitAny: commander hands positional args and opts untyped
      (fn: (ctx: Context, ...a: any[]) => Promise<Outcome>) =>
      async (...a: unknown[]) => {
        const cmd = a[a.length - 1] as Command;
        // The command's own flags over the program's (commander's optsWithGlobals does the reverse).
        flags = { ...program.opts<GlobalFlags>(), ...cmd.opts<GlobalFlags>() };
        const ctx = await context(flags);
        // commander calls action(...positional, opts, cmd)
        const { data, text, exitCode: code } = await fn(ctx, ...a.slice(0, -1));
        const out = flags.json ? JSON.stringify(data, null, 2) : typeof text === 'function' ? text() : text;
        // An empty text (a flush declined at its prompt, said on stderr) leaves stdout empty.
        if (flags.json || out !== '') print(out);
        for (const w of clusterWarnings(data)) stderr().write(`warning: ${w}\n`);
        exitCode = code ?? EXIT_OK;
      };

  command('load', 'hash local scripts, load the ones the server lacks, and write the manifest', {
    server: true,
    manifest: 'read and write',
  })
    .argument('[paths...]', 'script folders or files (default: "scripts" in the config, else ./lua)')
    .action(
      action(
        async (
          ctx,
          paths: string[],
          opts: {
            dryRun?: boolean;
            check?: boolean;
            lint: boolean;
            cache: boolean;
            all?: boolean;
            watch?: boolean;
            target?: string;
          },
        ) => {
          const { load } = await import('../commands/load.js');
          const { renderLoad } = await import('../output/render.js');
          const loadOptions = {
            paths: paths.length > 0 ? paths : configuredScripts(ctx, 'load'),
            scriptRoots: ctx.config.scripts,
            include: [ctx.config.include],
            manifest: ctx.config.manifest,
            target: ctx.target,
            dryRun: opts.dryRun,
            check: opts.check,
            lint: opts.lint,
            rules: ctx.config.lint.rules,
            lintTarget: ctx.config.lint.target,
            lintTargetFlag: opts.target,
            lintHeaders: ctx.config.lint.headers,
            cache: opts.cache,
          };
          if (opts.watch) {
            const { loadWatchCommand } = await import('./test.js');
            return loadWatchCommand(loadOptions, {
              json: ctx.flags.json,
              dryRun: opts.dryRun,
              check: opts.check,
              all: opts.all,
            });
          }
          const result = await load(loadOptions);
          return {
            data: result,
            text: () => renderLoad(result, { all: opts.all }),
            exitCode: opts.check && result.stale ? EXIT_FAILED : EXIT_OK,
          };
        },
      ),
    );

  command('exec', 'run a script (EVALSHA) or a function (FCALL) and show the typed reply', {
    server: true,
    manifest: 'read',
  })
    .argument(
      '<script>',
      'a manifest name (rate_limit), a path (lua/rate_limit.lua), a SHA, or a function (toolkit.counter_incr)',
    )
    .action(
      action(async (ctx, script: string, opts: { keys: string[]; args: string[]; ro?: boolean; sandbox?: boolean }) => {
        const { exec, execInSandbox } = await import('../commands/exec.js');
        const { execJson, execLintWarnings, renderExec } = await import('../output/render.js');
        const quoted = (values: string[]) =>
          values.length ? values.map((v) => JSON.stringify(v)).join(' ') : '(none)';
        const say = (line: string) => {
          if (!ctx.flags.json || ctx.flags.verbose) stderr().write(`${line}\n`);
        };
        const call = {
          script,
          keys: opts.keys,
          args: opts.args,
          readOnly: opts.ro,
          serverCopy: ctx.flags.verbose,
          lint: ctx.config.lint,
        };
        if (opts.sandbox) refuseServerFlagsWithSandbox(ctx.flags);
        const result = opts.sandbox
          ? await execInSandbox({
              ...call,
              config: ctx.config,
              onStart: (s, fromFixture) => {
                say(
                  `sandbox: redis-server ${s.version ?? ''} (pid ${s.pid}) on 127.0.0.1:${s.port}, a throwaway server stopped when rscript exits`,
                );
                if (fromFixture)
                  say(
                    `sandbox: the fixture bench["${fromFixture.fixture}"] gives KEYS ${quoted(fromFixture.keys)} and ARGV ${quoted(fromFixture.args)} (--keys or --args: your own instead)`,
                  );
              },
            })
          : await exec({ ...call, manifest: ctx.config.manifest, scripts: ctx.config.scripts, target: ctx.target });
        if (result.reloaded && ctx.flags.verbose && !ctx.flags.json) {
          stderr().write(`note: the server lacked ${result.script} (NOSCRIPT): loaded it and retried\n`);
        }
        if (result.manifestSha && !ctx.flags.json) {
          stderr().write(
            `note: ${result.path ?? result.script} has changed since ${ctx.config.manifest} was written (sha ${result.manifestSha.slice(0, 12)} there, ${result.sha.slice(0, 12)} now): this ran the file as it is; rscript load brings the manifest up to date\n`,
          );
        }
        for (const w of execLintWarnings(result)) stderr().write(`warning: ${w}\n`);
        return { data: execJson(result), text: renderExec(result) };
      }),
    );

  command('exists', "check that the server's script cache holds every script of the manifest", {
    server: true,
    manifest: 'read',
  })
    .argument('[names...]', 'manifest names, paths (lua/rate_limit.lua) or SHAs (default: all in the manifest)')
    .action(
      action(async (ctx, names: string[], opts: { all?: boolean }) => {
        const { exists } = await import('../commands/exists.js');
        const { renderExists } = await import('../output/render.js');
        const result = await exists({
          names,
          manifest: ctx.config.manifest,
          target: ctx.target,
          serverCopy: ctx.flags.verbose,
        });
        return {
          data: result,
          text: renderExists(result, opts),
          exitCode: result.missing > 0 || (result.librariesMissing ?? 0) > 0 ? EXIT_FAILED : EXIT_OK,
        };
      }),
    );

  command(
    'flush',
    "empty the server's script cache (SCRIPT FLUSH), or with --functions delete every library (FUNCTION FLUSH)",
    { server: true },
  ).action(
    action(async (ctx, opts: { async?: boolean; sync?: boolean; yes?: boolean; functions?: boolean }) => {
      const cache = opts.functions ? 'Functions libraries' : 'script cache';
      if (opts.async && opts.sync) throw new UsageError('flush: choose --async or --sync, not both');
      if (!opts.yes) {
        // The URL is checked before asking (an empty REDIS_URL, an invalid one), and the question
        // names the server as every message does: host:port, never a password.
        const { parseTarget, serverLabel } = await import('../server/target.js');
        parseTarget(ctx.target);
        const server = serverLabel(ctx.target.url, ctx.target.urlFrom);
        if (!(await confirm(`Flush the ${cache} of ${server}? [y/N] `))) {
          // Declining is the user's choice, not a failure: exit 0, and nothing on stdout but --json's document.
          if (!ctx.flags.json)
            stderr().write(`not flushed: the ${cache} of ${server} ${opts.functions ? 'are' : 'is'} unchanged\n`);
          return { data: { flushed: false, server }, text: '' };
        }
      }
      const { flush } = await import('../commands/flush.js');
      const { renderFlush } = await import('../output/render.js');
      const result = await flush({
        mode: opts.async ? 'ASYNC' : opts.sync ? 'SYNC' : undefined,
        functions: opts.functions,
        target: ctx.target,
      });
      return { data: result, text: renderFlush(result) };
    }),
  );

  command('kill', 'stop a script that runs too long (SCRIPT KILL, or FUNCTION KILL for a function)', {
    server: true,
  }).action(
    action(async (ctx, opts: { wait?: number }) => {
      const { kill } = await import('../commands/kill.js');
      const { renderKill, renderKillWaiting } = await import('../output/render.js');
      const result = await kill({
        target: ctx.target,
        waitMs: opts.wait,
        onBusyWait: (node, waited, max) => stderr().write(`${renderKillWaiting(node, waited, max)}\n`),
      });
      return { data: result, text: renderKill(result) };
    }),
  );

  // Redis Functions backups: `functions dump` and `functions restore` (logic in commands/functions.ts).
  const functionsCmd = program
    .command('functions')
    .description('back up and restore the Functions libraries of every primary (FUNCTION DUMP / RESTORE)');
  const functionsSub = (name: string, description: string) => {
    const cmd = functionsCmd
      .command(name)
      .description(description)
      .addHelpText('after', exitCodesHelp(EXIT_CODES[`functions ${name}`]!));
    for (const opt of globalOptions({ server: true })) cmd.addOption(opt);
    for (const opt of commandOptions(`functions ${name}`)) cmd.addOption(opt);
    return cmd;
  };
  functionsSub(
    'dump',
    'write the libraries of the primaries as one FUNCTION DUMP payload (to --out, or to stdout when it is not a terminal)',
  ).action(
    action(async (ctx, opts: { out?: string }) => {
      if (!opts.out && (process.stdout.isTTY || ctx.flags.json))
        throw new UsageError('functions dump: the payload is binary; pass --out <file> (or redirect stdout to a file)');
      const { functionsDump } = await import('../commands/functions.js');
      const { renderFunctionsDump } = await import('../output/render.js');
      const { payload, ...result } = await functionsDump({ target: ctx.target });
      if (opts.out) {
        const { writeFileAtomic } = await import('../write-atomic.js');
        writeFileAtomic(opts.out, payload);
      } else {
        process.stdout.write(payload);
      }
      const data = { ...result, bytes: payload.length, ...(opts.out ? { file: opts.out } : {}) };
      const text = renderFunctionsDump(data);
      // Without --out stdout holds the payload: the summary goes to stderr.
      if (!opts.out) {
        stderr().write(`${text}\n`);
        return { data, text: '' };
      }
      return { data, text };
    }),
  );
  functionsSub('restore', 'restore a FUNCTION DUMP payload on every primary (rolled back everywhere if one refuses it)')
    .argument('<file>', 'a payload written by rscript functions dump or redis-cli --raw FUNCTION DUMP')
    .action(
      action(async (ctx, file: string, opts: { policy: 'append' | 'replace' | 'flush'; yes?: boolean }) => {
        let payload: Buffer;
        try {
          payload = readFileSync(file);
        } catch (err) {
          throw new UsageError(
            `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
          );
        }
        if (opts.policy === 'flush' && !opts.yes) {
          const { parseTarget, serverLabel } = await import('../server/target.js');
          parseTarget(ctx.target);
          const server = serverLabel(ctx.target.url, ctx.target.urlFrom);
          if (
            !(await confirm(
              `Delete every library of ${server} and restore ${file}? [y/N] `,
              'restore with --policy flush',
            ))
          ) {
            if (!ctx.flags.json) stderr().write(`not restored: the libraries of ${server} are unchanged\n`);
            return { data: { restored: false, server }, text: '' };
          }
        }
        const { functionsRestore } = await import('../commands/functions.js');
        const { renderFunctionsRestore } = await import('../output/render.js');
        const policy = opts.policy.toUpperCase() as 'APPEND' | 'REPLACE' | 'FLUSH';
        const result = await functionsRestore({ target: ctx.target, payload, policy, file });
        return { data: result, text: renderFunctionsRestore(result, file) };
      }),
    );

  // No server, unless --url follows its name: that server's release is the target. Before the name, the
  // program takes --url and leaves it aside here (an alias may pass it to every command).
  command('lint', 'check scripts for Redis-specific Lua mistakes (no server needed)', {
    server: true,
    urlHelp: "lint for this server's release (read at connect; nothing else is sent)",
  })
    .argument('[paths...]', 'script folders or files (default: "scripts" in the config, else ./lua)')
    .action(
      action(
        async (
          ctx,
          paths: string[],
          opts: {
            format?: 'text' | 'json' | 'sarif';
            maxWarnings?: number;
            cache: boolean;
            target?: string;
          } & GlobalFlags,
        ) => {
          refuseConnectionFlagsWithout(
            opts,
            opts.url !== undefined,
            'lint',
            "--url: lint reads a server's release only when given its URL",
          );
          // Both name the release to lint for: one would be dropped without a word.
          if (opts.target !== undefined && opts.url !== undefined)
            throw new UsageError(
              'lint: --target and --url both name the server to lint for: choose one (--target names a release, --url reads it from a server)',
            );
          // --json asks for JSON on stdout: SARIF is JSON, so an explicit --format sarif stays SARIF;
          // an explicit --format text cannot be both.
          if (ctx.flags.json && opts.format === 'text')
            throw new UsageError('--json and --format text conflict: choose one (--json is --format json)');
          const format = opts.format === 'sarif' ? 'sarif' : ctx.flags.json ? 'json' : (opts.format ?? 'text');
          const { lint } = await import('../commands/lint.js');
          const { formatText, formatSarif } = await import('../output/lint.js');
          const result = await lint({
            paths: paths.length > 0 ? paths : configuredScripts(ctx, 'lint'),
            rules: ctx.config.lint.rules,
            target: opts.target,
            configTarget: ctx.config.lint.target,
            ...(opts.url !== undefined ? { server: ctx.target } : {}),
            headers: ctx.config.lint.headers,
            cache: opts.cache,
            include: [ctx.config.include],
          });
          const findings = result.files.flatMap((f) => f.findings);
          const tooManyWarnings = opts.maxWarnings !== undefined && result.warnings > opts.maxWarnings;
          // Without errors, the exit status comes from the limit alone: say so, on stderr, whatever the
          // format (a JSON or SARIF report shows 0 errors and would not say why the run failed).
          if (tooManyWarnings && result.errors === 0) {
            stderr().write(
              `rscript: ${result.warnings} warning${result.warnings === 1 ? '' : 's'}, more than --max-warnings ${opts.maxWarnings} allows: exit 1\n`,
            );
          }
          const data =
            format === 'sarif'
              ? formatSarif(result.files, version(), (await import('../lint/lint.js')).RULES, result.target)
              : { errors: result.errors, warnings: result.warnings, findings, target: result.target };
          const { colorLevel } = await import('../output/color.js');
          const { describeTarget } = await import('../lint/target-ids.js');
          // The target is said when read from a server (and with --verbose): the findings depend on it.
          const said = ctx.flags.verbose || result.target.from === 'server';
          return {
            data,
            text: () =>
              format === 'text'
                ? `${formatText(result.files, colorLevel(process.stdout) > 0)}${said ? `\nchecked against ${describeTarget(result.target)}` : ''}`
                : JSON.stringify(data, null, 2),
            exitCode: result.errors > 0 || tooManyWarnings ? EXIT_FAILED : EXIT_OK,
          };
        },
      ),
    );

  command('build', 'print the assembled scripts (included fragments spliced in), or write them to a folder', {
    server: false,
  })
    .argument('[scripts...]', 'names or paths (default: every script)')
    .action(
      action(async (ctx, scripts: string[], opts: { out?: string }) => {
        const { build } = await import('../commands/build.js');
        const { renderBuild } = await import('../output/render.js');
        const result = await build({
          scripts,
          paths: configuredScripts(ctx, 'build'),
          include: [ctx.config.include],
          out: opts.out,
        });
        return { data: result, text: () => renderBuild(result) };
      }),
    );

  command('gen', 'generate a typed module from the lockfile and the headers: rscript gen ts [--out file]', {
    server: false,
    manifest: 'read',
  })
    .argument('<language>', 'ts (TypeScript)')
    .action(
      action(async (ctx, language: string, opts: { out?: string; check?: boolean }) => {
        const { gen } = await import('../commands/gen.js');
        const { renderGen, genWarnings } = await import('../output/render.js');
        const result = await gen({ language, manifest: ctx.config.manifest, out: opts.out, check: opts.check });
        for (const w of genWarnings(result)) stderr().write(`warning: ${w}\n`);
        return {
          data: result,
          text: () => renderGen(result),
          exitCode: result.check && !result.upToDate ? EXIT_FAILED : EXIT_OK,
        };
      }),
    );

  // No server, unless --server-copy: then the connection options are read as every command reads them.
  command('info', 'show the catalog: what each script takes (KEYS, ARGV), its flags and what it returns', {
    server: true,
    manifest: 'read',
    urlHelp: 'the server --server-copy reads, redis://[user:password@]host:port[/db] or rediss:// (env REDIS_URL)',
  })
    .alias('ls')
    .argument('[script]', 'one script, by name, path (lua/rate_limit.lua) or SHA (default: all)')
    .action(
      action(async (ctx, script: string | undefined, opts: { serverCopy?: boolean } & GlobalFlags) => {
        refuseConnectionFlagsWithout(
          opts,
          !!opts.serverCopy,
          'info',
          '--server-copy: info reads the server only to show its copy of the scripts',
        );
        const { info } = await import('../commands/info.js');
        const { renderInfo } = await import('../output/render.js');
        const result = await info({
          script,
          paths: script === undefined ? configuredScripts(ctx, 'info') : ctx.config.scripts,
          include: [ctx.config.include],
          ...(opts.serverCopy ? { serverCopy: { target: ctx.target, manifest: ctx.config.manifest } } : {}),
        });
        return {
          data: result,
          text: () =>
            renderInfo(
              result,
              script !== undefined,
              process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : undefined,
            ),
        };
      }),
    );

  // -c is the connections here, as in redis-benchmark: the config file is --config everywhere.
  command(
    'bench',
    'benchmark a script (EVALSHA) or a function (FCALL), or every one with a fixture, against the latency budget',
    {
      server: true,
      manifest: 'read',
    },
  )
    .argument(
      '[script]',
      'a name, path or SHA, or <lib>.<fn> (default: every one with a fixture under "bench" in the config)',
    )
    .action(
      action(async (ctx, script: string | undefined, opts: BenchFlags) => {
        if (opts.sandbox) refuseServerFlagsWithSandbox(ctx.flags);
        const { bench: run } = await import('../commands/bench.js');
        const { benchCsv, renderBench, startProgress } = await import('../output/bench.js');
        // Ctrl-C stops the bench and reports what was measured; a second one exits at once.
        const controller = new AbortController();
        const onSigint = () => (controller.signal.aborted ? process.exit(EXIT_INTERRUPTED) : controller.abort());
        process.on('SIGINT', onSigint);
        let stopProgress: (() => void) | undefined;
        try {
          const result = await run({
            script,
            keys: opts.keys,
            args: opts.args,
            requests: opts.requests,
            durationMs: opts.duration,
            connections: opts.connections ?? opts.concurrency,
            pipeline: opts.pipeline,
            warmup: opts.warmup,
            keyspace: opts.keyspace,
            budgetMs: opts.budget,
            config: ctx.config,
            target: ctx.target,
            sandbox: opts.sandbox,
            confirm: opts.yes ? undefined : (question) => confirm(question, 'bench'),
            signal: controller.signal,
            onSandbox: (s) => {
              if (!ctx.flags.json || ctx.flags.verbose)
                stderr().write(`sandbox: redis-server ${s.version ?? ''} (pid ${s.pid}) on 127.0.0.1:${s.port}\n`);
            },
            onRun:
              process.stderr.isTTY && !ctx.flags.json
                ? (name, live) => (stopProgress = startProgress(name, live))
                : undefined,
            onRunEnd: () => {
              stopProgress?.();
              stopProgress = undefined;
            },
          });
          // Declining is the user's choice, as with flush: exit 0, and nothing on stdout but --json's document.
          if ('benched' in result) {
            if (!ctx.flags.json) stderr().write(`not benched: nothing was sent to ${result.server}\n`);
            return { data: result, text: '' };
          }
          const failed = result.failed + result.overBudget > 0;
          return {
            data: result,
            text: () =>
              opts.csv
                ? benchCsv(result.results)
                : renderBench(
                    result,
                    process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : undefined,
                  ),
            exitCode: result.interrupted ? EXIT_INTERRUPTED : failed ? EXIT_FAILED : EXIT_OK,
          };
        } finally {
          stopProgress?.();
          process.removeListener('SIGINT', onSigint);
        }
      }),
    );

  command(
    'test',
    'run the spec files (<script>.spec.yaml) on a throwaway redis-server (--cluster: a throwaway cluster; --url: a server you give) under RESP2 and RESP3',
    { server: true },
  )
    .argument('[specs...]', 'spec files, folders, script paths or names (default: the script folders)')
    .action(
      action(
        async (
          ctx,
          specs: string[],
          opts: { resp: string; reporter: 'text' | 'junit'; yes?: boolean; watch?: boolean },
        ) => {
          const { testCommand } = await import('./test.js');
          return testCommand({
            specs,
            resp: opts.resp,
            reporter: opts.reporter,
            yes: opts.yes,
            watch: opts.watch,
            config: ctx.config,
            flags: ctx.flags,
            target: ctx.target,
            confirm: (question) => confirm(question, 'test'),
            stderr: () => stderr(),
          });
        },
      ),
    );

  // An option before the command's name that the program does not take: said here, with the nearest
  // of the program's options (which commander hides from its suggestions) or the command owning it.
  const stray = programOptionError(program, argv);
  if (stray) return report(stray, flags);
  const at = commandIndex(program, argv);
  const last = argv.at(-1);
  const valueMissing =
    last !== undefined && program.options.some((o) => o.required && (o.long === last || o.short === last));
  const asked = (...names: string[]) => argv.some((a) => names.includes(a));
  // No command, `rscript -v` is the version, as `node -v`, `npm -v` and `git -v` print it (after a
  // command's name, or before one, -v is --verbose, as in `git commit -v`). With --json, the version
  // is the JSON document stdout holds.
  if (at < 0 && !valueMissing && asked('-V', '--version', '-v') && !asked('-h', '--help')) {
    print(flags.json ? JSON.stringify({ version: version() }, null, 2) : version());
    return EXIT_OK;
  }
  // No command (`rscript`, or `rscript --url exists`, where exists became the URL): the short usage on
  // stderr, exit 2; with --json, the error document. (`rscript --url` is left to commander: "argument
  // missing".)
  if (at < 0 && !valueMissing && !asked('-h', '--help')) {
    if (flags.json) return report(new UsageError('no command given: rscript --help lists the commands'), flags);
    stderr().write(`${shortUsage(program.commands.map((c) => c.name()))}\n`);
    return EXIT_USAGE;
  }
  // `rscript help nope` would print the program's help and exit 2 without a word about "nope":
  // it is answered as `rscript nope` is, "unknown command 'nope'" and the nearest name. `help`
  // takes no options: `rscript help --json` is the help, as `rscript --json help` is.
  if (at >= 0 && argv[at] === 'help') {
    const after = argv.slice(at + 1);
    const topicAt = commandIndex(program, after);
    const topic = topicAt < 0 ? undefined : after[topicAt];
    const known = (name: string) => program.commands.some((c) => c.name() === name || c.aliases().includes(name));
    argv = [
      ...argv.slice(0, at).filter((a) => a !== '--json'),
      ...(topic === undefined ? ['help'] : known(topic) ? ['help', topic] : [topic]),
    ];
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    exitCode = report(withArgvHint(err, program, argv), flags);
  }
  return exitCode;
}

async function context(flags: GlobalFlags): Promise<Context> {
  const { loadConfig } = await import('../config/load.js');
  const { config, warnings, urlFrom } = await loadConfig(flagsToConfig(flags));
  for (const w of warnings) stderr().write(scrub(`warning: ${w}\n`));
  const tlsFlags = tlsFlagsGiven(flags);
  return {
    config,
    flags,
    target: {
      url: config.url,
      urlFrom,
      timeoutMs: config.timeoutMs,
      tls: config.tls,
      ...(tlsFlags.length ? { tlsFlags } : {}),
      cluster: config.cluster,
    },
  };
}

/**
 * `--sandbox` runs on a throwaway local server, so a `--url` or a TLS flag beside it would be ignored:
 * more likely a mistake than a wish. Only the flags count (`flags` holds what the command line gave): REDIS_URL
 * and the config's url are settings for the other commands, and CI that sets REDIS_URL for every
 * step runs `rscript bench --sandbox` too.
 */
function refuseServerFlagsWithSandbox(flags: GlobalFlags): void {
  if (flags.url !== undefined) {
    throw new UsageError(
      '--sandbox and --url conflict: --sandbox runs on a throwaway local redis-server and would ignore the --url server; drop one of them',
    );
  }
  // The same for a TLS flag: the throwaway server speaks plain TCP, and the flag would do nothing.
  const tls = tlsFlagsGiven(flags);
  if (tls.length > 0) {
    throw new UsageError(
      `--sandbox and ${tls[0]} conflict: the throwaway local redis-server has no TLS; drop ${tls.join(' and ')}`,
    );
  }
}

/**
 * lint and info connect only when asked (lint --url, info --server-copy): a connection flag after
 * their name without that one would do nothing, and is refused. (Before the name, the program takes
 * them for every command, and these two leave them aside.)
 */
function refuseConnectionFlagsWithout(opts: GlobalFlags, asked: boolean, command: string, why: string): void {
  if (asked) return;
  const given = (['url', 'timeout', 'cluster', 'tlsCa', 'tlsCert', 'tlsKey', 'tlsInsecure'] as const)
    .filter((k) => opts[k] !== undefined)
    .map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  if (given.length > 0) throw new UsageError(`${command} ${given[0]} does nothing without ${why}`);
}

/**
 * The script folders of the config (or the default, lua/) for a command given no paths; when none
 * of them exists (a new project, or the wrong folder), a usage error that says what to do.
 */
function configuredScripts(ctx: Context, command: string): string[] {
  const folders = ctx.config.scripts;
  if (folders.some((f) => existsSync(f))) return folders;
  const named =
    command === 'info' ? 'name one: rscript info path/to/script.lua' : `name them: rscript ${command} path/to/scripts`;
  throw new UsageError(
    `no scripts folder: ${andList(folders.map((f) => `${f}/`))} ${folders.length === 1 ? 'does' : 'do'} not exist`,
    [`put the .lua files in ${folders[0]}/, set "scripts" in .redisscriptsrc, or ${named}`],
  );
}

function version(): string {
  const require = createRequire(import.meta.url);
  // ../ from the bundle (dist/cli.cjs), ../../ from src/cli/ (the tests) and dist/cli/.
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = require(path) as { name?: string; version: string };
      if (pkg.name === 'rscript') return pkg.version;
    } catch {
      // not this one
    }
  }
  return 'unknown';
}
