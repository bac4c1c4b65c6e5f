import { suggest } from '../../suggest.js';
import { RULE_IDS } from '../rule-ids.js';
import { positionAt } from '../source.js';
import type { Rule } from './rule.js';

/** A misspelled id in `-- rscript-disable-next-line <id>` silences nothing, and nothing else says so. */
export const unknownSuppression: Rule = {
  id: 'unknown-suppression',
  defaultSeverity: 'warning',
  description:
    'A rscript-disable-line or rscript-disable-next-line comment names a rule that does not exist: it silences nothing.',
  needsAst: false,
  check(ctx) {
    for (const directive of ctx.directives) {
      for (const { id, offset } of directive.ids) {
        if (RULE_IDS.includes(id)) continue;
        const [close] = suggest(id, [...RULE_IDS]);
        const at = positionAt(ctx.source.lineStarts, offset);
        ctx.report(
          { line: at.line, column: at.column, endLine: at.line, endColumn: at.column + id.length },
          {
            message: `unknown rule "${id}" in ${directive.name}: it silences nothing${close ? `; did you mean "${close}"?` : ''}`,
            hint: close
              ? `Write "${close}" (the id at the end of a finding's line), or remove "${id}".`
              : `Write a rule id as findings show it at the end of their line (${RULE_IDS.join(', ')}), or remove "${id}"; an explanation goes after " -- ".`,
          },
        );
      }
    }
  },
};
