import { expandRandInt } from '../bench/rand-int.js';
import type { BenchFixture, Config } from '../config/schema.js';
import { CheckFailedError } from '../errors.js';
import { typeReply, type TypedReply } from '../redis/typed-reply.js';
import { checkArity, expectedOf } from '../lint/arity.js';
import { resolveScript, type ResolvedScript } from '../manifest/resolve.js';
import type { Severity } from '../lint/finding.js';
import { mapFindings, type MappedFinding } from '../lint/map-findings.js';
import { replyCode } from '../server/failures.js';
import type { Target } from '../server/target.js';
import { locateScriptError } from '../redis/script-errors.js';
import { lineMapper } from '../registry/include.js';
import type { ServerIdentity } from '../server/identity.js';
import { evalSha, serverCopyOf, type ServerCopy } from '../server/scripts.js';
import { crossSlotError, slotOfKeys } from '../redis/slot.js';
import { withSandbox, type Sandbox } from '../server/throwaway-server.js';
import { withTopology, type NodeRole } from '../server/topology.js';
import { readManifest } from '../manifest/manifest.js';
import { resolveFunction, resolveLocalFunction, type ResolvedFunction } from '../manifest/resolve-function.js';
import { fcall } from '../server/functions.js';
import { locateFunctionError } from '../redis/script-errors.js';
import { UsageError } from '../errors.js';

export interface ExecOptions {
  script: string;
  keys: string[];
  args: string[];
  readOnly?: boolean;
  manifest: string;
  scripts: string[];
  target: Target;
  cwd?: string;
  /** Read the server's copy back (SCRIPT SHOW, Valkey 8+) and compare it with the local file. */
  serverCopy?: boolean;
  /**
   * The config's lint settings: a file that `rscript load` has not checked (run by path, new, or
   * changed since the load) gets the error-level rules, reported in `lintErrors`. Undefined: no lint.
   */
  lint?: { rules?: Record<string, Severity>; target?: string; headers?: 'convention' | 'always' };
}

export interface ExecResult {
  script: string;
  sha: string;
  path?: string;
  reply: TypedReply;
  rttMs: number;
  /** The server lacked the script: it was loaded and the call retried once. */
  reloaded: boolean;
  /** The manifest's SHA for this name, when the file (which ran) has changed since the last load. */
  manifestSha?: string;
  /** Cluster only: the node that ran it, and the keys' slot. */
  node?: { node: string; role: NodeRole; slot?: number };
  /**
   * With `serverCopy`, on a server that offers SCRIPT SHOW: the server's copy of the manifest's SHA
   * against the file (`same`, or `differs` when the file changed since rscript load, with the
   * server's source); `not cached` or `unavailable` with the reason otherwise.
   */
  serverCopy?: ServerCopy;
  /** Set when a Functions library's function ran (FCALL, or FCALL_RO for a no-writes function). */
  function?: { library: string; name: string; command: 'FCALL' | 'FCALL_RO' };
  /**
   * The linter's error-level findings on a file `rscript load` has not checked (it ran anyway: a
   * string-keyed table, for one, comes back as an empty array). Absent when the load checked it.
   */
  lintErrors?: MappedFinding[];
}

/** Runs one script by name, path or SHA through EVALSHA, reloading it once on NOSCRIPT. */
export async function exec(options: ExecOptions): Promise<ExecResult> {
  const fn = resolveFunction(options.script, readManifest(options.manifest), options.manifest, options.cwd);
  if (fn) return execFunction(fn, options);
  const resolved = resolveScript(options.script, options);
  // By path, info takes the same path (a file outside the script folders has no name info knows).
  const infoRef = options.script.endsWith('.lua') ? options.script : resolved.name;
  checkArity(resolved.name, await expectedOf(resolved), options.keys.length, options.args.length, infoRef);
  const body = resolved.script?.bytes;
  return withTopology(options.target, { lazy: true }, async (topology) => {
    // A cluster runs a script only when its keys share one slot: say so before sending anything.
    let slot: number | undefined;
    if (topology.cluster && options.keys.length > 0) {
      const slots = slotOfKeys(options.keys);
      if (slots.slot === undefined) throw crossSlotError(slots.keys);
      slot = slots.slot;
    }
    try {
      return await topology.onSlot(slot, { readOnly: options.readOnly }, async (node) => {
        const { reply, rttMs, reloaded } = await evalSha(node.conn, resolved.sha, options.keys, options.args, {
          readOnly: options.readOnly,
          body,
          raw: true,
        });
        // The copy rscript load put there: the manifest's SHA (the file's when they agree).
        const serverCopy = options.serverCopy
          ? await serverCopyOf(node.conn, resolved.manifestSha ?? resolved.sha, body)
          : undefined;
        const lintErrors = await lintUnchecked(resolved, options, node.conn.server);
        return {
          script: resolved.name,
          sha: resolved.sha,
          path: resolved.script?.path,
          reply: typeReply(reply),
          rttMs,
          reloaded,
          ...(resolved.manifestSha ? { manifestSha: resolved.manifestSha } : {}),
          ...(topology.cluster
            ? { node: { node: node.label, role: node.role, ...(slot !== undefined ? { slot } : {}) } }
            : {}),
          ...(serverCopy ? { serverCopy } : {}),
          ...(lintErrors?.length ? { lintErrors } : {}),
        };
      });
    } catch (err) {
      const code = replyCode(err);
      if (code === undefined) throw err;
      const message = (err as Error).message;
      if (code === 'NOSCRIPT') {
        if (resolved.fileSha) {
          throw new CheckFailedError(
            `${resolved.name}: the server does not have sha ${resolved.sha}, and the file has changed since the manifest named it (it hashes to ${resolved.fileSha.slice(0, 12)} now)`,
            [
              `Run it by name (rscript exec ${resolved.name}) to run the file as it is, or rscript load to bring the manifest up to date.`,
            ],
          );
        }
        throw new CheckFailedError(
          `${resolved.name}: the server does not have sha ${resolved.sha} and no local file is known to load it`,
          ['Run rscript load, or pass the path of the .lua file.'],
        );
      }
      const located = locateScriptError(
        message,
        resolved.script?.path ?? resolved.name,
        body,
        lineMapper(resolved.script?.map),
      );
      throw new CheckFailedError(located.text, located.source ? [located.source] : []);
    }
  });
}

/**
 * The error-level lint findings of the file that ran, when `rscript load` has not checked it: the
 * manifest documents KEYS and ARGV only for a SHA its linter read. Against the release of the server
 * that ran it (then lint.target), through the lint cache, as lint and load; a linter that fails says
 * nothing (the call is what the user asked for).
 */
async function lintUnchecked(
  resolved: ResolvedScript,
  options: ExecOptions,
  server: ServerIdentity | undefined,
): Promise<MappedFinding[] | undefined> {
  const script = resolved.script;
  if (!options.lint || !script || (resolved.keys && resolved.args)) return undefined;
  try {
    const { checkScripts } = await import('../lint/cached.js');
    const { chooseTarget } = await import('../lint/target-ids.js');
    const target = chooseTarget({ servers: [server], config: options.lint.target }).id;
    const [checked] = await checkScripts([script], { ...options.lint, target, cwd: options.cwd ?? process.cwd() });
    return mapFindings(script, checked?.findings ?? []).filter((f) => f.severity === 'error');
  } catch {
    return undefined;
  }
}

export interface SandboxExecOptions extends Omit<ExecOptions, 'target' | 'manifest' | 'scripts'> {
  /** The config: its redis-server binary, timeout, manifest, script folders and bench fixtures. */
  config: Config;
  /**
   * Called once the throwaway server runs; `fromFixture` holds the keys and args drawn from the
   * script's bench fixture when the call gave none.
   */
  onStart?: (sandbox: Sandbox, fromFixture?: { fixture: string; keys: string[]; args: string[] }) => void;
}

/**
 * The keys and args of a call on a throwaway server: the call's own, or, when it gives neither, its
 * bench fixture's (each `__rand_int__` drawn on its own, as in one bench call).
 */
function callOf(
  fixture: BenchFixture | undefined,
  call: { keys: string[]; args: string[] },
): { keys: string[]; args: string[]; fromFixture: boolean } {
  const fromFixture =
    call.keys.length === 0 && call.args.length === 0 && !!(fixture?.keys?.length || fixture?.args?.length);
  if (!fromFixture) return { keys: call.keys, args: call.args, fromFixture };
  const draw = (values: string[] | undefined) => (values ?? []).map((v) => expandRandInt(v, 1e12));
  return { keys: draw(fixture!.keys), args: draw(fixture!.args), fromFixture };
}

/**
 * exec on a throwaway redis-server, after the setup of the script's bench fixture. With neither keys
 * nor args, the call uses the fixture's (each `__rand_int__` drawn on its own, as in one bench call):
 * the setup made data for those keys.
 */
export async function execInSandbox(options: SandboxExecOptions): Promise<ExecResult> {
  const { config } = options;
  // The library's file first: a throwaway server runs it, loaded or not.
  const fn =
    (await resolveLocalFunction(options.script, { ...config, cwd: options.cwd })) ??
    resolveFunction(options.script, readManifest(config.manifest), config.manifest, options.cwd);
  if (fn) return execFunctionInSandbox(fn, options);
  const resolved = resolveScript(options.script, config);
  const fixture = config.bench[resolved.name];
  const { keys, args, fromFixture } = callOf(fixture, options);
  // Too few keys or args: said before a server is started for nothing.
  const infoRef = options.script.endsWith('.lua') ? options.script : resolved.name;
  checkArity(resolved.name, await expectedOf(resolved), keys.length, args.length, infoRef);
  return withSandbox(
    {
      binary: config.redisServer,
      timeoutMs: config.timeoutMs,
      load: resolved.script ? [resolved.script.bytes] : [],
      setup: fixture?.setup,
      setupLabel: `bench.${resolved.name}.setup`,
      onStart: (sandbox) =>
        options.onStart?.(sandbox, fromFixture ? { fixture: resolved.name, keys, args } : undefined),
    },
    (target) =>
      exec({
        script: options.script,
        keys,
        args,
        readOnly: options.readOnly,
        manifest: config.manifest,
        scripts: config.scripts,
        target,
        cwd: options.cwd,
        serverCopy: options.serverCopy,
        lint: options.lint,
      }),
  );
}

/**
 * A library's function on a throwaway server: the library's file as it stands is loaded (FUNCTION
 * LOAD), then the setup of the fixture `bench["<lib>.<fn>"]`, whose keys and args the call uses when
 * it gives none.
 */
async function execFunctionInSandbox(fn: ResolvedFunction, options: SandboxExecOptions): Promise<ExecResult> {
  const { config } = options;
  const label = `${fn.library}.${fn.name}`;
  if (!fn.file) {
    throw new UsageError(`${label}: cannot read ${fn.path}, the file of library ${fn.library}`, [
      'The throwaway server gets the library from its file.',
    ]);
  }
  const { file } = fn;
  const fixture = config.bench[label] ?? config.bench[options.script];
  const { keys, args, fromFixture } = callOf(fixture, options);
  checkArity(label, fn, keys.length, args.length);
  // The file runs, edited since the load or not: its lines are the ones error replies name.
  const running: ResolvedFunction = { ...fn, bytes: file.bytes, sha: file.sha, map: file.map };
  return withSandbox(
    {
      binary: config.redisServer,
      timeoutMs: config.timeoutMs,
      libraries: [
        {
          code: file.bytes,
          failed: (message) => {
            const located = locateFunctionError(message, fn.path, file.bytes, lineMapper(file.map));
            return new CheckFailedError(located.text, located.source ? [located.source] : []);
          },
        },
      ],
      setup: fixture?.setup,
      setupLabel: `bench.${label}.setup`,
      onStart: (sandbox) => options.onStart?.(sandbox, fromFixture ? { fixture: label, keys, args } : undefined),
    },
    (target) =>
      execFunction(running, { ...options, keys, args, target, manifest: config.manifest, scripts: config.scripts }),
  );
}

/** The cluster slot of the keys (an error for keys in two slots), undefined without keys or cluster. */
function slotFor(cluster: boolean, keys: string[]): number | undefined {
  if (!cluster || keys.length === 0) return undefined;
  const slots = slotOfKeys(keys);
  if (slots.slot === undefined) throw crossSlotError(slots.keys);
  return slots.slot;
}

/**
 * A library's function: FCALL, or FCALL_RO when it is registered `no-writes` (with --ro, on a
 * replica). Never loads the library: functions are data the operator deploys with rscript load.
 * @see https://redis.io/commands/fcall/
 */
async function execFunction(fn: ResolvedFunction, options: ExecOptions): Promise<ExecResult> {
  const label = `${fn.library}.${fn.name}`;
  const noWrites = fn.flags.includes('no-writes');
  if (options.readOnly && !noWrites) {
    throw new UsageError(
      `${label} is not registered with the no-writes flag: FCALL_RO and replicas refuse it; run it without --ro`,
    );
  }
  checkArity(label, fn, options.keys.length, options.args.length);
  const command = noWrites ? 'FCALL_RO' : 'FCALL';
  return withTopology(options.target, { lazy: true }, async (topology) => {
    const slot = slotFor(topology.cluster, options.keys);
    try {
      return await topology.onSlot(slot, { readOnly: options.readOnly }, async (node) => {
        const { reply, rttMs } = await fcall(node.conn, fn.name, options.keys, options.args, {
          readOnly: noWrites,
          raw: true,
        });
        return {
          script: label,
          sha: fn.sha,
          path: fn.path,
          reply: typeReply(reply),
          rttMs,
          reloaded: false,
          function: { library: fn.library, name: fn.name, command },
          ...(topology.cluster
            ? { node: { node: node.label, role: node.role, ...(slot !== undefined ? { slot } : {}) } }
            : {}),
        } satisfies ExecResult;
      });
    } catch (err) {
      if (replyCode(err) === undefined) throw err;
      const message = (err as Error).message;
      if (/^ERR Function not found/.test(message)) {
        throw new CheckFailedError(
          `${label}: the server has no function ${fn.name} (library ${fn.library} is not loaded there)`,
          ['Run rscript load to deploy the library.'],
        );
      }
      const located = locateFunctionError(message, fn.path, fn.bytes, lineMapper(fn.map));
      throw new CheckFailedError(located.text, located.source ? [located.source] : []);
    }
  });
}
