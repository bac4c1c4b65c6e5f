/** A typed reply (redis/typed-reply.ts) as the rows exec prints, and as the plain JSON of `exec --json`. */
import type { TypedReply } from '../redis/typed-reply.js';

/** What `plainReply` gives: a JSON value. */
export type PlainReply = null | boolean | number | string | PlainReply[] | { [key: string]: PlainReply };

/**
 * A typed reply as plain JSON, the way `redis-cli --json` writes it, so that `jq .reply` reads
 * values: arrays and sets as arrays, maps as objects, null, numbers, strings. Where redis-cli's JSON
 * is not JSON, or loses a value, this differs: integers (and big numbers) outside ±(2^53 - 1) are
 * strings of their digits (a JSON parser would round them); inf, -inf and nan are strings; an error
 * inside an array is `{"error": "ERR ..."}`; a big number is a number where it is exact (redis-cli
 * refuses it). Bytes that are not UTF-8 become U+FFFD, as with redis-cli; the typed tree keeps them.
 * Map keys are text: two keys with one text (the integer 1 and the string "1") keep the last value.
 */
export function plainReply(reply: TypedReply): PlainReply {
  switch (reply.type) {
    case 'null':
      return null;
    case 'boolean':
      return reply.value;
    case 'integer':
    case 'big number':
      return exactNumber(reply.value);
    case 'double':
      return typeof reply.value === 'number' ? reply.value : nonFinite(reply.value);
    case 'bulk string':
      return reply.encoding === 'base64' ? Buffer.from(reply.value, 'base64').toString('utf8') : reply.value;
    case 'verbatim string':
    case 'status':
      return reply.value;
    case 'error':
      return { error: reply.value };
    case 'array':
    case 'set':
      return reply.items.map(plainReply);
    case 'map': {
      // No prototype: a key named __proto__ is a key like any other.
      const object: { [key: string]: PlainReply } = Object.create(null);
      for (const [k, v] of reply.entries) object[keyText(k)] = plainReply(v);
      return object;
    }
  }
}

/** A number where JSON keeps it exact, else its digits as a string. */
function exactNumber(value: number | string): number | string {
  if (typeof value === 'number') return value;
  const n = Number(value);
  return /^-?\d+$/.test(value) && Number.isSafeInteger(n) ? n : value;
}

/** RESP3's spelling of the doubles JSON has no number for (the typed tree holds JS's: Infinity, NaN). */
function nonFinite(value: string): string {
  return value === 'Infinity' ? 'inf' : value === '-Infinity' ? '-inf' : value === 'NaN' ? 'nan' : value;
}

/** A map key as an object key: a string's text, a number's digits, anything else its JSON. */
function keyText(key: TypedReply): string {
  const plain = plainReply(key);
  return typeof plain === 'string' ? plain : JSON.stringify(plain);
}

export interface ReplyRow {
  /** Where the value sits: `` for the top, `1`, `2.1`, `3["field"]`. */
  path: string;
  type: string;
  value: string;
}

/** Flattens a typed reply into table rows, one per value, nested values under their parent. */
export function replyRows(reply: TypedReply, path = ''): ReplyRow[] {
  switch (reply.type) {
    case 'array':
    case 'set': {
      const rows: ReplyRow[] = [
        { path: path || '(reply)', type: reply.type, value: countLabel(reply.items.length, 'element') },
      ];
      reply.items.forEach((item, i) => rows.push(...replyRows(item, path ? `${path}.${i + 1}` : `${i + 1}`)));
      return rows;
    }
    case 'map': {
      const rows: ReplyRow[] = [
        { path: path || '(reply)', type: 'map', value: countLabel(reply.entries.length, 'field') },
      ];
      for (const [k, v] of reply.entries) {
        const key = k.type === 'bulk string' || k.type === 'status' ? JSON.stringify(k.value) : scalarText(k);
        rows.push(...replyRows(v, `${path}[${key}]`));
      }
      return rows;
    }
    default:
      return [{ path: path || '(reply)', type: reply.type, value: scalarText(reply) }];
  }
}

/** A scalar as redis-cli would quote it: strings in quotes, binary as base64. */
export function scalarText(reply: TypedReply): string {
  switch (reply.type) {
    case 'bulk string':
      return reply.encoding === 'base64' ? `base64:${reply.value}` : JSON.stringify(reply.value);
    case 'verbatim string':
      return JSON.stringify(reply.value);
    case 'status':
    case 'error':
      return reply.value;
    case 'null':
      return '(nil)';
    case 'integer':
    case 'double':
    case 'big number':
    case 'boolean':
      return String(reply.value);
    default:
      return '';
  }
}

function countLabel(n: number, what: string): string {
  return n === 0 ? `(empty)` : `${n} ${what}${n === 1 ? '' : 's'}`;
}
