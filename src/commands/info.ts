import { resolve } from 'node:path';
import { extractMetadata, type ScriptMetadata } from '../lint/metadata.js';
import { discoverScripts } from '../registry/discover.js';
import { displayPath } from '../registry/include.js';
import { isShaPrefix, resolveScript, unknownScript } from '../manifest/resolve.js';

export interface InfoOptions {
  /** One script name, or every script when undefined. */
  script?: string;
  paths: string[];
  /** The include folder: fragments, not scripts. */
  include?: string[];
  cwd?: string;
}

export interface ScriptInfo extends ScriptMetadata {
  name: string;
  path: string;
  sha: string;
  size: number;
  /** The fragments it includes (`--- @include`), in the order they are spliced in; absent when none. */
  includes?: string[];
}

/** The catalog: what each script expects (KEYS, ARGV, with their documented meaning), flags, returns. */
export async function info(options: InfoOptions): Promise<ScriptInfo[]> {
  const scripts = discoverScripts({ paths: options.paths, cwd: options.cwd, include: options.include });
  let chosen = scripts;
  if (options.script !== undefined) {
    const ref = options.script;
    // A name, a path, or a SHA or its first characters (as the tables print them).
    const sha = isShaPrefix(ref) ? ref.toLowerCase() : undefined;
    // A path however it is written (./lua/x.lua, ../x.lua from lua/queue, absolute), as exec takes it.
    const abs = ref.endsWith('.lua') ? resolve(options.cwd ?? process.cwd(), ref) : undefined;
    chosen = scripts.filter((s) => s.name === ref || s.path === ref || s.absPath === abs);
    if (chosen.length === 0 && sha !== undefined) chosen = scripts.filter((s) => s.sha.startsWith(sha));
    // A .lua file outside the script folders: read as exec reads it.
    if (chosen.length === 0 && abs !== undefined) {
      const { script } = resolveScript(ref, { manifest: '', scripts: [], cwd: options.cwd });
      if (script) chosen = [script];
    }
    if (chosen.length === 0) throw unknownScript(ref, scripts.map((s) => s.name), scripts);
  }
  return chosen.map((s) => ({
    name: s.name,
    path: s.path,
    sha: s.sha,
    size: s.size,
    ...(s.map ? { includes: s.map.sources.slice(1).map((src) => displayPath(src.absPath, options.cwd)) } : {}),
    ...extractMetadata(s.bytes),
  }));
}
