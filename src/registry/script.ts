import * as crypto from 'node:crypto';
import { CheckFailedError } from '../errors.js';
import { assemble, type SourceMap } from './include.js';

/** A Lua script found on disk: the exact bytes that are hashed are the bytes sent to Redis. */
export interface LocalScript {
  /** Path relative to the root it was found under, without `.lua`, `/`-separated (`queue/push`). */
  name: string;
  /** Path as displayed and stored in the manifest: relative to the working directory, posix. */
  path: string;
  /** Absolute path on disk. */
  absPath: string;
  bytes: Buffer;
  sha: string;
  size: number;
  /** Flags of a Redis 7 shebang (`#!lua flags=no-writes`), `[]` when there is none. */
  flags: string[];
  /** True when the file starts with a `#!` line (it changes the server's defaults). */
  shebang: boolean;
  /**
   * Set when the file includes fragments (`--- @include`): `bytes` are then the assembled text, and
   * the map leads each of its lines back to its file (sources[0] is this file).
   */
  map?: SourceMap;
}

/** The flags Redis 7.0 accepts in `#!lua flags=...`. */
export const KNOWN_FLAGS = ['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'] as const;

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

// crypto.hash() (Node 20.12+) hashes in one call, without a Hash object per script: the objects cost
// more than the hashing for 10,000 small scripts. Earlier Node 20 releases lack it.
const oneShotHash = (crypto as { hash?: (algorithm: string, data: Buffer | string, encoding: 'hex') => string }).hash;

/** SHA1 hex of the exact bytes, as SCRIPT LOAD computes it (`return 1` -> e0e1f9fa...). */
export function sha1hex(bytes: Buffer | string): string {
  return oneShotHash ? oneShotHash('sha1', bytes, 'hex') : crypto.createHash('sha1').update(bytes).digest('hex');
}

export interface Shebang {
  engine: string;
  flags: string[];
  /** Options other than `flags=` (Redis rejects them: `Unknown lua shebang option`). */
  other: string[];
}

/** Reads a `#!lua flags=a,b` first line; null when the script has no shebang. */
export function parseShebang(bytes: Buffer): Shebang | null {
  if (bytes.length < 2 || bytes[0] !== 0x23 || bytes[1] !== 0x21) return null;
  let end = bytes.indexOf(0x0a);
  if (end < 0) end = bytes.length;
  const line = bytes.subarray(2, end).toString('utf8').replace(/\r$/, '');
  const [engine = '', ...parts] = line.trim().split(/\s+/);
  const flags: string[] = [];
  const other: string[] = [];
  for (const part of parts) {
    if (part.startsWith('flags=')) {
      flags.push(...part.slice('flags='.length).split(',').filter(Boolean));
    } else {
      other.push(part);
    }
  }
  return { engine, flags, other };
}

/**
 * Builds a LocalScript from bytes read off disk, its includes spliced in; a BOM is refused because
 * it hides the shebang.
 */
export function makeScript(
  name: string,
  path: string,
  absPath: string,
  fileBytes: Buffer,
  allowBom = false,
): LocalScript {
  if (!allowBom && fileBytes[0] === BOM[0] && fileBytes[1] === BOM[1] && fileBytes[2] === BOM[2]) {
    throw new CheckFailedError(
      `${path}: starts with a UTF-8 byte order mark (BOM); Redis would fail to compile it or ignore its #! line`,
      ['Save the file as UTF-8 without BOM (for example: sed -i "1s/^\\xEF\\xBB\\xBF//" ' + path + ')'],
    );
  }
  const { bytes, map } = assemble(absPath, fileBytes);
  const shebang = parseShebang(bytes);
  const script: LocalScript = {
    name,
    path,
    absPath,
    bytes,
    sha: sha1hex(bytes),
    size: bytes.length,
    flags: shebang ? shebang.flags : [],
    shebang: shebang !== null,
  };
  if (map) script.map = map;
  return script;
}
