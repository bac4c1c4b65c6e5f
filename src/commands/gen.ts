import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { CheckFailedError, ConfigError, UsageError } from '../errors.js';
import { entryAbsPath, readManifest } from '../manifest/manifest.js';
import { toPosix } from '../registry/discover.js';
import { assemble, displayPath } from '../registry/include.js';
import { sha1hex } from '../registry/script.js';
import { writeFileAtomic } from '../write-atomic.js';
import type { GenScript } from '../gen/ts.js';
import type { ScriptMetadata, SlotDoc } from '../lint/metadata.js';

export interface GenOptions {
  /** Only `ts` for now. */
  language: string;
  manifest: string;
  /** The module to write; without it the text is returned for printing. */
  out?: string;
  /** Compare `out` with what would be generated; write nothing. */
  check?: boolean;
  cwd?: string;
}

export interface GenResult {
  language: 'ts';
  /** Scripts typed. */
  scripts: number;
  /** Functions of the libraries typed (one each). */
  functions: number;
  /** Where the module is (with --out). */
  out?: string;
  text: string;
  written: boolean;
  check: boolean;
  /** With --check: the file on disk is what would be generated. */
  upToDate?: boolean;
  /** Args typed `string` for want of a readable type in their header line. */
  untyped: string[];
  /** Scripts whose reply is typed `unknown`. */
  untypedReplies: string[];
}

/** The typed module of the lockfile's scripts, from the lockfile and each script's header. */
export async function gen(options: GenOptions): Promise<GenResult> {
  if (options.language !== 'ts') throw new UsageError(`unknown language "${options.language}": rscript gen knows ts`);
  if (options.check && options.out === undefined)
    throw new UsageError('gen ts --check compares a file: give it with --out <file>');
  const cwd = options.cwd ?? process.cwd();
  const manifest = readManifest(options.manifest);
  if (!manifest) throw new ConfigError(`${options.manifest}: no manifest; run rscript load first`);
  const { extractMetadata } = await import('../lint/metadata.js');
  const { generateTs } = await import('../gen/ts.js');
  const scripts = Object.entries(manifest.scripts).map(([name, entry]) => {
    const abs = entryAbsPath(entry, options.manifest);
    let bytes: Buffer;
    try {
      bytes = readFileSync(abs);
    } catch {
      throw new CheckFailedError(`${entry.path}: in the manifest but not found; run rscript load`);
    }
    const assembled = assemble(abs, bytes).bytes;
    if (sha1hex(assembled) !== entry.sha) {
      throw new CheckFailedError(
        `${displayPath(abs, cwd)} has changed since ${options.manifest} was written; run rscript load first, then gen`,
      );
    }
    return { name, path: entry.path, flags: entry.flags, metadata: extractMetadata(assembled) } as GenScript;
  });
  // One typed function per function of each library: its doc (the comments above it) as its header.
  const { readRegistrations } = await import('../lint/library.js');
  for (const [library, entry] of Object.entries(manifest.libraries ?? {})) {
    const abs = entryAbsPath({ ...entry, flags: [] }, options.manifest);
    let bytes: Buffer;
    try {
      bytes = readFileSync(abs);
    } catch {
      throw new CheckFailedError(
        `${entry.path}: library "${library}" is in the manifest but not found; run rscript load`,
      );
    }
    const assembled = assemble(abs, bytes).bytes;
    if (sha1hex(assembled) !== entry.sha) {
      throw new CheckFailedError(
        `${displayPath(abs, cwd)} has changed since ${options.manifest} was written; run rscript load first, then gen`,
      );
    }
    const found = new Map(readRegistrations(assembled).functions.map((f) => [f.name, f]));
    for (const [fnName, fn] of Object.entries(entry.functions)) {
      const doc = found.get(fnName);
      const slots = (docs: string[], min: number | undefined): SlotDoc[] =>
        docs.map((d, i) => ({
          ...(d ? { doc: d } : {}),
          ...(min !== undefined && i >= min ? { optional: true as const } : {}),
        }));
      const metadata: ScriptMetadata = {
        keys: slots(fn.keys, fn.minKeys),
        args: slots(fn.args, fn.minArgs),
        errors: [],
        flags: fn.flags,
        ...(doc?.returns !== undefined ? { returns: doc.returns } : {}),
        ...(doc?.summary !== undefined ? { summary: doc.summary } : {}),
      };
      scripts.push({
        name: `${library}.${fnName}`,
        path: entry.path,
        flags: fn.flags,
        metadata,
        library: { library, function: fnName },
      });
    }
  }
  const outAbs = options.out === undefined ? undefined : resolve(cwd, options.out);
  let fromModule = toPosix(relative(outAbs ? dirname(outAbs) : cwd, resolve(cwd, options.manifest)));
  if (!fromModule.startsWith('.')) fromModule = `./${fromModule}`;
  const generated = generateTs(
    scripts,
    fromModule,
    toPosix(relative(outAbs ? dirname(outAbs) : cwd, resolve(cwd, options.manifest))),
  );
  const result: GenResult = {
    language: 'ts',
    scripts: scripts.filter((x) => !x.library).length,
    functions: scripts.filter((x) => x.library).length,
    text: generated.text,
    written: false,
    check: !!options.check,
    untyped: generated.untyped,
    untypedReplies: generated.untypedReplies,
  };
  if (outAbs === undefined) return result;
  result.out = displayPath(outAbs, cwd);
  let current: string | undefined;
  try {
    current = readFileSync(outAbs, 'utf8');
  } catch {
    current = undefined;
  }
  if (options.check) {
    result.upToDate = current === generated.text;
    return result;
  }
  if (current !== generated.text) {
    try {
      mkdirSync(dirname(outAbs), { recursive: true });
      writeFileAtomic(outAbs, generated.text);
    } catch (err) {
      throw new ConfigError(
        `${result.out}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
    result.written = true;
  }
  return result;
}
