/**
 * The folder of rscript's cache (src/cache/store.ts, and the compiled code of src/launch.ts): apart
 * from the store so that the CLI's start loads nothing else to find it.
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * `RSCRIPT_CACHE_DIR` (empty: no cache); otherwise `$XDG_CACHE_HOME/rscript` (when absolute),
 * `%LOCALAPPDATA%\\rscript\\Cache` on Windows, `~/.cache/rscript`.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.RSCRIPT_CACHE_DIR !== undefined) return env.RSCRIPT_CACHE_DIR === '' ? undefined : env.RSCRIPT_CACHE_DIR;
  // The XDG spec ignores a relative XDG_CACHE_HOME: it would put the cache inside the project.
  if (env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)) return join(env.XDG_CACHE_HOME, 'rscript');
  if (process.platform === 'win32' && env.LOCALAPPDATA && isAbsolute(env.LOCALAPPDATA)) return join(env.LOCALAPPDATA, 'rscript', 'Cache');
  let home: string;
  try {
    home = homedir();
  } catch {
    return undefined;
  }
  return home ? join(home, '.cache', 'rscript') : undefined;
}

