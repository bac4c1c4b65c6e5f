/** A typed reply (redis/typed-reply.ts) as the rows and the one-line text exec prints. */
import type { TypedReply } from '../redis/typed-reply.js';

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
