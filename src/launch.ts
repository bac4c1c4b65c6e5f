/**
 * The start of the bundled CLI (bin/rscript runs it; build-cli.mjs bundles it as dist/rscript.cjs).
 *
 * Most of a short rscript run is V8 compiling JavaScript: the CLI's own code, then the Lua parser or
 * the Redis decoder. Node 20 keeps no compiled code between runs (module.enableCompileCache came in
 * Node 22), so this keeps it itself: the CLI is one CommonJS bundle (dist/cli.cjs) plus one file per
 * heavy package (dist/parts/*.cjs, loaded only by the commands that use them), each compiled through
 * node:vm with V8's code cache. A run whose command worked saves what it compiled in the user's cache
 * folder (src/cache/store.ts), one file per command, so the next run of that command compiles nothing.
 *
 * Best effort, like the lint cache: a missing, unreadable, stale or corrupt cache file only costs
 * compiling again; a cache file that cannot be written is not written. V8 refuses data made by
 * another V8, with other flags or for another source, but trusts the rest of it (a flipped byte can
 * crash the process), so each section carries a CRC-32 checked before V8 sees it; a Node without
 * zlib.crc32 (before 20.15) keeps no cache. Cache files name the build (a hash of every bundled file,
 * written by build-cli.mjs in the bundle's first line), Node's version and the command.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import * as zlib from 'node:zlib';
import { cacheDir } from './cache/dir.js';

const importModule = (specifier: string): Promise<unknown> => import(specifier);

/** Compiled code of another build or Node older than this goes when a run writes its own. */
const STALE_MS = 7 * 24 * 3600 * 1000;

/** The exported run() of src/cli.ts, inside dist/cli.cjs. */
interface Cli {
  run(argv: string[]): Promise<number>;
}

interface Compiled {
  name: string;
  script: Script;
  /** Compiled from cached data that V8 accepted. */
  fromCache: boolean;
}

/**
 * Runs the CLI of the build in `dist` with `argv`; resolves to the exit code. `env` chooses the cache
 * folder (RSCRIPT_CACHE_DIR, as for the lint cache).
 */
export async function launch(argv: string[], dist: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const mainFile = join(dist, 'cli.cjs');
  const source = readFileSync(mainFile, 'utf8');
  const build = /^\/\*rscript-build:([0-9a-f]{16})\*\//.exec(source)?.[1];
  const dir = build === undefined || typeof zlib.crc32 !== 'function' ? undefined : cacheDir(env);
  const file = dir === undefined ? undefined : join(dir, `code-${build}-${process.version}-${process.arch}-${commandOf(argv)}.bin`);
  const cached = file === undefined ? new Map<string, Buffer | undefined>() : readSections(file);

  const compiled: Compiled[] = [];
  const compile = (name: string, path: string, code: string): ((...args: unknown[]) => void) => {
    const cachedData = cached.get(name);
    const script = new Script(`(function(exports,require,module,__filename,__dirname,__rscriptMetaUrl,__rscriptImport){${code}\n})`, {
      filename: path,
      cachedData,
    });
    compiled.push({ name, script, fromCache: cachedData !== undefined && !script.cachedDataRejected });
    return script.runInThisContext() as (...args: unknown[]) => void;
  };
  const load = (name: string, path: string, code: string, require: NodeJS.Require): unknown => {
    const module = { exports: {} as unknown };
    // The bundle's import() (src/import-module.ts): this module's, as code compiled by node:vm has none.
    compile(name, path, code)(module.exports, require, module, path, dirname(path), pathToFileURL(path).href, importModule);
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
  const write = file !== undefined && (code === 0 || code === 1) && compiled.some((c) => !c.fromCache);
  const written = write && (await save(file, compiled, build!));
  if (/\brscript\b/.test(env.DEBUG ?? '')) {
    const state = (c: Compiled) => `${c.name} ${c.fromCache ? 'from cache' : cached.has(c.name) ? 'compiled (cache rejected)' : 'compiled'}`;
    const saved = written ? `, saved to ${file}` : write ? `, not saved (${file} cannot be written)` : '';
    process.stderr.write(`rscript: code cache: ${file === undefined ? 'off' : compiled.map(state).join(', ')}${saved}\n`);
  }
  return code;
}

/**
 * The command argv names ("lint", "load"; "help" for --help, "lint-help" for lint --help): the cache
 * file it names holds what that command compiles.
 */
function commandOf(argv: readonly string[]): string {
  const first = /^(?:--?)?([a-zA-Z][\w-]{0,19})$/.exec(argv[0] ?? '')?.[1] ?? 'other';
  return !argv[0]?.startsWith('-') && argv.some((a) => a === '--help' || a === '-h') ? `${first}-help` : first;
}

/**
 * A cache file: a 4-byte length, a JSON list of [name, bytes, crc32] for each section, then the
 * sections (V8's data for dist/cli.cjs and for each part the run loaded). A section whose CRC does
 * not match is there but undefined.
 */
function readSections(file: string): Map<string, Buffer | undefined> {
  const sections = new Map<string, Buffer | undefined>();
  try {
    const data = readFileSync(file);
    const headerEnd = 4 + data.readUInt32LE(0);
    const header = JSON.parse(data.toString('utf8', 4, headerEnd)) as unknown;
    if (!Array.isArray(header)) return sections;
    let offset = headerEnd;
    for (const entry of header) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Number.isSafeInteger(entry[1]) || entry[1] < 0) return new Map();
      const end = offset + (entry[1] as number);
      if (end > data.length) return new Map();
      const section = data.subarray(offset, end);
      sections.set(entry[0], zlib.crc32(section) === entry[2] ? section : undefined);
      offset = end;
    }
  } catch {
    // absent, unreadable or malformed: compile as on a first run
  }
  return sections;
}

/** False when the file could not be written. */
async function save(file: string, compiled: readonly Compiled[], build: string): Promise<boolean> {
  try {
    const data = compiled.map((c) => ({ name: c.name, bytes: c.script.createCachedData() }));
    const header = Buffer.from(JSON.stringify(data.map((d) => [d.name, d.bytes.length, zlib.crc32(d.bytes)])));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length);
    const dir = dirname(file);
    mkdirSync(dir, { recursive: true });
    // Imported here: it loads node:crypto, which most runs do not need.
    const { writeFileAtomic } = await import('./write-atomic.js');
    writeFileAtomic(file, Buffer.concat([length, header, ...data.map((d) => d.bytes)]));
    pruneStale(dir, build);
    return true;
  } catch {
    // a cache that cannot be written is not written
    return false;
  }
}

/** Removes the compiled code of other builds (or Node versions) not written for a week. */
function pruneStale(dir: string, build: string): void {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    if (!name.startsWith('code-') || name.startsWith(`code-${build}-${process.version}-`)) continue;
    try {
      if (now - statSync(join(dir, name)).mtimeMs > STALE_MS) rmSync(join(dir, name), { force: true });
    } catch {
      // removed by another run meanwhile
    }
  }
}
