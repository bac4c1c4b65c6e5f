import type * as lua from 'luaparse';
import { displayName } from '../known-commands.js';
import type { Rule } from './rule.js';

const WHOLE_KEYSPACE: Readonly<Record<string, { message: string; hint: string }>> = {
  keys: {
    message:
      "KEYS walks the whole keyspace (O(n)) while the script holds the server: every other client waits, and in a cluster it only sees one node's keys",
    hint: 'Keep an index (a set of the keys you need) and pass its name in KEYS, or SCAN from the client in batches.',
  },
  flushall: {
    message: 'FLUSHALL deletes every key of every database in one O(n) call while the script holds the server',
    hint: "Delete the script's own keys (passed in KEYS); leave FLUSHALL to an operator, with ASYNC.",
  },
  flushdb: {
    message: 'FLUSHDB deletes every key of the database in one O(n) call while the script holds the server',
    hint: "Delete the script's own keys (passed in KEYS); leave FLUSHDB to an operator, with ASYNC.",
  },
};

/** Commands whose cost grows with the whole keyspace, run inside a script that blocks the server. */
export const noKeyspaceScan: Rule = {
  id: 'no-keyspace-scan',
  defaultSeverity: 'warning',
  description:
    'KEYS, FLUSHALL, FLUSHDB, or SCAN called in a loop (whatever ends it) inside a script: O(n) over the keyspace while the server is blocked.',
  needsAst: true,
  check(ctx) {
    for (const { site, command } of ctx.commands) {
      if (!command?.info) continue;
      const known = Object.hasOwn(WHOLE_KEYSPACE, command.name) ? WHOLE_KEYSPACE[command.name] : undefined;
      if (known) {
        ctx.report({ node: site.node }, known);
      } else if (command.name === 'scan' && site.inLoop && !isLiteralZeroOnce(command.nodes[1])) {
        ctx.report(
          { node: site.node },
          {
            message: `${displayName(command)} in a loop inside a script walks the whole keyspace in one call: the script holds the server for all of it, exactly like KEYS`,
            hint: 'Return the cursor to the caller and call the script again with it (one SCAN batch per call), or keep an index set of the keys.',
          },
        );
      }
    }
  },
};

/**
 * Any loop around SCAN walks the keyspace, whatever its exit (`until cursor == "0"`, `until found or
 * cursor == "0"`, `while true do ... break end`): a scan of a constant "0" cursor in a loop that does
 * not feed the cursor back is the only exception, and that is not a walk.
 */
function isLiteralZeroOnce(cursor: lua.Expression | undefined): boolean {
  return cursor !== undefined && isZero(cursor);
}

function isZero(e: lua.Expression): boolean {
  return (e.type === 'NumericLiteral' && e.value === 0) || (e.type === 'StringLiteral' && /^["']0["']$/.test(e.raw));
}
