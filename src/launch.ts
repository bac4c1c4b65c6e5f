/**
 * The start of the bundled CLI (bin/rscript runs it; build-cli.mjs bundles it as dist/rscript.cjs).
 *
 * Most of a short rscript run is V8 compiling JavaScript: the CLI's own code, then the Lua parser or
 * the Redis decoder. Node 20 keeps no compiled code between runs (module.enableCompileCache came in
 * Node 22), so this keeps it itself: the CLI is one CommonJS bundle (dist/cli.cjs) plus one file per
 * heavy package (dist/parts/*.cjs, loaded only by the commands that use them), each compiled through
 * node:vm with V8's code cache. A run whose command worked saves what it compiled in the user's cache
 * folder (src/cache/dir.ts), one file per command, so the next run of that command compiles nothing.
 *
 * Best effort, like the lint cache: a missing, unreadable, stale or corrupt cache file only costs
 * compiling again; a cache file that cannot be written is not written. V8 checks little of what it
 * is given: it refuses data of another V8 or other flags, but takes data made for another source of
 * the same length, and a flipped byte can crash the process. So each section records the CRC-32 of
 * the source it was made for and of its own bytes, both checked before V8 sees it (a Node without
 * zlib.crc32, before 20.15, keeps no cache). The data is code that runs: the cache is used only from
 * files of this user that nobody else can write. A cache file is named after the build (a hash of
 * every bundled file, in the bundle's first line), Node's version, the install's folder and Node's
 * options (V8 also records the script's path, and refuses data made under other flags), and the
 * command.
 */
import { readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import * as zlib from 'node:zlib';
import { cacheDir, makeCacheDir, ownFile } from './cache/dir.js';

const importModule = (specifier: string): Promise<unknown> => import(fromProject(specifier));

/**
 * A bare package name (cosmiconfig imports `typescript` to read a TypeScript config) from the
 * project first, where its TypeScript is, then from rscript's install.
 */
function fromProject(specifier: string): string {
  if (!/^(@[\w.-]+\/)?[\w.-]+$/.test(specifier)) return specifier;
  try {
    return pathToFileURL(createRequire(join(process.cwd(), 'package.json')).resolve(specifier)).href;
  } catch {
    return specifier;
  }
}

/** Compiled code of another build, install or Node not written (nor used) for a week goes when a run saves its own. */
const STALE_MS = 7 * 24 * 3600 * 1000;
/** A cache file in use gets a new modification time at most this often (what the pruning above reads). */
const TOUCH_MS = 24 * 3600 * 1000;

/** The exported run() of src/cli/program.ts, inside dist/cli.cjs. */
interface Cli {
  run(argv: string[]): Promise<number>;
}

/** A section of a cache file: V8's data, and the CRC-32 of the source it was made for. */
interface Section {
  data: Buffer;
  source: number;
}

interface Compiled {
  name: string;
  script: Script;
  /** CRC-32 of the compiled source (the wrapper included). */
  source: number;
  /** Compiled from cached data that V8 accepted. */
  fromCache: boolean;
  /** The file had data for it that was refused (by its CRCs or by V8). */
  refused: boolean;
}

/**
 * Runs the CLI of the build in `dist` with `argv`; resolves to the exit code. `env` chooses the cache
 * folder (RSCRIPT_CACHE_DIR, as for the lint cache).
 */
export async function launch(argv: string[], dist: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const mainFile = join(dist, 'cli.cjs');
  const source = readFileSync(mainFile, 'utf8');
  const file = cacheFile(source, dist, argv, env);
  const read = file === undefined ? { sections: new Map<string, Section | null>(), trusted: true } : readSections(file);
  const cached = read.sections;

  const compiled: Compiled[] = [];
  const compile = (name: string, path: string, code: string): ((...args: unknown[]) => void) => {
    const wrapped = `(function(exports,require,module,__filename,__dirname,__rscriptMetaUrl,__rscriptImport){${code}\n})`;
    const sourceCrc = file === undefined ? 0 : zlib.crc32(wrapped);
    const section = cached.get(name);
    const cachedData = section && section.source === sourceCrc ? section.data : undefined;
    const script = new Script(wrapped, { filename: path, cachedData });
    const fromCache = cachedData !== undefined && !script.cachedDataRejected;
    compiled.push({ name, script, source: sourceCrc, fromCache, refused: section !== undefined && !fromCache });
    return script.runInThisContext() as (...args: unknown[]) => void;
  };
  const load = (name: string, path: string, code: string, require: NodeJS.Require): unknown => {
    const module = { exports: {} as unknown };
    // The bundle's import() (src/import-module.ts): this module's, as code compiled by node:vm has none.
    compile(name, path, code)(
      module.exports,
      require,
      module,
      path,
      dirname(path),
      pathToFileURL(path).href,
      importModule,
    );
    return module.exports;
  };

  // The bundle requires its parts as "./parts/<name>.cjs" (build-cli.mjs); everything else is Node's.
  const parts = new Map<string, unknown>();
  const nodeRequire = createRequire(mainFile);
  const requirePart = (id: string): unknown => {
    const part = /^\.\/parts\/([\w-]+)\.cjs$/.exec(id)?.[1];
    if (part === undefined) return nodeRequire(id);
    if (!parts.has(part)) {
      const path = join(dist, 'parts', `${part}.cjs`);
      parts.set(part, load(part, path, readFileSync(path, 'utf8'), createRequire(path)));
    }
    return parts.get(part);
  };
  const cli = load('cli', mainFile, source, Object.assign(requirePart, nodeRequire) as NodeJS.Require) as Cli;

  const code = await cli.run(argv);
  // Saved after a run that did its work (exit 0, or 1: a check that found problems), so the cache
  // holds that work's code, not an error path's; and only when this run compiled something new.
  const write = file !== undefined && read.trusted && (code === 0 || code === 1) && compiled.some((c) => !c.fromCache);
  const written = write && (await save(file, compiled));
  if (/\brscript\b/.test(env.DEBUG ?? '')) {
    const state = (c: Compiled) =>
      `${c.name} ${c.fromCache ? 'from cache' : c.refused ? 'compiled (cache rejected)' : 'compiled'}`;
    const saved = written ? `, saved to ${file}` : write ? `, not saved (${file} cannot be written)` : '';
    const untrusted = read.trusted ? '' : ` (not used: ${file} or its folder can be written by others)`;
    // A reader that has quit (`2>&1 | head -1`) is no error.
    process.stderr.on('error', () => undefined);
    process.stderr.write(
      `rscript: code cache: ${file === undefined ? 'off' : compiled.map(state).join(', ')}${saved}${untrusted}\n`,
    );
  }
  return code;
}

/** The cache file of this build, install, Node and command; undefined when there is no cache. */
function cacheFile(source: string, dist: string, argv: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const build = /^\/\*rscript-build:([0-9a-f]{16})\*\//.exec(source)?.[1];
  if (build === undefined || typeof zlib.crc32 !== 'function') return undefined;
  const dir = cacheDir(env);
  if (dir === undefined) return undefined;
  const install = zlib
    .crc32([dist, ...process.execArgv, env.NODE_OPTIONS ?? ''].join('\0'))
    .toString(16)
    .padStart(8, '0');
  return join(dir, `code-${build}-${process.version}-${process.arch}-${install}-${commandOf(argv)}.bin`);
}

/** The program's options that take a value, as the CLI defines them (src/cli/options.ts). */
export const VALUE_OPTIONS: ReadonlySet<string> = new Set([
  '-u',
  '--url',
  '--config',
  '-m',
  '--manifest',
  '--timeout',
  '--tls-ca',
  '--tls-cert',
  '--tls-key',
]);

/**
 * The command argv names ("lint", "load"; "help" for --help, "lint-help" for lint --help): the cache
 * file it names holds what that command compiles. Options before the command's name (`rscript --url
 * redis://... exists`) and their values are passed over; with no command, the first option names it
 * ("help", "version").
 */
function commandOf(argv: readonly string[]): string {
  let at = 0;
  while (
    at < argv.length &&
    argv[at]!.startsWith('-') &&
    argv[at] !== '--help' &&
    argv[at] !== '-h' &&
    argv[at] !== '--version' &&
    argv[at] !== '-V'
  ) {
    at += VALUE_OPTIONS.has(argv[at]!) ? 2 : 1;
  }
  const word = argv[at] ?? argv[0] ?? '';
  const first = /^(?:--?)?([a-zA-Z][\w-]{0,19})$/.exec(word)?.[1] ?? 'other';
  return !word.startsWith('-') && argv.some((a) => a === '--help' || a === '-h') ? `${first}-help` : first;
}

/**
 * A cache file: a 4-byte length, a JSON list of [name, bytes, crc32 of the bytes, crc32 of the
 * source] for each section, then the sections (V8's data for dist/cli.cjs and for each part the run
 * loaded). A section whose bytes do not match their CRC is there, but null. Nothing is used from a
 * file that others can write (`trusted` false).
 */
function readSections(file: string): { sections: Map<string, Section | null>; trusted: boolean } {
  const sections = new Map<string, Section | null>();
  try {
    if (!trustedFile(file)) return { sections, trusted: false };
    const data = readFileSync(file);
    const headerEnd = 4 + data.readUInt32LE(0);
    const header = JSON.parse(data.toString('utf8', 4, headerEnd)) as unknown;
    if (!Array.isArray(header)) return { sections, trusted: true };
    let offset = headerEnd;
    for (const entry of header) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Number.isSafeInteger(entry[1]) || entry[1] < 0)
        return { sections: new Map(), trusted: true };
      const end = offset + (entry[1] as number);
      if (end > data.length) return { sections: new Map(), trusted: true };
      const bytes = data.subarray(offset, end);
      sections.set(
        entry[0],
        zlib.crc32(bytes) === entry[2] && typeof entry[3] === 'number' ? { data: bytes, source: entry[3] } : null,
      );
      offset = end;
    }
  } catch {
    // absent, unreadable or malformed: compile as on a first run
  }
  return { sections, trusted: true };
}

/**
 * True when the file is this user's and only this user can change it (src/cache/dir.ts); absent files
 * count as trusted (there is nothing to use).
 */
function trustedFile(file: string): boolean {
  const stat = ownFile(file);
  if (stat === null) return false;
  // In use: the pruning of other builds' files (by modification time) leaves it alone.
  if (stat && Date.now() - stat.mtimeMs > TOUCH_MS) utimesSync(file, new Date(), new Date());
  return true;
}

/** False when the file could not be written. */
async function save(file: string, compiled: readonly Compiled[]): Promise<boolean> {
  try {
    const data = compiled.map((c) => ({ name: c.name, bytes: c.script.createCachedData(), source: c.source }));
    const header = Buffer.from(
      JSON.stringify(data.map((d) => [d.name, d.bytes.length, zlib.crc32(d.bytes), d.source])),
    );
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length);
    const dir = dirname(file);
    // Only this user can read or write a folder it makes (it holds code that runs).
    makeCacheDir(dir);
    // Imported here: it loads node:crypto, which most runs do not need.
    const { writeFileAtomic } = await import('./write-atomic.js');
    writeFileAtomic(file, Buffer.concat([length, header, ...data.map((d) => d.bytes)]), 0o600);
    pruneStale(dir, file);
    return true;
  } catch {
    // a cache that cannot be written is not written
    return false;
  }
}

/**
 * Removes the compiled code of other builds, installs or Node versions, and the temp files of saves
 * that were cut short, not written for a week.
 */
function pruneStale(dir: string, own: string): void {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    if (!/^\.?code-/.test(name) || join(dir, name) === own) continue;
    try {
      if (now - statSync(join(dir, name)).mtimeMs > STALE_MS) rmSync(join(dir, name), { force: true });
    } catch {
      // removed by another run meanwhile
    }
  }
}
