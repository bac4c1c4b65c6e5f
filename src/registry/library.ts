/**
 * Redis Functions libraries among the scripts: a `.lua` file whose first line is `#!lua name=<lib>`
 * is a library (FUNCTION LOAD), every other `.lua` file an EVAL script. What a library registers is
 * read from its code (luaparse, the linter's parser), so that load, exec and info know each function,
 * its flags and its keys and args before the server is asked.
 */
import { CheckFailedError } from '../errors.js';
import { parseShebang, KNOWN_FLAGS, type LocalScript } from './script.js';
import { displayPath, mapLine } from './include.js';

/** One `redis.register_function` of a library. */
export interface LibraryFunction {
  name: string;
  flags: string[];
  description?: string;
  /** 1-based line of the `redis.register_function` call, in the assembled text (see `positionIn`). */
  line: number;
  /** What each keys[i] / args[i] means, from the comments above the function ('' when undocumented). */
  keys: string[];
  args: string[];
  summary?: string;
  /** The `Returns:` line of its doc. */
  returns?: string;
  /** How many keys / args a caller must pass, when the last ones may be left out (read with a default). */
  minKeys?: number;
  minArgs?: number;
}

/** A library file, as found on disk. */
export interface LocalLibrary {
  /** The `name=` of its `#!lua` line: the name Redis knows it by. */
  library: string;
  script: LocalScript;
  functions: LibraryFunction[];
}

/** Why a file is taken for a library, or why it cannot be one. */
export type LibraryKind = { library: string } | { missingName: true } | null;

const REGISTER = /\bredis\s*\.\s*register_function\b/;

/**
 * `{ library }` for a `#!lua name=<lib>` file; `{ missingName }` for a file that registers functions
 * but names no library (Redis: `ERR Library name was not given`); null for an EVAL script.
 */
export function libraryKind(bytes: Buffer): LibraryKind {
  const shebang = parseShebang(bytes);
  const name = shebang?.other.find((o) => o.startsWith('name='));
  if (name !== undefined) return { library: name.slice('name='.length) };
  // A script never calls register_function (it does not exist outside FUNCTION LOAD): a file that
  // does is a library without its name.
  if (REGISTER.test(bytes.toString('utf8'))) return { missingName: true };
  return null;
}

/** Splits found files into EVAL scripts and libraries; a library without `name=` is an error. */
export async function splitLibraries(
  files: LocalScript[],
): Promise<{ scripts: LocalScript[]; libraries: LocalLibrary[] }> {
  const scripts: LocalScript[] = [];
  const libraries: LocalLibrary[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const kind = libraryKind(file.bytes);
    if (kind === null) {
      scripts.push(file);
    } else if ('missingName' in kind) {
      problems.push(
        `${file.path}:1: calls redis.register_function but its first line is not #!lua name=<library> (Redis: ERR Library name was not given)`,
      );
    } else {
      try {
        libraries.push(await readLibrary(file, kind.library));
      } catch (err) {
        if (!(err instanceof CheckFailedError)) throw err;
        problems.push(err.message);
      }
    }
  }
  if (problems.length > 0) throw new CheckFailedError(problems[0]!, problems.slice(1));
  checkLibraries(libraries);
  return { scripts, libraries };
}

/**
 * The checks Redis would make, made before anything is sent: two files naming one library, one
 * function name registered twice (Redis refuses it across libraries, even with REPLACE).
 */
export function checkLibraries(libraries: LocalLibrary[]): void {
  const problems: string[] = [];
  const libs = new Map<string, LocalLibrary>();
  const fns = new Map<string, LocalLibrary>();
  for (const lib of libraries) {
    const twin = libs.get(lib.library);
    if (twin)
      problems.push(`library "${lib.library}" is defined by two files: ${twin.script.path} and ${lib.script.path}`);
    libs.set(lib.library, lib);
    for (const fn of lib.functions) {
      const other = fns.get(fn.name);
      if (other) {
        problems.push(
          other === lib
            ? `${positionIn(lib.script, fn.line).text}: function "${fn.name}" is registered twice in library "${lib.library}"`
            : `function "${fn.name}" is defined by two libraries: ${other.script.path} (library "${other.library}") and ${lib.script.path} (library "${lib.library}"); Redis refuses that even with REPLACE`,
        );
      }
      fns.set(fn.name, lib);
    }
  }
  if (problems.length > 0) throw new CheckFailedError(problems[0]!, problems.slice(1));
}

/** Reads what a library registers; a library that does not parse or registers nothing is an error. */
export async function readLibrary(script: LocalScript, library: string): Promise<LocalLibrary> {
  if (!/^[A-Za-z0-9_]+$/.test(library)) {
    throw new CheckFailedError(
      `${script.path}:1: library name "${library}" must be letters, digits and underscores (Redis: ERR Library names can only contain letters, numbers, or underscores(_))`,
    );
  }
  const { readRegistrations } = await import('../lint/library.js');
  const found = readRegistrations(script.bytes);
  if (found.error) {
    const at = positionIn(script, found.error.line);
    throw new CheckFailedError(`${at.text}: compile error: ${found.error.message}${at.into}`);
  }
  const problems = found.problems.map((p) => {
    const at = positionIn(script, p.line);
    return `${at.text}: ${p.message}${at.into}`;
  });
  if (problems.length > 0) throw new CheckFailedError(problems[0]!, problems.slice(1));
  if (found.functions.length === 0) {
    throw new CheckFailedError(
      `${script.path}: library "${library}" registers no function (Redis: ERR No functions registered)`,
    );
  }
  return { library, script, functions: found.functions };
}

/** Where a line of a library's assembled text was written. */
export interface LibraryPosition {
  /** The file written (the library, or a fragment it includes), as displayed. */
  file: string;
  line: number;
  /** `file:line`. */
  text: string;
  /** ` (included into <library file>)` for a fragment's line, else ''. */
  into: string;
}

/**
 * A line of a library's assembled text (what register_function lines and parse errors count in), led
 * back to the file and line it was written at: a library that includes fragments (`--- @include`) is
 * parsed assembled, as the server compiles it.
 */
export function positionIn(script: LocalScript, line: number): LibraryPosition {
  const m = mapLine(script.map, script.absPath, line);
  const file = m.fragment ? displayPath(m.absPath) : script.path;
  return { file, line: m.line, text: `${file}:${m.line}`, into: m.fragment ? ` (included into ${script.path})` : '' };
}

export { KNOWN_FLAGS };
