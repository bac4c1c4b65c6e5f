/**
 * The folder of rscript's cache (src/cache/store.ts, and the compiled code of src/launch.ts): apart
 * from the store so that the CLI's start loads nothing else to find it.
 */
import { mkdirSync, statSync, type Stats } from 'node:fs';
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
  if (process.platform === 'win32' && env.LOCALAPPDATA && isAbsolute(env.LOCALAPPDATA))
    return join(env.LOCALAPPDATA, 'rscript', 'Cache');
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

/**
 * The file's stat when it is this user's and only this user can change it: not writable by group or
 * others, in a folder where others cannot replace it (not writable by them, or sticky, as /tmp).
 * Null for a file others could have written (its content is not to be used); undefined when it is
 * absent. On Windows, where modes say little, any file counts as the user's.
 */
export function ownFile(file: string): Stats | null | undefined {
  let stat: Stats;
  try {
    stat = statSync(file);
  } catch {
    return undefined;
  }
  if (typeof process.getuid !== 'function') return stat;
  const uid = process.getuid();
  const folder = statSync(dirname(file));
  if (folder.uid !== uid && folder.uid !== 0) return null;
  if ((folder.mode & 0o022) !== 0 && (folder.mode & 0o1000) === 0) return null;
  if (stat.uid !== uid || (stat.mode & 0o022) !== 0) return null;
  return stat;
}
