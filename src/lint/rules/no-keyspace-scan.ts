import type * as lua from 'luaparse';
import type { LoopInfo } from '../analysis.js';
import { displayName } from '../known-commands.js';
import type { Rule } from './rule.js';

const WHOLE_KEYSPACE: Readonly<Record<string, { message: string; hint: string }>> = {
  keys: {
    message:
      'KEYS walks the whole keyspace (O(n)) while the script holds the server: every other client waits, and in a cluster it only sees one node\'s keys',
    hint: 'Keep an index (a set of the keys you need) and pass its name in KEYS, or SCAN from the client in batches.',
  },
  flushall: {
    message: 'FLUSHALL deletes every key of every database in one O(n) call while the script holds the server',
    hint: 'Delete the script\'s own keys (passed in KEYS); leave FLUSHALL to an operator, with ASYNC.',
  },
  flushdb: {
    message: 'FLUSHDB deletes every key of the database in one O(n) call while the script holds the server',
    hint: 'Delete the script\'s own keys (passed in KEYS); leave FLUSHDB to an operator, with ASYNC.',
  },
};

/** Commands whose cost grows with the whole keyspace, run inside a script that blocks the server. */
export const noKeyspaceScan: Rule = {
  id: 'no-keyspace-scan',
  defaultSeverity: 'warning',
  description: 'KEYS, FLUSHALL, FLUSHDB, or SCAN looped until the cursor is 0 inside a script: O(n) over the keyspace while the server is blocked.',
  needsAst: true,
  check(ctx) {
    for (const { site, command } of ctx.commands) {
      if (!command?.info) continue;
      const known = Object.hasOwn(WHOLE_KEYSPACE, command.name) ? WHOLE_KEYSPACE[command.name] : undefined;
      if (known) {
        ctx.report({ node: site.node }, known);
      } else if (command.name === 'scan' && site.loop && isCursorWalk(site.loop)) {
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
 * A loop that only ends when the cursor comes back to 0: `repeat ... until cursor == "0"` or
 * `while cursor ~= "0" do`, with no break or return. A loop that also stops on a count or a step
 * limit (and hands the cursor back to the caller) is a bounded slice and is fine.
 */
function isCursorWalk(loop: LoopInfo): boolean {
  if (loop.hasExit) return false;
  const c = loop.node.condition;
  const wanted = loop.node.type === 'RepeatStatement' ? '==' : '~=';
  return c.type === 'BinaryExpression' && c.operator === wanted && (isZero(c.left) || isZero(c.right));
}

function isZero(e: lua.Expression): boolean {
  return (e.type === 'NumericLiteral' && e.value === 0) || (e.type === 'StringLiteral' && /^["']0["']$/.test(e.raw));
}
