/**
 * What a script expects and gives back, read from its header comments and its code: the manifest
 * stores it and the CLI shows it. Works from the header alone when the code does not parse.
 */
import { analyse, type Analysis } from './analysis.js';
import { readHeader, type Header, type HeaderEntry } from './header.js';
import { parseLua, type ParseResult } from './parse.js';
import { prepareSource, type PreparedSource } from './source.js';

/** One KEYS or ARGV slot. */
export interface SlotDoc {
  /** A short name taken from the doc when one is obvious (`bucket key` from "bucket key (hash)"). */
  name?: string;
  /** The header's text for this slot. */
  doc?: string;
  /**
   * The caller may leave it out: the code reads it with a default (`ARGV[2] or 0`, `if ARGV[2]
   * then`, after a `#ARGV >= 2` test) or the header calls it optional, and so does every slot after it.
   */
  optional?: true;
}

export interface ScriptMetadata {
  /** KEYS[1..n]: n is the highest index the code reads or the header documents. */
  keys: SlotDoc[];
  /** ARGV[1..n], likewise. */
  args: SlotDoc[];
  /** Every key after `keys` (more may be passed): from a header line like `KEYS[2..N]: shards`. */
  moreKeys?: SlotDoc;
  /** Every argument after `args`, likewise. */
  moreArgs?: SlotDoc;
  returns?: string;
  errors: string[];
  summary?: string;
  /** Flags of the `#!lua flags=...` line, `[]` without one. */
  flags: string[];
}

export function extractMetadata(source: string | Buffer): ScriptMetadata {
  const prepared = prepareSource(source);
  const parsed = parseLua(prepared.code);
  const analysis = parsed.chunk ? analyse(parsed.chunk) : undefined;
  return metadataFrom(prepared, parsed, readHeader(parsed.comments, prepared.code, prepared.lineStarts), analysis);
}

/** The metadata of a script already parsed (the linter parses once for findings and metadata). */
export function metadataFrom(
  prepared: PreparedSource,
  parsed: ParseResult,
  header: Header,
  analysis?: Analysis,
): ScriptMetadata {
  // Collected while parsing, so the KEYS[n] read before a syntax error still count.
  const highest = { KEYS: 0, ARGV: 0 };
  for (const node of parsed.keysArgvIndexes) {
    if (node.base.type !== 'Identifier' || node.index.type !== 'NumericLiteral') continue;
    const table = node.base.name as 'KEYS' | 'ARGV';
    const n = node.index.value;
    if (Number.isInteger(n) && n > highest[table]) highest[table] = n;
  }
  const meta: ScriptMetadata = {
    keys: slots(header.keys, highest.KEYS, header.moreKeys),
    args: slots(header.args, highest.ARGV, header.moreArgs),
    errors: header.errors,
    flags: prepared.shebang ? prepared.shebang.flags : [],
  };
  if (analysis) {
    markOptional(meta.keys, 'KEYS', analysis);
    markOptional(meta.args, 'ARGV', analysis);
  }
  if (header.moreKeys) meta.moreKeys = slot(header.moreKeys);
  if (header.moreArgs) meta.moreArgs = slot(header.moreArgs);
  if (header.returns !== undefined) meta.returns = header.returns;
  if (header.summary !== undefined) meta.summary = header.summary;
  return meta;
}

/**
 * KEYS[1..n]: n is the highest index read or documented, and at least the one before an open range
 * (`KEYS[3..N]` with only KEYS[1] read still makes KEYS[2] a slot). An open range documents the
 * slots it covers that have no line of their own (the code may read `KEYS[2]` of `KEYS[2..N]`).
 */
function slots(entries: readonly HeaderEntry[], highestRead: number, more: HeaderEntry | undefined): SlotDoc[] {
  const count = Math.max(highestRead, ...entries.map((e) => e.index), more ? more.index - 1 : 0, 0);
  const out: SlotDoc[] = [];
  for (let i = 1; i <= count; i++) {
    const entry = entries.find((e) => e.index === i) ?? (more && i >= more.index ? more : undefined);
    out.push(entry ? slot(entry) : {});
  }
  return out;
}

/**
 * Marks the trailing slots a caller may leave out: each one is read with a default or tested
 * somewhere (`ARGV[2] or 0`, `if ARGV[3] then ... ARGV[3] ... end`), or sits past a `#ARGV >= n`
 * test, or is documented as optional. A slot before a required one must still be passed,
 * as KEYS and ARGV are positional.
 */
export function markOptional(slots: SlotDoc[], table: 'KEYS' | 'ARGV', a: Analysis): void {
  for (let i = slots.length; i >= 1; i--) {
    const reads = a.keysArgv.filter((u) => u.table === table && u.index === i);
    const doc = slots[i - 1]!.doc;
    const optional =
      i >= a.guardedFrom[table] ||
      (reads.length > 0 ? reads.some((u) => u.optional) : doc !== undefined && /\boptional\b/i.test(doc));
    if (!optional) return;
    slots[i - 1]!.optional = true;
  }
}

function slot(entry: HeaderEntry): SlotDoc {
  const out: SlotDoc = {};
  if (entry.doc) {
    out.doc = entry.doc;
    const name = shortName(entry.doc);
    if (name) out.name = name;
  }
  return out;
}

/**
 * The words before a parenthesis, comma, semicolon, dash or colon-space, when they are short enough
 * to be a name: "bucket key (hash)" -> "bucket key", "capacity (max tokens)" -> "capacity",
 * "time to live in seconds (integer)" -> "time to live in seconds". A sentence is not a name.
 */
export function shortName(doc: string): string | undefined {
  const head = doc.split(/\s*(?:\(|,|;|\s-\s|\s–\s|\s—\s|:\s|\.\s|\.$)/)[0]!.trim();
  // Short enough for the columns of `rscript info`'s table (longer ones show as ARGV[n] there).
  if (!head || head.length > 30 || head.split(/\s+/).length > 5) return undefined;
  if (/^[[<]/.test(head)) return undefined; // a template placeholder
  return head;
}
