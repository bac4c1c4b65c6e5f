/** What every example shares: the committed manifest's scripts and a client for REDIS_URL. */
import { fileURLToPath } from 'node:url';
import { createClient, type RedisClientType } from '@redis/client';
import { Scripts } from 'rscript';

/** The repository's lockfile: `rscript load` writes it, CI checks it with `rscript load --check`. */
export const MANIFEST = fileURLToPath(new URL('../rscript.lock.json', import.meta.url));

/** The manifest's scripts, read once at start-up. */
export function loadScripts(): Scripts {
  return Scripts.fromManifest(MANIFEST);
}

export async function connectFromEnv(): Promise<RedisClientType> {
  // No reconnection: without a server, connect() fails at once instead of retrying for ever.
  const client = createClient({
    url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    socket: { reconnectStrategy: false, connectTimeout: 5000 },
  }) as RedisClientType;
  client.on('error', () => undefined); // connect() rejects with the error; nothing else to report
  await client.connect();
  return client;
}

/** True when the module is the program being run (`npx tsx examples/x.ts`), not imported by a test. */
export function isMain(importMetaUrl: string): boolean {
  return process.argv[1] !== undefined && fileURLToPath(importMetaUrl) === process.argv[1];
}

/** Runs an example's main with a client from REDIS_URL and a clear message when Redis is not there. */
export async function runExample(main: (client: RedisClientType) => Promise<unknown>): Promise<void> {
  let client: RedisClientType;
  try {
    client = await connectFromEnv();
  } catch (err) {
    console.error(`cannot connect to Redis (${(err as Error).message}); start one or set REDIS_URL`);
    process.exitCode = 2;
    return;
  }
  try {
    await main(client);
  } finally {
    client.destroy();
  }
}
