/**
 * What a spec file says, once read: the cases of one or more scripts, every expectation with the line
 * it was written on. Pure data; `parse.ts` builds it from YAML, `match.ts` checks replies against it.
 */

/** An expected reply (or part of one). Every variant carries the spec line it was written on. */
export type ReplyMatcher = { line: number } & (
  | { kind: 'integer'; value: number | string }
  | { kind: 'bulk string'; value: string }
  | { kind: 'status'; value: string }
  | { kind: 'double'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'big number'; value: string }
  | { kind: 'null' }
  | { kind: 'array'; items: ReplyMatcher[] }
  /** Members in any order. */
  | { kind: 'set'; items: ReplyMatcher[] }
  /** Fields in any order; a script's map keys are strings. */
  | { kind: 'map'; entries: Array<[string, ReplyMatcher]> }
  /** A flat array of field, value pairs in any order: a `{map = ...}` as RESP2 clients get it. */
  | { kind: 'pairs'; entries: Array<[string, ReplyMatcher]> }
  /** An error reply inside an array (`{1, redis.error_reply('ERR x')}`). */
  | { kind: 'error'; text: TextMatcher }
  | { kind: 'any' }
  /** Any value of this reply type (`{type: integer}`). */
  | { kind: 'type'; type: string }
  /** An integer (or a string of one) from min to max, both included. */
  | { kind: 'between'; min: number; max: number }
  /** A bulk string, status or verbatim string that the regular expression matches. */
  | { kind: 'pattern'; source: string; re: RegExp }
  /** Different replies under RESP2 and RESP3 (maps, sets, doubles and booleans differ). */
  | { kind: 'per protocol'; resp2: ReplyMatcher; resp3: ReplyMatcher }
);

/** An error's text: it starts with `prefix`, or the regular expression matches it. */
export type TextMatcher = { line: number } & (
  | { kind: 'prefix'; text: string }
  | { kind: 'pattern'; source: string; re: RegExp }
);

/** A string stored in the keyspace (a value, a hash field, a list item, a member). */
export type ValueMatcher = { line: number } & (
  | { kind: 'exact'; value: string }
  | { kind: 'pattern'; source: string; re: RegExp }
  | { kind: 'between'; min: number; max: number }
  | { kind: 'any' }
);

/** A range of seconds or milliseconds; `none` is a key without a TTL (TTL -1). */
export type TtlMatcher = { line: number; unit: 's' | 'ms' } & (
  | { kind: 'range'; min: number; max: number }
  | { kind: 'none' }
);

/** What one key must hold after the case. */
export type KeyExpectation = { key: string; line: number; ttl?: TtlMatcher } & (
  | { kind: 'absent' }
  | { kind: 'exists'; type?: string }
  | { kind: 'string'; value: ValueMatcher }
  /** `exact`: these fields and no others; else at least these. */
  | { kind: 'hash'; fields: Array<[string, ValueMatcher]>; exact: boolean }
  | { kind: 'list'; items: ValueMatcher[] }
  | { kind: 'set'; members: ValueMatcher[] }
  /** Members in rank order, with their scores. */
  | { kind: 'zset'; members: Array<[ValueMatcher, number]> }
);

/** A command of a setup: plain words, or a script call. */
export type SetupStep = { line: number } & (
  | { kind: 'command'; argv: string[] }
  | { kind: 'call'; call: Call }
  | { kind: 'sleep'; ms: number }
);

/** One script call. Keys and args may hold ${client}, ${call}, ${reply} and ${reply.N} (concurrency). */
export interface Call {
  /** The script as the spec names it (default: the spec's script). */
  script: string;
  keys: string[];
  args: string[];
  /** EVALSHA_RO instead of EVALSHA (`ro: true`): a script flagged no-writes, as replicas run it. */
  readOnly?: boolean;
  line: number;
}

/** One call of a case with what it must answer. */
export interface Step {
  /** A name for replies invariants (default: the script's name). */
  name: string;
  call: Call;
  reply?: ReplyMatcher;
  error?: TextMatcher;
  /** Concurrency only: run this step only when the previous step's reply matches. */
  when?: ReplyMatcher;
}

/** An invariant over the replies collected by a concurrent run. */
export interface RepliesInvariant {
  line: number;
  /** The step whose replies count. */
  step: string;
  /** The replies that count (default: all of them). */
  where?: ReplyMatcher;
  min?: number;
  max?: number;
}

export interface Concurrency {
  clients: number;
  calls: number;
  /** Run by each client in order, `calls` times. */
  steps: Step[];
  line: number;
}

export interface SpecCase {
  name: string;
  line: number;
  /** Under this protocol only; undefined runs under every protocol asked for. */
  resp?: 2 | 3;
  /** False: skipped on a cluster (a case about one node's whole keyspace, a SCAN). */
  cluster?: boolean;
  setup: SetupStep[];
  /** Sequential calls (`call` is one step). Empty for a concurrency case. */
  steps: Step[];
  concurrent?: Concurrency;
  replies: RepliesInvariant[];
  keyspace: KeyExpectation[];
  /** How many keys the keyspace holds afterwards (0: the call wrote nothing). */
  dbsize?: { count: number; line: number };
}

export interface SpecFile {
  /** As displayed: relative to the working directory. */
  path: string;
  absPath: string;
  /** The default script: named at the top, else the `.lua` beside the spec. */
  script: string;
  /** Setup run before every case's own. */
  setup: SetupStep[];
  cases: SpecCase[];
}
