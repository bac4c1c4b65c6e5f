import { keyPositions } from '../../redis/command-table.js';
import { displayName } from '../known-commands.js';
import { keyOrigin, type KeyOrigin } from '../values.js';
import type { Rule } from './rule.js';

const CONSEQUENCE =
  'Redis cannot see it before the script runs: in a cluster it may live on another node ' +
  '("Script attempted to access a non local key in a cluster node"), and ACL key patterns are not checked against it';

/** Every key a script touches should arrive in KEYS. */
export const keysFromKeysArray: Rule = {
  id: 'keys-from-keys-array',
  defaultSeverity: 'warning',
  description:
    'A key argument of redis.call that is not KEYS[i] (a literal, built from ARGV, concatenated, or read from a reply).',
  needsAst: true,
  check(ctx) {
    const a = ctx.analysis;
    for (const { command } of ctx.commands) {
      if (!command?.info) continue;
      for (const pos of keyPositions(command.info, command.args, command.open)) {
        const node = command.nodes[pos]!;
        const origin = keyOrigin(node, a);
        const what = describe(origin);
        if (!what) continue;
        ctx.report(
          { node },
          {
            message: `${displayName(command)} key ${what}: ${CONSEQUENCE}`,
            hint: hintFor(origin),
          },
        );
      }
      // The other way round: a KEYS entry used as a pattern is not a key.
      const pattern = patternArgument(command.name, command.args);
      if (pattern !== undefined && keyOrigin(command.nodes[pattern]!, a).kind === 'keys') {
        ctx.report(
          { node: command.nodes[pattern]! },
          {
            message: `A KEYS entry is used as the ${displayName(command)} pattern, not as a key: Redis and cluster clients hash every KEYS entry to route the script and check ACL key permissions, so a pattern there routes the call by the text of the pattern`,
            hint: 'Pass patterns in ARGV; KEYS is only for the names of keys the script reads or writes.',
          },
        );
      }
    }
  },
};

/** Index of the pattern argument of KEYS pattern / SCAN ... MATCH pattern, if any. */
function patternArgument(name: string, args: ReadonlyArray<{ literal?: string }>): number | undefined {
  if (name === 'keys') return args.length > 1 ? 1 : undefined;
  const firstOption = name === 'scan' ? 2 : name === 'sscan' || name === 'hscan' || name === 'zscan' ? 3 : 0;
  if (!firstOption) return undefined;
  for (let i = firstOption; i + 1 < args.length; i += 2) {
    if (args[i]!.literal?.toLowerCase() === 'match') return i + 1;
  }
  return undefined;
}

function describe(origin: KeyOrigin): string | undefined {
  switch (origin.kind) {
    case 'literal':
      return `"${origin.value}" is a literal, not KEYS[i]`;
    case 'argv':
      return 'comes from ARGV, not KEYS';
    case 'concat':
      return origin.fromKeys
        ? 'is built by concatenation from a KEYS entry, so it is not declared itself'
        : origin.fromArgv
          ? 'is built by concatenation from ARGV'
          : 'is built by concatenation, not passed in KEYS';
    case 'built':
      return `is built with ${origin.fn}, not passed in KEYS`;
    case 'reply':
      return 'is read from a Redis reply (SCAN, KEYS, SMEMBERS...), not passed in KEYS';
    default:
      return undefined;
  }
}

function hintFor(origin: KeyOrigin): string {
  const base = 'Pass every key the script touches in KEYS and let the caller build the names.';
  if (origin.kind === 'concat' && origin.fromKeys) {
    return `${base} A derived key only lands in the same cluster slot as KEYS[i] when KEYS[i] has a hash tag ({user:42}:cart and {user:42}:stock); declare it anyway.`;
  }
  if (origin.kind === 'reply') {
    return 'Keys found at run time cannot be declared: return them to the caller and act on them in a second call that passes them in KEYS, or keep such keys under one hash tag on a single node.';
  }
  return `${base} Keys that must be used together need one hash tag ({order:7}:items, {order:7}:total) to share a cluster slot.`;
}
