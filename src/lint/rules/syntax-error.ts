import { positionAt } from '../source.js';
import type { Rule } from './rule.js';

/** The script does not compile: SCRIPT LOAD / EVAL refuse it. */
export const syntaxError: Rule = {
  id: 'syntax-error',
  defaultSeverity: 'error',
  description: 'The script is not valid Lua 5.1: Redis refuses to load it.',
  needsAst: false,
  check(ctx) {
    const { source, parsed } = ctx;
    if (source.bom && !source.shebang) {
      ctx.report(
        { line: 1, column: 1, endLine: 1, endColumn: 2 },
        {
          message:
            'The file starts with a UTF-8 byte order mark: Redis fails with "Error compiling script (new function): user_script:1: unexpected symbol"',
          hint: 'Save the file as UTF-8 without BOM.',
        },
      );
    }
    if (!parsed.error) return;
    const at = positionAt(source.lineStarts, Math.min(parsed.error.index, source.code.length));
    const start = source.lineStarts[at.line - 1] ?? 0;
    const next = source.lineStarts[at.line] ?? source.code.length;
    // The statement before the error: the last line with code on it before the error's position.
    const before = source.code
      .slice(0, Math.min(parsed.error.index, source.code.length))
      .split(/\r\n|\n\r|\r|\n/)
      .map(stripStringsAndComment)
      .filter((l) => l.trim() !== '');
    ctx.report(at, {
      message: `Lua 5.1 syntax error, ${parsed.error.message}: Redis refuses the script with "ERR Error compiling script (new function): user_script:${at.line}: ..."`,
      hint: syntaxHint(parsed.error.message, source.code.slice(start, next), before.at(-1) ?? ''),
    });
  },
};

/** Syntax of a newer Lua on the line, and what Lua 5.1 (Redis) writes instead. */
const NEWER_LUA: ReadonlyArray<[RegExp, string]> = [
  [/\/\//, 'Integer division // is Lua 5.3 and Redis runs Lua 5.1: write math.floor(a / b).'],
  [
    /\bgoto\b|::\s*[A-Za-z_]\w*\s*::/,
    'goto and ::labels:: are Lua 5.2 and Redis runs Lua 5.1: use a loop with break, or a flag.',
  ],
  [
    /<\s*(?:const|close)\s*>/,
    'Local attributes <const> and <close> are Lua 5.4 and Redis runs Lua 5.1: use a plain local.',
  ],
  // Before the bitwise operators: `a && b` is C or JavaScript, not Lua 5.3.
  [/&&|\|\|/, 'Lua writes the logical operators as and, or and not (&&, || and ! are not Lua).'],
  [
    /&|\||<<|>>|~(?!=)/,
    'Bitwise operators are Lua 5.3 and Redis runs Lua 5.1: use bit.band, bit.bor, bit.bxor, bit.bnot, bit.lshift and bit.rshift.',
  ],
];

/**
 * What to look for, from the parser's message and the line it stopped on (its strings and comment
 * left out, so a `//` in a URL does not count as Lua 5.3).
 */
export function syntaxHint(message: string, line: string, codeBefore = ''): string {
  const code = stripStringsAndComment(line);
  for (const [pattern, hint] of NEWER_LUA) if (pattern.test(code)) return hint;
  if (code.includes('!=')) return 'Lua writes "not equal" as ~=, not !=.';
  // `return 1` then more code: Lua 5.1 wants return (and break) last in its block. (`return 1 end
  // end`, stopped at an `end`, is one end too many; `f(function() return 1 end) = 1` closed the
  // return's block, brackets and all.)
  const atEnd = /^unexpected keyword 'end'|near 'end'/.test(message);
  if (
    !atEnd &&
    /^unexpected |^'(?:end|<eof>)' expected near '(?!<eof>)/.test(message) &&
    /(?<![\w.:])(?:return|break)\b/.test(codeBefore) &&
    !/\bend[\s)\]},;]*$/.test(codeBefore.trim())
  ) {
    return "A return or break must be the last statement of its block: code follows it here, or the block holding it lacks its 'end' (write an early return as do return x end).";
  }
  if (/^'end' expected near '<eof>'/.test(message))
    return "A block is not closed: an if, for, while, function or do above has no 'end'.";
  if (/^'end' expected/.test(message))
    return "A block is not closed before this point: an if, for, while, function or do above needs its 'end' here.";
  if (/^unfinished long (?:string|comment)/.test(message))
    return 'A [[long string]] or --[[long comment]] is not closed: add ]] (with as many = as its opening, [==[ ... ]==]).';
  if (/^unexpected keyword 'end'|^'<eof>' expected near 'end'/.test(message))
    return "One 'end' too many: it closes no block (or the block above lost its opening line).";
  if (/^unfinished string/.test(message))
    return 'A quoted string ends on the line it starts: close it, or use [[...]] for text over several lines.';
  if (/^'\}' expected/.test(message))
    return "A table constructor is not closed, or two fields lack the ',' between them.";
  if (/^'\)' expected/.test(message))
    return "A call or a parenthesis is not closed, or two arguments lack the ',' between them.";
  if (/^'(then|do)' expected/.test(message)) return `An if needs 'then' and a for or while needs 'do' before its body.`;
  return "Look at this line and the one before it: a missing operator, comma, 'then' or 'do', or a typo. Redis runs Lua 5.1.";
}

/**
 * A line of code with its strings emptied and its comments cut out, left to right: `[[...]]` and
 * quoted strings become "", `--[[...]]` goes and so does a `--` comment to the end of the line.
 */
function stripStringsAndComment(line: string): string {
  return line.replace(
    /--\[(=*)\[[\s\S]*?\]\1\]|\[(=*)\[[\s\S]*?\]\2\]|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|--[^\r\n]*/g,
    (m) => (m.startsWith('--') ? ' ' : '""'),
  );
}
