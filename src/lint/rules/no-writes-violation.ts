import { displayName } from '../known-commands.js';
import type { Rule } from './rule.js';

/** `#!lua flags=no-writes` promises no writes; Redis enforces it at run time. */
export const noWritesViolation: Rule = {
  id: 'no-writes-violation',
  defaultSeverity: 'warning',
  description: 'A script declared #!lua flags=no-writes calls a write command: Redis refuses it at run time.',
  needsAst: true,
  check(ctx) {
    if (!ctx.source.shebang?.flags.includes('no-writes')) return;
    for (const { site, command } of ctx.commands) {
      if (!command?.info?.flags.includes('write')) continue;
      ctx.report(
        { node: site.node },
        {
          message: `${displayName(command)} writes, but the script declares flags=no-writes: redis.${site.method} fails with "ERR Write commands are not allowed from read-only scripts."`,
          hint: 'Remove no-writes from the #!lua line (the script then cannot run through EVALSHA_RO or on read-only replicas), or drop the write.',
        },
      );
    }
  },
};
