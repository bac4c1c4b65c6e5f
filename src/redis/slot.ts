/**
 * Redis Cluster key slots, computed without a server: CRC16 (XMODEM) of the key, or of its hash tag,
 * modulo 16384. The same answers as `CLUSTER KEYSLOT`.
 */
import { UsageError } from '../errors.js';

/** The number of hash slots of a Redis Cluster. */
export const SLOT_COUNT = 16384;

const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

/** CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0), the checksum Redis Cluster uses. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc;
}

/**
 * The bytes of `key` that are hashed: the text inside the first `{...}` when it is not empty
 * (`{user1000}.following` -> `user1000`), else the whole key. Only the first `{` counts.
 */
export function hashTag(key: Uint8Array): Uint8Array {
  const open = key.indexOf(0x7b); // {
  if (open < 0) return key;
  const close = key.indexOf(0x7d, open + 1); // }
  if (close < 0 || close === open + 1) return key;
  return key.subarray(open + 1, close);
}

/**
 * The cluster slot of a key, as `CLUSTER KEYSLOT` gives it.
 * @see https://redis.io/commands/cluster-keyslot/
 */
export function keySlot(key: string | Uint8Array): number {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  return crc16(hashTag(bytes)) % SLOT_COUNT;
}

export interface KeySlot {
  key: string;
  slot: number;
}

/** Each key with its slot, and the one slot they share (undefined when they span several, or none). */
export function slotOfKeys(keys: Array<string | Buffer>): { slot?: number; keys: KeySlot[] } {
  const slots = keys.map((key) => ({ key: String(key), slot: keySlot(key) }));
  const distinct = new Set(slots.map((k) => k.slot));
  return { slot: distinct.size === 1 ? slots[0]!.slot : undefined, keys: slots };
}

/**
 * Keys of one call in several slots, refused before anything is sent (exec, bench): each key's slot
 * (`slot` undefined: drawn per call, a bench key with `__rand_int__` in its hashed part) and how a
 * hash tag puts them in one.
 */
export function crossSlotError(keys: Array<{ key: string; slot?: number }>): UsageError {
  const width = Math.max(...keys.map((k) => k.key.length));
  const first = keys[0]!.key;
  const tag = Buffer.from(hashTag(Buffer.from(first))).toString('utf8');
  const hint = keys.some((k) => k.slot === undefined)
    ? 'with __rand_int__ outside the hash tag, as each one is drawn on its own: e.g. {bench}:a:__rand_int__ and {bench}:b:__rand_int__'
    : tag !== first
      ? `e.g. put {${tag}} in every key name, as KEYS[1] has it: ${keys.map((k) => (k.key.includes(`{${tag}}`) ? k.key : `{${tag}}:${k.key}`)).join(' ')}`
      : 'e.g. {order:42}:stock and {order:42}:log';
  return new UsageError(
    'the keys hash to different cluster slots; a script runs only when all its keys are in one slot',
    [
      ...keys.map(
        (k, i) =>
          `KEYS[${i + 1}] ${k.key.padEnd(width)}  ${k.slot === undefined ? 'slot drawn per call' : `slot ${k.slot}`}`,
      ),
      `Give the keys a common hash tag (only the text inside the first {...} is hashed), ${hint}.`,
    ],
  );
}
