/**
 * Checks a typed reply (output/reply.ts) against a spec's expectation, and writes replies in the
 * spec's own notation, so that a failure shows expected and actual in the form the spec is written
 * in. Pure.
 */
import type { TypedReply } from '../redis/typed-reply.js';
import type { ReplyMatcher, TextMatcher, ValueMatcher } from './spec.js';

/** One difference: where in the reply (`` for the whole reply, `[2]`, `["email"]`), expected, actual. */
export interface Mismatch {
  path: string;
  expected: string;
  actual: string;
  /** The spec line of the expectation that failed. */
  line: number;
}

/** The differences between `reply` and `expected` under `protocol`; empty when it matches. */
export function matchReply(expected: ReplyMatcher, reply: TypedReply, protocol: 2 | 3, path = ''): Mismatch[] {
  const miss = (): Mismatch[] => [
    { path, expected: describeMatcher(expected, protocol), actual: notation(reply), line: expected.line },
  ];
  switch (expected.kind) {
    case 'per protocol':
      return matchReply(protocol === 2 ? expected.resp2 : expected.resp3, reply, protocol, path);
    case 'any':
      return [];
    case 'type':
      return reply.type === expected.type ? [] : miss();
    case 'null':
      return reply.type === 'null' ? [] : miss();
    case 'integer':
      return reply.type === 'integer' && String(reply.value) === String(expected.value) ? [] : miss();
    case 'bulk string':
      return reply.type === 'bulk string' && reply.encoding === undefined && reply.value === expected.value
        ? []
        : miss();
    case 'status':
      return reply.type === 'status' && reply.value === expected.value ? [] : miss();
    case 'double':
      return reply.type === 'double' && Number(reply.value) === expected.value ? [] : miss();
    case 'boolean':
      return reply.type === 'boolean' && reply.value === expected.value ? [] : miss();
    case 'big number':
      return reply.type === 'big number' && reply.value === expected.value ? [] : miss();
    case 'error':
      return reply.type === 'error' && matchText(expected.text, reply.value) ? [] : miss();
    case 'between': {
      const n = reply.type === 'integer' ? Number(reply.value) : NaN;
      return n >= expected.min && n <= expected.max ? [] : miss();
    }
    case 'pattern':
      return (reply.type === 'bulk string' || reply.type === 'status' || reply.type === 'verbatim string') &&
        expected.re.test(reply.value)
        ? []
        : miss();
    case 'array': {
      if (reply.type !== 'array') return miss();
      const out: Mismatch[] = [];
      const n = Math.max(expected.items.length, reply.items.length);
      for (let i = 0; i < n; i++) {
        const e = expected.items[i];
        const a = reply.items[i];
        const at = `${path}[${i + 1}]`;
        if (e === undefined)
          out.push({ path: at, expected: '(no element)', actual: notation(a!), line: expected.line });
        else if (a === undefined)
          out.push({ path: at, expected: describeMatcher(e, protocol), actual: '(no element)', line: e.line });
        else out.push(...matchReply(e, a, protocol, at));
      }
      return out;
    }
    case 'set': {
      if (reply.type !== 'set') return miss();
      // Each expected member takes the first actual member it matches (members are distinct values).
      const left = [...reply.items];
      const out: Mismatch[] = [];
      for (const e of expected.items) {
        const at = left.findIndex((a) => matchReply(e, a, protocol).length === 0);
        if (at < 0)
          out.push({
            path: `${path}{}`,
            expected: `member ${describeMatcher(e, protocol)}`,
            actual: '(missing)',
            line: e.line,
          });
        else left.splice(at, 1);
      }
      for (const a of left)
        out.push({ path: `${path}{}`, expected: '(no such member)', actual: notation(a), line: expected.line });
      return out;
    }
    case 'map':
    case 'pairs': {
      let entries: Array<[TypedReply, TypedReply]>;
      if (expected.kind === 'map') {
        if (reply.type !== 'map') return miss();
        entries = reply.entries;
      } else {
        if (reply.type !== 'array' || reply.items.length % 2 !== 0) return miss();
        entries = [];
        for (let i = 0; i < reply.items.length; i += 2) entries.push([reply.items[i]!, reply.items[i + 1]!]);
      }
      const out: Mismatch[] = [];
      const actual = new Map(
        entries.map(([k, v]) => [k.type === 'bulk string' || k.type === 'status' ? k.value : notation(k), v]),
      );
      for (const [field, e] of expected.entries) {
        const at = `${path}[${JSON.stringify(field)}]`;
        const a = actual.get(field);
        if (a === undefined)
          out.push({ path: at, expected: describeMatcher(e, protocol), actual: '(no such field)', line: e.line });
        else out.push(...matchReply(e, a, protocol, at));
        actual.delete(field);
      }
      for (const [field, a] of actual)
        out.push({
          path: `${path}[${JSON.stringify(field)}]`,
          expected: '(no such field)',
          actual: notation(a),
          line: expected.line,
        });
      return out;
    }
  }
}

/** Whether an error's text matches: it starts with the expected text, or the pattern matches. */
export function matchText(expected: TextMatcher, text: string): boolean {
  return expected.kind === 'prefix' ? text.startsWith(expected.text) : expected.re.test(text);
}

export function describeText(expected: TextMatcher): string {
  return expected.kind === 'prefix' ? `${JSON.stringify(expected.text)}...` : `/${expected.source}/`;
}

/** Whether a stored string matches. */
export function matchValue(expected: ValueMatcher, value: string): boolean {
  switch (expected.kind) {
    case 'exact':
      return value === expected.value;
    case 'pattern':
      return expected.re.test(value);
    case 'between': {
      const n = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
      return n >= expected.min && n <= expected.max;
    }
    case 'any':
      return true;
  }
}

export function describeValue(expected: ValueMatcher): string {
  switch (expected.kind) {
    case 'exact':
      return JSON.stringify(expected.value);
    case 'pattern':
      return `{pattern: ${JSON.stringify(expected.source)}}`;
    case 'between':
      return `{between: [${expected.min}, ${expected.max}]}`;
    case 'any':
      return '{any: true}';
  }
}

/** An expectation in the spec's notation (the branch of `protocol` for a per-protocol one). */
export function describeMatcher(m: ReplyMatcher, protocol: 2 | 3): string {
  switch (m.kind) {
    case 'per protocol':
      return describeMatcher(protocol === 2 ? m.resp2 : m.resp3, protocol);
    case 'any':
      return '{any: true}';
    case 'type':
      return `{type: ${m.type}}`;
    case 'null':
      return 'null';
    case 'integer':
      return String(m.value);
    case 'bulk string':
      return JSON.stringify(m.value);
    case 'status':
      return `{status: ${JSON.stringify(m.value)}}`;
    case 'double':
      return `{double: ${m.value}}`;
    case 'boolean':
      return `{boolean: ${m.value}}`;
    case 'big number':
      return `{big_number: ${m.value}}`;
    case 'error':
      return `{error: ${describeText(m.text)}}`;
    case 'between':
      return `{between: [${m.min}, ${m.max}]}`;
    case 'pattern':
      return `{pattern: ${JSON.stringify(m.source)}}`;
    case 'array':
      return `[${m.items.map((i) => describeMatcher(i, protocol)).join(', ')}]`;
    case 'set':
      return `{set: [${m.items.map((i) => describeMatcher(i, protocol)).join(', ')}]}`;
    case 'map':
    case 'pairs':
      return `{${m.kind}: {${m.entries.map(([k, v]) => `${JSON.stringify(k)}: ${describeMatcher(v, protocol)}`).join(', ')}}}`;
  }
}

/** A reply in the spec's notation: what a spec would say to expect exactly this reply. */
export function notation(reply: TypedReply): string {
  switch (reply.type) {
    case 'integer':
      return String(reply.value);
    case 'bulk string':
      return reply.encoding === 'base64' ? `(binary, base64 ${reply.value})` : JSON.stringify(reply.value);
    case 'verbatim string':
      return `{verbatim: ${JSON.stringify(reply.value)}}`;
    case 'status':
      return `{status: ${JSON.stringify(reply.value)}}`;
    case 'error':
      return `{error: ${JSON.stringify(reply.value)}}`;
    case 'double':
      return `{double: ${reply.value}}`;
    case 'big number':
      return `{big_number: ${reply.value}}`;
    case 'boolean':
      return `{boolean: ${reply.value}}`;
    case 'null':
      return 'null';
    case 'array':
      return `[${reply.items.map(notation).join(', ')}]`;
    case 'set':
      return `{set: [${reply.items.map(notation).join(', ')}]}`;
    case 'map':
      return `{map: {${reply.entries.map(([k, v]) => `${k.type === 'bulk string' || k.type === 'status' ? JSON.stringify(k.value) : notation(k)}: ${notation(v)}`).join(', ')}}}`;
  }
}
