/**
 * `rscript gen ts`: a TypeScript module with one typed function per script of the lockfile, its keys
 * and args named from the header, its reply typed from `Returns:`. Pure: metadata in, text out.
 *
 * Types are read from the header's parenthesis, as the lua/ library writes them: `(integer, 1 to 10)`
 * and `(decimal number)` are numbers, `(string ...)` strings. A slot whose type cannot be read (free
 * text) is typed `string` (what Redis receives anyway) and listed in `untyped`, once.
 */
import type { ScriptMetadata, SlotDoc } from '../lint/metadata.js';

export interface GenScript {
  /** The script's name, or `<library>.<function>` for a function of a Functions library. */
  name: string;
  path: string;
  flags: string[];
  metadata: ScriptMetadata;
  /** Set for a library's function: FCALL (FCALL_RO for no-writes) instead of EVALSHA. */
  library?: { library: string; function: string };
}

export interface GenOutput {
  text: string;
  /** `name: ARGV[2] (doc)` for each arg typed `string` for want of a readable type. */
  untyped: string[];
  /** `name: returns ...` for each reply typed `unknown`. */
  untypedReplies: string[];
}

const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await'.split(
    ' ',
  ),
);

/** `rate_limit_token_bucket` -> `rateLimitTokenBucket`, `queue/priority_pop` -> `queuePriorityPop`. */
export function functionName(script: string): string {
  const words = script.split(/[^A-Za-z0-9]+/).filter(Boolean);
  let name = words
    .map((w, i) => (i === 0 ? w[0]!.toLowerCase() + w.slice(1) : w[0]!.toUpperCase() + w.slice(1)))
    .join('');
  if (name === '' || /^[0-9]/.test(name)) name = `script${name.charAt(0).toUpperCase()}${name.slice(1)}`;
  return RESERVED.has(name) ? `${name}Script` : name;
}

const STOP = new Set([
  'in',
  'of',
  'per',
  'for',
  'to',
  'from',
  'with',
  'by',
  'on',
  'at',
  'this',
  'that',
  'which',
  'when',
  'as',
  'is',
  'e.g.',
  'or',
  'and',
]);
const ARTICLES = new Set(['the', 'a', 'an']);

/**
 * A field name from a slot's doc: its first words before a parenthesis, comma or stop word, at most
 * three ("refill rate in tokens per second" -> `refillRate`, "the bucket, fields ..." -> `bucket`).
 */
export function slotName(doc: string | undefined): string | undefined {
  if (!doc) return undefined;
  const head = doc
    .replace(/\btime to live\b/i, 'ttl')
    .split(/\s*(?:\(|,|;|:\s|\s-\s|\s–\s|\s—\s|\.\s|\.$)/)[0]!
    .trim();
  const words: string[] = [];
  for (const raw of head.split(/\s+/)) {
    const w = raw
      .toLowerCase()
      .replace(/'s$/, 's')
      .replace(/[^a-z0-9_]/g, '');
    if (ARTICLES.has(w)) {
      if (words.length === 0) continue;
      break;
    }
    if (STOP.has(raw.toLowerCase()) || w === '' || (words.length > 0 && /^[0-9]+$/.test(w))) break;
    words.push(...w.split('_').filter(Boolean));
    if (words.length >= 3) break;
  }
  if (words.length === 0 || /^[0-9]/.test(words[0]!)) return undefined;
  const name = words
    .slice(0, 3)
    .map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1)))
    .join('');
  return RESERVED.has(name) ? `${name}Value` : name;
}

/** `number`, `string` or undefined (unreadable) from the parenthesis of a doc. */
function typeOfDoc(doc: string | undefined): 'number' | 'string' | undefined {
  if (!doc) return undefined;
  const paren = /\(([^()]*)\)\s*$/.exec(doc)?.[1] ?? /\(([^()]*)\)/.exec(doc)?.[1];
  if (paren === undefined) return undefined;
  return typeWord(paren);
}

function typeWord(text: string): 'number' | 'string' | undefined {
  const t = text.trim().toLowerCase();
  if (/^(integers?|decimal number|numbers?|float|double)\b/.test(t)) return 'number';
  if (/^\d+( or \d+)+$/.test(t)) return 'number';
  if (/^(bulk )?strings?\b/.test(t)) return 'string';
  return undefined;
}

interface Field {
  name: string;
  doc?: string;
  type: string;
  optional: boolean;
}

/** Names for the slots: from the docs, else `key1`/`arg1`; a name taken twice gets its index. */
function fields(
  slots: SlotDoc[],
  prefix: 'key' | 'arg',
  typed: boolean,
  onUntyped: (i: number, doc: string | undefined) => void,
): Field[] {
  const names = slots.map((s, i) => slotName(s.doc) ?? `${prefix}${i + 1}`);
  const out = slots.map((s, i): Field => {
    const dup = names.indexOf(names[i]!) !== i || names.lastIndexOf(names[i]!) !== i;
    let type = 'string';
    if (typed) {
      const t = typeOfDoc(s.doc);
      if (t === undefined) onUntyped(i, s.doc);
      else type = t;
    }
    // What the metadata says (read with a default, past a #ARGV test, or documented optional): not the doc's words alone.
    const optional = !!s.optional;
    return { name: dup ? `${names[i]}${i + 1}` : names[i]!, type, optional, ...(s.doc ? { doc: s.doc } : {}) };
  });
  // Only trailing slots can be left out: a later one given needs every one before it.
  let required = false;
  for (let i = out.length - 1; i >= 0; i--) {
    if (!out[i]!.optional) required = true;
    else if (required) out[i]!.optional = false;
  }
  return out;
}

/** The reply type from `Returns:`; undefined when it cannot be read. */
export function replyType(returns: string | undefined): string | undefined {
  if (!returns) return undefined;
  const text = returns.trim();
  const nullable = /\bor (null|nil)\b/i.test(text) ? ' | null' : '';
  const arrayOf = /^array of\b[^{]*\beach\s*(\{.*)$/i.exec(text);
  if (arrayOf) {
    const tuples = tupleUnion(arrayOf[1]!);
    return tuples ? `Array<${tuples}>${nullable}` : undefined;
  }
  const array = /^array\s*(\{.*)$/i.exec(text);
  if (array) {
    const tuples = tupleUnion(array[1]!);
    return tuples ? `${tuples.includes(' | ') ? `(${tuples})` : tuples}${nullable}` : undefined;
  }
  if (/^status\b/i.test(text)) return `string${nullable}`;
  if (/\bmap\b/i.test(text)) return undefined;
  const t = typeOfDoc(text.replace(/,?\s*or (null|nil)\b.*$/i, '')) ?? typeOfDoc(text);
  return t ? `${t}${nullable}` : undefined;
}

/** `{a (integer), b (string)} when x, {0, c} when y (integers)` -> `[a: number, b: string] | [number, number]`. */
function tupleUnion(text: string): string | undefined {
  const groups: string[] = [];
  let rest = text;
  for (let m = /\{([^{}]*)\}/.exec(rest); m; m = /\{([^{}]*)\}/.exec(rest)) {
    groups.push(m[1]!);
    rest = rest.slice(m.index + m[0].length);
  }
  if (groups.length === 0) return undefined;
  // A trailing "(integers)" types the elements that have no parenthesis of their own.
  const fallback = /\(([^()]*)\)\s*$/.exec(rest.replace(/;.*$/, ''))?.[1];
  const shared = fallback === undefined ? undefined : typeWord(fallback);
  const tuples = groups.map((g) => {
    const items = splitTop(g).map((item) => {
      const trimmed = item.trim();
      if (/^-?\d+$/.test(trimmed)) return { name: undefined, type: trimmed };
      const own = /\(([\s\S]*)\)\s*$/.exec(trimmed)?.[1];
      const type = (own !== undefined ? typeWord(own) : undefined) ?? shared ?? 'unknown';
      return { name: slotName(trimmed.replace(/\s*\(.*$/, '')), type };
    });
    const labelled =
      items.every((i) => i.name !== undefined) && new Set(items.map((i) => i.name)).size === items.length;
    return `[${items.map((i) => (labelled ? `${i.name}: ${i.type}` : i.type)).join(', ')}]`;
  });
  return [...new Set(tuples)].join(' | ');
}

/** Splits on commas outside parentheses. */
function splitTop(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.filter((s) => s.trim() !== '');
}

/** `/** ... *\/` lines, with `*\/` in the text made harmless. */
function jsdoc(lines: string[], indent = ''): string[] {
  const clean = lines.filter((l) => l !== '').map((l) => l.replace(/\*\//g, '*\\/'));
  if (clean.length === 0) return [];
  if (clean.length === 1) return [`${indent}/** ${clean[0]} */`];
  return [`${indent}/**`, ...clean.map((l) => `${indent} * ${l}`), `${indent} */`];
}

/** A single-quoted string literal, as the rest of the code is written. */
const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

const pascal = (name: string) => name[0]!.toUpperCase() + name.slice(1);

/**
 * The module. `manifestFromModule` is the lockfile's path relative to the generated file (posix),
 * used to find it at run time through `import.meta.url`.
 */
export function generateTs(scripts: GenScript[], manifestFromModule: string, source: string): GenOutput {
  const untyped: string[] = [];
  const untypedReplies: string[] = [];
  const seen = new Map<string, string>();
  const body: string[] = [];
  for (const script of scripts) {
    const fn = functionName(script.name);
    const other = seen.get(fn);
    if (other !== undefined)
      throw new Error(`"${other}" and "${script.name}" would both be named ${fn}(); rename one of them`);
    seen.set(fn, script.name);
    const meta = script.metadata;
    const keys = fields(meta.keys, 'key', false, () => undefined);
    const args = fields(meta.args, 'arg', true, (i, doc) =>
      untyped.push(`${script.name}: ARGV[${i + 1}]${doc ? ` (${doc})` : ' (undocumented)'}`),
    );
    const moreKeys = meta.moreKeys ? (slotName(meta.moreKeys.doc) ?? 'moreKeys') : undefined;
    const moreArgs = meta.moreArgs ? (slotName(meta.moreArgs.doc) ?? 'moreArgs') : undefined;
    const reply = replyType(meta.returns);
    if (reply === undefined)
      untypedReplies.push(`${script.name}: ${meta.returns ? `returns ${meta.returns}` : 'no Returns: line'}`);
    const Type = pascal(fn);
    const readOnly = script.flags.includes('no-writes');

    const keyFields = [...keys.map((k) => ({ ...k, type: 'string' }))];
    if (moreKeys !== undefined)
      keyFields.push({
        name: keyFields.some((k) => k.name === moreKeys) ? `${moreKeys}Rest` : moreKeys,
        type: 'string[]',
        optional: true,
        ...(meta.moreKeys?.doc ? { doc: `${meta.moreKeys.doc} (from KEYS[${meta.keys.length + 1}] on)` } : {}),
      });
    const argFields = [...args.map((a) => ({ ...a, type: a.type === 'number' ? 'number' : 'string' }))];
    if (moreArgs !== undefined)
      argFields.push({
        name: argFields.some((a) => a.name === moreArgs) ? `${moreArgs}Rest` : moreArgs,
        type: 'ScriptArg[]',
        optional: true,
        ...(meta.moreArgs?.doc ? { doc: `${meta.moreArgs.doc} (from ARGV[${meta.args.length + 1}] on)` } : {}),
      });

    body.push(...jsdoc([`Input of ${fn}() (${script.path}).`]));
    body.push(`export interface ${Type}Input {`);
    for (const [label, list] of [
      ['keys', keyFields],
      ['args', argFields],
    ] as const) {
      const allOptional = list.every((f) => f.optional);
      if (list.length === 0) {
        body.push(`  ${label}?: Record<string, never>;`);
        continue;
      }
      body.push(`  ${label}${allOptional ? '?' : ''}: {`);
      for (const f of list) {
        body.push(...jsdoc([f.doc ?? ''], '    '));
        body.push(`    ${f.name}${f.optional ? '?' : ''}: ${f.type};`);
      }
      body.push('  };');
    }
    body.push('}');
    body.push(
      ...jsdoc([
        meta.returns ? `Reply of ${fn}(): ${meta.returns}` : `Reply of ${fn}() (its header has no Returns: line).`,
      ]),
    );
    body.push(`export type ${Type}Reply = ${reply ?? 'unknown'};`);
    body.push('');
    body.push(
      ...jsdoc([
        meta.summary ? `${meta.summary}.`.replace(/\.\.$/, '.') : `Runs ${script.name}.`,
        '',
        script.library
          ? `Function ${script.library.function} of library ${script.library.library} (${script.path}), sent as ${readOnly ? 'FCALL_RO (registered no-writes: replicas may run it)' : 'FCALL'}.`
          : `Script ${script.name} (${script.path})${readOnly ? ', flagged no-writes: sent as EVALSHA_RO, replicas may run it' : ''}.`,
        ...(meta.errors.length > 0 ? [`Errors: ${meta.errors.join('; ')}`] : []),
      ]),
    );
    const inputOptional = keyFields.every((f) => f.optional) && argFields.every((f) => f.optional);
    body.push(
      `export async function ${fn}(client: CommandSender, input${inputOptional ? '?' : ''}: ${Type}Input): Promise<${Type}Reply> {`,
    );
    if (keyFields.length > 0) body.push(`  const keys = input${inputOptional ? '?' : ''}.keys;`);
    if (argFields.length > 0) body.push(`  const args = input${inputOptional ? '?' : ''}.args;`);
    const value = (list: string, f: Field, many: string) =>
      f.type === many
        ? `...(${list}?.${f.name} ?? [])`
        : `${list}${f.optional || (list === 'args' && argFields.every((a) => a.optional)) || (list === 'keys' && keyFields.every((k) => k.optional)) ? '?' : ''}.${f.name}`;
    const keyExpr = `[${keyFields.map((f) => value('keys', f, 'string[]')).join(', ')}]`;
    const argExpr = `[${argFields.map((f) => value('args', f, 'ScriptArg[]')).join(', ')}]`;
    body.push(
      `  return (await run(client, ${quote(script.name)}, ${keyExpr}, ${argExpr}, ${readOnly})) as ${Type}Reply;`,
    );
    body.push('}');
    body.push('');
  }
  const header = [
    `// Generated by rscript gen ts from ${source}: do not edit. Run \`rscript gen ts\` after \`rscript load\`;`,
    '// `rscript gen ts --check` fails (exit 1) when this file is out of date.',
    "import { fileURLToPath } from 'node:url';",
    "import { Scripts, type CommandSender, type ScriptArg } from 'rscript';",
    '',
    `const MANIFEST = new URL(${quote(manifestFromModule)}, import.meta.url);`,
    'let loaded: Scripts | undefined;',
    '',
    "/** The lockfile's scripts, read (and checked against it) on first use; `useScripts` sets them instead. */",
    'export function scripts(): Scripts {',
    '  return (loaded ??= Scripts.fromManifest(fileURLToPath(MANIFEST)));',
    '}',
    '',
    '/** Uses these scripts (another lockfile, a bundle that moved it) instead of the one next to this module. */',
    'export function useScripts(value: Scripts): void {',
    '  loaded = value;',
    '}',
    '',
    '/** Leaves out the trailing optional values the caller did not give: the script sees fewer ARGV. */',
    'function given(values: ReadonlyArray<ScriptArg | undefined>): ScriptArg[] {',
    '  let end = values.length;',
    '  while (end > 0 && values[end - 1] === undefined) end--;',
    "  return values.slice(0, end).map((v) => v ?? '');",
    '}',
    '',
    'function run(client: CommandSender, name: string, keys: ReadonlyArray<ScriptArg | undefined>, args: ReadonlyArray<ScriptArg | undefined>, readOnly: boolean): Promise<unknown> {',
    '  // EVALSHA (EVALSHA_RO for no-writes); on NOSCRIPT the runtime loads the script and retries once.',
    ...(scripts.some((x) => x.library)
      ? ['  // A function (<library>.<function>): FCALL, or FCALL_RO when it is registered no-writes.']
      : []),
    '  return scripts().run(client, name, { keys: given(keys), args: given(args), readOnly });',
    '}',
    '',
  ];
  return { text: [...header, ...body].join('\n').replace(/\n+$/, '\n'), untyped, untypedReplies };
}
