/**
 * Writing a file so that a reader (or a concurrent rscript) sees the old file or the new one, never
 * half of one: a temp file beside it, then a rename. Used for the manifest and the cache files (the
 * compiled code of src/launch.ts too).
 */
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Throws the write's or the rename's error, with the temp file removed. `mode` as for writeFileSync. */
export function writeFileAtomic(file: string, text: string | Uint8Array, mode?: number): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, text, mode === undefined ? undefined : { mode });
    renameSync(tmp, file);
  } catch (err) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // no folder to hold it (ENOTDIR): nothing was written
    }
    throw err;
  }
}
