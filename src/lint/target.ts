/**
 * The server a script must run on (`target` in the config, `--target`): it selects the command table
 * and the Lua API the linter checks against. The default is the oldest release the project supports,
 * Redis 7.0: a script that passes against it runs on every supported Redis and Valkey (Valkey forked
 * from Redis 7.2.4), so checking against 7.0 warns about anything a newer server alone would accept.
 *
 * Both tables are data read from real servers by generate-command-table.ts: redis/redis-commands.json is
 * Redis 7.0's COMMAND reply, redis/newer-commands.json what later Redis and Valkey releases add, with the
 * release that added each command (COMMAND DOCS `since`). A target's table is built once, on first use.
 */
import { ConfigError } from '../errors.js';
import type { CommandInfo, CommandTable, Flavour, NewerCommands } from '../redis/command-table.js';
import newer from '../redis/newer-commands.json' with { type: 'json' };
import base from '../redis/redis-commands.json' with { type: 'json' };
import { DEFAULT_TARGET, TARGETS } from './target-ids.js';

export type { Flavour } from '../redis/command-table.js';

export interface Target {
  /** `redis-7.0`, `valkey-8.1`. */
  id: string;
  flavour: Flavour;
  /** Major and minor release. */
  major: number;
  minor: number;
  /** `Redis 7.0`, `Valkey 8.1`: how messages name it. */
  label: string;
}

const BASE_TABLE = base as unknown as CommandTable;
const NEWER = newer as unknown as NewerCommands;

// The targets the tables cover: every release from the base on up to the newest server read, per
// flavour (Redis 7.2 and 7.4 come from Redis 8.0's `since`, Valkey 8.0 and 9.0 from 8.1 and 9.1's).
export { DEFAULT_TARGET, TARGETS } from './target-ids.js';

/** `redis-7.4` -> its Target; a ConfigError naming the known ones otherwise. */
export function parseTarget(id: string): Target {
  const m = /^(redis|valkey)-(\d+)\.(\d+)$/.exec(id.trim().toLowerCase());
  if (!m || !TARGETS.includes(`${m[1]}-${m[2]}.${m[3]}`)) {
    throw new ConfigError(`unknown target ${JSON.stringify(id)}`, [
      `Known targets: ${TARGETS.join(', ')} (default ${DEFAULT_TARGET}).`,
    ]);
  }
  const flavour = m[1] as Flavour;
  return {
    id: `${flavour}-${m[2]}.${m[3]}`,
    flavour,
    major: Number(m[2]),
    minor: Number(m[3]),
    label: `${flavour === 'redis' ? 'Redis' : 'Valkey'} ${m[2]}.${m[3]}`,
  };
}

export const DEFAULT: Target = parseTarget(DEFAULT_TARGET);

/** True when the target's release is `major.minor` or later (of its own flavour). */
export function atLeast(t: Target, major: number, minor: number): boolean {
  return t.major > major || (t.major === major && t.minor >= minor);
}

const tables = new Map<string, CommandTable>([[DEFAULT_TARGET, BASE_TABLE]]);

/** The commands the target has: the base, plus what newer releases of its flavour up to it added. */
export function commandTable(t: Target): CommandTable {
  let table = tables.get(t.id);
  if (table) return table;
  const commands: Record<string, CommandInfo> = { ...BASE_TABLE.commands };
  for (const [key, { info, since }] of Object.entries(NEWER.commands)) {
    const s = since[t.flavour];
    if (!s || !releasedBy(s, t)) continue;
    const space = key.indexOf(' ');
    if (space < 0) {
      commands[key] = info;
      continue;
    }
    const name = key.slice(0, space);
    const container = commands[name];
    if (!container) continue;
    commands[name] = { ...container, subcommands: { ...container.subcommands, [key.slice(space + 1)]: info } };
  }
  table = { redisVersion: t.label, commands };
  tables.set(t.id, table);
  return table;
}

/**
 * The first release (of any flavour, the target's first) that has a command the target lacks:
 * `Redis 7.4` for HEXPIRE on redis-7.0; undefined when no known release has it.
 */
export function addedIn(key: string, t: Target): string | undefined {
  const entry = Object.hasOwn(NEWER.commands, key) ? NEWER.commands[key] : undefined;
  if (!entry) return undefined;
  const own = entry.since[t.flavour];
  const other: Flavour = t.flavour === 'redis' ? 'valkey' : 'redis';
  const parts: string[] = [];
  if (own) parts.push(`${t.flavour === 'redis' ? 'Redis' : 'Valkey'} ${short(own)}`);
  const theirs = entry.since[other];
  if (theirs) parts.push(`${other === 'redis' ? 'Redis' : 'Valkey'} ${short(theirs)}`);
  return parts.length > 0 ? parts.join(' and ') : undefined;
}

function short(version: string): string {
  return version.replace(/\.0$/, '');
}

function releasedBy(since: string, t: Target): boolean {
  const [major = 0, minor = 0] = since.split('.').map(Number);
  return major < t.major || (major === t.major && minor <= t.minor);
}
