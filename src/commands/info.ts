import { extractMetadata, type ScriptMetadata } from '../lint/metadata.js';
import { discoverScripts } from '../registry/discover.js';
import { isShaPrefix, unknownScript } from '../registry/resolve.js';

export interface InfoOptions {
  /** One script name, or every script when undefined. */
  script?: string;
  paths: string[];
  cwd?: string;
}

export interface ScriptInfo extends ScriptMetadata {
  name: string;
  path: string;
  sha: string;
  size: number;
}

/** The catalog: what each script expects (KEYS, ARGV, with their documented meaning), flags, returns. */
export async function info(options: InfoOptions): Promise<ScriptInfo[]> {
  const scripts = discoverScripts({ paths: options.paths, cwd: options.cwd });
  let chosen = scripts;
  if (options.script !== undefined) {
    const ref = options.script;
    // A name, a path, or a SHA or its first characters (as the tables print them).
    const sha = isShaPrefix(ref) ? ref.toLowerCase() : undefined;
    chosen = scripts.filter((s) => s.name === ref || s.path === ref);
    if (chosen.length === 0 && sha !== undefined) chosen = scripts.filter((s) => s.sha.startsWith(sha));
    if (chosen.length === 0) throw unknownScript(ref, scripts.map((s) => s.name), scripts);
  }
  return chosen.map((s) => ({ name: s.name, path: s.path, sha: s.sha, size: s.size, ...extractMetadata(s.bytes) }));
}
