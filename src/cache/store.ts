/**
 * rscript's cache: JSON files in the user's cache folder, never in the project (nothing to ignore in
 * git). Best effort: a cache file that cannot be read is an empty cache, one that cannot be written is
 * not written; neither is ever an error. The folder is cacheDir's (src/cache/dir.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../write-atomic.js';

import { makeCacheDir, ownFile } from './dir.js';

export { cacheDir } from './dir.js';

/**
 * The parsed content of a cache file; undefined when it is absent, unreadable or not JSON, or when
 * others could have written it (a lint result planted in a shared folder could hide a finding).
 */
export function readCache(dir: string, name: string): unknown {
  try {
    const file = join(dir, name);
    if (!ownFile(file)) return undefined;
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Writes a cache file atomically (a concurrent reader sees all or nothing), for this user alone; any failure is ignored. */
export function writeCache(dir: string, name: string, data: unknown): void {
  try {
    makeCacheDir(dir);
    writeFileAtomic(join(dir, name), JSON.stringify(data), 0o600);
  } catch {
    // a cache that cannot be written is not written
  }
}
