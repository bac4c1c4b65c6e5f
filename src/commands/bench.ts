import { CheckFailedError, UsageError } from '../errors.js';
import type { BenchFixture, Config } from '../config/schema.js';
import { runLoad, type LiveRun, type RunOutcome } from '../bench/load-generator.js';
import { LatencyHistogram } from '../bench/histogram.js';
import { argvMaker, commandEncoder, slotDrawnPerCall } from '../bench/rand-int.js';
import { makeRow, type BenchRow } from '../bench/rows.js';
import { clusterRouter, clusterSnapshot, nodeRouter, type BenchRoute, type BenchRouter } from '../bench/routing.js';
import { serverTime, type ServerSnapshot, type ServerTime } from '../redis/server-stats.js';
import { takeServerSnapshot } from '../server/snapshot.js';
import { discoverScripts } from '../registry/discover.js';
import { libraryKind } from '../registry/library.js';
import { resolveScript, type ResolvedScript } from '../manifest/resolve.js';
import { checkArity, expectedOf } from '../lint/arity.js';
import type { RedisConnection } from '../server/connection.js';
import { replyCode } from '../server/failures.js';
import { nodeLabel, parseTarget, type Target } from '../server/target.js';
import { crossSlotError, keySlot } from '../redis/slot.js';
import { openTopology, type Topology } from '../server/topology.js';
import { runSetup, startSandbox, type Sandbox } from '../server/throwaway-server.js';
import { locateFunctionError, locateScriptError } from '../redis/script-errors.js';
import { lineMapper, type SourceMap } from '../registry/include.js';
import { loadFailure, scriptExists, scriptLoadMany } from '../server/scripts.js';
import { readManifest } from '../manifest/manifest.js';
import { resolveFunction, resolveLocalFunction, type ResolvedFunction } from '../manifest/resolve-function.js';
import { functionList, functionLoad } from '../server/functions.js';

/**
 * Defaults: one script is benched like redis-benchmark (50 connections); fixtures are a budget check
 * (one connection: tight bounds).
 */
export const BENCH_DEFAULTS = {
  script: { requests: 100_000, connections: 50 },
  fixture: { requests: 10_000, connections: 1 },
  pipeline: 1,
  /** Calls before the measured ones (JIT, connection, server caches), at most for `warmupMs` by default. */
  warmup: 1000,
  warmupMs: 1000,
  keyspace: 1e12,
} as const;

export interface BenchOptions {
  /** A name, path or SHA; undefined benches every script with a fixture in the config. */
  script?: string;
  /** Flags; each overrides the fixture's value, which overrides the default. */
  keys?: string[];
  args?: string[];
  requests?: number;
  durationMs?: number;
  /** Connections (`-c`, as redis-benchmark's clients), each with one batch of `pipeline` calls in flight. */
  connections?: number;
  pipeline?: number;
  warmup?: number;
  keyspace?: number;
  budgetMs?: number;
  config: Pick<Config, 'budgetMs' | 'bench' | 'manifest' | 'scripts' | 'redisServer' | 'timeoutMs'> &
    Partial<Pick<Config, 'include'>>;
  target: Target;
  /** Run against a throwaway redis-server instead of `target`. */
  sandbox?: boolean;
  /**
   * Asked before writing to a server that is not on loopback; resolves to true to go on, false to
   * send nothing (the result is then a BenchDeclined). Undefined: go on without asking (`--yes`).
   */
  confirm?: (question: string) => Promise<boolean>;
  /** Ctrl-C: stops the bench; the result holds what was measured. */
  signal?: AbortSignal;
  onSandbox?: (sandbox: Sandbox) => void;
  /** Called when a script's measured calls start, with the live state (for a progress line). */
  onRun?: (script: string, live: LiveRun) => void;
  onRunEnd?: () => void;
  cwd?: string;
}

export interface BenchResult {
  /** `host:port` benched, or the sandbox's. */
  server: string;
  /** `redis` or `valkey` (what HELLO says), null when the server did not say. */
  serverFlavour: string | null;
  /** `8.0.2`: the server's own version (Valkey's, not the 7.2.4 it reports as redis_version). */
  serverVersion: string | null;
  /** `Redis 8.0.2`; on a cluster whose nodes differ, each with its count. */
  serverName: string | null;
  sandbox: { version: string | null; port: number; pid: number } | null;
  mode: 'script' | 'fixtures';
  results: BenchRow[];
  overBudget: number;
  failed: number;
  /** Stopped by Ctrl-C: the last row is partial and later scripts did not run. */
  interrupted: boolean;
  /** Local scripts that have no fixture (fixture mode): they were not benched. */
  withoutFixture: string[];
  /**
   * The benched scripts whose keys stay written on the server: a fixture setup, or a script not
   * flagged no-writes. Empty on a sandbox (it is thrown away).
   */
  leftKeys: string[];
}

/** The answer to the confirmation was no: nothing was sent to the server. */
export interface BenchDeclined {
  benched: false;
  /** `host:port` that was not benched. */
  server: string;
}

/**
 * What a plan calls: a script through EVALSHA, or a library's function through FCALL (FCALL_RO when
 * it is registered no-writes, as exec calls it).
 */
type Callee = { kind: 'script'; resolved: ResolvedScript } | { kind: 'function'; fn: ResolvedFunction };

interface Plan {
  name: string;
  callee: Callee;
  keys: string[];
  args: string[];
  setup: string[][];
  requests?: number;
  durationMs?: number;
  connections: number;
  pipeline: number;
  warmup: number;
  /** Stop the warmup after this long (the default warmup only: a slow script must not spend minutes). */
  warmupMs?: number;
  keyspace: number;
  budgetMs: number;
}

/**
 * Benches one script, or every script that has a fixture, through EVALSHA; the verdict holds the
 * server-side time per call against the budget.
 */
export async function bench(options: BenchOptions): Promise<BenchResult | BenchDeclined> {
  const { plans, withoutFixture } = await makePlans(options);
  // Too few keys or args for what a script reads: refused before anything is sent, as exec does
  // (every call would fail on a nil deep in the script, and the figures would time errors).
  for (const plan of plans) {
    try {
      const { callee } = plan;
      const expected = callee.kind === 'function' ? callee.fn : await expectedOf(callee.resolved);
      checkArity(plan.name, expected, plan.keys.length, plan.args.length);
    } catch (err) {
      if (!(err instanceof UsageError) || options.script !== undefined) throw err;
      throw new UsageError(`bench.${plan.name}: ${err.message}`, [
        err.detail[0] ?? '',
        `give the fixture bench["${plan.name}"] the keys and args the ${plan.callee.kind} reads`,
      ]);
    }
  }
  const writers = await plansThatMayWrite(plans);
  if (!options.sandbox) {
    const declined = await checkWrites(plans, writers, options);
    if (declined) return declined;
  }
  let sandbox: Sandbox | undefined;
  try {
    let target = options.target;
    if (options.sandbox) {
      sandbox = await startSandbox({ binary: options.config.redisServer, timeoutMs: options.config.timeoutMs });
      options.onSandbox?.(sandbox);
      target = { ...sandbox.target, timeoutMs: options.config.timeoutMs };
    }
    const topology = await openTopology(target);
    // On a cluster each command goes to the primary of its keys' slot (a keyless script's to the node
    // its setup wrote to, see clusterRouter), and the server's figures add up.
    const conn = topology.nodes[0]!.conn;
    const router: BenchRouter = topology.cluster ? clusterRouter(topology) : nodeRouter(topology);
    const snapshot = topology.cluster
      ? (command: string) => clusterSnapshot(topology, command)
      : (command: string) => takeServerSnapshot(conn, command);
    try {
      if (topology.cluster) for (const plan of plans) checkSlots(plan, options.script === undefined);
      const rows = await benchAll(router, plans, options, topology, snapshot);
      const software = topology.server();
      return {
        server: router.label,
        serverFlavour: software?.flavour ?? null,
        serverVersion: software?.version ?? null,
        serverName: software?.name ?? null,
        sandbox: sandbox ? { version: sandbox.version ?? null, port: sandbox.port, pid: sandbox.pid } : null,
        mode: options.script === undefined ? 'fixtures' : 'script',
        results: rows,
        overBudget: rows.filter((r) => r.verdict === 'over' || r.verdict === 'unsure').length,
        failed: rows.filter((r) => r.verdict === 'error').length,
        interrupted: options.signal?.aborted === true,
        withoutFixture,
        leftKeys: sandbox
          ? []
          : plans
              .slice(0, rows.length)
              .filter((p) => writers.has(p))
              .map((p) => p.name),
      };
    } finally {
      await topology.close();
    }
  } finally {
    await sandbox?.stop();
  }
}

async function makePlans(options: BenchOptions): Promise<{ plans: Plan[]; withoutFixture: string[] }> {
  const { config } = options;
  const resolveOptions = { manifest: config.manifest, scripts: config.scripts, cwd: options.cwd };
  const manifest = readManifest(config.manifest);
  const fromFlags = (
    name: string,
    callee: Callee,
    fixture: BenchFixture,
    defaults: { requests: number; connections: number },
  ): Plan => ({
    name,
    callee,
    keys: options.keys ?? fixture.keys ?? [],
    args: options.args ?? fixture.args ?? [],
    setup: fixture.setup ?? [],
    // --duration replaces the request count, from the flags or the fixture.
    ...(options.durationMs !== undefined
      ? { durationMs: options.durationMs }
      : { requests: options.requests ?? fixture.requests ?? defaults.requests }),
    connections: options.connections ?? fixture.connections ?? fixture.concurrency ?? defaults.connections,
    pipeline: options.pipeline ?? BENCH_DEFAULTS.pipeline,
    ...(options.warmup !== undefined
      ? { warmup: options.warmup }
      : { warmup: BENCH_DEFAULTS.warmup, warmupMs: BENCH_DEFAULTS.warmupMs }),
    keyspace: options.keyspace ?? BENCH_DEFAULTS.keyspace,
    budgetMs: options.budgetMs ?? fixture.budgetMs ?? config.budgetMs,
  });

  // `<lib>.<fn>`, or a function's bare name when one library registers it and no script has it.
  // A throwaway server runs the library's file as it stands (loaded before or not, edited since or
  // not); any other server, the lockfile's code.
  const functionOf = async (ref: string): Promise<ResolvedFunction | undefined> =>
    (options.sandbox ? await resolveLocalFunction(ref, { ...config, cwd: options.cwd }) : undefined) ??
    resolveFunction(ref, manifest, config.manifest, options.cwd);
  if (options.script !== undefined) {
    const fn = await functionOf(options.script);
    if (fn) {
      const name = `${fn.library}.${fn.name}`;
      const fixture = config.bench[name] ?? config.bench[options.script] ?? {};
      return { plans: [fromFlags(name, { kind: 'function', fn }, fixture, BENCH_DEFAULTS.script)], withoutFixture: [] };
    }
    const resolved = resolveScript(options.script, resolveOptions);
    const fixture = config.bench[resolved.name] ?? config.bench[options.script] ?? {};
    return {
      plans: [fromFlags(resolved.name, { kind: 'script', resolved }, fixture, BENCH_DEFAULTS.script)],
      withoutFixture: [],
    };
  }
  if (options.keys !== undefined || options.args !== undefined) {
    throw new UsageError(
      '--keys and --args go with a script (rscript bench rate_limit -k ...); without one, each fixture gives its own',
    );
  }
  const names = Object.keys(config.bench);
  if (names.length === 0) {
    // The examples name one of the project's own scripts when there is one.
    let example = 'rate_limit';
    try {
      example =
        discoverScripts({ paths: config.scripts, cwd: options.cwd, include: config.include ? [config.include] : [] })[0]
          ?.name ?? example;
    } catch {
      // No scripts folder: the generic name.
    }
    throw new UsageError(
      `no script to bench: name one (rscript bench ${example}), or add fixtures under "bench" in the config file (.redisscriptsrc or the one --config names)`,
      [
        `A fixture: "bench": { ${JSON.stringify(example)}: { "keys": ["k:__rand_int__"], "args": ["10", "1"], "setup": [["DEL", "x"]] } }`,
      ],
    );
  }
  const plans: Plan[] = [];
  for (const name of names) {
    let callee: Callee;
    try {
      const fn = await functionOf(name);
      callee = fn ? { kind: 'function', fn } : { kind: 'script', resolved: resolveScript(name, resolveOptions) };
    } catch (err) {
      if (err instanceof UsageError) throw new UsageError(`bench.${name}: ${err.message}`, err.detail);
      throw err;
    }
    plans.push(fromFlags(name, callee, config.bench[name]!, BENCH_DEFAULTS.fixture));
  }
  let withoutFixture: string[] = [];
  try {
    const benched = new Set(
      plans.map((p) => (p.callee.kind === 'script' ? p.callee.resolved.script?.absPath : undefined)),
    );
    // Libraries are benched by function (below), not as files.
    withoutFixture = discoverScripts({
      paths: config.scripts,
      cwd: options.cwd,
      include: config.include ? [config.include] : [],
    })
      .filter((s) => !benched.has(s.absPath) && libraryKind(s.bytes) === null)
      .map((s) => s.name);
  } catch {
    // No scripts folder: nothing to mention.
  }
  // The functions of the lockfile's libraries that no fixture names (by <lib>.<fn> or bare name).
  const benchedFunctions = new Set(
    plans.flatMap((p) => (p.callee.kind === 'function' ? [`${p.callee.fn.library}.${p.callee.fn.name}`] : [])),
  );
  for (const [library, entry] of Object.entries(manifest?.libraries ?? {})) {
    for (const fn of Object.keys(entry.functions)) {
      if (!benchedFunctions.has(`${library}.${fn}`)) withoutFixture.push(`${library}.${fn}`);
    }
  }
  return { plans, withoutFixture };
}

// This machine: 127/8, localhost, 0.0.0.0 and :: (a connection to either reaches this machine), ::1,
// and 127/8 mapped into IPv6 (the URL parser writes [::ffff:127.0.0.1] as ::ffff:7f00:1).
export const LOOPBACK =
  /^(127\.\d+\.\d+\.\d+|localhost|0\.0\.0\.0|::|::1|0:0:0:0:0:0:0:[01]|::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4})$/i;

/**
 * A fixture setup writes; so may a script without the no-writes flag, unless its code calls no write
 * command (see mayWrite), and a script without its source at hand.
 */
async function plansThatMayWrite(plans: Plan[]): Promise<Set<Plan>> {
  const writers = new Set<Plan>();
  for (const p of plans) {
    if (p.callee.kind === 'function') {
      // A function not registered no-writes may write: its library's other functions are no clue.
      if (p.setup.length > 0 || !p.callee.fn.flags.includes('no-writes')) writers.add(p);
      continue;
    }
    const script = p.callee.resolved.script;
    if (p.setup.length > 0 || !script) writers.add(p);
    else if (!script.flags.includes('no-writes')) {
      // Loaded only here: the Lua parser is not needed for a script flagged no-writes.
      const { mayWrite } = await import('../lint/writes.js');
      if (mayWrite(script.bytes)) writers.add(p);
    }
  }
  return writers;
}

/**
 * A bench writes to the keys it is given: outside loopback, a script that may write needs a yes.
 * Undefined to go on; a BenchDeclined when the answer was no.
 */
async function checkWrites(
  plans: Plan[],
  mayWrite: Set<Plan>,
  options: BenchOptions,
): Promise<BenchDeclined | undefined> {
  const { host, port } = parseTarget(options.target);
  if (LOOPBACK.test(host) || !options.confirm) return undefined;
  const writers = plans.filter((p) => mayWrite.has(p));
  if (writers.length === 0) return undefined;
  const keys = [...new Set(writers.flatMap((p) => p.keys))];
  const shownKeys =
    keys.length === 0
      ? 'no declared keys'
      : keys.slice(0, 5).join(', ') + (keys.length > 5 ? `, ... (${keys.length})` : '');
  const shownScripts =
    writers
      .slice(0, 5)
      .map((p) => p.name)
      .join(', ') + (writers.length > 5 ? `, ... (${writers.length})` : '');
  const server = nodeLabel(host, port);
  const yes = await options.confirm(
    `${server} is not a loopback address, and the bench of ${shownScripts} may write to its keys (${shownKeys}). Go on? [y/N] `,
  );
  return yes ? undefined : { benched: false, server };
}

async function benchAll(
  router: BenchRouter,
  plans: Plan[],
  options: BenchOptions,
  topology: Topology,
  snapshot: (command: string) => Promise<ServerSnapshot>,
): Promise<BenchRow[]> {
  // Every node gets the scripts (as rscript load does), so the routed calls never meet NOSCRIPT.
  const scripts = plans.flatMap((p) =>
    p.callee.kind === 'script' ? [{ name: p.name, resolved: p.callee.resolved }] : [],
  );
  for (const node of topology.nodes) await ensureLoaded(node.conn, scripts, options.config.timeoutMs);
  const functions = plans.flatMap((p) => (p.callee.kind === 'function' ? [{ name: p.name, fn: p.callee.fn }] : []));
  if (functions.length > 0) await ensureLibraries(topology, functions, options.sandbox === true);
  const rows: BenchRow[] = [];
  for (const plan of plans) {
    if (options.signal?.aborted) break;
    rows.push(await benchOne(router.route(plan), plan, options, snapshot));
  }
  return rows;
}

/** One SCRIPT EXISTS for all, SCRIPT LOAD of the missing; a compile error fails with file:line. */
async function ensureLoaded(
  conn: RedisConnection,
  plans: Array<{ name: string; resolved: ResolvedScript }>,
  timeoutMs: number,
): Promise<void> {
  if (plans.length === 0) return;
  const unique = [...new Map(plans.map((p) => [p.resolved.sha, p])).values()];
  const cached = await scriptExists(
    conn,
    unique.map((p) => p.resolved.sha),
  );
  const missing = unique.filter((_, i) => !cached[i]);
  const noSource = missing.find((p) => !p.resolved.script);
  if (noSource) {
    throw new CheckFailedError(
      `${noSource.name}: the server does not have sha ${noSource.resolved.sha} and no local file is known to load it`,
      ['Run rscript load, or pass the path of the .lua file.'],
    );
  }
  const outcomes = await scriptLoadMany(
    conn,
    missing.map((p) => p.resolved.script!.bytes),
    timeoutMs,
  );
  for (const [i, outcome] of outcomes.entries()) {
    const failure = loadFailure(missing[i]!.resolved.script!, outcome);
    if (failure) throw new CheckFailedError(failure[0]!, failure.slice(1));
  }
}

/**
 * The libraries of the benched functions, on every primary (replicas receive them by replication).
 * A throwaway server gets each library's file as it stands (FUNCTION LOAD REPLACE). Any other server
 * must already hold the lockfile's code: bench never deploys a library (functions are data the
 * operator deploys, with rscript load), and it would not measure code other than what is deployed.
 */
async function ensureLibraries(
  topology: Topology,
  plans: Array<{ name: string; fn: ResolvedFunction }>,
  sandbox: boolean,
): Promise<void> {
  const libraries = [...new Map(plans.map((p) => [p.fn.library, p])).values()];
  for (const node of topology.primaries()) {
    const held = await functionList(node.conn);
    for (const { name, fn } of libraries) {
      const there = held.get(fn.library);
      if (sandbox) {
        // functionOf gave the plan the file's text (bytes, sha and map).
        if (!fn.file || !fn.bytes) {
          throw new CheckFailedError(`${name}: cannot read ${fn.path}, the file of library ${fn.library}`, [
            'The throwaway server gets the library from its file.',
          ]);
        }
        if (there?.sha === fn.sha) continue;
        const error = await functionLoad(node.conn, fn.bytes, true);
        if (error !== undefined) {
          const located = locateFunctionError(error, fn.path, fn.bytes, lineMapper(fn.map));
          throw new CheckFailedError(located.text, located.source ? [located.source] : []);
        }
      } else if (!there) {
        throw new CheckFailedError(`${name}: ${node.label} has no library ${fn.library}`, [
          'Deploy it with rscript load (bench does not deploy libraries), or bench on a throwaway server with --sandbox.',
        ]);
      } else if (there.sha !== fn.sha) {
        throw new CheckFailedError(
          `${name}: library ${fn.library} on ${node.label} is not the lockfile's (sha ${there.sha.slice(0, 12)}, lockfile ${fn.sha.slice(0, 12)})`,
          ["rscript exists shows the drift, rscript load deploys the lockfile's code; --sandbox benches the file."],
        );
      }
    }
  }
}

/** The command a plan's calls use, and its first words before the keys. */
function callHead(plan: Plan): string[] {
  const n = String(plan.keys.length);
  if (plan.callee.kind === 'script') return ['EVALSHA', plan.callee.resolved.sha, n];
  return [plan.callee.fn.flags.includes('no-writes') ? 'FCALL_RO' : 'FCALL', plan.callee.fn.name, n];
}

/** The plan's SHA (a library's for a function) and its file, for the row and error lines. */
function sourceOf(plan: Plan): { sha: string; path?: string; bytes?: Buffer; map?: SourceMap } {
  if (plan.callee.kind === 'script') {
    const { resolved } = plan.callee;
    return { sha: resolved.sha, path: resolved.script?.path, bytes: resolved.script?.bytes, map: resolved.script?.map };
  }
  const { fn } = plan.callee;
  return { sha: fn.sha, path: fn.path, bytes: fn.bytes, map: fn.map };
}

async function benchOne(
  route: BenchRoute,
  plan: Plan,
  options: BenchOptions,
  snapshot: (command: string) => Promise<ServerSnapshot>,
): Promise<BenchRow> {
  const source = sourceOf(plan);
  const { conn } = route;
  try {
    await runSetup(conn, plan.setup, `bench.${plan.name}.setup`);
  } catch (err) {
    // An error reply to the fixture's setup fails this fixture, not the others (a lost connection,
    // which is not a CheckFailedError, still ends the bench).
    if (!(err instanceof CheckFailedError)) throw err;
    return failedRow(plan, setupFailure(err.message));
  }
  const head = callHead(plan);
  // The server's counters of that command (commandstats and its latency histogram).
  const counted = head[0]!.toLowerCase();
  const tail = [...plan.keys, ...plan.args];
  const shape = {
    argv: argvMaker(head, tail, plan.keyspace),
    encode: commandEncoder(head, tail, plan.keyspace),
    pipeline: plan.pipeline,
  };
  // -c connections, opened before the warmup (as redis-benchmark's clients) and closed after the run.
  const { conns, close } = await route.connections(plan.connections);
  // An error reply in the warmup ends the bench there: its calls are then what the row reports.
  let outcome: RunOutcome | undefined;
  let server: ServerTime | undefined;
  try {
    if (plan.warmup > 0) {
      const warm = await runLoad(
        conns.slice(0, plan.warmup),
        { ...shape, requests: plan.warmup, durationMs: plan.warmupMs },
        { signal: options.signal },
      );
      if (warm.error !== undefined) outcome = warm;
    }
    if (!outcome) {
      const before = await snapshot(counted);
      try {
        outcome = await runLoad(
          conns,
          {
            ...shape,
            ...(plan.durationMs !== undefined ? { durationMs: plan.durationMs } : { requests: plan.requests }),
          },
          { signal: options.signal, onStart: (live) => options.onRun?.(plan.name, live) },
        );
      } finally {
        options.onRunEnd?.();
      }
      server = serverTime(before, await snapshot(counted));
    }
  } finally {
    await close();
  }
  const error = describeError(outcome.error, plan);
  return makeRow({
    script: plan.name,
    sha: source.sha,
    path: source.path,
    keys: plan.keys,
    args: plan.args,
    connections: plan.connections,
    pipeline: plan.pipeline,
    budgetMs: plan.budgetMs,
    histogram: outcome.histogram,
    completed: outcome.completed,
    errors: outcome.errors,
    elapsedMs: outcome.elapsedMs,
    ...(server ? { server } : {}),
    interrupted: outcome.interrupted,
    ...(route.note !== undefined ? { note: route.note } : {}),
    ...(error ? { error } : {}),
  });
}

/**
 * On a cluster, refuses a bench whose calls' keys would not share one slot, before any call, as exec
 * does: every call would get CROSSSLOT. A key with `__rand_int__` in its hashed part lands in a slot
 * drawn per call (each placeholder is drawn on its own), so it shares a slot with no other key.
 */
function checkSlots(plan: Plan, fixture: boolean): void {
  if (plan.keys.length < 2) return;
  const keys = plan.keys.map((key) => ({
    key,
    slot: slotDrawnPerCall(key) ? undefined : keySlot(key),
  }));
  const slots = new Set(keys.map((k) => k.slot));
  if (slots.size === 1 && !slots.has(undefined)) return;
  const err = crossSlotError(keys);
  throw fixture ? new UsageError(`bench.${plan.name}: ${err.message}`, err.detail) : err;
}

/** A setup error, with what to do about the one a cluster adds: keys of one command in several slots. */
function setupFailure(message: string): string {
  if (!/\): CROSSSLOT /.test(message)) return message;
  return `${message} (on a cluster the keys of one command must share a hash tag, only the text inside the first {...} is hashed, e.g. {bench}:a and {bench}:b)`;
}

/** The row of a fixture that could not be benched: no calls, verdict error. */
function failedRow(plan: Plan, text: string): BenchRow {
  return makeRow({
    script: plan.name,
    sha: sourceOf(plan).sha,
    path: sourceOf(plan).path,
    keys: plan.keys,
    args: plan.args,
    connections: plan.connections,
    pipeline: plan.pipeline,
    budgetMs: plan.budgetMs,
    histogram: new LatencyHistogram(),
    completed: 0,
    errors: 0,
    elapsedMs: 0,
    interrupted: false,
    error: { text },
  });
}

/** An error reply becomes the row's `file:line: message`; anything else (a lost connection) is thrown. */
function describeError(err: unknown, plan: Plan): { text: string; source?: string } | undefined {
  if (err === undefined) return undefined;
  if (replyCode(err) === undefined) throw err;
  const message = (err as Error).message;
  if (replyCode(err) === 'NOSCRIPT')
    return { text: `${plan.name}: the script left the server's cache during the bench (SCRIPT FLUSH?): ${message}` };
  const source = sourceOf(plan);
  if (plan.callee.kind === 'function' && /^ERR Function not found/.test(message)) {
    return {
      text: `${plan.name}: the server has no function ${plan.callee.fn.name} (its library left during the bench, FUNCTION FLUSH or DELETE?, or the file no longer registers it): ${message}`,
    };
  }
  const locate = plan.callee.kind === 'function' ? locateFunctionError : locateScriptError;
  const located = locate(message, source.path ?? plan.name, source.bytes, lineMapper(source.map));
  return { text: located.text, ...(located.source ? { source: located.source } : {}) };
}
