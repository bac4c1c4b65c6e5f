/**
 * `__rand_int__` in a key or an argument, replaced per call by a random integer below the keyspace,
 * written with 12 digits (`000000004217`) as redis-benchmark's `-r` does, so the two tools send the
 * same commands. Each occurrence gets its own number.
 */

export const RAND_INT = '__rand_int__';

/** True when any of the strings holds the placeholder. */
export function hasRandInt(values: readonly string[]): boolean {
  return values.some((v) => v.includes(RAND_INT));
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
export function argvMaker(head: readonly string[], tail: readonly string[], keyspace: number, random: () => number = Math.random): () => string[] {
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
