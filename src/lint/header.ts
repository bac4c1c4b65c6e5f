/**
 * Reads the documentation header of a script: the comments before the first line of code.
 *
 *   -- <name>: <one line of what it does>
 *   --
 *   -- KEYS[1]: <meaning> (<type>)
 *   -- ARGV[1]: <meaning> (<type>)
 *   -- Returns: <shape and meaning>
 *   -- Errors: <error replies it raises>
 *
 * Separators after `KEYS[n]` may be `:`, `-`, `=`, `->` or `→` (the French guide writes `KEYS[1] : ...`).
 * `KEYS[2..N]` (or `KEYS[2..]`, `KEYS[2...]`) documents every key from the second on, for a script that
 * takes any number; `ARGV[2..4]` documents the second to the fourth alike.
 * A `KEYS[...]` line read otherwise than its writer likely meant (`KEYS[3..2]`, `KEYS[0]`, a slot that
 * another line documents already) is read all the same, and listed in `problems`.
 * Only comments are read here (from the parser's comment list), never code.
 */
import type { Comment } from 'luaparse';
import { andList } from '../text.js';
import { commentTextStart, isBlockComment, positionAt, rangeOf } from './source.js';

/** One documented `KEYS[n]` or `ARGV[n]`. */
export interface HeaderEntry {
  /** The n of `KEYS[n]` (1-based). */
  index: number;
  /** The text after the separator, continuation lines joined; '' when there is none. */
  doc: string;
  /** Where `KEYS[n]` is written (1-based). */
  line: number;
  column: number;
  endColumn: number;
}

export interface Header {
  summary?: string;
  keys: HeaderEntry[];
  args: HeaderEntry[];
  /** `KEYS[n..N]`: every key from `index` on (a script that takes any number of them). */
  moreKeys?: HeaderEntry;
  /** `ARGV[n..N]`, likewise. */
  moreArgs?: HeaderEntry;
  returns?: string;
  errors: string[];
  /** Lines the header-keys-argv rule reports, in header order; none for a well-formed header. */
  problems: HeaderProblem[];
}

/** A `KEYS[...]` or `ARGV[...]` line that is read, but probably not as its writer meant. */
export interface HeaderProblem {
  /**
   * `misread`: the line cannot mean what it says (`KEYS[3..2]`, `KEYS[0]`); `overlap`: some of its
   * slots are another line's. The rule says nothing more of a misread line; an overlapping line's
   * own slots are checked as any others.
   */
  kind: 'misread' | 'overlap';
  message: string;
  hint: string;
  /** Where `KEYS[...]` is written (1-based). */
  line: number;
  column: number;
  endColumn: number;
}

interface HeaderLine {
  /** Text with the comment dashes removed, right-trimmed. */
  text: string;
  /** Indentation of `text` (leading blanks) and its 0-based column in the file. */
  indent: number;
  line: number;
  column: number;
}

const DOC_LINE =
  /^(KEYS|ARGV)\s*\[\s*(\d+)\s*(?:(\.{2,3})\s*(\d+|[A-Za-z])?\s*)?\](?:\s*(?:->|=>|:|→|–|—|-|=)\s*|\s+|$)(.*)$/;
const RETURNS = /^returns?\s*:\s*(.*)$/i;
/** The longest closed range read as such: `ARGV[1..16]`. */
const MAX_CLOSED_RANGE = 16;
const ERRORS = /^(?:errors?|raises?)\s*:\s*(.*)$/i;
const DESCRIPTION = /^(?:description|summary)\s*:\s*(.*)$/i;
const NAMED_SUMMARY = /^([\w.\-/]+)\s*:\s+(.+)$/;
const BARE_NAME = /^[\w\-/]+(?:\.lua)?$/;
const OTHER_FIELD = /^[A-Z][\w ]{0,20}:/i;

/** The comments that form the header: those before any code, with only blank text between them. */
export function headerComments(comments: readonly Comment[], code: string): Comment[] {
  const header: Comment[] = [];
  let pos = 0;
  for (const comment of comments) {
    const [start, end] = rangeOf(comment);
    if (code.slice(pos, start).trim() !== '') break;
    header.push(comment);
    pos = end;
  }
  return header;
}

export function readHeader(comments: readonly Comment[], code: string, lineStarts: readonly number[]): Header {
  const lines = commentLines(headerComments(comments, code), lineStarts);
  const header: Header = { keys: [], args: [], errors: [], problems: [] };
  // The section the following more-indented lines continue.
  let open: { indent: number; append: (text: string) => void } | null = null;
  let sawFirstLine = false;
  let summaryFromNextLine = false;
  for (const l of lines) {
    const text = l.text.trim();
    if (text === '') {
      open = null;
      continue;
    }
    const doc = DOC_LINE.exec(text);
    const ret = RETURNS.exec(text);
    const err = ERRORS.exec(text);
    if (open && !doc && !ret && !err && l.indent > open.indent) {
      open.append(text);
      continue;
    }
    open = null;
    if (doc) {
      const index = Number(doc[2]);
      const keys = doc[1] === 'KEYS';
      const list = keys ? header.keys : header.args;
      const startCol = l.column + l.indent + 1;
      const entry: HeaderEntry = {
        index,
        doc: doc[5]!.trim(),
        line: l.line,
        column: startCol,
        endColumn: startCol + text.indexOf(']') + 1,
      };
      // `[2..N]`, `[2..]`: open-ended. `[2..4]`: the same doc for 2, 3 and 4 (an inverted range, 4..2,
      // for 4 only). A range of more than 16 (`[1..300]`, a typo or "many") is read as open-ended:
      // a closed one makes each of its slots one that callers must pass.
      const end =
        doc[3] === undefined ? index : doc[4] !== undefined && /^\d+$/.test(doc[4]) ? Number(doc[4]) : undefined;
      let last = end === undefined ? undefined : Math.max(index, end);
      if (last !== undefined && last - index >= MAX_CLOSED_RANGE) last = undefined;
      // As written, blanks aside (`KEYS[ 0 ]` is KEYS[0]).
      const written = text.slice(0, text.indexOf(']') + 1).replace(/\s+/g, '');
      const problem = (kind: HeaderProblem['kind'], message: string, hint: string): void => {
        header.problems.push({ kind, message, hint, line: l.line, column: entry.column, endColumn: entry.endColumn });
      };
      const oneLineEach = `Document each ${doc[1]}[n] on one line: remove one of the two, or narrow the range so that the lines do not overlap.`;
      const table = doc[1]!;
      const noun = keys ? 'key' : 'argument';
      if (end !== undefined && end < index) {
        // `KEYS[2..0]`: the lower index first would start at 0, which is reported too.
        const from = Math.max(end, 1);
        problem(
          'misread',
          `${written} ends before it starts: it is read as ${table}[${index}] alone`,
          from < index
            ? `Write the lower index first: ${table}[${from}..${index}] documents ${noun}s ${from} to ${index} alike, ${table}[${index}..N] every ${noun} from ${index} on.`
            : `Write ${table}[${index}] for that ${noun} alone, or ${table}[${index}..N] for every ${noun} from ${index} on.`,
        );
      } else if (index === 0) {
        const fixed = last === undefined ? `${table}[1..N]` : last > 1 ? `${table}[1..${last}]` : `${table}[1]`;
        problem(
          'misread',
          `${written === `${table}[0]` ? `${written} is always nil` : `${written} starts at ${table}[0], which is always nil`}: Lua tables start at 1, so the first ${noun} is ${table}[1]`,
          `Number from 1, as callers count: write ${fixed}.`,
        );
      }
      const entries: HeaderEntry[] = [];
      if (last === undefined) {
        const more = keys ? header.moreKeys : header.moreArgs;
        if (more) {
          problem(
            'overlap',
            `every ${noun} from ${table}[${more.index}] on is already documented on line ${more.line}: this line's text is not used`,
            oneLineEach,
          );
        } else if (keys) header.moreKeys = entry;
        else header.moreArgs = entry;
        entries.push(entry);
      } else {
        // Slots another line documents already keep that line's text.
        const taken: HeaderEntry[] = [];
        for (let i = index; i <= last; i++) {
          const e = i === index ? entry : { ...entry, index: i };
          const before = list.find((x) => x.index === i);
          if (before) taken.push(before);
          else list.push(e);
          entries.push(e);
        }
        if (taken.length > 0) {
          const lines = [...new Set(taken.map((t) => t.line))];
          const one = taken.length === 1;
          problem(
            'overlap',
            `${andList(taken.map((t) => `${table}[${t.index}]`))} ${one ? 'is' : 'are'} already documented on ${lines.length === 1 ? 'line' : 'lines'} ${andList(lines.map(String))}: this line's text is not used for ${one ? 'it' : 'them'}`,
            oneLineEach,
          );
        }
      }
      open = {
        indent: l.indent,
        append: (more) => {
          for (const e of entries) e.doc = e.doc ? `${e.doc} ${more}` : more;
        },
      };
    } else if (ret) {
      header.returns = ret[1]!.trim() || undefined;
      open = {
        indent: l.indent,
        append: (more) => (header.returns = header.returns ? `${header.returns} ${more}` : more),
      };
    } else if (err) {
      header.errors.push(...splitErrors(err[1]!));
      open = { indent: l.indent, append: (more) => header.errors.push(...splitErrors(more)) };
    } else if (!header.summary) {
      const description = DESCRIPTION.exec(text);
      const named = NAMED_SUMMARY.exec(text);
      if (description && description[1]!.trim()) {
        header.summary = description[1]!.trim();
      } else if (!sawFirstLine && named) {
        header.summary = named[2]!.trim();
      } else if (!sawFirstLine && BARE_NAME.test(text)) {
        summaryFromNextLine = true;
      } else if (summaryFromNextLine && !OTHER_FIELD.test(text)) {
        header.summary = text;
      }
    }
    sawFirstLine = true;
  }
  header.keys.sort((a, b) => a.index - b.index);
  header.args.sort((a, b) => a.index - b.index);
  return header;
}

/** "ERR a; ERR b" lists two error replies. */
function splitErrors(text: string): string[] {
  return text
    .split(/;\s+/)
    .map((e) => e.trim())
    .filter(Boolean);
}

function commentLines(comments: readonly Comment[], lineStarts: readonly number[]): HeaderLine[] {
  const out: HeaderLine[] = [];
  for (const comment of comments) {
    // Where the text starts: after `--`, or after `--[[` and a line break right after it.
    const at = positionAt(lineStarts, commentTextStart(comment));
    const start = { line: at.line, column: at.column - 1 };
    if (!isBlockComment(comment)) {
      // "--- text" and "-- text" alike: drop every leading dash.
      const body = comment.value.replace(/^-+/, '');
      out.push(toLine(body, start.line, start.column + comment.value.length - body.length));
      continue;
    }
    comment.value.split(/\r\n|\n\r|\r|\n/).forEach((part, i) => {
      out.push(toLine(part, start.line + i, i === 0 ? start.column : 0));
    });
  }
  return out;
}

function toLine(body: string, line: number, column: number): HeaderLine {
  const text = body.replace(/\s+$/, '');
  const indent = text.length - text.trimStart().length;
  return { text, indent, line, column };
}
