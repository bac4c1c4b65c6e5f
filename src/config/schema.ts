/**
 * Every configuration key, defined once: its type check, its default, and its description. The config
 * file, the environment and the flags all go through these definitions.
 */
import type { Severity } from '../lint/finding.js';
import { RULE_IDS } from '../lint/rule-ids.js';
import { DEFAULT_MANIFEST } from '../manifest/default-name.js';
import { DEFAULT_TARGET, TARGETS } from '../lint/target-ids.js';
import { nearest } from '../suggest.js';

/** A bench fixture: how to call one script in `rscript bench` (see the README). */
export interface BenchFixture {
  keys?: string[];
  args?: string[];
  /** Commands run once before the bench, e.g. [["SET", "stock", "100"]]. */
  setup?: string[][];
  requests?: number;
  /** Connections (`-c`); `concurrency`, its former name, is read as it. */
  connections?: number;
  concurrency?: number;
  budgetMs?: number;
}

export interface TlsConfig {
  /** CA certificate file (PEM) to verify the server with. */
  ca?: string;
  /** Client certificate and key (PEM), when the server asks for one. */
  cert?: string;
  key?: string;
  /** Skip certificate verification (never in production). */
  insecure?: boolean;
}

export interface Config {
  url: string;
  scripts: string[];
  /** The folder of included fragments (`--- @include`): not scripts themselves. */
  include: string;
  manifest: string;
  budgetMs: number;
  timeoutMs: number;
  cluster: boolean;
  redisServer: string;
  tls: TlsConfig;
  bench: Record<string, BenchFixture>;
  lint: { rules: Record<string, Severity>; target?: string; headers?: 'convention' | 'always' };
}

export const DEFAULTS: Config = {
  url: 'redis://127.0.0.1:6379',
  scripts: ['lua'],
  include: 'lua/include',
  manifest: DEFAULT_MANIFEST,
  budgetMs: 50,
  timeoutMs: 5000,
  cluster: false,
  redisServer: 'redis-server',
  tls: {},
  bench: {},
  lint: { rules: {} },
};

/** Thrown by a check with the offending key path (`bench.rate_limit.keys`) and what was expected. */
export class SchemaError extends Error {
  constructor(
    readonly key: string,
    expected: string,
  ) {
    super(`"${key}" ${expected}`);
  }
}

type Check<T> = (value: unknown, key: string) => T;

const string: Check<string> = (v, key) => {
  if (typeof v !== 'string' || v === '') throw new SchemaError(key, 'must be a non-empty string');
  return v;
};
const positive: Check<number> = (v, key) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new SchemaError(key, 'must be a positive number');
  return v;
};
const positiveInt: Check<number> = (v, key) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
    throw new SchemaError(key, 'must be a positive whole number');
  return v;
};
const boolean: Check<boolean> = (v, key) => {
  if (typeof v !== 'boolean') throw new SchemaError(key, 'must be true or false');
  return v;
};
const stringList: Check<string[]> = (v, key) => {
  if (typeof v === 'string' && v !== '') return [v];
  if (Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s !== '')) return v as string[];
  throw new SchemaError(key, 'must be a path or a non-empty list of paths');
};
const argList: Check<string[]> = (v, key) => {
  if (Array.isArray(v) && v.every((s) => typeof s === 'string' || typeof s === 'number')) return v.map(String);
  throw new SchemaError(key, 'must be a list of strings');
};

function record(v: unknown, key: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SchemaError(key, 'must be an object');
  return v as Record<string, unknown>;
}

function object<T>(fields: { [K in keyof T]-?: Check<T[K]> }): Check<T> {
  return (v, key) => {
    const input = record(v, key);
    const out: Partial<T> = {};
    for (const [name, value] of Object.entries(input)) {
      const check = Object.hasOwn(fields, name) ? (fields as Record<string, Check<unknown>>)[name] : undefined;
      if (!check)
        throw new SchemaError(
          `${key}.${name}`,
          `is not a known key${didYouMean(name, Object.keys(fields))} (known: ${Object.keys(fields).join(', ')})`,
        );
      if (value !== undefined) (out as Record<string, unknown>)[name] = check(value, `${key}.${name}`);
    }
    return out as T;
  };
}

const optional = <T>(check: Check<T>): Check<T | undefined> => check;

const fixture: Check<BenchFixture> = object<BenchFixture>({
  keys: optional(argList),
  args: optional(argList),
  setup: optional((v, key) => {
    if (
      Array.isArray(v) &&
      v.every((c) => Array.isArray(c) && c.length > 0 && c.every((s) => typeof s === 'string' || typeof s === 'number'))
    ) {
      return (v as unknown[][]).map((c) => c.map(String));
    }
    throw new SchemaError(key, 'must be a list of commands, each a list of strings: [["SET", "k", "1"]]');
  }),
  requests: optional(positiveInt),
  connections: optional(positiveInt),
  concurrency: optional(positiveInt),
  budgetMs: optional(positive),
});

const severity: Check<Severity> = (v, key) => {
  if (v === 'off' || v === 'warning' || v === 'error') return v;
  throw new SchemaError(key, 'must be "off", "warning" or "error"');
};

/** The checks of the top-level keys a config file may hold. */
export const CONFIG_KEYS: { [K in keyof Config]: { check: Check<Config[K]>; description: string } } = {
  url: { check: string, description: 'Redis URL: redis://[user:password@]host:port[/db] or rediss:// for TLS' },
  scripts: { check: stringList, description: 'folders or files holding the .lua scripts' },
  manifest: { check: string, description: 'the SHA manifest (lockfile) to write and read' },
  budgetMs: { check: positive, description: 'latency budget per script call for rscript bench, in ms' },
  timeoutMs: { check: positiveInt, description: 'connect and per-request timeout, in ms' },
  cluster: { check: boolean, description: 'treat the server as a Redis Cluster (detected by itself otherwise)' },
  redisServer: { check: string, description: 'redis-server binary used by --sandbox' },
  tls: {
    check: object<TlsConfig>({
      ca: optional(string),
      cert: optional(string),
      key: optional(string),
      insecure: optional(boolean),
    }),
    description: 'TLS files for rediss:// URLs: { ca, cert, key, insecure }',
  },
  bench: {
    check: (v, key) => {
      const out: Record<string, BenchFixture> = Object.create(null) as Record<string, BenchFixture>;
      for (const [name, f] of Object.entries(record(v, key))) out[name] = fixture(f, `${key}.${name}`);
      return out;
    },
    description: 'bench fixtures by script name: { keys, args, setup, requests, connections, budgetMs }',
  },
  lint: {
    check: (v, key) => {
      const input = object<{ rules: Record<string, unknown>; target: unknown; headers: unknown }>({
        rules: (r, k) => record(r, k),
        target: (t, k) => lintTarget(t, k),
        headers: (h, k) => {
          if (h !== 'convention' && h !== 'always')
            throw new SchemaError(k, `must be "convention" or "always", got ${JSON.stringify(h)}`);
          return h;
        },
      })(v, key);
      const rules: Record<string, Severity> = Object.create(null) as Record<string, Severity>;
      for (const [id, s] of Object.entries(input.rules ?? {})) {
        if (!RULE_IDS.includes(id))
          throw new SchemaError(
            `${key}.rules.${id}`,
            `is not a lint rule${didYouMean(id, RULE_IDS)} (rules: ${RULE_IDS.join(', ')})`,
          );
        rules[id] = severity(s, `${key}.rules.${id}`);
      }
      const out: Config['lint'] = { rules };
      if (input.target !== undefined) out.target = input.target as string;
      if (input.headers !== undefined) out.headers = input.headers as 'convention' | 'always';
      return out;
    },
    description:
      'lint settings: { rules: { "<rule-id>": "off" | "warning" | "error" }, target: "redis-7.0" | "redis-7.4" | "valkey-8.1" | ..., headers: "convention" | "always" }',
  },
  include: {
    check: string,
    description: 'the folder of the fragments scripts include with --- @include "path" (not scripts themselves)',
  },
};

/** `redis-7.4`, `valkey-8.1`: one of the targets the linter has tables for. */
export function lintTarget(v: unknown, key: string): string {
  const id = typeof v === 'string' ? v.trim().toLowerCase() : undefined;
  if (id === undefined || !TARGETS.includes(id)) {
    throw new SchemaError(
      key,
      `must be one of ${TARGETS.join(', ')} (default ${DEFAULT_TARGET}), got ${JSON.stringify(v)}${typeof v === 'string' ? didYouMean(v, TARGETS) : ''}`,
    );
  }
  return id;
}

/** Validates a parsed config file's object into a partial Config. */
export function validateConfig(input: unknown): Partial<Config> {
  const data = record(input, '(top level)');
  const out: Partial<Config> = {};
  for (const [key, value] of Object.entries(data)) {
    // JSON has no comments: "//" keys (and a "$schema") are notes for people, not settings.
    if (key.startsWith('//') || key === '$schema') continue;
    // Own keys only: "constructor" or "toString" are not settings, whatever Object.prototype holds.
    const def = Object.hasOwn(CONFIG_KEYS, key)
      ? (CONFIG_KEYS as Record<string, { check: Check<unknown> }>)[key]
      : undefined;
    if (!def)
      throw new SchemaError(
        key,
        `is not a known key${didYouMean(key, Object.keys(CONFIG_KEYS))} (known: ${Object.keys(CONFIG_KEYS).join(', ')})`,
      );
    if (value !== undefined) (out as Record<string, unknown>)[key] = def.check(value, key);
  }
  return out;
}

/** `; did you mean "url"?` for the known name within two edits of a mistyped one (of 3 letters or more), or nothing. */
function didYouMean(name: string, known: readonly string[]): string {
  const near = name.length < 3 ? undefined : nearest(name, known);
  return near === undefined ? '' : `; did you mean "${near}"?`;
}
