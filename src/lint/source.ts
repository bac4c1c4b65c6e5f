/**
 * Turns a script's bytes into the text luaparse reads: a UTF-8 byte order mark and a Redis 7 `#!`
 * line are not Lua, so they are blanked out with spaces (same length, same line count) and checked
 * on their own. Positions found in the blanked text are therefore positions in the file.
 */
import type * as lua from 'luaparse';
import { KNOWN_FLAGS } from '../registry/script.js';

/** A shebang problem, phrased as Redis phrases it (SCRIPT LOAD rejects the script). */
export interface ShebangProblem {
  message: string;
  hint: string;
  /** 1-based column on line 1. */
  column: number;
  endColumn: number;
}

export interface Shebang {
  /** The first line without its line terminator. */
  text: string;
  engine: string;
  flags: string[];
  problems: ShebangProblem[];
}

export interface PreparedSource {
  /** The file as text (BOM included), for display. */
  text: string;
  /** The text handed to the Lua parser. */
  code: string;
  /** True when the file starts with a UTF-8 byte order mark. */
  bom: boolean;
  shebang: Shebang | null;
  /** Offset of the first character of each line (line 1 at index 0). */
  lineStarts: number[];
}

const BOM = '\uFEFF';

export function prepareSource(source: string | Buffer): PreparedSource {
  const text = typeof source === 'string' ? source : source.toString('utf8');
  const bom = text.startsWith(BOM);
  const start = bom ? 1 : 0;
  const lineStarts = computeLineStarts(text);
  const firstLineEnd = lineStarts.length > 1 ? lineEndBefore(text, lineStarts[1]!) : text.length;
  let code = text;
  let shebang: Shebang | null = null;
  if (text.startsWith('#!', start)) {
    shebang = readShebang(text.slice(start, firstLineEnd), start, lineStarts.length > 1);
    code = ' '.repeat(firstLineEnd) + text.slice(firstLineEnd);
  } else if (bom) {
    code = ' ' + text.slice(1);
  }
  return { text, code, bom, shebang, lineStarts };
}

/** Line starts as Lua counts lines: `\n`, `\r`, `\r\n` and `\n\r` each end one line. */
export function computeLineStarts(text: string): number[] {
  const starts = [0];
  if (!text.includes('\r')) {
    // The usual file: found by indexOf, where the loop below reads every character (cold, a few ms
    // of linting the 40 KB of lua/).
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    return starts;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      const next = text.charCodeAt(i + 1);
      if ((next === 10 || next === 13) && next !== c) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

function lineEndBefore(text: string, nextLineStart: number): number {
  let end = nextLineStart;
  while (end > 0 && (text.charCodeAt(end - 1) === 10 || text.charCodeAt(end - 1) === 13)) end--;
  return end;
}

/** The 0-based [start, end) offsets of a parsed node (the parser is asked for ranges, see parse.ts). */
export function rangeOf(node: lua.Node): [number, number] {
  return (node as lua.Node & { range: [number, number] }).range;
}

/**
 * The offset where a comment's text (luaparse's `value`) starts: after `--`, or after `--[==[` and
 * the line break right after it, which Lua (and luaparse) leave out of a long bracket's text.
 */
export function commentTextStart(comment: lua.Comment): number {
  return rangeOf(comment)[0] + /^--(?:\[=*\[(?:\r\n|\n\r|\r|\n)?)?/.exec(comment.raw)![0].length;
}

/** True for a `--[[ ... ]]` (or `--[==[ ... ]==]`) comment. */
export function isBlockComment(comment: lua.Comment): boolean {
  return /^--\[=*\[/.test(comment.raw);
}

/** 1-based line of a 0-based offset. */
export function lineOf(lineStarts: readonly number[], offset: number): number {
  return positionAt(lineStarts, offset).line;
}

/** 1-based line and column of a 0-based offset. */
export function positionAt(lineStarts: readonly number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
}

/**
 * Checks a `#!` line the way Redis 7.0 does (evalExtractShebangFlags): the engine must be `lua`,
 * the only option is `flags=` with known flags, and the line must end with a newline.
 */
function readShebang(line: string, offset: number, hasNewline: boolean): Shebang {
  const problems: ShebangProblem[] = [];
  const words = splitArgs(line);
  const engineWord = words[0];
  const engine = engineWord ? engineWord.value.slice(2) : '';
  const flags: string[] = [];
  const col = (index: number): number => offset + index + 1;
  if (!hasNewline) {
    problems.push({
      message:
        'Redis rejects the script with "Invalid script shebang": the #! line must be followed by a newline and the script body',
      hint: 'Put the Lua code on the lines after the #! line.',
      column: col(0),
      endColumn: col(line.length),
    });
  }
  if (!engineWord || engineWord.value !== '#!lua') {
    const shown = engineWord ? engineWord.value : line;
    problems.push({
      message: `Redis rejects the script with "Unexpected engine in script shebang: ${shown}"`,
      hint: 'Start the line with exactly "#!lua" (no space after #!).',
      column: col(engineWord ? engineWord.start : 0),
      endColumn: col(engineWord ? engineWord.end : line.length),
    });
  }
  for (const word of words.slice(1)) {
    if (!word.value.startsWith('flags=')) {
      problems.push({
        message: `Redis rejects the script with "Unknown lua shebang option: ${word.value}"`,
        hint: word.value.startsWith('name=')
          ? '"name=" belongs to Redis Functions (#!lua name=lib, loaded with FUNCTION LOAD); an EVAL script only takes "flags=".'
          : `The only option of a script's #!lua line is flags=${KNOWN_FLAGS.join(',')}.`,
        column: col(word.start),
        endColumn: col(word.end),
      });
      continue;
    }
    const list = word.value.slice('flags='.length);
    // Redis splits on "," and checks every piece, so "no-writes," has an empty, unknown flag.
    const pieces = list === '' ? [] : list.split(',');
    for (const flag of pieces) {
      flags.push(flag);
      if (!(KNOWN_FLAGS as readonly string[]).includes(flag)) {
        problems.push({
          message: `Redis rejects the script with "Unexpected flag in script shebang: ${flag}"`,
          hint: `Known flags (Redis 7.0): ${KNOWN_FLAGS.join(', ')}; flags are lowercase and comma-separated without spaces.`,
          column: col(word.start),
          endColumn: col(word.end),
        });
      }
    }
  }
  return { text: line, engine, flags, problems };
}

interface Word {
  value: string;
  /** 0-based offsets in the line. */
  start: number;
  end: number;
}

/** Splits like Redis's sdssplitargs: blanks separate words, and "..." or '...' quote parts of one. */
function splitArgs(line: string): Word[] {
  const words: Word[] = [];
  let i = 0;
  const isBlank = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);
  while (i < line.length) {
    while (isBlank(line[i])) i++;
    if (i >= line.length) break;
    const start = i;
    let value = '';
    let quote: string | null = null;
    while (i < line.length) {
      const c = line[i]!;
      if (quote) {
        if (c === '\\' && quote === '"' && i + 1 < line.length) {
          value += line[i + 1];
          i += 2;
          continue;
        }
        if (c === quote) quote = null;
        else value += c;
      } else if (c === '"' || c === "'") {
        quote = c;
      } else if (isBlank(c)) {
        break;
      } else {
        value += c;
      }
      i++;
    }
    words.push({ value, start, end: i });
  }
  return words;
}
