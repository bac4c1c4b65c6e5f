/**
 * The guide's stock purchase flow on lua/purchase_product.lua: never sells more than the stock.
 * Run: npx tsx examples/purchase.ts
 */
import type { RedisClientType } from '@redis/client';
import type { Scripts } from 'rscript';
import { isMain, loadScripts, runExample } from './shared.js';

export interface PurchaseResult {
  ok: boolean;
  /** Stock left after a sale, or the stock available when refused. */
  stock: number;
  quantity: number;
}

/** Keys of one product share a hash tag, so they live in one cluster slot. */
export async function purchase(
  client: RedisClientType,
  scripts: Scripts,
  product: string,
  user: string,
  quantity: number,
): Promise<PurchaseResult> {
  const [ok, stock, qty] = (await scripts.run(client, 'purchase_product', {
    keys: [`{product:${product}}:stock`, `{product:${product}}:sold`, `{product:${product}}:purchases:${user}`],
    args: [user, quantity, Math.floor(Date.now() / 1000)],
  })) as [number, number, number];
  return { ok: ok === 1, stock, quantity: qty };
}

/** Ten buyers want 3 laptops each from a stock of 20: six are served, the stock never goes below 0. */
export async function main(client: RedisClientType, log: (line: string) => void = console.log) {
  const scripts = loadScripts();
  const product = `laptop-${process.pid}`;
  await client.sendCommand(['SET', `{product:${product}}:stock`, '20']);
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) => purchase(client, scripts, product, `user${i}`, 3)),
  );
  results.forEach((r, i) =>
    log(`user${i}: ${r.ok ? `bought ${r.quantity}, ${r.stock} left` : `refused, only ${r.stock} left`}`),
  );
  const stock = Number(await client.sendCommand(['GET', `{product:${product}}:stock`]));
  const sold = Number(await client.sendCommand(['GET', `{product:${product}}:sold`]));
  log(`stock ${stock}, sold ${sold}`);
  const keys = [
    `{product:${product}}:stock`,
    `{product:${product}}:sold`,
    ...results.map((_, i) => `{product:${product}}:purchases:user${i}`),
  ];
  await client.sendCommand(['DEL', ...keys]);
  return { results, stock, sold };
}

if (isMain(import.meta.url)) await runExample(main);
