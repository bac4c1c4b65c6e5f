/**
 * A priority queue worker on lua/queue/priority_push.lua and lua/queue/priority_pop.lua:
 * the most urgent items first, oldest first within a priority.
 * Run: npx tsx examples/queue-worker.ts
 */
import type { RedisClientType } from '@redis/client';
import { queuePriorityPop, queuePriorityPush } from './scripts.gen.js';
import { isMain, runExample } from './shared.js';

export class PriorityQueue {
  private readonly keys: { queue: string; items: string; seq: string; stats: string };

  constructor(
    private readonly client: RedisClientType,
    name: string,
  ) {
    // One hash tag: the four keys live in one cluster slot.
    this.keys = { queue: `{${name}}:queue`, items: `{${name}}:items`, seq: `{${name}}:seq`, stats: `{${name}}:stats` };
  }

  async push(priority: number, data: string): Promise<string> {
    const { queue, items, seq, stats } = this.keys;
    // Typed from the scripts' headers by `rscript gen ts` (examples/scripts.gen.ts).
    const [id] = await queuePriorityPush(this.client, {
      keys: { queue, itemPayloads: items, idSequence: seq, statistics: stats },
      args: { priority, itemData: data },
    });
    return id;
  }

  async pop(count = 1): Promise<Array<{ id: string; data: string; priority: number }>> {
    const { queue, items, stats } = this.keys;
    const popped = await queuePriorityPop(this.client, {
      keys: { queue, itemPayloads: items, statistics: stats },
      args: { howManyItems: count },
    });
    return popped.map(([id, data, priority]) => ({ id, data, priority }));
  }

  async clear(): Promise<void> {
    await this.client.sendCommand(['DEL', ...Object.values(this.keys)]);
  }
}

/** Pushes six jobs with mixed priorities, then a worker takes them two at a time. */
export async function main(client: RedisClientType, log: (line: string) => void = console.log) {
  const queue = new PriorityQueue(client, `jobs-${process.pid}`);
  const jobs: Array<[number, string]> = [
    [5, 'send newsletter'],
    [0, 'charge card'],
    [5, 'resize image'],
    [1, 'send receipt'],
    [0, 'refund'],
    [9, 'clean cache'],
  ];
  for (const [priority, data] of jobs) await queue.push(priority, data);
  const done: string[] = [];
  for (let batch = await queue.pop(2); batch.length > 0; batch = await queue.pop(2)) {
    for (const job of batch) {
      log(`worker: [p${job.priority}] ${job.data}`);
      done.push(job.data);
    }
  }
  await queue.clear();
  return { done };
}

if (isMain(import.meta.url)) await runExample(main);
