/**
 * The folder of rscript's cache (src/cache/store.ts, and the compiled code of src/launch.ts): apart
 * from the store so that the CLI's start loads nothing else to find it.
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';

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

/**
 * Makes the cache folder and the folders above it that are missing, readable by this user alone.
 * Not mkdirSync's `recursive`: under a folder that refuses new entries with ENOENT (/proc), Node 20's
 * retries it for ever, and rscript hung on RSCRIPT_CACHE_DIR=/proc/x/y. Throws when it cannot.
 */
export function makeCacheDir(dir: string): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(dir) === dir) throw err;
  }
  makeCacheDir(dirname(dir));
  // Once: a parent that exists and still refuses it is the answer.
  mkdirSync(dir, { mode: 0o700 });
}
