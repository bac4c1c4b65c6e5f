/**
 * What a Redis Functions library registers, read from its code without running it: each
 * `redis.register_function` call at load time (positional `('name', fn)` or named `{function_name =,
 * callback =, flags =, description =}`), its flags, and the keys and args its callback reads.
 * Each function is documented by the comments right above its `register_function` call or above the
 * `local function` it names, with `KEYS[n]:` and `ARGV[n]:` lines as a script's header has.
 */
import type * as lua from 'luaparse';
import { readHeader } from './header.js';
import { parseLua } from './parse.js';
import { lineOf, prepareSource, rangeOf } from './source.js';
import { analyse, decodeLuaString } from './analysis.js';
import { markOptional, type SlotDoc } from './metadata.js';
import type { LibraryFunction } from '../registry/library.js';
import { KNOWN_FLAGS } from '../registry/script.js';

export interface Registrations {
  functions: LibraryFunction[];
  /** Calls whose name, callback or flags cannot be read, or that Redis would refuse. */
  problems: Array<{ line: number; message: string }>;
  error?: { line: number; message: string };
  /** For the linter: the parsed chunk and each function's callback node. */
  chunk?: lua.Chunk;
  callbacks: Array<{ name: string; node: lua.FunctionDeclaration; flags: string[] }>;
}

type AnyNode = lua.Node & Record<string, unknown>;

/**
 * Calls `visit` on every node under `node` (depth first, children in source order); a `visit` that
 * returns false skips that node's children.
 */
export function walk(
  node: lua.Node,
  // biome-ignore lint/suspicious/noConfusingVoidType: a visitor with no return statement returns void, and is the usual one
  visit: (n: lua.Node, parent: lua.Node | undefined) => void | false,
  parent?: lua.Node,
): void {
  if (visit(node, parent) === false) return;
  for (const value of Object.values(node as AnyNode)) {
    if (Array.isArray(value)) {
      for (const child of value)
        if (child && typeof child === 'object' && typeof (child as lua.Node).type === 'string')
          walk(child as lua.Node, visit, node);
    } else if (value && typeof value === 'object' && typeof (value as lua.Node).type === 'string') {
      walk(value as lua.Node, visit, node);
    }
  }
}

/** True for `redis.<method>` (the global `redis`; a library cannot shadow it usefully). */
export function isRedisMember(e: lua.Expression, method: string): boolean {
  return (
    e.type === 'MemberExpression' &&
    e.base.type === 'Identifier' &&
    e.base.name === 'redis' &&
    e.identifier.name === method
  );
}

function stringOf(e: lua.Expression | undefined): string | undefined {
  return e?.type === 'StringLiteral' ? decodeLuaString(e.raw) : undefined;
}

/** Reads every `redis.register_function` of a library's source. */
export function readRegistrations(bytes: Buffer | string): Registrations {
  const prepared = prepareSource(bytes);
  const parsed = parseLua(prepared.code);
  const line = (offset: number) => lineOf(prepared.lineStarts, offset);
  const out: Registrations = { functions: [], problems: [], callbacks: [] };
  if (!parsed.chunk) {
    out.error = { line: line(parsed.error!.index), message: parsed.error!.message };
    return out;
  }
  out.chunk = parsed.chunk;
  // Top-level `local function f(keys, args)` and `local f = function ...`: a callback may name one.
  const locals = new Map<string, { node: lua.FunctionDeclaration; start: number }>();
  for (const st of parsed.chunk.body) {
    if (st.type === 'FunctionDeclaration' && st.isLocal && st.identifier?.type === 'Identifier') {
      locals.set(st.identifier.name, { node: st, start: rangeOf(st)[0] });
    } else if (st.type === 'LocalStatement') {
      st.variables.forEach((v, i) => {
        const init = st.init[i];
        if (init?.type === 'FunctionDeclaration') locals.set(v.name, { node: init, start: rangeOf(st)[0] });
      });
    }
  }
  walk(parsed.chunk, (node) => {
    if (node.type !== 'CallExpression' && node.type !== 'TableCallExpression' && node.type !== 'StringCallExpression')
      return;
    if (!isRedisMember(node.base, 'register_function')) return;
    const at = line(rangeOf(node)[0]);
    const problem = (message: string) => out.problems.push({ line: at, message });
    let nameExpr: lua.Expression | undefined;
    let callback: lua.Expression | undefined;
    let flagsExpr: lua.Expression | undefined;
    let description: string | undefined;
    const args =
      node.type === 'CallExpression'
        ? node.arguments
        : node.type === 'TableCallExpression'
          ? [node.arguments]
          : [node.argument];
    if (args.length === 1 && args[0]!.type === 'TableConstructorExpression') {
      for (const field of args[0]!.fields) {
        if (field.type !== 'TableKeyString') {
          problem('redis.register_function{...} takes named fields only: function_name, callback, flags, description');
          continue;
        }
        const key = field.key.name;
        if (key === 'function_name') nameExpr = field.value;
        else if (key === 'callback') callback = field.value;
        else if (key === 'flags') flagsExpr = field.value;
        else if (key === 'description') description = stringOf(field.value);
        else
          problem(
            `redis.register_function: unknown argument "${key}" (Redis: ERR unknown argument given to redis.register_function)`,
          );
      }
    } else {
      if (args.length !== 2)
        problem(`redis.register_function takes 2 arguments (name, callback) or one table, got ${args.length}`);
      [nameExpr, callback] = args;
    }
    const name = stringOf(nameExpr);
    if (name === undefined) {
      problem(
        'redis.register_function: the function name must be a string literal, so that rscript can know it without running the library',
      );
      return;
    }
    if (!/^[A-Za-z0-9_]+$/.test(name)) {
      problem(
        `function name "${name}" must be letters, digits and underscores (Redis: ERR Function names can only contain letters, numbers, or underscores(_))`,
      );
    }
    const flags: string[] = [];
    if (flagsExpr) {
      if (flagsExpr.type !== 'TableConstructorExpression') {
        problem(`redis.register_function: flags of "${name}" must be a table of strings, e.g. flags = {'no-writes'}`);
      } else {
        for (const f of flagsExpr.fields) {
          const flag = f.type === 'TableValue' ? stringOf(f.value) : undefined;
          if (flag === undefined) problem(`redis.register_function: flags of "${name}" must be string literals`);
          else if (!(KNOWN_FLAGS as readonly string[]).includes(flag)) {
            problem(
              `unknown flag "${flag}" for function "${name}" (Redis: ERR unknown flag given); known flags: ${KNOWN_FLAGS.join(', ')}`,
            );
          } else flags.push(flag);
        }
      }
    }
    let fnNode: lua.FunctionDeclaration | undefined;
    let docStart = rangeOf(node)[0];
    if (callback?.type === 'FunctionDeclaration') fnNode = callback;
    else if (callback?.type === 'Identifier' && locals.has(callback.name)) {
      const def = locals.get(callback.name)!;
      fnNode = def.node;
      docStart = def.start;
    } else if (callback === undefined) {
      problem(`redis.register_function: "${name}" has no callback`);
    }
    // The statement holding the call: its comments above document the function.
    const stmt = parsed.chunk!.body.find(
      (st) => rangeOf(st)[0] <= rangeOf(node)[0] && rangeOf(node)[1] <= rangeOf(st)[1],
    );
    const statementStart = stmt ? rangeOf(stmt)[0] : docStart;
    const doc = docAbove(parsed.comments, prepared.code, callback?.type === 'Identifier' ? docStart : statementStart);
    const header = readHeader(doc.comments, doc.code, doc.lineStarts);
    const read = fnNode ? highestRead(fnNode) : { keys: 0, args: 0 };
    const slots = (entries: typeof header.keys, highest: number) => {
      const count = Math.max(highest, ...entries.map((e) => e.index), 0);
      return Array.from({ length: count }, (_, i) => entries.find((e) => e.index === i + 1)?.doc ?? '');
    };
    const fn: LibraryFunction = {
      name,
      flags,
      line: at,
      keys: slots(header.keys, read.keys),
      args: slots(header.args, read.args),
    };
    if (description !== undefined) fn.description = description;
    if (header.summary !== undefined) fn.summary = header.summary;
    if (header.returns !== undefined) fn.returns = header.returns;
    if (fnNode) {
      const min = minimums(fnNode, fn.keys, fn.args);
      if (min.keys < fn.keys.length) fn.minKeys = min.keys;
      if (min.args < fn.args.length) fn.minArgs = min.args;
    }
    out.functions.push(fn);
    if (fnNode) out.callbacks.push({ name, node: fnNode, flags });
  });
  return out;
}

/**
 * The comment lines right above `offset` (no blank line between), as a little source of their own
 * that readHeader reads as a script header.
 */
function docAbove(
  comments: readonly lua.Comment[],
  code: string,
  offset: number,
): { comments: lua.Comment[]; code: string; lineStarts: number[] } {
  const block: lua.Comment[] = [];
  let end = offset;
  for (let i = comments.length - 1; i >= 0; i--) {
    const c = comments[i]!;
    if (rangeOf(c)[1] > end) continue;
    const between = code.slice(rangeOf(c)[1], end);
    // Only whitespace with at most one line break: the comment touches what follows it.
    if (!/^[ \t]*\r?\n?[ \t]*$/.test(between)) break;
    block.unshift(c);
    end = rangeOf(c)[0];
  }
  if (block.length === 0) return { comments: [], code: '', lineStarts: [0] };
  const text = code.slice(rangeOf(block[0]!)[0], rangeOf(block[block.length - 1]!)[1]) + '\n';
  const base = rangeOf(block[0]!)[0];
  const shifted = block.map((c) => ({ ...c, range: [rangeOf(c)[0] - base, rangeOf(c)[1] - base] as [number, number] }));
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  return { comments: shifted, code: text, lineStarts };
}

/** The highest `keys[n]` and `args[n]` a callback reads through its two parameters. */
function highestRead(fn: lua.FunctionDeclaration): { keys: number; args: number } {
  const [k, a] = fn.parameters.map((p) => (p.type === 'Identifier' ? p.name : undefined));
  const out = { keys: 0, args: 0 };
  walk(fn, (node) => {
    if (node.type !== 'IndexExpression' || node.base.type !== 'Identifier' || node.index.type !== 'NumericLiteral')
      return;
    const n = node.index.value;
    if (!Number.isInteger(n)) return;
    if (node.base.name === k && n > out.keys) out.keys = n;
    else if (node.base.name === a && n > out.args) out.args = n;
  });
  return out;
}

/**
 * How many keys and args a caller must pass: the trailing ones the callback reads with a default
 * (`args[2] or 0`, `if args[3] then`), or past a `#args >= n` test, or documented as optional, may be
 * left out. The script analysis decides it, as for a script's KEYS/ARGV: it runs on a copy of the
 * callback's body in which its two parameters are named KEYS and ARGV.
 */
function minimums(fn: lua.FunctionDeclaration, keys: string[], args: string[]): { keys: number; args: number } {
  const [k, a] = fn.parameters.map((p) => (p.type === 'Identifier' ? p.name : undefined));
  const body = structuredClone(fn.body);
  const chunk = { type: 'Chunk', body, comments: [] } as unknown as lua.Chunk;
  walk(chunk, (node) => {
    if (node.type !== 'Identifier') return;
    if (node.name === k) node.name = 'KEYS';
    else if (node.name === a) node.name = 'ARGV';
  });
  const analysis = analyse(chunk);
  const docs = (list: string[]): SlotDoc[] => list.map((doc) => (doc ? { doc } : {}));
  const count = (slots: SlotDoc[]) => {
    let n = slots.length;
    while (n > 0 && slots[n - 1]!.optional) n--;
    return n;
  };
  const keySlots = docs(keys);
  const argSlots = docs(args);
  markOptional(keySlots, 'KEYS', analysis);
  markOptional(argSlots, 'ARGV', analysis);
  return { keys: count(keySlots), args: count(argSlots) };
}
