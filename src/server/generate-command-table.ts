/**
 * Regenerates the linter's command tables from live servers.
 *
 *   npm run build && node dist/server/generate-command-table.js [redis-url] [--out file]
 *       [--newer url ... --newer-out file]
 *
 * The first URL (default redis://127.0.0.1:6379) is the oldest Redis the project supports: its
 * COMMAND reply becomes src/redis/redis-commands.json, the table of the default target. Each
 * `--newer` server (newer Redis and Valkey releases) adds the commands and subcommands the base
 * lacks, with the release that added them from COMMAND DOCS `since`, to src/redis/newer-commands.json:
 * `--target` then selects the ones its release has (so Redis 8.0's table also gives 7.2 and 7.4).
 * The newer servers come from scripts/build-server.sh; test/lint/targets.test.ts checks the shipped
 * files against them.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createClient } from '@redis/client';
import { UsageError } from '../errors.js';
import {
  buildCommandTable,
  serializeCommandTable,
  type CommandInfo,
  type CommandTable,
  type NewerCommands,
} from '../redis/command-table.js';

/**
 * Reads COMMAND and the server's version.
 * @see https://redis.io/commands/command/
 */
export async function generateCommandTable(url: string): Promise<CommandTable> {
  const client = createClient({ url, socket: { connectTimeout: 5000, reconnectStrategy: false } });
  client.on('error', () => {
    // Reported by the rejected command or connect() below.
  });
  await client.connect();
  try {
    const reply = await client.sendCommand(['COMMAND']);
    const info = String(await client.sendCommand(['INFO', 'server']));
    const version = /^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown';
    return buildCommandTable(reply, version);
  } finally {
    await client.close();
  }
}

/** One server's COMMAND table, its flavour and version, and each command's `since` from COMMAND DOCS. */
export async function readServer(
  url: string,
): Promise<{ flavour: 'redis' | 'valkey'; version: string; table: CommandTable; since: Map<string, string> }> {
  const client = createClient({ url, socket: { connectTimeout: 5000, reconnectStrategy: false } });
  client.on('error', () => {
    // Reported by the rejected command or connect() below.
  });
  await client.connect();
  try {
    const info = String(await client.sendCommand(['INFO', 'server']));
    const valkey = /^valkey_version:(\S+)/m.exec(info)?.[1];
    const version = valkey ?? /^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown';
    const table = buildCommandTable(await client.sendCommand(['COMMAND']), version);
    const since = new Map<string, string>();
    const docs = pairs(await client.sendCommand(['COMMAND', 'DOCS']));
    for (const [name, doc] of docs) {
      const d = Object.fromEntries(pairs(doc));
      if (typeof d.since === 'string') since.set(String(name).toLowerCase(), d.since);
      for (const [sub, subDoc] of pairs(d.subcommands)) {
        const s = Object.fromEntries(pairs(subDoc));
        if (typeof s.since === 'string') since.set(String(sub).toLowerCase().replace('|', ' '), s.since);
      }
    }
    return { flavour: valkey ? 'valkey' : 'redis', version, table, since };
  } finally {
    await client.close();
  }
}

/** RESP2 maps as `[k, v, k, v]`, RESP3 ones as objects or Maps: [k, v] pairs. */
function pairs(value: unknown): Array<[string, unknown]> {
  if (value instanceof Map) return [...value].map(([k, v]) => [String(k), v]);
  if (Array.isArray(value)) {
    const out: Array<[string, unknown]> = [];
    for (let i = 0; i + 1 < value.length; i += 2) out.push([String(value[i]), value[i + 1]]);
    return out;
  }
  if (typeof value === 'object' && value !== null) return Object.entries(value);
  return [];
}

/**
 * What newer servers add to the base table: each command or subcommand missing from the base, with
 * its COMMAND entry (the newest server's) and, per flavour, the release that added it.
 */
export function newerCommands(
  base: CommandTable,
  servers: ReadonlyArray<Awaited<ReturnType<typeof readServer>>>,
): NewerCommands {
  const out: NewerCommands = { servers: {}, commands: {} };
  const sorted = [...servers].sort((a, b) => compareVersions(a.version, b.version));
  for (const s of sorted) {
    out.servers[`${s.flavour}-${s.version}`] = true;
    const add = (key: string, info: CommandInfo): void => {
      const since = s.since.get(key);
      if (!since) return;
      const entry = (out.commands[key] ??= { info, since: {} });
      entry.info = info;
      entry.since[s.flavour] = since;
    };
    for (const [name, info] of Object.entries(s.table.commands)) {
      const known = base.commands[name];
      if (!known) {
        const { subcommands: _, ...plain } = info;
        add(name, plain);
      }
      for (const [sub, subInfo] of Object.entries(info.subcommands ?? {})) {
        if (!known?.subcommands?.[sub]) add(`${name} ${sub}`, subInfo);
      }
    }
  }
  const commands: NewerCommands['commands'] = {};
  for (const key of Object.keys(out.commands).sort()) commands[key] = out.commands[key]!;
  return { servers: out.servers, commands };
}

export function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** One command per line, as the base table. */
export function serializeNewer(n: NewerCommands): string {
  const lines = Object.keys(n.commands).map((k) => `    ${JSON.stringify(k)}: ${JSON.stringify(n.commands[k])}`);
  return `{\n  "servers": ${JSON.stringify(n.servers)},\n  "commands": {\n${lines.join(',\n')}\n  }\n}\n`;
}

/** src/redis/redis-commands.json of this package, from dist/server/ (built) or src/server/ (source). */
export function defaultTablePath(): string {
  return fileURLToPath(new URL('../../src/redis/redis-commands.json', import.meta.url));
}

async function main(argv: string[]): Promise<void> {
  let url = 'redis://127.0.0.1:6379';
  let out = defaultTablePath();
  let newerOut = fileURLToPath(new URL('../../src/redis/newer-commands.json', import.meta.url));
  const newer: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--out' || arg === '--newer' || arg === '--newer-out') {
      const value = argv[++i];
      if (!value) throw new UsageError(`${arg} needs a value`);
      if (arg === '--out') out = value;
      else if (arg === '--newer') newer.push(value);
      else newerOut = value;
    } else if (arg.startsWith('-')) {
      throw new UsageError(
        `unknown option ${arg} (usage: generate-command-table [redis-url] [--out file] [--newer url ...] [--newer-out file])`,
      );
    } else {
      url = arg;
    }
  }
  let table: CommandTable;
  try {
    table = await generateCommandTable(url);
  } catch (err) {
    throw new UsageError(`cannot read COMMAND from ${url}: ${(err as Error).message}`);
  }
  writeFileSync(out, serializeCommandTable(table));
  process.stderr.write(
    `${Object.keys(table.commands).length} commands from Redis ${table.redisVersion} written to ${out}\n`,
  );
  if (newer.length === 0) return;
  const servers = [];
  for (const u of newer) {
    try {
      servers.push(await readServer(u));
    } catch (err) {
      throw new UsageError(`cannot read COMMAND from ${u}: ${(err as Error).message}`);
    }
  }
  const added = newerCommands(table, servers);
  writeFileSync(newerOut, serializeNewer(added));
  process.stderr.write(
    `${Object.keys(added.commands).length} newer commands from ${Object.keys(added.servers).join(', ')} written to ${newerOut}\n`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`generate-command-table: ${(err as Error).message}\n`);
    process.exitCode = 2;
  });
}
