/**
 * The socket under a RedisConnection: one TCP or TLS connection, RESP3, requests answered in order.
 * Replies are decoded by node-redis's own RESP3 decoder, so they arrive with exactly the types node-redis
 * gives them (strings, numbers, BigInt, Map/Set or objects per type mapping) and error replies as its
 * ErrorReply; socket failures use node-redis's error classes too. connection.ts loads this module on
 * the first connect, so a command that never talks to Redis never loads it.
 *
 * Why not node-redis's client: importing @redis/client costs 40-50 ms per process (some 480 modules,
 * every command module included), and createClient() another 40-50 ms to attach some 800 command
 * methods: together more than everything else `rscript exists` does. rscript sends plain command
 * arrays, pipelined, with its own deadlines and no reconnection; that needs a socket, a queue and the
 * decoder. The decoder and the error classes are imported from @redis/client's dist files, below its
 * documented entry point, so the dependency is pinned to one version (6.3.1).
 */
import { connect as netConnect, type Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { TypeMapping } from '@redis/client';
import { Decoder } from '@redis/client/dist/lib/RESP/decoder.js';
import {
  ClientClosedError,
  DisconnectsClientError,
  ErrorReply,
  SocketClosedUnexpectedlyError,
} from '@redis/client/dist/lib/errors.js';
import { importModule } from '../import-module.js';

export type RespArg = string | Buffer;

/** node-redis's error classes, for `instanceof` where the bundle's minified names cannot be read. */
export { ClientClosedError, DisconnectsClientError, ErrorReply, SocketClosedUnexpectedlyError };

export interface RespClientOptions {
  host: string;
  port: number;
  /** TLS options (`servername`, `ca`, `cert`, `key`, `rejectUnauthorized`); absent for plain TCP. */
  tls?: ConnectionOptions;
  username?: string;
  password?: string;
  /** SELECTed after the handshake when given. */
  database?: number;
  /** The protocol asked for by the handshake's HELLO (default 3). */
  protocol?: 2 | 3;
}

/** What waits for replies: one command (`left` 1), or a batch of pre-encoded commands. */
interface Pending {
  /** Replies still to come. */
  left: number;
  resolve(reply: unknown): void;
  reject(err: Error): void;
  typeMapping?: TypeMapping;
  /** The reads made while this reply was the next one due, when they are kept (`sendCommandTwice`). */
  bytes?: Buffer[];
}

/**
 * Called once per batch (`sendEncoded`), when its last reply is in or the connection failed: the
 * replies that were not errors, the error replies, and the first failure (an error reply, else the
 * socket's).
 */
export type BatchDone = (ok: number, errorReplies: number, firstError: Error | undefined) => void;

class BatchPending implements Pending {
  ok = 0;
  errorReplies = 0;
  firstError: Error | undefined;

  constructor(
    public left: number,
    private readonly done: BatchDone,
    private readonly describe: (err: Error) => Error,
  ) {}

  resolve(): void {
    this.ok++;
    if (this.left === 0) this.end();
  }

  reject(err: Error): void {
    if (!(err instanceof ErrorReply)) {
      // The connection failed: the batch ends now, with what it got.
      this.left = 0;
      this.firstError ??= err;
    } else {
      this.errorReplies++;
      this.firstError ??= err;
    }
    if (this.left === 0) this.end();
  }

  private end(): void {
    this.done(this.ok, this.errorReplies, this.firstError === undefined ? undefined : this.describe(this.firstError));
  }
}

const asIs = (err: Error) => err;

const NO_TYPE_MAPPING: TypeMapping = Object.freeze({});

/**
 * One connection. `connect()` opens the socket and sends `HELLO 3` (with AUTH when there is a password)
 * and SELECT; `sendCommand()` queues a request, and every request made in the same tick goes out in one
 * socket write. A failure rejects every request waiting for its reply; there is no reconnection.
 */
export class RespClient {
  readonly #options: RespClientOptions;
  #socket: Socket | undefined;
  #open = false;
  /** Requests sent and waiting for their replies, oldest first (`#head` is the next to answer). */
  #waiting: Pending[] = [];
  #head = 0;
  /** Encoded requests not yet written: written together, in one buffer, on the next tick. */
  #unwritten: RespArg[] = [];
  #errorListeners: Array<(err: Error) => void> = [];
  #failed = false;
  /** True while a socket read is being decoded: requests made then are written when it ends. */
  #decoding = false;
  /** Rejects a `connect()` still waiting for the socket (a `destroy()` on its deadline). */
  #abortConnect: ((err: Error) => void) | undefined;
  readonly #decoder = new Decoder({
    onReply: (reply: unknown) => this.#next()?.resolve(reply),
    onErrorReply: (err: Error) => this.#next()?.reject(err),
    // RESP3 pushes (client tracking, pub/sub) are never asked for.
    onPush: () => undefined,
    getTypeMapping: () => this.#waiting[this.#head]?.typeMapping ?? NO_TYPE_MAPPING,
  });

  #hello: unknown;
  #socketConnected = false;

  constructor(options: RespClientOptions) {
    this.#options = options;
  }

  /** The server's reply to the handshake's HELLO 3 (server, version, mode, role...). */
  get hello(): unknown {
    return this.#hello;
  }

  /**
   * True once the socket (and TLS session) is up, though the handshake may still wait for its answer:
   * a server running a script answers nothing before busy-reply-threshold, but its socket accepts.
   */
  get socketConnected(): boolean {
    return this.#socketConnected;
  }

  /** True from `connect()` until the socket fails or `destroy()` is called. */
  get isOpen(): boolean {
    return this.#open;
  }

  /** Calls `listener` with the first socket failure (node-redis's `error` event). */
  onError(listener: (err: Error) => void): this {
    this.#errorListeners.push(listener);
    return this;
  }

  /** Opens the socket (and the TLS session) and runs the handshake; rejects with the first failure. */
  async connect(): Promise<this> {
    const { host, port, tls } = this.#options;
    this.#open = true;
    // Loaded only for rediss://: node:tls takes longer to load than the rest of this module.
    const tlsConnect = tls ? (await importModule<typeof import('node:tls')>('node:tls')).connect : undefined;
    if (!this.#open) throw new DisconnectsClientError();
    await new Promise<void>((resolve, reject) => {
      this.#abortConnect = reject;
      // Reads land in one buffer, handed to a callback (no readable stream, no Buffer allocated per
      // read: 7 % more round trips a second at -c 1). The decoder keeps views of what it is given
      // (a reply split over two reads, Buffer replies), so it gets a copy of the bytes read.
      const onread = {
        buffer: Buffer.allocUnsafe(64 * 1024),
        callback: (nread: number, buffer: Buffer): boolean => {
          try {
            this.#decoding = true;
            const chunk = Buffer.from(buffer.subarray(0, nread));
            this.#waiting[this.#head]?.bytes?.push(chunk);
            this.#decoder.write(chunk);
            this.#decoding = false;
            // Requests made by the reply callbacks (a bench's next calls) go out now, in one write.
            if (this.#unwritten.length > 0) this.#write();
          } catch (err) {
            this.#decoding = false;
            // Bytes that are not RESP ("Unknown RESP type"): something else listens there. Nothing
            // after them can be trusted, so the connection ends with that error.
            this.#fail(err as Error);
            socket.destroy();
            reject(err);
          }
          return true;
        },
      };
      // tls.connect takes onread too (the TLS tests run through it), though @types/node does not say so.
      const socket = tlsConnect
        ? tlsConnect({ ...tls, host, port, onread } as ConnectionOptions)
        : netConnect({ host, port, onread });
      this.#socket = socket;
      // Requests are small and answered one by one: Nagle's delay would only add latency.
      socket.setNoDelay(true);
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        socket.off('error', reject);
        this.#abortConnect = undefined;
        this.#socketConnected = true;
        resolve();
      });
      socket.once('error', reject);
      socket.on('error', (err: Error) => this.#fail(err));
      socket.on('close', () => this.#fail(new SocketClosedUnexpectedlyError()));
    });
    const { username, password, database } = this.#options;
    // HELLO 3 switches to RESP3 and authenticates in the same round trip (HELLO 2: `rscript test --resp 2`).
    const protocol = String(this.#options.protocol ?? 3);
    this.#hello = await this.sendCommand(
      password ? ['HELLO', protocol, 'AUTH', username ?? 'default', password] : ['HELLO', protocol],
    );
    if (database) await this.sendCommand(['SELECT', String(database)]);
    return this;
  }

  /** Sends one command; resolves with its decoded reply, rejects with an ErrorReply or the socket's failure. */
  sendCommand(args: readonly RespArg[], options?: { typeMapping?: TypeMapping }): Promise<unknown> {
    if (!this.#open || !this.#socket) return Promise.reject(new ClientClosedError());
    return new Promise((resolve, reject) => {
      this.#waiting.push({ left: 1, resolve, reject, typeMapping: options?.typeMapping });
      this.#schedule();
      encodeCommand(args, this.#unwritten);
    });
  }

  /**
   * `sendCommand`, and the same reply decoded a second time with `again`, from the bytes the server
   * sent: for what one type mapping cannot tell (an integer's digits past 2^53 need integers as
   * strings, which a status reply also is). `again` is undefined when the bytes are unknown: they
   * are kept only when no other reply was due as the command was sent, so that its reply starts a read.
   * `exec`, the one caller, sends one command at a time; a caller that pipelines gets `again`
   * undefined, and so node-redis's rounded integers, for every reply but the first.
   */
  sendCommandTwice(
    args: readonly RespArg[],
    typeMapping: TypeMapping,
    again: TypeMapping,
  ): Promise<{ reply: unknown; again?: unknown }> {
    if (!this.#open || !this.#socket) return Promise.reject(new ClientClosedError());
    return new Promise((resolve, reject) => {
      const bytes = this.#head === this.#waiting.length ? [] : undefined;
      const done = (reply: unknown) => resolve({ reply, again: bytes && decodeFirst(Buffer.concat(bytes), again) });
      this.#waiting.push({ left: 1, resolve: done, reject, typeMapping, bytes });
      this.#schedule();
      encodeCommand(args, this.#unwritten);
    });
  }

  /**
   * Sends `count` commands already encoded as RESP (`payload`, see `encodeCommand`) and calls `done`
   * once, when the last of their replies is in: the bench's path, without a promise per command.
   * Never throws: a closed connection calls `done` (on the next tick) with ClientClosedError. The
   * first failure is passed through `describe` (made once by the caller, not per batch).
   */
  sendEncoded(payload: RespArg, count: number, done: BatchDone, describe: (err: Error) => Error = asIs): void {
    if (!this.#open || !this.#socket) {
      process.nextTick(done, 0, 0, describe(new ClientClosedError()));
      return;
    }
    this.#waiting.push(new BatchPending(count, done, describe));
    this.#schedule();
    this.#unwritten.push(payload);
  }

  /** Requests queued now are written on the next tick, or at the end of the read being decoded. */
  #schedule(): void {
    if (this.#unwritten.length === 0 && !this.#decoding) process.nextTick(() => this.#write());
  }

  /** Closes the socket at once; requests still waiting are rejected. */
  destroy(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#abortConnect?.(new DisconnectsClientError());
    this.#rejectWaiting(new DisconnectsClientError());
    this.#socket?.destroy();
  }

  #write(): void {
    const socket = this.#socket;
    const chunks = this.#unwritten;
    this.#unwritten = [];
    if (!socket || !this.#open || chunks.length === 0) return;
    // One write: 10,000 SCRIPT LOADs written as 30,000 corked chunks took twice as long. Text alone is
    // written as one string (encoded by the socket, no Buffer made here).
    if (chunks.length === 1) socket.write(chunks[0]!);
    else if (chunks.every((c) => typeof c === 'string')) socket.write(chunks.join(''));
    else socket.write(concatChunks(chunks));
  }

  #next(): Pending | undefined {
    const pending = this.#waiting[this.#head];
    if (pending === undefined) return undefined;
    if (--pending.left > 0) return pending;
    this.#head++;
    if (this.#head === this.#waiting.length) {
      // Emptied in place: one call at a time (a bench at -c 1) allocates no array per reply.
      this.#waiting.length = 0;
      this.#head = 0;
    }
    return pending;
  }

  #fail(err: Error): void {
    const wasOpen = this.#open;
    this.#open = false;
    this.#rejectWaiting(err);
    if (wasOpen && !this.#failed) {
      this.#failed = true;
      for (const listener of this.#errorListeners) listener(err);
    }
  }

  #rejectWaiting(err: Error): void {
    const waiting = this.#waiting.slice(this.#head);
    this.#waiting = [];
    this.#head = 0;
    this.#unwritten = [];
    for (const pending of waiting) pending.reject(err);
  }
}

/**
 * The first reply in `bytes` (which may run past it), decoded with `typeMapping` by a decoder of its
 * own; undefined when that is an error reply or not whole.
 */
function decodeFirst(bytes: Buffer, typeMapping: TypeMapping): unknown {
  let first: { reply: unknown } | undefined;
  const decoder = new Decoder({
    onReply: (reply: unknown) => (first ??= { reply }),
    onErrorReply: () => undefined,
    onPush: () => undefined,
    getTypeMapping: () => typeMapping,
  });
  try {
    decoder.write(bytes);
  } catch {
    // Bytes that are not RESP: the connection's own decoder has failed on them too.
  }
  return first?.reply;
}

/** Text and Buffers as one Buffer, each copied once (no Buffer made per string on the way). */
function concatChunks(chunks: readonly RespArg[]): Buffer {
  let size = 0;
  for (const c of chunks) size += typeof c === 'string' ? Buffer.byteLength(c) : c.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const c of chunks) {
    if (typeof c === 'string') at += out.write(c, at);
    else {
      out.set(c, at);
      at += c.length;
    }
  }
  return out;
}

/**
 * Appends a command as a RESP array of bulk strings: the text parts joined into one string, Buffers
 * (script bodies, binary arguments) kept as they are.
 */
export function encodeCommand(args: readonly RespArg[], out: RespArg[]): void {
  // Parts joined once: `text +=` for each of 10,000 SHAs (one SCRIPT EXISTS) was 3x slower.
  let parts: string[] = [`*${args.length}\r\n`];
  for (const arg of args) {
    if (typeof arg === 'string') {
      parts.push(`$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
    } else {
      parts.push(`$${arg.length}\r\n`);
      out.push(parts.join(''), arg);
      parts = ['\r\n'];
    }
  }
  out.push(parts.join(''));
}
