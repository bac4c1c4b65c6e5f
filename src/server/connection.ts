/**
 * The one module that talks to Redis: connections (RESP3 on our own socket with node-redis's decoder:
 * resp-client.ts says why), a deadline per request, and no reconnection. Everything above it sends
 * plain command arrays. What to connect to is target.ts's; what a failure tells the user, failures.ts's.
 */
import type { ConnectionOptions } from 'node:tls';
import type { BatchDone, RespClient } from './resp-client.js';
import { ConnectionError } from '../errors.js';
import { INTEGERS_AS_STRINGS, withLargeIntegers } from '../redis/large-integer.js';
import { identityFromHello, type ServerIdentity } from './identity.js';
import { describeFailure, knowErrorClasses, replyCode, type NodeOrigin } from './failures.js';
import { nodeLabel, parseTarget, tlsOptions, type ParsedUrl, type Target } from './target.js';

export type Arg = string | Buffer;
export type { BatchDone } from './resp-client.js';

export interface SendOptions {
  /** Per-request deadline in ms; 0 for none (a bench's hot loop). Default: the target's timeout. */
  timeoutMs?: number;
  /**
   * Replies' bulk strings as Buffers, maps as Map, and integers past 2^53 as LargeInteger: exact
   * types and values for `exec` output.
   */
  raw?: boolean;
}

/** One connection to one Redis node. */
export interface RedisConnection {
  /** `host:port`, never the password. */
  readonly label: string;
  send(args: Arg[], options?: SendOptions): Promise<unknown>;
  /**
   * `count` commands already encoded as RESP, in one write, with `done` called once when their last
   * reply is in (no deadline): the bench's path, on a connection to one node. A failure of the
   * connection reaches `done` as the message `send` would give.
   */
  sendEncoded?(payload: Arg, count: number, done: BatchDone): void;
  close(): Promise<void>;
  /** The reply to the HELLO 3 of the handshake, when this connection made one. */
  readonly hello?: unknown;
  /** Redis or Valkey, and its version, from that HELLO (undefined before a lazy connection opens). */
  readonly server?: ServerIdentity;
}

/** Opens one connection (RESP3), with a connect timeout and no automatic reconnection. */
export async function connect(target: Target): Promise<RedisConnection> {
  const parsed = parseTarget(target);
  return connectNode(parsed, target);
}

/**
 * How long to keep waiting for a handshake that the socket accepted but the server does not answer
 * (`rscript kill`): a server running a script reads nothing before busy-reply-threshold (5000 ms by
 * default), and answers HELLO and SCRIPT KILL once it has passed.
 */
export interface BusyWait {
  /** The longest wait after the target's timeout, in ms. */
  maxWaitMs: number;
  /** Called once, when the target's timeout has passed and the wait begins. */
  onWait(label: string, waitedMs: number, maxWaitMs: number): void;
}

/** Opens a connection to one node: the credentials and TLS of `parsed`, at `host:port` (cluster nodes). */
export async function connectNode(
  parsed: ParsedUrl,
  target: Target,
  origin: NodeOrigin = {},
  busyWait?: BusyWait,
): Promise<RedisConnection> {
  const label = nodeLabel(parsed.host, parsed.port);
  // Loaded here, not at the top: `load --check` and the other commands that need no server never load it.
  const respClient = await import('./resp-client.js');
  knowErrorClasses(respClient);
  const { RespClient } = respClient;
  // No reconnection and no per-command timer inside: rscript sets its own deadline per request.
  const client = new RespClient({
    host: parsed.host,
    port: parsed.port,
    tls: parsed.tls ? (tlsOptions(parsed.host, target.tls ?? {}) as ConnectionOptions) : undefined,
    username: parsed.username,
    password: parsed.password,
    database: parsed.db,
    protocol: target.protocol,
  });
  // The first error is the cause; the ones after it (the socket closing) are its consequences.
  let firstError: Error | undefined;
  client.onError((err) => (firstError ??= err));
  const handshake = client.connect();
  try {
    await withDeadline(handshake, target.timeoutMs, () => {
      // The socket is up and the handshake unanswered: a server busy with a script, for `kill` to wait for.
      if (busyWait && client.socketConnected) return SILENT;
      void client.destroy();
      return new ConnectionError(
        `${label}: no answer within ${target.timeoutMs} ms while connecting (is it a Redis server${parsed.tls ? ' with TLS? for a plain port use redis://;' : '?'} change the limit with --timeout)`,
      );
    }).catch((err: unknown) => {
      if (err !== SILENT || !busyWait) throw err;
      busyWait.onWait(label, target.timeoutMs, busyWait.maxWaitMs);
      return withDeadline(handshake, busyWait.maxWaitMs, () => {
        void client.destroy();
        return new ConnectionError(
          `${label}: no answer within ${target.timeoutMs + busyWait.maxWaitMs} ms while connecting: a server running a script answers once busy-reply-threshold has passed, and this one did not (is it a Redis server?)`,
        );
      });
    });
  } catch (err) {
    if (client.isOpen) client.destroy();
    const failure = describeFailure(
      err instanceof ConnectionError ? err : (firstError ?? err),
      label,
      'connect',
      origin,
    );
    // An error reply to the handshake (HELLO, SELECT of a database the server lacks) is a connection
    // problem, not a script's.
    throw replyCode(failure) !== undefined
      ? new ConnectionError(`${label}: the server refused the connection: ${(failure as Error).message}`)
      : failure;
  }
  return new NodeConnection(client, label, target.timeoutMs);
}

/** The first deadline of a handshake that `busyWait` lets run on (never thrown out of connectNode). */
const SILENT = new Error('the handshake is not answered yet');

class NodeConnection implements RedisConnection {
  constructor(
    private readonly client: RespClient,
    readonly label: string,
    private readonly timeoutMs: number,
  ) {}

  get hello(): unknown {
    return this.client.hello;
  }

  #server: ServerIdentity | undefined | null = null;
  get server(): ServerIdentity | undefined {
    if (this.#server === null) this.#server = identityFromHello(this.client.hello);
    return this.#server;
  }

  // Not an async function: a bench sends hundreds of thousands of these, and the extra promise and
  // microtask of an async wrapper were a measurable share of a pipelined call.
  send(args: Arg[], options: SendOptions = {}): Promise<unknown> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const pending = options.raw
      ? this.client
          .sendCommandTwice(args, RAW_TYPES, INTEGERS_AS_STRINGS)
          .then(({ reply, again }) => withLargeIntegers(reply, again))
      : this.client.sendCommand(args);
    const guarded =
      timeoutMs > 0
        ? withDeadline(pending, timeoutMs, () => {
            this.client.destroy();
            const verb = commandName(args);
            // A script call that outlives the deadline is still running on the server, blocking it.
            const running = /^(EVALSHA|EVALSHA_RO|EVAL|EVAL_RO|FCALL|FCALL_RO)$/.test(verb)
              ? '; the script may still be running there: rscript kill stops it'
              : '';
            return new ConnectionError(
              `${this.label}: no answer to ${verb} within ${timeoutMs} ms (change the limit with --timeout)${running}`,
            );
          })
        : pending;
    return guarded.then(undefined, (err: unknown) => {
      throw describeFailure(err, this.label, commandName(args));
    });
  }

  sendEncoded(payload: Arg, count: number, done: BatchDone): void {
    this.client.sendEncoded(payload, count, done, this.describeBatchFailure);
  }

  /** A bench batch's first failure, told as `send` tells it (one function per connection). */
  private readonly describeBatchFailure = (err: Error): Error => describeFailure(err, this.label, 'EVALSHA') as Error;

  async close(): Promise<void> {
    if (this.client.isOpen) this.client.destroy();
  }
}

/** `SCRIPT LOAD`, `EVALSHA`: named only when a message needs it, not for each of 10,000 requests. */
function commandName(args: Arg[]): string {
  const verb = String(args[0]).toUpperCase();
  return /^(SCRIPT|FUNCTION|CONFIG|CLUSTER)$/.test(verb) ? `${verb} ${String(args[1] ?? '').toUpperCase()}` : verb;
}

// Bulk strings as Buffers (binary-safe, and told apart from status replies), maps as Map, sets as Set.
const RAW_TYPES = { 36: Buffer, 37: Map, 126: Set } as const;

/** Resolves with `promise`, or rejects with `onTimeout()` after `ms`. One timer per request. */
export function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout;
  let timedOut: Error | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject((timedOut = onTimeout())), ms);
  });
  // onTimeout usually destroys the client, which rejects `promise` at once ("socket closed"): that
  // rejection can win the race, but the user must read the timeout, the cause.
  return Promise.race([promise, deadline])
    .catch((err: unknown) => {
      throw timedOut ?? err;
    })
    .finally(() => clearTimeout(timer));
}
