#!/usr/bin/env node
/**
 * The floor of a Node client at -c 1 -P 1, for bench/compare: one socket, one call in flight, the
 * call pre-encoded with its __rand_int__ digits drawn per call (as rscript bench and redis-benchmark
 * -r do), replies decoded by node-redis's RESP decoder, the next call written from the reply's
 * callback. Nothing of rscript. Prints `{"ops":..,"p50":..,"p99":..}` (ms).
 *
 *   node bench/node-loop.mjs <port> <requests> <keyspace> EVALSHA <sha> <numkeys> <key or arg>...
 */
import { connect } from 'node:net';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Decoder } = require('@redis/client/dist/lib/RESP/decoder.js');

const [port, requests, keyspace, ...argv] = process.argv.slice(2);
const n = Number(requests);
const space = Number(keyspace);
const parts = argv.map((a) => a.split('__rand_int__'));
const encode = () => {
  let out = `*${argv.length}\r\n`;
  for (const p of parts) {
    let s = p[0];
    for (let i = 1; i < p.length; i++) s += String(1e12 + Math.floor(Math.random() * space)).slice(1) + p[i];
    out += `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  }
  return out;
};
const samples = new Float64Array(n);
let done = 0;
let started = 0;
let sentAt = 0;
const decoder = new Decoder({
  onReply: next,
  onErrorReply: (err) => {
    console.error(err.message);
    process.exit(1);
  },
  onPush: () => undefined,
  getTypeMapping: () => ({}),
});
const socket = connect({ host: '127.0.0.1', port: Number(port), noDelay: true }, () => {
  started = performance.now();
  sentAt = started;
  socket.write(encode());
});
socket.on('data', (chunk) => decoder.write(chunk));

function next() {
  const now = performance.now();
  samples[done++] = now - sentAt;
  if (done === n) {
    const elapsed = now - started;
    const sorted = samples.sort();
    const at = (q) => sorted[Math.min(n - 1, Math.floor(q * n))];
    process.stdout.write(JSON.stringify({ ops: (n / elapsed) * 1000, p50: at(0.5), p99: at(0.99) }) + '\n');
    socket.destroy();
    return;
  }
  sentAt = now;
  socket.write(encode());
}
