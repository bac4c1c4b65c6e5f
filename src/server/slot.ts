/**
 * Redis Cluster key slots, computed without a server: CRC16 (XMODEM) of the key, or of its hash tag,
 * modulo 16384. The same answers as `CLUSTER KEYSLOT`.
 */

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
