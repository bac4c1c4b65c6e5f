/**
 * Regenerates redis-commands.json from a live server's COMMAND reply.
 *
 *   npm run build && node dist/server/generate-command-table.js [redis-url] [--out file]
 *
 * The default URL is redis://127.0.0.1:6379 and the default output is src/redis/redis-commands.json
 * of this package. Run it against the oldest Redis the project supports, so that a command the
 * linter accepts exists on every supported server.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createClient } from '@redis/client';
import { UsageError } from '../errors.js';
import { buildCommandTable, serializeCommandTable, type CommandTable } from '../redis/command-table.js';

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

/** src/redis/redis-commands.json of this package, from dist/server/ (built) or src/server/ (source). */
export function defaultTablePath(): string {
  return fileURLToPath(new URL('../../src/redis/redis-commands.json', import.meta.url));
}

async function main(argv: string[]): Promise<void> {
  let url = 'redis://127.0.0.1:6379';
  let out = defaultTablePath();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--out') {
      const value = argv[++i];
      if (!value) throw new UsageError('--out needs a file name');
      out = value;
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option ${arg} (usage: generate-command-table [redis-url] [--out file])`);
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
  process.stderr.write(`${Object.keys(table.commands).length} commands from Redis ${table.redisVersion} written to ${out}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`generate-command-table: ${(err as Error).message}\n`);
    process.exitCode = 2;
  });
}
