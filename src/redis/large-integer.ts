/**
 * Integer replies near and past 2^53. node-redis's decoder builds an integer as a JS number, digit by
 * digit, so from 2^53 on it rounds (Redis sends `:1152921504606846976`, the number prints
 * 1152921504606846700), and a few below it too.
 * Scripts send such integers: a Lua number is a double, and Redis replies with (long long) of it.
 * Decoded a second time with integers as strings, the same bytes give the exact digits; the first
 * decoding still tells a status from an integer, which as strings look alike. Pure: no I/O.
 */

/** An integer reply outside ±(2^53 - 1), where a JS number is not exact: its decimal digits as Redis sent them. */
export class LargeInteger {
  constructor(readonly digits: string) {}
}

/** A RESP3 double whose value is whole (`,3`): a JS number alone would read as an integer. */
export class WholeDouble {
  constructor(readonly value: number) {}
}

/**
 * The type mapping of the second decoding: integers as strings; maps and sets as flat arrays, so
 * that its shape follows the bytes (a Map would merge the keys 1 and "1", which are two Lua keys).
 */
export const INTEGERS_AS_STRINGS = { 58: String, 37: Array, 126: Array } as const;

/**
 * `reply` with every integer read from the digits of `asStrings` (the same reply decoded with
 * INTEGERS_AS_STRINGS): a number when it is safe, else a LargeInteger; and every double with a whole
 * value as a WholeDouble. Where the two do not line up
 * (`asStrings` undefined, a map that lost a key), the value is left as it was decoded.
 */
export function withLargeIntegers(reply: unknown, asStrings: unknown): unknown {
  if (typeof reply === 'number') {
    // Integers came back as strings: a number there is a double (`{double=3}`, `,3` on the wire).
    if (typeof asStrings === 'number') return Number.isInteger(reply) ? new WholeDouble(reply) : reply;
    if (typeof asStrings !== 'string' || !/^-?\d+$/.test(asStrings)) return reply;
    // Read again even when safe: the decoder adds a digit's character code before subtracting '0',
    // so its sum passes 2^53 first, and 9007199254740991 came out as 9007199254740992.
    const exact = Number(asStrings);
    return Number.isSafeInteger(exact) ? exact : new LargeInteger(asStrings);
  }
  if (!Array.isArray(asStrings)) return reply;
  if (Array.isArray(reply)) {
    return reply.length === asStrings.length ? reply.map((item, i) => withLargeIntegers(item, asStrings[i])) : reply;
  }
  if (reply instanceof Set) {
    if (reply.size !== asStrings.length) return reply;
    return new Set([...reply].map((member, i) => withLargeIntegers(member, asStrings[i])));
  }
  if (reply instanceof Map) {
    if (reply.size * 2 !== asStrings.length) return reply;
    return new Map(
      [...reply].map(([k, v], i) => [
        withLargeIntegers(k, asStrings[2 * i]),
        withLargeIntegers(v, asStrings[2 * i + 1]),
      ]),
    );
  }
  return reply;
}
