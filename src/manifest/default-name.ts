/**
 * The lockfile's default name, in a module of its own: the config defaults read it at every start,
 * and importing it from manifest.ts would initialise the manifest, script discovery and hashing
 * modules there too, in commands that never read a lockfile (flush, kill).
 */
export const DEFAULT_MANIFEST = 'rscript.lock.json';
