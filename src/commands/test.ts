import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { typeReply, type TypedReply } from '../redis/typed-reply.js';
import { isIgnoredName, toPosix } from '../registry/discover.js';
import { libraryKind } from '../registry/library.js';
import { assemble } from '../registry/include.js';
import { sha1hex } from '../registry/script.js';
import type { Arg } from '../server/connection.js';
import { replyCode } from '../server/failures.js';
import { parseTarget, type Target } from '../server/target.js';
import { LargeInteger, WholeDouble } from '../redis/large-integer.js';
import { startSandbox, type Sandbox } from '../server/throwaway-server.js';
import { startSandboxCluster } from '../server/sandbox-cluster.js';
import { crossSlotError, slotOfKeys } from '../redis/slot.js';
import { openTopology, type Topology } from '../server/topology.js';
import { LOOPBACK } from './bench.js';
import {
  describeMatcher,
  describeText,
  describeValue,
  matchReply,
  matchText,
  matchValue,
  notation,
  type Mismatch,
} from '../spec/match.js';
import { readSpec, SPEC_SUFFIX, SpecError } from '../spec/parse.js';
import type { Call, KeyExpectation, SetupStep, SpecCase, SpecFile, Step } from '../spec/spec.js';

export interface TestOptions {
  /** Spec files, folders, script paths or script names; empty: the script folders. */
  paths: string[];
  /** The configured script folders: where names are looked up, and the default paths. */
  scriptRoots: string[];
  /** Run on this server instead of a throwaway one (`--url`). */
  target?: Target;
  /** Run on a throwaway local cluster (three primaries) instead of one server. */
  cluster?: boolean;
  protocols: Array<2 | 3>;
  redisServer: string;
  timeoutMs: number;
  /**
   * Asked before emptying a server given by `--url` that is not on loopback or holds keys; resolves
   * to true to go on. Undefined: go on without asking (`--yes`).
   */
  confirm?: (question: string) => Promise<boolean>;
  /** Ctrl-C: the case running ends, the others are not run. */
  signal?: AbortSignal;
  /** Told when the server is up (or checked): its label, and the throwaway processes. */
  onServer?: (server: string, sandbox: TestResult['sandbox']) => void;
  /** Told as each case ends (a line per case as the run goes). */
  onCase?: (result: CaseResult) => void;
  cwd?: string;
}

/** One thing a case found wrong, at the spec line of the expectation. */
export interface Failure {
  line: number;
  /** What was checked: `reply of counter_incr`, `keyspace "c"`, `setup[0] (SET c 5)`, `replies[0]`. */
  what: string;
  expected?: string;
  actual?: string;
  /** Where nested replies differ. */
  mismatches?: Mismatch[];
  /** A line of explanation (an invariant's counts, a skipped check). */
  note?: string;
}

export interface CaseResult {
  file: string;
  line: number;
  name: string;
  protocol: 2 | 3;
  passed: boolean;
  ms: number;
  failures: Failure[];
  /** Concurrency cases: calls made. */
  calls?: number;
}

export interface TestResult {
  /** `host:port` of the server, or `sandbox 127.0.0.1:port`. */
  server: string;
  sandbox: { kind: 'server' | 'cluster'; version: string | null; ports: number[]; pids: number[] } | null;
  protocols: Array<2 | 3>;
  files: string[];
  cases: CaseResult[];
  passed: number;
  failed: number;
  /** Cases marked `cluster: false`, not run on a cluster. */
  skipped: number;
  ms: number;
  /** Stopped by Ctrl-C: the cases after the one running were not run. */
  interrupted: boolean;
}

/** The answer to the confirmation was no: nothing was sent. */
export interface TestDeclined {
  tested: false;
  server: string;
}

/** A script a spec calls, read from disk. */
export interface SpecScript {
  path: string;
  absPath: string;
  bytes: Buffer;
  sha: string;
  /**
   * Set when the call names a function of a Functions library (`<library>.<function>`, as `rscript
   * exec` takes it): `bytes` are the library's, sent with FUNCTION LOAD REPLACE, and the call is FCALL
   * (FCALL_RO for a function registered no-writes).
   */
  library?: { library: string; function: string };
}

/**
 * Runs the specs on a throwaway redis-server (or cluster), or on `target`: every case once per
 * protocol, the keyspace emptied before each. A spec that cannot be read throws SpecError (exit 2)
 * before any server is started.
 */
export async function test(options: TestOptions): Promise<TestResult | TestDeclined> {
  const started = process.hrtime.bigint();
  const cwd = options.cwd ?? process.cwd();
  const specs = findSpecs(options.paths, options.scriptRoots, cwd).map((s) => readSpec(s.abs, s.path));
  const scripts = resolveSpecScripts(specs, options.scriptRoots, cwd);
  const server = await openTestServer(options);
  if ('tested' in server) return server;
  try {
    options.onServer?.(server.label, server.sandbox);
    return await runSpecs(server, specs, scripts, options, started);
  } finally {
    await server.stop();
  }
}

/** Where the specs run: a throwaway server or cluster, or the --url server. */
export interface TestServer {
  label: string;
  target: Target;
  sandbox: TestResult['sandbox'];
  /** What empties the keyspace before each case, on every primary. */
  flush: string[];
  stop(): Promise<void>;
}

/** Starts the throwaway server or cluster, or checks the --url server (asking when it must). */
export async function openTestServer(options: TestOptions): Promise<TestServer | TestDeclined> {
  if (options.target) {
    const target = options.target;
    const declined = await checkServer(target, options);
    if (declined) return declined;
    const { host, port } = parseTarget(target);
    // The URL's database only: a given server may keep other data in other databases.
    return { label: `${host}:${port}`, target, sandbox: null, flush: ['FLUSHDB'], stop: async () => undefined };
  }
  if (options.cluster) {
    const cluster = await startSandboxCluster({ binary: options.redisServer, timeoutMs: options.timeoutMs });
    return {
      label: `sandbox cluster ${cluster.ports.map((p) => `127.0.0.1:${p}`).join(', ')}`,
      target: { url: cluster.url, timeoutMs: options.timeoutMs, cluster: true },
      sandbox: { kind: 'cluster', version: cluster.version ?? null, ports: cluster.ports, pids: cluster.pids },
      flush: ['FLUSHALL'],
      stop: () => cluster.stop(),
    };
  }
  const sandbox: Sandbox = await startSandbox({ binary: options.redisServer, timeoutMs: options.timeoutMs });
  return {
    label: `sandbox 127.0.0.1:${sandbox.port}`,
    target: { ...sandbox.target, timeoutMs: options.timeoutMs },
    sandbox: { kind: 'server', version: sandbox.version ?? null, ports: [sandbox.port], pids: [sandbox.pid] },
    flush: ['FLUSHALL'],
    stop: () => sandbox.stop(),
  };
}

/** Runs every case of `specs` once per protocol on `server`. */
export async function runSpecs(
  server: TestServer,
  specs: SpecFile[],
  scripts: Map<string, SpecScript>,
  options: Pick<TestOptions, 'protocols' | 'signal' | 'onCase'>,
  started = process.hrtime.bigint(),
): Promise<TestResult> {
  const cases: CaseResult[] = [];
  let interrupted = false;
  let skipped = 0;
  for (const protocol of options.protocols) {
    const target = { ...server.target, protocol };
    const topology = await openTopology(target);
    try {
      const runner = new CaseRunner(topology, target, scripts, server.flush, protocol, options.signal);
      for (const spec of specs) {
        for (const c of spec.cases) {
          if (options.signal?.aborted) {
            interrupted = true;
            break;
          }
          if (c.resp !== undefined && c.resp !== protocol) continue;
          if (c.cluster === false && topology.cluster) {
            skipped++;
            continue;
          }
          const result = await runner.run(spec, c);
          cases.push(result);
          options.onCase?.(result);
        }
      }
    } finally {
      await topology.close();
    }
    if (interrupted) break;
  }
  const failed = cases.filter((c) => !c.passed).length;
  return {
    server: server.label,
    sandbox: server.sandbox,
    protocols: options.protocols,
    files: specs.map((s) => s.path),
    cases,
    passed: cases.length - failed,
    failed,
    skipped,
    ms: Number(process.hrtime.bigint() - started) / 1e6,
    interrupted: interrupted || !!options.signal?.aborted,
  };
}

/**
 * A given server is emptied before each case: asked first when it is not on loopback (as bench
 * asks) or when its database holds keys.
 */
async function checkServer(target: Target, options: TestOptions): Promise<TestDeclined | undefined> {
  const { host, port } = parseTarget(target);
  const server = `${host}:${port}`;
  if (!options.confirm) return undefined;
  const topology = await openTopology(target);
  let keys = 0;
  try {
    for (const node of topology.primaries()) keys += Number(await node.conn.send(['DBSIZE']));
  } finally {
    await topology.close();
  }
  const remote = !LOOPBACK.test(host);
  if (!remote && keys === 0) return undefined;
  const why = [
    remote ? `${server} is not a loopback address` : '',
    keys > 0 ? `its database holds ${keys} key${keys === 1 ? '' : 's'}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const yes = await options.confirm(
    `${why}; rscript test empties the database (FLUSHDB) before each case. Go on? [y/N] `,
  );
  return yes ? undefined : { tested: false, server };
}

/** Where a spec is, as found and as shown. */
interface FoundSpec {
  abs: string;
  path: string;
}

/**
 * The spec files named by `paths`: a spec file, a folder (every `*.spec.yaml` under it), a script's
 * path (`lua/x.lua` -> `lua/x.spec.yaml`) or a script name looked up in the script folders.
 */
export function findSpecs(paths: string[], scriptRoots: string[], cwd: string): FoundSpec[] {
  const given = paths.length > 0 ? paths : scriptRoots.filter((r) => existsSync(resolve(cwd, r)));
  if (given.length === 0) {
    throw new UsageError(`no scripts folder: ${scriptRoots.map((r) => `${r}/`).join(', ')} does not exist`, [
      'name the specs or their folder: rscript test path/to/specs',
    ]);
  }
  const found = new Map<string, FoundSpec>();
  const add = (abs: string) => found.set(abs, { abs, path: display(abs, cwd) });
  for (const p of given) {
    if (p === '') throw new UsageError('an empty spec path was given (an unset variable?)');
    const abs = resolve(cwd, p);
    let stat: import('node:fs').Stats | undefined;
    try {
      stat = statSync(abs);
    } catch {
      stat = undefined;
    }
    if (stat?.isDirectory()) {
      const before = found.size;
      walkSpecs(abs, add);
      if (found.size === before)
        throw new UsageError(`no spec in ${p}: specs are files named <script>${SPEC_SUFFIX} beside the scripts`);
      continue;
    }
    if (stat?.isFile()) {
      if (abs.endsWith(SPEC_SUFFIX)) add(abs);
      else if (abs.endsWith('.lua')) {
        const spec = abs.slice(0, -'.lua'.length) + SPEC_SUFFIX;
        if (!existsSync(spec)) throw new UsageError(`${p} has no spec: write ${display(spec, cwd)}`);
        add(spec);
      } else throw new UsageError(`${p} is not a spec: specs are files named <script>${SPEC_SUFFIX}`);
      continue;
    }
    // A script's name, as load and exec name it: looked up in the script folders.
    const name = p.replace(/\.lua$/, '').replace(/\.spec\.yaml$/, '');
    const hit = scriptRoots.map((r) => resolve(cwd, r, name + SPEC_SUFFIX)).find((f) => existsSync(f));
    if (!hit) {
      const script = scriptRoots.map((r) => resolve(cwd, r, `${name}.lua`)).find((f) => existsSync(f));
      throw new UsageError(
        script
          ? `the script ${name} has no spec: write ${display(script.slice(0, -'.lua'.length) + SPEC_SUFFIX, cwd)}`
          : `no spec, folder or script named ${p}`,
      );
    }
    add(hit);
  }
  return [...found.values()];
}

function walkSpecs(dir: string, add: (abs: string) => void): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const e of entries) {
    if (isIgnoredName(e.name) || e.name === 'node_modules') continue;
    const abs = join(dir, e.name);
    if (e.isDirectory()) walkSpecs(abs, add);
    else if (e.name.endsWith(SPEC_SUFFIX)) add(abs);
  }
}

function display(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  return toPosix(rel.startsWith('..') || isAbsolute(rel) ? abs : rel);
}

/**
 * Every script the specs call, by `spec dir + name`: looked up beside the spec first, then in the
 * script folders. A name found nowhere is a SpecError at the call.
 */
export function resolveSpecScripts(specs: SpecFile[], scriptRoots: string[], cwd: string): Map<string, SpecScript> {
  const byFile = new Map<string, SpecScript>();
  const out = new Map<string, SpecScript>();
  const calls = (spec: SpecFile): Call[] => {
    const fromSetup = (setup: SetupStep[]) => setup.flatMap((s) => (s.kind === 'call' ? [s.call] : []));
    return [
      ...fromSetup(spec.setup),
      ...spec.cases.flatMap((c) => [
        ...fromSetup(c.setup),
        ...c.steps.map((s) => s.call),
        ...(c.concurrent?.steps.map((s) => s.call) ?? []),
      ]),
    ];
  };
  for (const spec of specs) {
    const dir = resolve(spec.absPath, '..');
    for (const call of calls(spec)) {
      const key = scriptKey(spec, call.script);
      if (out.has(key)) continue;
      const fn = libraryFunction(call.script, dir, scriptRoots, cwd);
      if (fn) {
        const { bytes } = assemble(fn.file, readFileSync(fn.file), { display: (p) => display(p, cwd) });
        out.set(key, {
          path: display(fn.file, cwd),
          absPath: fn.file,
          bytes,
          sha: sha1hex(bytes),
          library: { library: fn.library, function: fn.function },
        });
        continue;
      }
      const candidates = [
        resolve(dir, `${call.script}.lua`),
        ...scriptRoots.map((r) => resolve(cwd, r, `${call.script}.lua`)),
      ];
      const file = candidates.find((f) => existsSync(f));
      if (!file) {
        throw new SpecError(
          spec.path,
          call.line,
          `no script named "${call.script}": looked for ${[...new Set(candidates.map((c) => display(c, cwd)))].join(', ')}`,
        );
      }
      let script = byFile.get(file);
      if (!script) {
        // What runs is what rscript load sends: the text with its `--- @include` fragments spliced in.
        const { bytes } = assemble(file, readFileSync(file), { display: (p) => display(p, cwd) });
        script = { path: display(file, cwd), absPath: file, bytes, sha: sha1hex(bytes) };
        byFile.set(file, script);
      }
      out.set(key, script);
    }
  }
  return out;
}

/**
 * `<library>.<function>`: the library's file is `<library>.lua` beside the spec or in a script folder,
 * its first line `#!lua name=<library>`. Undefined when `name` is not that form (a script's name).
 */
function libraryFunction(
  name: string,
  dir: string,
  scriptRoots: string[],
  cwd: string,
): { file: string; library: string; function: string } | undefined {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return undefined;
  const library = name.slice(0, dot);
  const candidates = [resolve(dir, `${library}.lua`), ...scriptRoots.map((r) => resolve(cwd, r, `${library}.lua`))];
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    const kind = libraryKind(readFileSync(file));
    if (kind && 'library' in kind && kind.library === library) return { file, library, function: name.slice(dot + 1) };
  }
  return undefined;
}

function scriptKey(spec: SpecFile, name: string): string {
  return `${spec.absPath}\0${name}`;
}

/** What a call answered: a typed reply, or an error reply's text. */
type Outcome = { ok: true; reply: TypedReply } | { ok: false; error: string };

/** Runs cases on one topology under one protocol. */
class CaseRunner {
  constructor(
    private readonly topology: Topology,
    private readonly target: Target,
    private readonly scripts: Map<string, SpecScript>,
    private readonly flush: string[],
    private readonly protocol: 2 | 3,
    private readonly signal?: AbortSignal,
  ) {}

  async run(spec: SpecFile, c: SpecCase): Promise<CaseResult> {
    const start = process.hrtime.bigint();
    const failures: Failure[] = [];
    let calls: number | undefined;
    try {
      for (const node of this.topology.primaries()) await node.conn.send(this.flush);
      const setupOk = await this.setup(spec, [...spec.setup, ...c.setup], failures);
      let stepsOk = setupOk;
      if (setupOk && c.steps.length > 0) stepsOk = await this.steps(spec, c.steps, failures);
      if (setupOk && c.concurrent) {
        calls = await this.concurrent(spec, c, failures);
        stepsOk = failures.length === 0;
      }
      if (stepsOk) {
        await this.keyspace(c.keyspace, failures);
        if (c.dbsize) await this.dbsize(c.dbsize, failures);
      } else if (c.keyspace.length > 0 || c.dbsize) {
        failures.push({
          line: c.keyspace[0]?.line ?? c.dbsize!.line,
          what: 'keyspace',
          note: 'not checked: an earlier step failed',
        });
      }
    } catch (err) {
      // An error reply where none was expected (FLUSHALL refused by an ACL, a keyspace read on a
      // wrong type) fails the case; a connection failure ends the run (exit 2): the next cases would
      // all meet it.
      if (replyCode(err) === undefined) throw err;
      failures.push({ line: c.line, what: 'the case', actual: (err as Error).message });
    }
    return {
      file: spec.path,
      line: c.line,
      name: c.name,
      protocol: this.protocol,
      passed: failures.length === 0,
      ms: Number(process.hrtime.bigint() - start) / 1e6,
      failures,
      ...(calls !== undefined ? { calls } : {}),
    };
  }

  private async setup(spec: SpecFile, setup: SetupStep[], failures: Failure[]): Promise<boolean> {
    for (const [i, step] of setup.entries()) {
      if (step.kind === 'sleep') {
        await new Promise((r) => setTimeout(r, step.ms));
      } else if (step.kind === 'command') {
        try {
          await this.command(this.topology, step.argv);
        } catch (err) {
          if (replyCode(err) === undefined) throw err;
          failures.push({
            line: step.line,
            what: `setup[${i}] (${clipText(step.argv.join(' '))})`,
            actual: (err as Error).message,
          });
          return false;
        }
      } else {
        const outcome = await this.call(this.topology, spec, step.call, {});
        if (!outcome.ok) {
          failures.push({ line: step.line, what: `setup[${i}] (${step.call.script})`, actual: outcome.error });
          return false;
        }
      }
    }
    return true;
  }

  private async steps(spec: SpecFile, steps: Step[], failures: Failure[]): Promise<boolean> {
    let previous: TypedReply | undefined;
    for (const step of steps) {
      const outcome = await this.call(this.topology, spec, step.call, { reply: previous });
      const failure = checkOutcome(step, outcome, this.protocol, steps.length > 1);
      if (failure) {
        failures.push(failure);
        return false;
      }
      previous = outcome.ok ? outcome.reply : undefined;
    }
    return true;
  }

  /** N clients, each on its own connections, run the steps `calls` times; then the invariants. */
  private async concurrent(spec: SpecFile, c: SpecCase, failures: Failure[]): Promise<number> {
    const run = c.concurrent!;
    const collected = new Map<string, Outcome[]>(run.steps.map((s) => [s.name, []]));
    const wrong = new Map<Step, { count: number; first: Failure }>();
    const clients: Topology[] = [];
    let calls = 0;
    try {
      for (let i = 0; i < run.clients; i++) clients.push(await openTopology(this.target, { lazy: true }));
      await Promise.all(
        clients.map(async (client, i) => {
          for (let round = 1; round <= run.calls && !this.signal?.aborted; round++) {
            let previous: TypedReply | undefined;
            for (const step of run.steps) {
              if (step.when && (previous === undefined || matchReply(step.when, previous, this.protocol).length > 0))
                break;
              const outcome = await this.call(client, spec, step.call, { client: i + 1, call: round, reply: previous });
              calls++;
              collected.get(step.name)!.push(outcome);
              const failure = checkOutcome(step, outcome, this.protocol, true);
              if (failure) {
                const seen = wrong.get(step);
                if (seen) seen.count++;
                else wrong.set(step, { count: 1, first: { ...failure, note: `client ${i + 1}, round ${round}` } });
              }
              previous = outcome.ok ? outcome.reply : undefined;
            }
          }
        }),
      );
    } finally {
      await Promise.all(clients.map((t) => t.close()));
    }
    if (this.signal?.aborted) {
      failures.push({
        line: run.line,
        what: 'concurrent',
        note: `interrupted (Ctrl-C) after ${calls} of ${run.clients * run.calls * run.steps.length} calls: not checked`,
      });
      return calls;
    }
    for (const [step, { count, first }] of wrong) {
      const total = collected.get(step.name)!.length;
      failures.push({ ...first, note: `${count} of ${total} ${step.name} calls were wrong; the first: ${first.note}` });
    }
    for (const [i, inv] of c.replies.entries()) {
      const outcomes = collected.get(inv.step)!;
      // An error reply counts as {error: text}, so that `where` can count refusals too.
      const asReply = (o: Outcome): TypedReply => (o.ok ? o.reply : { type: 'error', value: o.error });
      const counted = outcomes.filter(
        (o) => !inv.where || matchReply(inv.where, asReply(o), this.protocol).length === 0,
      ).length;
      if ((inv.min !== undefined && counted < inv.min) || (inv.max !== undefined && counted > inv.max)) {
        const bound =
          inv.min === inv.max
            ? `exactly ${inv.min}`
            : [inv.min !== undefined ? `at least ${inv.min}` : '', inv.max !== undefined ? `at most ${inv.max}` : '']
                .filter(Boolean)
                .join(' and ');
        const where = inv.where ? ` matching ${describeMatcher(inv.where, this.protocol)}` : '';
        failures.push({
          line: inv.line,
          what: `replies[${i}]`,
          expected: `${bound} ${inv.step} replies${where}`,
          actual: `${counted} of ${outcomes.length}`,
          note: sampleReplies(outcomes),
        });
      }
    }
    return calls;
  }

  private async keyspace(expected: KeyExpectation[], failures: Failure[]): Promise<void> {
    for (const e of expected) {
      const failure = await this.checkKey(e);
      if (failure) failures.push(failure);
    }
  }

  private async dbsize(expected: { count: number; line: number }, failures: Failure[]): Promise<void> {
    let total = 0;
    const keys: string[] = [];
    for (const node of this.topology.primaries()) {
      total += Number(await node.conn.send(['DBSIZE']));
      if (keys.length < 10)
        keys.push(...list(await node.conn.send(['SCAN', '0', 'COUNT', '10'], { raw: true })).slice(1));
    }
    if (total !== expected.count) {
      const shown = keys
        .slice(0, 10)
        .map((k) => JSON.stringify(k))
        .join(', ');
      failures.push({
        line: expected.line,
        what: 'dbsize',
        expected: `${expected.count} key${expected.count === 1 ? '' : 's'}`,
        actual: `${total}${total > 0 ? ` (${shown}${total > 10 ? ', ...' : ''})` : ''}`,
      });
    }
  }

  private async checkKey(e: KeyExpectation): Promise<Failure | undefined> {
    const on = (argv: string[]) => this.command(this.topology, argv);
    const what = `keyspace "${e.key}"`;
    const type = String(await on(['TYPE', e.key]));
    const fail = (expected: string, actual: string, line = e.line): Failure => ({ line, what, expected, actual });
    if (e.kind === 'absent')
      return type === 'none' ? undefined : fail('no such key', `a ${type}: ${await this.describeKey(e.key, type)}`);
    if (type === 'none')
      return fail(e.kind === 'exists' ? (e.type ? `a ${e.type}` : 'a key') : `a ${e.kind}`, 'no such key');
    const wanted = e.kind === 'exists' ? e.type : e.kind;
    if (wanted !== undefined && wanted !== type)
      return fail(`a ${wanted}`, `a ${type}: ${await this.describeKey(e.key, type)}`);
    switch (e.kind) {
      case 'string': {
        const value = text(await on(['GET', e.key]));
        if (!matchValue(e.value, value)) return fail(describeValue(e.value), JSON.stringify(value), e.value.line);
        break;
      }
      case 'hash': {
        const actual = pairs(await on(['HGETALL', e.key]));
        const fields = new Map(actual);
        for (const [field, m] of e.fields) {
          const v = fields.get(field);
          if (v === undefined || !matchValue(m, v)) {
            return fail(
              `field ${JSON.stringify(field)} = ${describeValue(m)}`,
              v === undefined
                ? `no field ${JSON.stringify(field)}; the hash: ${showPairs(actual)}`
                : `${JSON.stringify(v)}; the hash: ${showPairs(actual)}`,
              m.line,
            );
          }
        }
        const extra = actual.filter(([f]) => !e.fields.some(([g]) => g === f));
        if (e.exact && extra.length > 0)
          return fail(
            `only the fields ${e.fields.map(([f]) => JSON.stringify(f)).join(', ')}`,
            `also ${showPairs(extra)} (use "fields:" to check some fields only)`,
          );
        break;
      }
      case 'list': {
        const items = list(await on(['LRANGE', e.key, '0', '-1']));
        if (items.length !== e.items.length || e.items.some((m, i) => !matchValue(m, items[i]!))) {
          return fail(
            `[${e.items.map(describeValue).join(', ')}]`,
            `[${items.map((i) => JSON.stringify(i)).join(', ')}]`,
          );
        }
        break;
      }
      case 'set': {
        const members = list(await on(['SMEMBERS', e.key]));
        const left = [...members];
        const ok = e.members.every((m) => {
          const at = left.findIndex((v) => matchValue(m, v));
          if (at >= 0) left.splice(at, 1);
          return at >= 0;
        });
        if (!ok || left.length > 0)
          return fail(
            `{${e.members.map(describeValue).join(', ')}} (any order)`,
            `{${members
              .sort()
              .map((i) => JSON.stringify(i))
              .join(', ')}}`,
          );
        break;
      }
      case 'zset': {
        const flat = list(await on(['ZRANGE', e.key, '0', '-1', 'WITHSCORES']));
        const actual: Array<[string, number]> = [];
        for (let i = 0; i + 1 < flat.length; i += 2) actual.push([flat[i]!, Number(flat[i + 1])]);
        if (
          actual.length !== e.members.length ||
          e.members.some(([m, s], i) => !matchValue(m, actual[i]![0]) || actual[i]![1] !== s)
        ) {
          return fail(
            `[${e.members.map(([m, s]) => `[${describeValue(m)}, ${s}]`).join(', ')}]`,
            `[${actual.map(([m, s]) => `[${JSON.stringify(m)}, ${s}]`).join(', ')}]`,
          );
        }
        break;
      }
    }
    if (e.ttl) {
      const ttl = Number(await on([e.ttl.unit === 's' ? 'TTL' : 'PTTL', e.key]));
      const unit = e.ttl.unit === 's' ? 'ttl' : 'pttl';
      if (e.ttl.kind === 'none' ? ttl !== -1 : ttl < e.ttl.min || ttl > e.ttl.max) {
        return fail(
          e.ttl.kind === 'none' ? `${unit} -1 (no TTL)` : `${unit} from ${e.ttl.min} to ${e.ttl.max}`,
          ttl === -1 ? `${unit} -1 (no TTL)` : `${unit} ${ttl}`,
          e.ttl.line,
        );
      }
    }
    return undefined;
  }

  /** A short description of what a key holds, for a failure. */
  private async describeKey(key: string, type: string): Promise<string> {
    const on = (argv: string[]) => this.command(this.topology, argv);
    switch (type) {
      case 'string':
        return JSON.stringify(clipText(text(await on(['GET', key]))));
      case 'hash':
        return showPairs(pairs(await on(['HGETALL', key])));
      case 'list':
        return `[${list(await on(['LRANGE', key, '0', '9']))
          .map((i) => JSON.stringify(i))
          .join(', ')}]`;
      case 'set':
        return `{${list(await on(['SMEMBERS', key]))
          .slice(0, 10)
          .map((i) => JSON.stringify(i))
          .join(', ')}}`;
      case 'zset':
        return `[${list(await on(['ZRANGE', key, '0', '9']))
          .map((i) => JSON.stringify(i))
          .join(', ')}]`;
      default:
        return type;
    }
  }

  /** A plain command, sent to the node of its keys (a cluster asks the server which words are keys). */
  private async command(topology: Topology, argv: string[]): Promise<unknown> {
    let slot: number | undefined;
    if (topology.cluster) {
      const keys = await commandKeys(topology, argv);
      if (keys.length > 0) {
        const slots = slotOfKeys(keys);
        if (slots.slot === undefined) throw crossSlotError(slots.keys);
        slot = slots.slot;
      }
    }
    return topology.onSlot(slot, {}, (node) => node.conn.send(argv, { raw: true }));
  }

  /** EVALSHA of a spec's script (SCRIPT LOAD on NOSCRIPT), on the node of its first key. */
  private async call(topology: Topology, spec: SpecFile, call: Call, vars: Vars): Promise<Outcome> {
    const script = this.scripts.get(scriptKey(spec, call.script))!;
    const keys = call.keys.map((k) => interpolate(k, vars));
    const args = call.args.map((a) => interpolate(a, vars));
    // Keys in two slots go to the first key's node: the server's CROSSSLOT is what the spec sees.
    const slot = topology.cluster && keys.length > 0 ? slotOfKeys(keys.slice(0, 1)).slot : undefined;
    if (script.library) return this.fcall(topology, script, slot, call, keys, args);
    const argv: Arg[] = [call.readOnly ? 'EVALSHA_RO' : 'EVALSHA', script.sha, String(keys.length), ...keys, ...args];
    try {
      return await topology.onSlot(slot, {}, async (node) => {
        try {
          return { ok: true, reply: typeReply(await node.conn.send(argv, { raw: true })) };
        } catch (err) {
          if (replyCode(err) !== 'NOSCRIPT') throw err;
          await node.conn.send(['SCRIPT', 'LOAD', script.bytes]);
          return { ok: true, reply: typeReply(await node.conn.send(argv, { raw: true })) };
        }
      });
    } catch (err) {
      if (replyCode(err) === undefined) throw err;
      return { ok: false, error: (err as Error).message };
    }
  }

  /**
   * FCALL (FCALL_RO for a no-writes function, or `ro: true`) of a library's function, the library
   * sent first with FUNCTION LOAD REPLACE on each node it runs on (once per run and library text).
   */
  private async fcall(
    topology: Topology,
    script: SpecScript,
    slot: number | undefined,
    call: Call,
    keys: string[],
    args: string[],
  ): Promise<Outcome> {
    const readOnly = call.readOnly || (await isNoWrites(script));
    const argv: Arg[] = [
      readOnly ? 'FCALL_RO' : 'FCALL',
      script.library!.function,
      String(keys.length),
      ...keys,
      ...args,
    ];
    try {
      return await topology.onSlot(slot, {}, async (node) => {
        let loaded = loadedLibraries.get(node.conn);
        if (!loaded) loadedLibraries.set(node.conn, (loaded = new Set()));
        if (!loaded.has(script.sha)) {
          await node.conn.send(['FUNCTION', 'LOAD', 'REPLACE', script.bytes]);
          loaded.add(script.sha);
        }
        return { ok: true, reply: typeReply(await node.conn.send(argv, { raw: true })) };
      });
    } catch (err) {
      if (replyCode(err) === undefined) throw err;
      return { ok: false, error: (err as Error).message };
    }
  }
}

/** Libraries already sent to a node in this run (by SHA1 of their text): FLUSHALL leaves functions in place. */
const loadedLibraries = new WeakMap<object, Set<string>>();
/** Whether a library's function is registered no-writes, by library SHA1 and function. */
const noWritesOf = new Map<string, boolean>();

async function isNoWrites(script: SpecScript): Promise<boolean> {
  const key = `${script.sha}\0${script.library!.function}`;
  let known = noWritesOf.get(key);
  if (known === undefined) {
    const { readRegistrations } = await import('../lint/library.js');
    const fn = readRegistrations(script.bytes).functions.find((f) => f.name === script.library!.function);
    known = fn?.flags.includes('no-writes') ?? false;
    noWritesOf.set(key, known);
  }
  return known;
}

interface Vars {
  client?: number;
  call?: number;
  reply?: TypedReply;
}

/** `${client}`, `${call}`, `${reply}` and `${reply.N}` (the previous step's reply, or its Nth item). */
export function interpolate(word: string, vars: Vars): string {
  if (!word.includes('${')) return word;
  return word.replace(/\$\{(client|call|reply)(?:\.(\d+))?\}/g, (whole, name: string, index: string | undefined) => {
    if (name === 'client') return vars.client === undefined ? whole : String(vars.client);
    if (name === 'call') return vars.call === undefined ? whole : String(vars.call);
    let reply = vars.reply;
    if (reply && index !== undefined) reply = reply.type === 'array' ? reply.items[Number(index) - 1] : undefined;
    if (!reply) return '';
    switch (reply.type) {
      case 'integer':
      case 'double':
      case 'big number':
      case 'bulk string':
      case 'status':
      case 'verbatim string':
        return String(reply.value);
      case 'boolean':
        return reply.value ? '1' : '0';
      default:
        return '';
    }
  });
}

/** Whether a call answered as its step expects; undefined when it did. */
function checkOutcome(step: Step, outcome: Outcome, protocol: 2 | 3, named: boolean): Failure | undefined {
  const what = `${named ? `step ${step.name}` : 'reply'} (${step.call.script}${step.call.keys.length ? ` keys ${JSON.stringify(step.call.keys)}` : ''}${step.call.args.length ? ` args ${JSON.stringify(step.call.args)}` : ''})`;
  if (!outcome.ok) {
    if (step.error && matchText(step.error, outcome.error)) return undefined;
    return {
      line: step.error?.line ?? step.reply?.line ?? step.call.line,
      what,
      expected: step.error
        ? `error ${describeText(step.error)}`
        : step.reply
          ? describeMatcher(step.reply, protocol)
          : 'a reply',
      actual: `error ${JSON.stringify(outcome.error)}`,
    };
  }
  if (step.error && !step.reply)
    return {
      line: step.error.line,
      what,
      expected: `error ${describeText(step.error)}`,
      actual: notation(outcome.reply),
    };
  if (!step.reply) return undefined;
  const mismatches = matchReply(step.reply, outcome.reply, protocol);
  if (mismatches.length === 0) return undefined;
  return {
    line: step.reply.line,
    what,
    expected: describeMatcher(step.reply, protocol),
    actual: notation(outcome.reply),
    // A difference at the top is said by expected/actual already.
    ...(mismatches.some((m) => m.path !== '') ? { mismatches } : {}),
  };
}

/** The distinct replies of a concurrent run with their counts, most frequent first (at most 5). */
function sampleReplies(outcomes: Outcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) {
    const shown = o.ok ? notation(o.reply) : `error ${JSON.stringify(o.error)}`;
    counts.set(shown, (counts.get(shown) ?? 0) + 1);
  }
  const top = [...counts].sort((a, b) => b[1] - a[1]);
  return `replies: ${top
    .slice(0, 5)
    .map(([r, n]) => `${n} x ${clipText(r, 60)}`)
    .join(', ')}${top.length > 5 ? `, and ${top.length - 5} other values` : ''}`;
}

/** The keys of a command, as the server reads them (COMMAND GETKEYS), for routing in a cluster. */
async function commandKeys(topology: Topology, argv: string[]): Promise<string[]> {
  try {
    return list(await topology.primaries()[0]!.conn.send(['COMMAND', 'GETKEYS', ...argv], { raw: true }));
  } catch (err) {
    // "The command has no key arguments", or an unknown command: the node that runs it will say.
    if (replyCode(err) !== undefined) return [];
    throw err;
  }
}

function text(v: unknown): string {
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (v instanceof WholeDouble) return String(v.value);
  if (v instanceof LargeInteger) return v.digits;
  if (v === null || v === undefined) return '';
  return String(v);
}

/** A reply that is a list of strings (RESP2 flat arrays, RESP3 sets and pairs alike), flattened. */
function list(v: unknown): string[] {
  if (v instanceof Set) return [...v].map(text);
  if (v instanceof Map) return [...v].flatMap(([k, val]) => [text(k), text(val)]);
  if (Array.isArray(v)) return v.flatMap((i) => (Array.isArray(i) ? list(i) : [text(i)]));
  return [];
}

function pairs(v: unknown): Array<[string, string]> {
  const flat = list(v);
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

function showPairs(p: Array<[string, string]>): string {
  return `{${p.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(clipText(v))}`).join(', ')}}`;
}

function clipText(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}
