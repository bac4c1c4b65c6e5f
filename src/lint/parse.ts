/**
 * The only module that loads luaparse: commands that do not lint never pay for it.
 * Redis embeds Lua 5.1, so the parser is set to 5.1 (no goto, no integer division, no bit operators).
 * Nodes carry ranges only (0-based offsets): lines and columns are worked out from the source's line
 * starts where a finding needs them. luaparse's `locations` made six more objects per node: without
 * them a cold `load` of 10,000 new scripts took 876 ms instead of 960.
 */
import luaparse from 'luaparse';
import type { Chunk, Comment, IndexExpression } from 'luaparse';

export interface ParseResult {
  /** Absent when the code does not compile. */
  chunk?: Chunk;
  error?: { message: string /** 0-based offset in the code */; index: number };
  /** Every comment the lexer met, in order (up to the error when there is one). */
  comments: Comment[];
  /** `KEYS[...]` and `ARGV[...]` expressions built before the error: the metadata's fallback. */
  keysArgvIndexes: IndexExpression[];
}

export function parseLua(code: string): ParseResult {
  const comments: Comment[] = [];
  const keysArgvIndexes: IndexExpression[] = [];
  try {
    const chunk = luaparse.parse(code, {
      luaVersion: '5.1',
      ranges: true,
      comments: true,
      onCreateNode(node) {
        if (node.type === 'Comment') comments.push(node);
        else if (node.type === 'IndexExpression' && node.base.type === 'Identifier') {
          if (node.base.name === 'KEYS' || node.base.name === 'ARGV') keysArgvIndexes.push(node);
        }
      },
    });
    return { chunk, comments, keysArgvIndexes };
  } catch (err) {
    const e = err as { message?: string; index?: number };
    if (typeof e.index !== 'number') {
      // luaparse itself crashes on a NUL byte outside a string (a TypeError, not a syntax error);
      // Lua refuses that byte too ("unexpected symbol near '<\0>'"), so report it as Lua would.
      const nul = code.indexOf('\0');
      if (nul < 0) throw err;
      return {
        error: { message: "unexpected symbol near '<\\0>' (a NUL byte)", index: nul },
        comments,
        keysArgvIndexes,
      };
    }
    // luaparse prefixes "[line:col] "; the position is reported separately.
    // An unfinished string quotes the rest of the file as its token: keep the message readable.
    const full = String(e.message).replace(/^\[\d+:\d+\]\s*/, '');
    const message = full.length > 300 ? `${full.slice(0, 300)}…` : full;
    // luaparse places an unfinished string after the line break that ends it; Lua, and so Redis,
    // names the line of that break (one step back: an escaped line break before it is in the string).
    let index = e.index;
    if (full.startsWith('unfinished string') && index > 0 && (code[index - 1] === '\n' || code[index - 1] === '\r'))
      index--;
    return { error: { message, index }, comments, keysArgvIndexes };
  }
}
