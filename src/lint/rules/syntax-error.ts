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
    ctx.report(at, {
      message: `Lua 5.1 syntax error, ${parsed.error.message}: Redis refuses the script with "ERR Error compiling script (new function): user_script:${at.line}: ..."`,
      hint: 'Redis runs Lua 5.1: no goto, no //, no bitwise operators (use bit.band...), no integer division.',
    });
  },
};
