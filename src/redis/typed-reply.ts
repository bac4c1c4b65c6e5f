/**
 * A server reply as a typed tree, so `exec` can show what Redis really answered: a bulk string is not
 * a status, an empty array is not null. Pure: takes node-redis values (bulk strings as Buffers,
 * maps as Map, sets as Set) and gives data.
 */

import { LargeInteger, WholeDouble } from './large-integer.js';

export type TypedReply =
  /** `value` is a string of digits outside ±(2^53 - 1), where a JS number (and JSON.parse) would round it. */
  | { type: 'integer'; value: number | string }
  | { type: 'double'; value: number | string }
  | { type: 'big number'; value: string }
  | { type: 'bulk string'; value: string; encoding?: 'base64' }
  | { type: 'verbatim string'; value: string }
  | { type: 'status'; value: string }
  /** An error reply inside an array (`{1, redis.error_reply('ERR x')}`); one at the top fails the call. */
  | { type: 'error'; value: string }
  | { type: 'boolean'; value: boolean }
  | { type: 'null' }
  | { type: 'array'; items: TypedReply[] }
  | { type: 'set'; items: TypedReply[] }
  | { type: 'map'; entries: Array<[TypedReply, TypedReply]> };

/**
 * Types a node-redis reply. RESP3 integers and doubles both arrive as JS numbers: a double with a
 * whole value (`{double=3}`) is a double only when marked WholeDouble (exec decodes its reply twice,
 * see large-integer.ts); a bare whole number is an integer.
 */
export function typeReply(value: unknown): TypedReply {
  if (value === null || value === undefined) return { type: 'null' };
  if (Buffer.isBuffer(value)) {
    const text = value.toString('utf8');
    return Buffer.byteLength(text) === value.length && Buffer.from(text, 'utf8').equals(value)
      ? { type: 'bulk string', value: text }
      : { type: 'bulk string', value: value.toString('base64'), encoding: 'base64' };
  }
  if (typeof value === 'string') return { type: 'status', value };
  if (value instanceof String) return { type: 'verbatim string', value: value.toString() };
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return { type: 'integer', value };
    return { type: 'double', value: Number.isFinite(value) ? value : String(value) };
  }
  if (value instanceof LargeInteger) return { type: 'integer', value: value.digits };
  if (value instanceof WholeDouble) return { type: 'double', value: value.value };
  // node-redis gives an error inside an array as an Error among the values.
  if (value instanceof Error) return { type: 'error', value: value.message };
  if (typeof value === 'bigint') return { type: 'big number', value: value.toString() };
  if (typeof value === 'boolean') return { type: 'boolean', value };
  if (Array.isArray(value)) return { type: 'array', items: value.map(typeReply) };
  if (value instanceof Set) return { type: 'set', items: [...value].map(typeReply) };
  // node-redis decodes every string map key as a JS string, blob or simple alike (whatever the type
  // mapping says). A script's map keys are Lua strings, which reach the client as bulk strings.
  const mapKey = (k: unknown): TypedReply => (typeof k === 'string' ? { type: 'bulk string', value: k } : typeReply(k));
  if (value instanceof Map) return { type: 'map', entries: [...value].map(([k, v]) => [mapKey(k), typeReply(v)]) };
  if (typeof value === 'object') {
    return { type: 'map', entries: Object.entries(value).map(([k, v]) => [mapKey(k), typeReply(v)]) };
  }
  return { type: 'status', value: String(value) };
}
