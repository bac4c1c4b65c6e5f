/**
 * What a script returns to Redis, for the reply rules. Redis converts the value of the main chunk's
 * `return` (and so of any local function it returns the call of) to a reply: a table is an array
 * unless it carries one of the special fields, string keys are dropped and the array stops at the
 * first nil.
 */
import type * as lua from 'luaparse';
import type { Analysis, Binding, FieldWrite, FunctionNode, ReturnSite } from '../analysis.js';
import { stringValue } from '../analysis.js';
import { boundTable } from '../values.js';

/** The returns whose value becomes the script's reply. */
export function replyReturns(a: Analysis): ReturnSite[] {
  const fns = new Set<FunctionNode>([a.chunk]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of a.returns) {
      if (!fns.has(r.fn)) continue;
      const v = r.node.arguments[0];
      if (v?.type !== 'CallExpression' || v.base.type !== 'Identifier') continue;
      const binding = a.refs.get(v.base);
      if (!binding) continue;
      for (const s of binding.sources) {
        if (s.kind === 'expr' && s.expr.type === 'FunctionDeclaration' && !fns.has(s.expr)) {
          fns.add(s.expr);
          changed = true;
        }
      }
    }
  }
  return a.returns.filter((r) => fns.has(r.fn));
}

/** Fields that turn a table into a special reply, the value type each needs (Redis 7), the reply made. */
const SPECIAL_FIELDS: Readonly<Record<string, { need: 'string' | 'number' | 'table'; reply: string }>> = {
  err: { need: 'string', reply: 'an error reply' },
  ok: { need: 'string', reply: 'a status reply' },
  big_number: { need: 'string', reply: 'a big number reply' },
  double: { need: 'number', reply: 'a double reply' },
  map: { need: 'table', reply: 'a map reply' },
  set: { need: 'table', reply: 'a set reply' },
  verbatim_string: { need: 'table', reply: 'a verbatim string reply' },
};

export interface TableShape {
  /** The field that makes it a special reply (`err`, `ok`, `map`...), if any. */
  special?: string;
  /**
   * Special fields whose literal value has the wrong type, which therefore do not count, each as
   * `ok = true does not make a status reply: ok needs a string`.
   */
  wrongSpecial: string[];
  /** String keys Redis drops. */
  stringKeys: string[];
  /** Array entries (positional fields), then values appended later (`table.insert`, `t[i] = v`). */
  elements: lua.Expression[];
  /** Positional fields of the constructor itself. */
  positional: lua.TableValue[];
  /** True when elements are added after construction (the array length is not known). */
  grows: boolean;
}

export function tableShape(
  table: lua.TableConstructorExpression,
  writes: readonly FieldWrite[] = [],
  inserts: readonly lua.Expression[] = [],
): TableShape {
  const shape: TableShape = {
    wrongSpecial: [],
    stringKeys: [],
    elements: [],
    positional: [],
    grows: inserts.length > 0,
  };
  const named: Array<{ key: string; value: lua.Expression }> = [];
  for (const f of table.fields) {
    if (f.type === 'TableValue') {
      shape.positional.push(f);
      shape.elements.push(f.value);
    } else if (f.type === 'TableKeyString') named.push({ key: f.key.name, value: f.value });
    else {
      const key = f.key.type === 'StringLiteral' ? stringValue(f.key) : undefined;
      if (key !== undefined) named.push({ key, value: f.value });
      else shape.elements.push(f.value);
    }
  }
  for (const w of writes) {
    if (w.key !== undefined) named.push({ key: w.key, value: w.value });
    else {
      shape.elements.push(w.value);
      shape.grows = true;
    }
  }
  shape.elements.push(...inserts);
  for (const { key, value } of named) {
    if (value.type === 'NilLiteral') continue;
    const field = Object.hasOwn(SPECIAL_FIELDS, key) ? SPECIAL_FIELDS[key] : undefined;
    if (field) {
      if (hasWrongType(value, field.need)) {
        shape.wrongSpecial.push(
          `${key} = ${literalText(value)} does not make ${field.reply}: ${key} needs a ${field.need}`,
        );
      } else shape.special ??= key;
    }
    if (!shape.stringKeys.includes(key)) shape.stringKeys.push(key);
  }
  return shape;
}

function hasWrongType(value: lua.Expression, need: 'string' | 'number' | 'table'): boolean {
  switch (value.type) {
    case 'StringLiteral':
      return need !== 'string';
    case 'NumericLiteral':
      return need !== 'number';
    case 'BooleanLiteral':
      return true;
    case 'TableConstructorExpression':
      return need !== 'table';
    default:
      return false; // not a literal: it may well have the right type
  }
}

function literalText(value: lua.Expression): string {
  return 'raw' in value && typeof value.raw === 'string'
    ? value.raw
    : value.type === 'TableConstructorExpression'
      ? '{...}'
      : '...';
}

/** The table a return gives back: a constructor, or a local bound to one (with its later writes). */
export function returnedTable(
  value: lua.Expression | undefined,
  a: Analysis,
): { table: lua.TableConstructorExpression; binding?: Binding; shape: TableShape } | undefined {
  if (!value) return undefined;
  if (value.type === 'TableConstructorExpression') return { table: value, shape: tableShape(value) };
  const bound = boundTable(value, a);
  if (!bound) return undefined;
  return {
    table: bound.table,
    binding: bound.binding,
    shape: tableShape(bound.table, bound.binding.fieldWrites, bound.binding.inserts),
  };
}

/** `a, b, c` or `a, b, c, ... (7 keys)`. */
export function listKeys(keys: readonly string[], max = 4): string {
  return keys.length <= max ? keys.join(', ') : `${keys.slice(0, max).join(', ')}, ... (${keys.length} keys)`;
}
