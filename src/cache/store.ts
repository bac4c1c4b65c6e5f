/**
 * rscript's cache: JSON files in the user's cache folder, never in the project (nothing to ignore in
 * git). Best effort: a cache file that cannot be read is an empty cache, one that cannot be written is
 * not written; neither is ever an error. The folder is cacheDir's (src/cache/dir.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../write-atomic.js';

import { makeCacheDir } from './dir.js';

export { cacheDir } from './dir.js';

/** The parsed content of a cache file; undefined when it is absent, unreadable or not JSON. */
export function readCache(dir: string, name: string): unknown {
  try {
    return JSON.parse(readFileSync(join(dir, name), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Writes a cache file atomically (a concurrent reader sees all or nothing); any failure is ignored. */
export function writeCache(dir: string, name: string, data: unknown): void {
  try {
    makeCacheDir(dir);
    writeFileAtomic(join(dir, name), JSON.stringify(data));
  } catch {
    // a cache that cannot be written is not written
  }
}
