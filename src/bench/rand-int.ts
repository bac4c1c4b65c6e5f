/**
 * `__rand_int__` in a key or an argument, replaced per call by a random integer below the keyspace,
 * written with 12 digits (`000000004217`) as redis-benchmark's `-r` does, so the two tools send the
 * same commands. Each occurrence gets its own number.
 */
import { hashTag } from '../redis/slot.js';

export const RAND_INT = '__rand_int__';

/** True when any of the strings holds the placeholder. */
export function hasRandInt(values: readonly string[]): boolean {
  return values.some((v) => v.includes(RAND_INT));
}

/**
 * True when the placeholder sits in the part of `key` a cluster hashes (its hash tag, else the whole
 * key): the key's slot is then drawn per call (each placeholder on its own).
 */
export function slotDrawnPerCall(key: string): boolean {
  return Buffer.from(hashTag(Buffer.from(key)))
    .toString('utf8')
    .includes(RAND_INT);
}

/** A random integer below `keyspace` as 12 digits; longer when the keyspace needs more. */
export function randDigits(keyspace: number, random: () => number = Math.random): string {
  const n = Math.floor(random() * keyspace);
  // 10^12 + n is "1" and n's 12 digits: cheaper than padStart in the hot loop.
  return n < 1e12 ? String(1e12 + n).slice(1) : String(n);
}

/** `template` with every placeholder replaced by its own random number. */
export function expandRandInt(template: string, keyspace: number, random: () => number = Math.random): string {
  const parts = template.split(RAND_INT);
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i++) out += randDigits(keyspace, random) + parts[i]!;
  return out;
}

/**
 * Builds the argv maker of one bench: without placeholders it returns the same array every call (no
 * allocation); with them, a fresh array (node-redis encodes a command when it writes it, a tick later,
 * so an array already handed over must not be changed).
 */
export function argvMaker(
  head: readonly string[],
  tail: readonly string[],
  keyspace: number,
  random: () => number = Math.random,
): () => string[] {
  const fixed = [...head, ...tail];
  if (!hasRandInt(tail)) return () => fixed;
  // Split once; per call only the numbers are drawn and the strings joined.
  const slots = tail.map((t) => (t.includes(RAND_INT) ? t.split(RAND_INT) : null));
  return () => {
    const argv = fixed.slice();
    for (let i = 0; i < slots.length; i++) {
      const parts = slots[i];
      if (parts === null || parts === undefined) continue;
      let s = parts[0]!;
      for (let j = 1; j < parts.length; j++) s += randDigits(keyspace, random) + parts[j]!;
      argv[head.length + i] = s;
    }
    return argv;
  };
}

/**
 * The same calls as `argvMaker`, already encoded as RESP for `n` calls in one piece (a batch of a
 * pipeline): without placeholders one Buffer per batch size, made once; with them, one string per
 * batch, built from parts encoded once, where only the numbers change.
 */
export function commandEncoder(
  head: readonly string[],
  tail: readonly string[],
  keyspace: number,
  random: () => number = Math.random,
): (n: number) => string | Buffer {
  const argc = head.length + tail.length;
  const bulk = (s: string) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  if (!hasRandInt(tail)) {
    const one = `*${argc}\r\n` + [...head, ...tail].map(bulk).join('');
    const batches = new Map<number, Buffer>();
    return (n) => {
      let batch = batches.get(n);
      if (batch === undefined) batches.set(n, (batch = Buffer.from(one.repeat(n))));
      return batch;
    };
  }
  // Per argument: its text around the placeholders, and its byte length without them.
  const prefix = `*${argc}\r\n` + head.map(bulk).join('');
  const slots = tail.map((t) => {
    const parts = t.split(RAND_INT);
    return { parts, bytes: parts.reduce((sum, p) => sum + Buffer.byteLength(p), 0) };
  });
  return (n) => {
    let out = '';
    for (let call = 0; call < n; call++) {
      out += prefix;
      for (const { parts, bytes } of slots) {
        if (parts.length === 1) {
          out += `$${bytes}\r\n${parts[0]}\r\n`;
          continue;
        }
        let value = parts[0]!;
        let length = bytes;
        for (let j = 1; j < parts.length; j++) {
          const digits = randDigits(keyspace, random);
          value += digits + parts[j]!;
          length += digits.length;
        }
        out += `$${length}\r\n${value}\r\n`;
      }
    }
    return out;
  };
}
