import type { Rule } from './rule.js';

/** A `#!lua` first line Redis 7 would reject, or a BOM that hides it. */
export const invalidShebang: Rule = {
  id: 'invalid-shebang',
  defaultSeverity: 'error',
  description:
    'The #!lua line has an unknown flag or option, or a byte order mark hides it: SCRIPT LOAD rejects the script.',
  needsAst: false,
  check(ctx) {
    const { shebang, bom } = ctx.source;
    if (!shebang) return;
    if (bom) {
      ctx.report(
        { line: 1, column: 1, endLine: 1, endColumn: 2 },
        {
          message:
            'A UTF-8 byte order mark precedes "#!": Redis does not see the shebang and fails with "Error compiling script: unexpected symbol"',
          hint: 'Save the file as UTF-8 without BOM so that "#!lua" is the very first bytes.',
        },
      );
    }
    for (const p of shebang.problems) {
      ctx.report(
        { line: 1, column: p.column, endLine: 1, endColumn: p.endColumn },
        { message: p.message, hint: p.hint },
      );
    }
  },
};
