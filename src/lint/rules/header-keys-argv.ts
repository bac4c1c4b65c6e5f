import type { KeysArgvUse } from '../analysis.js';
import type { AstContext, Rule } from './rule.js';

function reportZero(ctx: AstContext, use: KeysArgvUse): void {
  const noun = use.table === 'KEYS' ? 'key' : 'argument';
  ctx.report(
    { node: use.node },
    {
      message: `${use.table}[${use.index}] is always nil: Lua tables start at 1, so the first ${noun} is ${use.table}[1]`,
      hint: `Read ${use.table}[1] for the first ${noun}, as callers count.`,
    },
  );
}

/** The header documents what callers pass; the code reads it. Both must agree. */
export const headerKeysArgv: Rule = {
  id: 'header-keys-argv',
  defaultSeverity: 'warning',
  description:
    'KEYS[n] or ARGV[n] read but not documented in the header, documented but never read, or documented as it cannot be meant (KEYS[3..2], KEYS[0], twice); on scripts that use rscript\'s header convention (a KEYS[n]: or ARGV[n]: line), or on every script with lint.headers "always".',
  needsAst: true,
  check(ctx) {
    const a = ctx.analysis;
    const h = ctx.header;
    const convention =
      h.keys.length > 0 ||
      h.args.length > 0 ||
      h.moreKeys !== undefined ||
      h.moreArgs !== undefined ||
      h.problems.length > 0;
    if (!convention && ctx.headers !== 'always') {
      // Someone else's script documents its keys its own way, or nowhere: one note, no warnings.
      // KEYS[0] is still a bug whatever the header.
      for (const use of a.keysArgv) if (use.index < 1) reportZero(ctx, use);
      const first = a.keysArgv.find((u) => u.index >= 1);
      if (first) {
        ctx.report(
          { node: first.node },
          {
            message: `This script reads KEYS/ARGV without a header documenting them in rscript's form: callers learn what to pass from elsewhere`,
            hint: 'Add "-- KEYS[1]: <meaning>" and "-- ARGV[1]: <meaning>" lines before the code (rscript info shows them), or set lint.headers to "always" to check every script.',
            info: true,
          },
        );
      }
      return;
    }
    // Header lines read otherwise than meant (`KEYS[3..2]`, `KEYS[0]`, a slot documented twice): one
    // finding each, and no "never read" besides.
    for (const p of ctx.header.problems) {
      ctx.report(
        { line: p.line, column: p.column, endLine: p.line, endColumn: p.endColumn },
        { message: p.message, hint: p.hint },
      );
    }
    for (const table of ['KEYS', 'ARGV'] as const) {
      const documented = table === 'KEYS' ? ctx.header.keys : ctx.header.args;
      // `KEYS[2..N]` documents every index from 2 on; it is never "documented but not read".
      const more = table === 'KEYS' ? ctx.header.moreKeys : ctx.header.moreArgs;
      // A handful of indexes per script: arrays, not sets (this rule runs on every new script of a load).
      const reported: number[] = [];
      for (const use of a.keysArgv) {
        if (use.table !== table || reported.includes(use.index)) continue;
        if (use.index < 1) {
          // Whatever the header says: the read is the bug, and documenting it would not fix it.
          reported.push(use.index);
          reportZero(ctx, use);
          continue;
        }
        if (documented.some((d) => d.index === use.index) || (more && use.index >= more.index)) continue;
        reported.push(use.index);
        ctx.report(
          { node: use.node },
          {
            message: `${table}[${use.index}] is read here but the header does not document it: callers cannot tell what to pass ${table === 'KEYS' ? 'as key' : 'as argument'} ${use.index}`,
            hint: `Add a header line "-- ${table}[${use.index}]: <meaning> (<type>)" before the code.`,
          },
        );
      }
      // With KEYS[i] or #KEYS in the code, any documented entry may be read.
      if (a.dynamic[table]) continue;
      // Once per header line: `ARGV[1..3]` is one line, unread only when none of 1, 2, 3 is read.
      for (const [i, doc] of documented.entries()) {
        if (documented.findIndex((d) => d.line === doc.line) !== i) continue;
        if (ctx.header.problems.some((p) => p.kind === 'misread' && p.line === doc.line)) continue;
        const group = documented.filter((d) => d.line === doc.line);
        if (group.some((d) => a.keysArgv.some((u) => u.table === table && u.index === d.index))) continue;
        const last = group[group.length - 1]!.index;
        const what = last === doc.index ? `${table}[${doc.index}]` : `${table}[${doc.index}..${last}]`;
        ctx.report(
          { line: doc.line, column: doc.column, endLine: doc.line, endColumn: doc.endColumn },
          {
            message: `${what} is documented but the code never reads it: callers must pass it for nothing, or the code reads something else`,
            hint: `Remove the header line, or read ${what} where it is meant to be used.`,
          },
        );
      }
    }
  },
};
