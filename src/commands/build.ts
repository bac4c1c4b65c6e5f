import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, UsageError } from '../errors.js';
import { discoverScripts } from '../registry/discover.js';
import { displayPath } from '../registry/include.js';
import { unknownScript } from '../manifest/resolve.js';
import { writeFileAtomic } from '../write-atomic.js';

export interface BuildOptions {
  /** Script names or paths; every script when empty. */
  scripts: string[];
  /** The configured script folders. */
  paths: string[];
  include?: string[];
  /** A folder to write `<name>.lua` files into; without it the text is returned for printing. */
  out?: string;
  cwd?: string;
}

export interface BuiltScript {
  name: string;
  path: string;
  sha: string;
  size: number;
  /** The files it was built from (itself first), as shown from the working directory. */
  sources: string[];
  /** The assembled text: what `load` hashes and sends. */
  text: string;
  /** Where it was written, with --out. */
  written?: string;
}

export interface BuildResult {
  scripts: BuiltScript[];
  out?: string;
}

/** The assembled text of each script (fragments spliced in), written under `out` or returned. */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const cwd = options.cwd ?? process.cwd();
  const all = discoverScripts({ paths: options.paths, cwd, nameRoots: options.paths, include: options.include });
  if (all.length === 0) throw new UsageError(`no .lua files found under ${options.paths.join(', ')}`);
  let chosen = all;
  if (options.scripts.length > 0) {
    chosen = options.scripts.map((ref) => {
      const abs = ref.endsWith('.lua') ? resolve(cwd, ref) : undefined;
      const found = all.find((s) => s.name === ref || s.path === ref || s.absPath === abs);
      if (!found)
        throw unknownScript(
          ref,
          all.map((s) => s.name),
          all,
        );
      return found;
    });
  }
  const scripts: BuiltScript[] = chosen.map((s) => ({
    name: s.name,
    path: s.path,
    sha: s.sha,
    size: s.size,
    sources: s.map ? s.map.sources.map((src) => displayPath(src.absPath, cwd)) : [s.path],
    text: s.bytes.toString('utf8'),
  }));
  if (options.out !== undefined) {
    const out = resolve(cwd, options.out);
    for (const [i, script] of scripts.entries()) {
      const file = join(out, `${script.name}.lua`);
      try {
        mkdirSync(dirname(file), { recursive: true });
        // The bytes as they are hashed: the SHA of the file written is the script's SHA.
        writeFileAtomic(file, chosen[i]!.bytes);
      } catch (err) {
        throw new ConfigError(
          `${displayPath(file, cwd)}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        );
      }
      script.written = displayPath(file, cwd);
    }
    return { scripts, out: displayPath(out, cwd) };
  }
  return { scripts };
}
