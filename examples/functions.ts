/**
 * The Functions library lua/toolkit.lua (lock_acquire, lock_release, counter_incr as one library)
 * called from application code by name, through the committed manifest: FCALL, never a library text
 * in the code. `rscript load` deploys the library to every primary first.
 * Run: rscript load && npx tsx examples/functions.ts
 */
import { randomUUID } from 'node:crypto';
import type { RedisClientType } from '@redis/client';
import { isMain, loadScripts, runExample } from './shared.js';

export async function main(client: RedisClientType, log: (line: string) => void = console.log) {
  const scripts = loadScripts();
  log(`functions in the manifest: ${scripts.functions().join(', ')}`);
  const key = `lock:functions-example:${process.pid}`;
  const counter = `counter:functions-example:${process.pid}`;
  const me = randomUUID();
  // `<library>.<function>`: the bare name lock_acquire is the EVAL script of the same name.
  const first = (await scripts.run(client, 'toolkit.lock_acquire', { keys: [key], args: [me, 2000] })) as [
    number,
    number,
  ];
  const second = (await scripts.run(client, 'toolkit.lock_acquire', { keys: [key], args: [randomUUID(), 2000] })) as [
    number,
    number,
  ];
  log(
    `acquire: ${first[0] === 1 ? 'held' : 'refused'}; a second owner: ${second[0] === 1 ? 'held (wrong!)' : `refused, ${second[1]} ms left`}`,
  );
  let count = 0;
  for (let i = 0; i < 3; i++)
    count = Number(await scripts.run(client, 'toolkit.counter_incr', { keys: [counter], args: [1] }));
  log(`counter = ${count}`);
  const released = Number(await scripts.run(client, 'toolkit.lock_release', { keys: [key], args: [me] }));
  log(`release by the owner: ${released === 1 ? 'released' : 'not held'}`);
  await client.sendCommand(['DEL', counter]);
  return { first, second, released, count };
}

if (isMain(import.meta.url)) await runExample(main);
