/**
 * The runtime API for applications: run the committed manifest's scripts by name through an existing
 * node-redis client. Script bodies are read once, when the Scripts object is made, never per call.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { assemble, lineMapper, type SourceMap } from './registry/include.js';
import { locateFunctionError, locateScriptError } from './redis/script-errors.js';
import { DEFAULT_MANIFEST } from './manifest/default-name.js';
import { entryAbsPath, readManifest, type Manifest } from './manifest/manifest.js';
import { sha1hex } from './registry/script.js';
import type { RedisConnection } from './server/connection.js';
import { replyCode } from './server/failures.js';
import { evalSha } from './server/scripts.js';

/** What the runtime needs of a client: node-redis's `sendCommand` (RedisClient). */
export interface CommandSender {
  sendCommand(args: Array<string | Buffer>): Promise<unknown>;
}

export type ScriptArg = string | number | Buffer;

export interface RunOptions {
  keys?: ScriptArg[];
  args?: ScriptArg[];
  /** EVALSHA_RO: for scripts flagged `no-writes`, runs on read-only replicas too. */
  readOnly?: boolean;
}

/** The name is not in the manifest. */
export class UnknownScriptError extends Error {
  constructor(
    readonly script: string,
    known: string[],
  ) {
    super(`unknown script "${script}" (the manifest has: ${known.join(', ') || 'none'})`);
    this.name = 'UnknownScriptError';
  }
}

/** Too few keys or args for what the script documents, or one that is not a string, finite number or Buffer; found before anything is sent. */
export class ScriptArgumentsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScriptArgumentsError';
  }
}

/**
 * The script ran and answered with an error (its own `redis.error_reply` or a failed call). `reply`
 * is the server's text as it came; the message names the file and line the error is at
 * (`lua/include/util.lua:3: ... (included into lua/job.lua)`) when the reply gives a line.
 */
export class ScriptReplyError extends Error {
  /** The file the error is at (the script, or a fragment it includes), as the manifest names it. */
  readonly file?: string;
  /** The line in `file`, when the server said which. */
  readonly line?: number;

  constructor(
    readonly script: string,
    readonly sha: string,
    readonly reply: string,
    where?: { text: string; file: string; line?: number },
  ) {
    super(`${script}: ${where?.text ?? reply}`);
    this.name = 'ScriptReplyError';
    if (where) {
      this.file = where.file;
      if (where.line !== undefined) this.line = where.line;
    }
  }
}

/** A function of a Functions library of the manifest. */
interface KnownFunction {
  library: string;
  name: string;
  readOnly: boolean;
  keys: number;
  args: number;
  /** The library's file, for its error lines (shared by its functions). */
  source: LibrarySource;
}

/** A library's file as the manifest names it, and its assembled text when that still has the lockfile's SHA. */
interface LibrarySource {
  path: string;
  sha: string;
  body?: Buffer;
  map?: SourceMap;
}

interface Known {
  name: string;
  sha: string;
  /** The assembled text (fragments spliced in), as `rscript load` hashed it. */
  body: Buffer;
  /** The manifest's path of the file. */
  path: string;
  map?: SourceMap;
  keys: number;
  args: number;
}

/** A manifest's scripts, ready to run by name. */
export class Scripts {
  readonly #known = new Map<string, Known>();
  /** A path as the manifest writes it: relative to its folder. */
  readonly #show: (absPath: string) => string;
  /** By `<library>.<function>`, and by the bare function name (Redis keeps function names unique). */
  readonly #functions = new Map<string, KnownFunction>();

  /**
   * @param manifest the parsed lockfile
   * @param manifestFile where it lives: script paths are relative to its folder
   */
  constructor(manifest: Manifest, manifestFile: string) {
    const dir = dirname(resolve(manifestFile));
    this.#show = (p) => relative(dir, p).split(sep).join('/');
    for (const [name, entry] of Object.entries(manifest.scripts)) {
      const abs = entryAbsPath(entry, manifestFile);
      const { bytes: body, map } = assemble(abs, readFileSync(abs), { display: this.#show });
      const sha = sha1hex(body);
      if (sha !== entry.sha) {
        throw new Error(
          `${entry.path} does not match the manifest (sha ${sha.slice(0, 12)}, manifest ${entry.sha.slice(0, 12)}): run rscript load`,
        );
      }
      const meta = entry as { keys?: unknown[]; args?: unknown[]; minKeys?: unknown; minArgs?: unknown };
      // The last slots may be optional (read with a default): a caller must pass only `minKeys`.
      const count = (list: unknown, min: unknown): number =>
        typeof min === 'number' && Number.isInteger(min) && min >= 0 ? min : Array.isArray(list) ? list.length : 0;
      this.#known.set(name, {
        name,
        sha,
        body,
        path: entry.path,
        ...(map ? { map } : {}),
        keys: count(meta.keys, meta.minKeys),
        args: count(meta.args, meta.minArgs),
      });
    }
    for (const [library, entry] of Object.entries(manifest.libraries ?? {})) {
      const source: LibrarySource = { path: entry.path, sha: entry.sha };
      try {
        // Functions run from the server (rscript load deploys them): the file only maps error lines,
        // and one that is missing or edited since the load is no reason to refuse to start.
        const abs = entryAbsPath({ ...entry, flags: [] }, manifestFile);
        const { bytes, map } = assemble(abs, readFileSync(abs), { display: this.#show });
        if (sha1hex(bytes) === entry.sha) {
          source.body = bytes;
          if (map) source.map = map;
        }
      } catch {
        // no file: errors keep the server's line
      }
      for (const [name, fn] of Object.entries(entry.functions)) {
        const known: KnownFunction = {
          library,
          name,
          readOnly: fn.flags.includes('no-writes'),
          keys: fn.minKeys ?? fn.keys.length,
          args: fn.minArgs ?? fn.args.length,
          source,
        };
        this.#functions.set(`${library}.${name}`, known);
        if (!this.#known.has(name)) this.#functions.set(name, known);
      }
    }
  }

  /** The functions of the manifest's libraries, as `<library>.<function>`, sorted. */
  functions(): string[] {
    return [...this.#functions.keys()].filter((k) => k.includes('.')).sort();
  }

  /** Reads the manifest file (default `rscript.lock.json`) and every script it names, once. */
  static fromManifest(manifestFile = DEFAULT_MANIFEST): Scripts {
    const manifest = readManifest(manifestFile);
    if (!manifest) throw new Error(`${manifestFile}: no manifest; run rscript load first`);
    return new Scripts(manifest, manifestFile);
  }

  /** Script names, sorted. */
  names(): string[] {
    return [...this.#known.keys()];
  }

  /** The SHA the server knows the script by. */
  sha(name: string): string {
    return this.#get(name).sha;
  }

  /**
   * Runs a script by name: EVALSHA, and on NOSCRIPT (a restart, a failover, a SCRIPT FLUSH)
   * SCRIPT LOAD then EVALSHA once more. Never EVAL: EVAL-created scripts can be evicted (7.4+).
   * @see https://redis.io/commands/evalsha/
   */
  async run(client: CommandSender, name: string, options: RunOptions = {}): Promise<unknown> {
    const fn = this.#known.has(name) ? undefined : this.#functions.get(name);
    if (fn) return this.#call(client, fn, options);
    const script = this.#get(name);
    const keys = toArgs(name, 'keys', options.keys);
    const args = toArgs(name, 'args', options.args);
    if (keys.length < script.keys || args.length < script.args) {
      throw new ScriptArgumentsError(
        `${name}: expects ${script.keys} key(s) and ${script.args} arg(s), got ${keys.length} and ${args.length}`,
      );
    }
    // The same EVALSHA -> NOSCRIPT -> SCRIPT LOAD -> retry as `rscript exec`, over the application's client.
    const conn: RedisConnection = {
      label: name,
      send: (command) => client.sendCommand(command),
      close: async () => undefined,
    };
    try {
      return (await evalSha(conn, script.sha, keys, args, { readOnly: options.readOnly, body: script.body })).reply;
    } catch (err) {
      // Only server error replies become ScriptReplyError; connection errors pass through untouched.
      if (replyCode(err) === undefined) throw err;
      const reply = (err as Error).message;
      const located = locateScriptError(reply, script.path, undefined, lineMapper(script.map, this.#show));
      throw new ScriptReplyError(script.name, script.sha, reply, located.line !== undefined ? located : undefined);
    }
  }

  /**
   * A library's function: FCALL, or FCALL_RO for a `no-writes` function (it then runs on replicas too).
   * Functions are deployed by `rscript load`, never loaded from here: ERR Function not found is a reply error.
   * @see https://redis.io/commands/fcall/
   */
  async #call(client: CommandSender, fn: KnownFunction, options: RunOptions): Promise<unknown> {
    const label = `${fn.library}.${fn.name}`;
    const keys = toArgs(label, 'keys', options.keys);
    const args = toArgs(label, 'args', options.args);
    if (keys.length < fn.keys || args.length < fn.args) {
      throw new ScriptArgumentsError(
        `${label}: expects ${fn.keys} key(s) and ${fn.args} arg(s), got ${keys.length} and ${args.length}`,
      );
    }
    try {
      return await client.sendCommand([
        fn.readOnly ? 'FCALL_RO' : 'FCALL',
        fn.name,
        String(keys.length),
        ...keys,
        ...args,
      ]);
    } catch (err) {
      if (replyCode(err) === undefined) throw err;
      const reply = (err as Error).message;
      const { source } = fn;
      // Lines count in the library's text as loaded: without that text (file gone or edited) they are not mapped.
      const located = source.body
        ? locateFunctionError(reply, source.path, undefined, lineMapper(source.map, this.#show))
        : undefined;
      throw new ScriptReplyError(label, source.sha, reply, located?.line !== undefined ? located : undefined);
    }
  }

  #get(name: string): Known {
    const script = this.#known.get(name);
    if (!script) throw new UnknownScriptError(name, [...this.names(), ...this.functions()]);
    return script;
  }
}

/**
 * Keys or args as node-redis sends them. Checked here, since JavaScript callers get no type check:
 * node-redis's own TypeError ("arguments[4]" must be of type...) names neither the script nor the list.
 */
function toArgs(script: string, list: 'keys' | 'args', values: unknown): Array<string | Buffer> {
  if (values === undefined || values === null) return [];
  if (!Array.isArray(values)) {
    throw new ScriptArgumentsError(
      `${script}: ${list} must be an array of strings, finite numbers or Buffers, got ${typeName(values)}`,
    );
  }
  return values.map((value: unknown, i) => {
    if (typeof value === 'string' || Buffer.isBuffer(value)) return value;
    // NaN and Infinity would reach Redis as the text "NaN" and "Infinity": a bug in the caller, almost always.
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    throw new ScriptArgumentsError(
      `${script}: ${list}[${i}] is ${typeName(value)}; keys and args must be strings, finite numbers or Buffers`,
    );
  });
}

function typeName(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object')
    return `an object${value.constructor?.name && value.constructor.name !== 'Object' ? ` (${value.constructor.name})` : ''}`;
  return `a ${typeof value}`;
}

/** The server's NOSCRIPT error reply (first word; Valkey words the rest differently). */
export function isNoScript(err: unknown): boolean {
  return replyCode(err) === 'NOSCRIPT';
}
