/**
 * The Redis command table the linter checks `redis.call` against: built from a live server's
 * `COMMAND` reply (see generate-command-table.ts), shipped as redis-commands.json, and used to find
 * which arguments of a call are keys. Pure data in, data out.
 */

/** Where a key spec starts looking for keys (COMMAND's `begin_search`). */
export type BeginSearch = { index: number } | { keyword: string; startfrom: number } | { unknown: true };

/** How a key spec finds the keys after the start (COMMAND's `find_keys`). */
export type FindKeys =
  | { range: [lastkey: number, keystep: number, limit: number] }
  | { keynum: [keynumidx: number, firstkey: number, keystep: number] }
  | { unknown: true };

export interface KeySpec {
  bs: BeginSearch;
  fk: FindKeys;
}

/** One command (or one subcommand of a container command) as the table stores it. */
export interface CommandInfo {
  /** Positive: exact argument count (command name included); negative: at least that many. */
  arity: number;
  /** COMMAND's flags, sorted (`write`, `readonly`, `noscript`, `movablekeys`, ...). */
  flags: string[];
  firstKey: number;
  lastKey: number;
  step: number;
  /** Redis 7 key specs, in the server's order; absent when the command takes no keys. */
  keySpecs?: KeySpec[];
  /** Present only on container commands (OBJECT, XINFO, ...): subcommand name (lowercase) -> info. */
  subcommands?: Record<string, CommandInfo>;
}

export interface CommandTable {
  /** `redis_version` of the server the table was read from. */
  redisVersion: string;
  /** Lowercase command name -> info, sorted by name. */
  commands: Record<string, CommandInfo>;
}

export type Flavour = 'redis' | 'valkey';

/** What newer servers add to the base table (newer-commands.json; see lint/target.ts). */
export interface NewerCommands {
  /** The servers read, `redis-8.0.2` -> true. */
  servers: Record<string, true>;
  /** `hexpire` or a subcommand as `client no-touch` -> its COMMAND entry and, per flavour, the release that added it. */
  commands: Record<string, { info: CommandInfo; since: Partial<Record<Flavour, string>> }>;
}

/**
 * Builds the table from a `COMMAND` reply, as node-redis returns it under RESP3 (maps as objects)
 * or RESP2 (maps as flat arrays).
 * @see https://redis.io/commands/command/
 */
export function buildCommandTable(reply: unknown, redisVersion: string): CommandTable {
  if (!Array.isArray(reply)) throw new TypeError('COMMAND: expected an array reply');
  const commands: Record<string, CommandInfo> = {};
  for (const entry of reply) {
    const [name, info] = readCommand(entry);
    commands[name] = info;
  }
  return { redisVersion, commands: sortRecord(commands) };
}

function readCommand(entry: unknown): [string, CommandInfo] {
  if (!Array.isArray(entry) || entry.length < 6) throw new TypeError('COMMAND: malformed command entry');
  const [name, arity, flags, firstKey, lastKey, step] = entry as unknown[];
  const info: CommandInfo = {
    arity: toInt(arity),
    flags: toStringList(flags).sort(),
    firstKey: toInt(firstKey),
    lastKey: toInt(lastKey),
    step: toInt(step),
  };
  // Indexes 8 and 9 exist from Redis 7.0 on: key specs, then subcommands.
  const specs = Array.isArray(entry[8]) ? entry[8].map(readKeySpec) : [];
  if (specs.length > 0) info.keySpecs = specs;
  const subs = Array.isArray(entry[9]) ? entry[9] : [];
  if (subs.length > 0) {
    const subcommands: Record<string, CommandInfo> = {};
    for (const sub of subs) {
      const [fullName, subInfo] = readCommand(sub);
      // Subcommands are named `container|sub`.
      subcommands[fullName.slice(fullName.indexOf('|') + 1)] = subInfo;
    }
    info.subcommands = sortRecord(subcommands);
  }
  return [String(name).toLowerCase(), info];
}

function readKeySpec(raw: unknown): KeySpec {
  const spec = toRecord(raw);
  const bs = toRecord(spec.begin_search);
  const fk = toRecord(spec.find_keys);
  const bsSpec = toRecord(bs.spec);
  const fkSpec = toRecord(fk.spec);
  let begin: BeginSearch = { unknown: true };
  if (bs.type === 'index') begin = { index: toInt(bsSpec.index) };
  else if (bs.type === 'keyword') begin = { keyword: String(bsSpec.keyword), startfrom: toInt(bsSpec.startfrom) };
  let find: FindKeys = { unknown: true };
  if (fk.type === 'range') find = { range: [toInt(fkSpec.lastkey), toInt(fkSpec.keystep), toInt(fkSpec.limit)] };
  else if (fk.type === 'keynum') {
    find = { keynum: [toInt(fkSpec.keynumidx), toInt(fkSpec.firstkey), toInt(fkSpec.keystep)] };
  }
  return { bs: begin, fk: find };
}

/** RESP3 maps arrive as objects (or Maps), RESP2 maps as `[k1, v1, k2, v2, ...]`. */
function toRecord(value: unknown): Record<string, unknown> {
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), v]));
  if (Array.isArray(value)) {
    const out: Record<string, unknown> = {};
    for (let i = 0; i + 1 < value.length; i += 2) out[String(value[i])] = value[i + 1];
    return out;
  }
  if (typeof value === 'object' && value !== null) return value as Record<string, unknown>;
  return {};
}

function toInt(value: unknown): number {
  const n = typeof value === 'bigint' ? Number(value) : Number(String(value));
  if (!Number.isInteger(n)) throw new TypeError(`COMMAND: expected an integer, got ${String(value)}`);
  return n;
}

function toStringList(value: unknown): string[] {
  if (value instanceof Set) return [...value].map(String);
  return Array.isArray(value) ? value.map(String) : [];
}

function sortRecord<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key]!;
  return out;
}

/** Deterministic JSON: one command per line, so a regenerated table diffs line by line. */
export function serializeCommandTable(table: CommandTable): string {
  const lines = Object.keys(table.commands)
    .sort()
    .map((name) => `    ${JSON.stringify(name)}: ${JSON.stringify(table.commands[name])}`);
  return `{\n  "redisVersion": ${JSON.stringify(table.redisVersion)},\n  "commands": {\n${lines.join(',\n')}\n  }\n}\n`;
}

/** One argument of a call as the linter sees it: its literal text when it is a constant. */
export interface CallArg {
  literal?: string;
}

/**
 * Indexes (into `args`, where `args[0]` is the command name) of the arguments the server would treat
 * as keys, following Redis's own key-spec walk (getKeysUsingKeySpecs). `open` means more arguments
 * may follow at run time (a trailing `unpack(...)`): positions that depend on the end are skipped.
 * Positions that cannot be known statically (a non-literal numkeys) are skipped too: the linter
 * prefers saying nothing to guessing.
 */
export function keyPositions(info: CommandInfo, args: readonly CallArg[], open: boolean): number[] {
  const argc = args.length;
  const found = new Set<number>();
  if (!info.keySpecs) {
    // Legacy triple, for tables read from servers without key specs.
    if (info.firstKey <= 0) return [];
    if (info.lastKey < 0 && open) return [];
    const last = info.lastKey < 0 ? argc + info.lastKey : info.lastKey;
    for (let i = info.firstKey; i <= last && i < argc; i += Math.max(1, info.step)) found.add(i);
    return [...found].sort((a, b) => a - b);
  }
  for (const spec of info.keySpecs) {
    let first: number;
    if ('index' in spec.bs) {
      first = spec.bs.index;
    } else if ('keyword' in spec.bs) {
      const { keyword, startfrom } = spec.bs;
      if (startfrom < 0 && open) continue;
      const start = startfrom > 0 ? startfrom : argc + startfrom;
      const end = startfrom > 0 ? argc - 1 : 1;
      const dir = start <= end ? 1 : -1;
      first = 0;
      for (let i = start; i !== end + dir; i += dir) {
        if (i >= argc || i < 1) break;
        if (args[i]!.literal?.toLowerCase() === keyword.toLowerCase()) {
          first = i + 1;
          break;
        }
      }
      if (!first) continue;
    } else {
      continue;
    }
    let last: number;
    let step: number;
    if ('range' in spec.fk) {
      const [lastkey, keystep, limit] = spec.fk.range;
      step = keystep;
      if (lastkey >= 0) last = first + lastkey;
      else if (open) {
        // Only "up to the last argument" survives not knowing where the arguments end.
        if (lastkey !== -1 || limit) continue;
        last = argc - 1;
      } else if (!limit) last = argc + lastkey;
      else last = first + (Math.floor((argc - first) / limit) + lastkey);
    } else if ('keynum' in spec.fk) {
      const [keynumidx, firstkey, keystep] = spec.fk.keynum;
      step = keystep;
      const numkeys = Number(args[first + keynumidx]?.literal);
      if (!Number.isInteger(numkeys) || numkeys < 0) continue;
      first += firstkey;
      last = first + numkeys - 1;
    } else {
      continue;
    }
    for (let i = first; i <= last && i < argc; i += Math.max(1, step)) found.add(i);
  }
  return [...found].sort((a, b) => a - b);
}
