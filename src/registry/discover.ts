import { closeSync, openSync, readdirSync, readFileSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { UsageError } from '../errors.js';
import { makeScript, type LocalScript } from './script.js';

export interface DiscoverOptions {
  /** Files or folders, as the user wrote them. */
  paths: string[];
  /** Base for relative paths and for the displayed paths (default: the working directory). */
  cwd?: string;
  /** Keep files that start with a BOM instead of refusing them (the linter reports them itself). */
  allowBom?: boolean;
  /**
   * The configured script folders. A path given inside one of them keeps the names it has there:
   * `rscript load lua/queue` names `lua/queue/push.lua` `queue/push`, as `rscript load` does.
   */
  nameRoots?: string[];
  /**
   * Folders of included fragments (`include` in the config): their files are not scripts, so a walk
   * skips them and naming one of them is an error.
   */
  include?: string[];
}

/** Folder names that never hold a project's scripts. */
const SKIPPED_DIRS = new Set(['node_modules']);

/** Dotfiles, editor backups and swap files are not scripts even when they end in `.lua`. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('#') || name.endsWith('~');
}

/** Turns an OS path into the `/`-separated form used in names and in the manifest. */
export function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/**
 * Finds every `*.lua` file under the given paths, recursively, and reads it (synchronously: many
 * small files read faster that way than through thousands of pending promises).
 * Names are relative to the root each file was found under. Two scripts with one name is an error.
 */
export function discoverScripts(options: DiscoverOptions): LocalScript[] {
  const cwd = options.cwd ?? process.cwd();
  const found = new Map<string, LocalScript>();
  const byFolded = new Map<string, LocalScript>();
  const nameRoots = (options.nameRoots ?? []).map((r) => resolve(cwd, r));
  const fragments = new Set((options.include ?? []).map((r) => resolve(cwd, r)));
  for (const given of options.paths) {
    if (given === '') throw new UsageError('an empty script path was given (an unset variable?)');
    const root = resolve(cwd, given);
    // The innermost configured folder that holds this path, if any: names are relative to it.
    const base = nameRoots
      .filter((r) => root === r || root.startsWith(r.endsWith(sep) ? r : r + sep))
      .sort((a, b) => b.length - a.length)[0];
    const prefix = base && base !== root ? toPosix(relative(base, root)) : '';
    let stat: Stats;
    try {
      stat = statSync(root);
    } catch {
      throw new UsageError(`script path not found: ${given}`);
    }
    const files: Array<[name: string, abs: string, path: string]> = [];
    const fragmentFolder = [...fragments].find((f) => root === f || root.startsWith(f.endsWith(sep) ? f : f + sep));
    if (fragmentFolder !== undefined) {
      throw new UsageError(
        `${given} is in the include folder ${displayPath(cwd, fragmentFolder)}: its files are fragments that scripts include, not scripts`,
        ['Name the scripts that include it, or change "include" in the config.'],
      );
    }
    if (stat.isDirectory()) {
      // Names and displayed paths are built by joining strings down the walk: path.relative() per
      // file was a tenth of a 10,000-script load.
      // The include folder is skipped as a folder already walked is.
      walk(root, prefix ? `${prefix}/` : '', displayPrefix(cwd, root), new Set([...fragments].map(realPathOf)), files);
    } else if (root.endsWith('.lua')) {
      files.push([prefix ? prefix.slice(0, -'.lua'.length) : basename(root, '.lua'), root, displayPath(cwd, root)]);
    } else {
      throw new UsageError(`not a .lua file or a folder: ${given}`);
    }
    // A file under the working directory is opened by its shorter relative path: the kernel walks
    // fewer folders (a third less time opening 10,000 files in a project).
    const relativeOk = cwd === process.cwd();
    for (const [name, abs, path] of files) {
      const script = makeScript(
        name,
        path,
        abs,
        readScriptFile(relativeOk && !isAbsolute(path) ? path : abs),
        options.allowBom,
      );
      const same = found.get(name);
      if (same) {
        if (same.absPath === abs) continue;
        throw new UsageError(`two scripts are named "${name}": ${same.path} and ${script.path}`);
      }
      // Names that differ only by case or Unicode form collide on macOS and Windows checkouts.
      const folded = name.normalize('NFC').toLowerCase();
      const twin = byFolded.get(folded);
      if (twin) {
        throw new UsageError(
          `script names "${twin.name}" and "${name}" differ only by case or Unicode form: ${twin.path} and ${script.path}`,
        );
      }
      found.set(name, script);
      byFolded.set(folded, script);
    }
  }
  return [...found.values()].sort((a, b) => compareNames(a.name, b.name));
}

function realPathOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Scratch space for readScriptFile: scripts are small, and most fit in one read. */
const scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * A file's bytes in three system calls (open, read, close) where readFileSync makes four: it asks
 * the size first. A read of a regular file that returns less than asked for has reached its end; a
 * file that fills the scratch buffer is read again in full. The copy comes from Node's buffer pool.
 */
function readScriptFile(file: string): Buffer {
  const fd = openSync(file, 'r');
  let n: number;
  try {
    n = readSync(fd, scratch, 0, scratch.length, 0);
  } finally {
    closeSync(fd);
  }
  return n < scratch.length ? Buffer.from(scratch.subarray(0, n)) : readFileSync(file);
}

/** Code-unit order: the same on every machine and locale, so the manifest is byte-identical. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function displayPath(cwd: string, abs: string): string {
  const rel = relative(cwd, abs);
  return toPosix(rel === '' || rel.startsWith('..') || isAbsolute(rel) ? abs : rel);
}

/** What displayPath gives the files of folder `dir` before their names: `lua/`, `` for cwd itself. */
function displayPrefix(cwd: string, dir: string): string {
  const rel = relative(cwd, dir);
  if (rel === '') return '';
  const shown = toPosix(rel.startsWith('..') || isAbsolute(rel) ? dir : rel);
  return shown.endsWith('/') ? shown : `${shown}/`;
}

/**
 * Collects `[name, absolute path, displayed path]` for the `.lua` files under `dir`; `name` and
 * `shown` are the prefixes of the folder's own name (relative to the root) and displayed path.
 */
function walk(dir: string, name: string, shown: string, seen: Set<string>, out: Array<[string, string, string]>): void {
  // A symlink loop would revisit a folder: remember each folder's real path.
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    return;
  }
  if (seen.has(real)) return;
  seen.add(real);
  const entries = readdirSync(dir, { withFileTypes: true });
  entries.sort((a, b) => compareNames(a.name, b.name));
  for (const entry of entries) {
    if (isIgnoredName(entry.name)) continue;
    // `dir` is absolute and normalised and a directory entry holds no separator: no join() needed.
    const abs = dir.endsWith(sep) ? dir + entry.name : dir + sep + entry.name;
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try {
        const target = statSync(abs);
        isDir = target.isDirectory();
        isFile = target.isFile();
      } catch {
        continue; // dangling link
      }
    }
    if (isDir) {
      if (!SKIPPED_DIRS.has(entry.name)) walk(abs, `${name}${entry.name}/`, `${shown}${entry.name}/`, seen, out);
    } else if (isFile && entry.name.endsWith('.lua')) {
      out.push([name + entry.name.slice(0, -'.lua'.length), abs, shown + entry.name]);
    }
  }
}
