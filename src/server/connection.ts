/**
 * The one module that talks to Redis: connections, timeouts, and turning socket and server failures
 * into messages a user can act on. Everything above it sends plain command arrays.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { BatchDone, RespClient } from './resp-client.js';
import { ConfigError, ConnectionError, UsageError } from '../errors.js';
import type { TlsConfig } from '../config/schema.js';
import { registerSecret } from '../secrets.js';
import { INTEGERS_AS_STRINGS, withLargeIntegers } from '../redis/large-integer.js';
import { identityFromHello, type ServerIdentity } from './identity.js';

export interface Target {
  url: string;
  /** Where the URL came from when not from --url (`REDIS_URL`, `"url" in <file>`), named when it is invalid. */
  urlFrom?: string;
  timeoutMs: number;
  tls?: TlsConfig;
  /**
   * The TLS flags the command line gave (`--tls-ca`, ...): with a redis:// URL they would do nothing,
   * so the connection is refused. The config's `tls` is for rediss:// URLs and is left aside with a
   * redis:// one (a REDIS_URL for a local server must work beside a config made for TLS).
   */
  tlsFlags?: string[];
  /** Treat the server as a Redis Cluster (`--cluster`); without it a cluster is detected by itself. */
  cluster?: boolean;
  /** RESP version of the connections (default 3); `rscript test --resp 2` runs specs under RESP2. */
  protocol?: 2 | 3;
}

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

export interface ParsedUrl {
  tls: boolean;
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
}

/**
 * Validates a redis:// or rediss:// URL; the error names where it came from (`from`: `REDIS_URL`, a
 * config file) and never repeats the password.
 */
export function parseRedisUrl(url: string, from?: string): ParsedUrl {
  // `REDIS_URL=foo rscript exists`: the user typed no URL, so the message says where it was found.
  // `localhost:6379`, `10.0.0.5`: a host (and port) without the scheme.
  const bare = /^(\[[0-9a-f:.]+\]|[\w.-]+)(:\d+)?(\/\d+)?$/i.test(url) ? [`did you mean redis://${url}?`] : [];
  const invalid = (why: string) =>
    new UsageError(`invalid Redis URL "${redactUrl(url)}"${from ? ` (from ${from})` : ''}: ${why}`, bare);
  if (url === '') {
    throw new UsageError(`the Redis URL${from ? ` (from ${from})` : ''} is empty`, [
      from === 'REDIS_URL'
        ? 'a CI secret that is not set gives an empty variable: set it, or unset REDIS_URL to use the config or redis://127.0.0.1:6379'
        : 'give redis://[user:password@]host[:port][/db] or rediss://...',
    ]);
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalid('expected redis://[user:password@]host[:port][/db]');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw invalid('the scheme must be redis:// or rediss:// (TLS)');
  }
  if (!u.hostname) throw invalid('no host');
  const port = u.port ? Number(u.port) : 6379;
  const path = u.pathname.replace(/^\//, '');
  let db: number | undefined;
  if (path !== '') {
    db = Number(path);
    if (!Number.isInteger(db) || db < 0) {
      throw invalid(`the path must be a database number, got "${path}"`);
    }
  }
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  if (password) registerSecret(password);
  return {
    tls: u.protocol === 'rediss:',
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password,
    db,
  };
}

/**
 * The target's URL, parsed, and refused when explicit TLS flags come with a redis:// URL: the user
 * believes the connection is encrypted, and it would not be. A cluster's nodes inherit the scheme
 * of this, the seed's, URL.
 */
export function parseTarget(target: Target): ParsedUrl {
  const parsed = parseRedisUrl(target.url, target.urlFrom);
  const flags = target.tlsFlags ?? [];
  if (!parsed.tls && flags.length > 0) {
    const url = redactUrl(target.url);
    const them = flags.join(' and ');
    throw new UsageError(
      `${them} ${flags.length > 1 ? 'need' : 'needs'} a TLS URL, and ${url}${target.urlFrom ? ` (from ${target.urlFrom})` : ''} is not one`,
      [
        `use ${url.replace(/^redis:/i, 'rediss:')} (with the server's TLS port), or drop ${them} for a plain connection`,
      ],
    );
  }
  return parsed;
}

/** `host:port` of a URL, as rscript names a server in its messages (never the password). */
export function serverLabel(url: string, from?: string): string {
  const parsed = parseRedisUrl(url, from);
  return nodeLabel(parsed.host, parsed.port);
}

/** `host:port`, an IPv6 host in brackets: how every message names a node. */
export function nodeLabel(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * The URL with its password replaced by `***`, safe to print. The password runs to the LAST `@`:
 * an unencoded `/`, `@` or `?` in it makes the URL invalid, and that is exactly when it is printed.
 */
export function redactUrl(url: string): string {
  // The scheme is optional: `default:secret@host:6379` (a URL missing its redis://) holds one too.
  return url.replace(
    /^((?:[a-z][a-z0-9+.-]*:)?\/*)([^:@/]*):(.*)@/is,
    (_m, scheme: string, user: string) => `${scheme}${user}:***@`,
  );
}

/** Opens one connection (RESP3), with a connect timeout and no automatic reconnection. */
export async function connect(target: Target): Promise<RedisConnection> {
  const parsed = parseTarget(target);
  return connectNode(parsed, target);
}

/** Where rscript got a node's address from: the URL, or the node list of a cluster (another node's). */
export interface NodeOrigin {
  /** The address was announced by the cluster, not given by the user: "check --url" does not help. */
  listedByCluster?: boolean;
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
  errorClasses ??= respClient;
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

function tlsOptions(host: string, tls: TlsConfig): Record<string, unknown> {
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch {
      throw new ConfigError(`cannot read the TLS ${what} file: ${file}`);
    }
  };
  return {
    tls: true,
    // SNI takes a host name only: Node warns (DEP0123) on an IP, and checks the certificate's IP SAN without it.
    ...(isIP(host) === 0 ? { servername: host } : {}),
    rejectUnauthorized: !tls.insecure,
    ...(tls.ca ? { ca: read(tls.ca, 'CA') } : {}),
    ...(tls.cert ? { cert: read(tls.cert, 'certificate') } : {}),
    ...(tls.key ? { key: read(tls.key, 'key') } : {}),
  };
}

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

/** The first word of a server error reply (`NOSCRIPT`, `BUSY`, `ERR`), or undefined. */
export function replyCode(err: unknown): string | undefined {
  if (!(err instanceof Error) || !isErrorReply(err)) return undefined;
  return err.message.split(' ', 1)[0];
}

export function isErrorReply(err: Error): boolean {
  if (errorClasses !== undefined && err instanceof errorClasses.ErrorReply) return true;
  return hasClassNamed(err, 'ErrorReply');
}

/**
 * Whether `err` is of a class so named, up its prototype chain: for errors of a node-redis client the
 * user made (the runtime API takes one), maybe from another copy of the package. The bundled CLI's
 * names are minified, but its errors all come from its own connections, which `instanceof` tells.
 */
function hasClassNamed(err: Error, ...names: string[]): boolean {
  for (let p: object | null = Object.getPrototypeOf(err); p; p = Object.getPrototypeOf(p)) {
    if (names.includes((p as { constructor: { name: string } }).constructor.name)) return true;
  }
  return false;
}

/**
 * node-redis's error classes, from the module every connection is made with: an error reply or a
 * socket failure of an rscript connection exists only once it has been loaded.
 */
let errorClasses: typeof import('./resp-client.js') | undefined;

const BUSY_FAILURES = new WeakSet<Error>();

/** True for the error `send` gives when the node answered BUSY (a script is running there). */
export function isBusyFailure(err: unknown): boolean {
  return err instanceof Error && BUSY_FAILURES.has(err);
}

/**
 * What to ask for when the ACL refuses `command`: its own rule (`+script|flush`), and for the
 * commands that run scripts, the others they go with.
 */
function aclHint(command: string): string {
  const rule = (c: string) => `+${c.toLowerCase().replace(' ', '|')}`;
  if (/^(SCRIPT EXISTS|SCRIPT LOAD|EVALSHA|EVALSHA_RO)$/.test(command)) {
    return `Ask for the ACL permission ${rule(command)}, or use a user that has it (running scripts needs SCRIPT EXISTS/LOAD and EVALSHA).`;
  }
  // A running function answers SCRIPT KILL with BUSY, and rscript kill then sends FUNCTION KILL.
  if (/^(SCRIPT|FUNCTION) KILL$/.test(command))
    return 'Ask for the ACL permissions +script|kill and +function|kill, or use a user that has them.';
  if (!/^[A-Z_]+( [A-Z_]+)?$/.test(command)) return 'Ask for the ACL permission, or use a user that has it.';
  return `Ask for the ACL permission ${rule(command)}, or use a user that has it.`;
}

/**
 * A server without Lua (Valkey 9.1 built with Lua as a module and started without it): nothing
 * rscript does with scripts can work there, and no retry would help.
 */
export function noLuaError(label: string, server?: ServerIdentity): ConnectionError {
  return new ConnectionError(
    `${label}${server ? ` (${server.name})` : ''} has no Lua scripting engine: its scripts cannot be loaded or run there`,
    [
      'Valkey 9.1 can keep Lua in a module: start the server with --loadmodule /path/to/libvalkeylua.so (or "loadmodule" in its config file), or use a server built with Lua.',
    ],
  );
}

/**
 * Failures that no command can handle become ConnectionError (exit 2) with a message that says what
 * to do; script-level error replies (NOSCRIPT, compile and run-time errors) are returned unchanged.
 */
export function describeFailure(err: unknown, label: string, command: string, origin: NodeOrigin = {}): unknown {
  if (err instanceof ConnectionError || err instanceof ConfigError || err instanceof UsageError) return err;
  if (!(err instanceof Error)) return new ConnectionError(`${label}: ${String(err)}`);
  const code = replyCode(err);
  if (code !== undefined) {
    switch (code) {
      case 'NOPERM':
        // Redis 7.0 says NOPERM for a key outside the user's patterns too: "...access one of the keys
        // used as arguments" (or channels). The command is allowed then; asking for it would not help.
        if (/permissions to access one of the (keys|channels)/.test(err.message)) {
          const what = err.message.includes('channels') ? 'channels' : 'keys';
          return new ConnectionError(
            `${label}: permission denied: this user may not access the ${what} given to ${command} (${err.message})`,
            [
              `Ask for a ${what === 'keys' ? 'key pattern (~prefix:*)' : 'channel pattern (&prefix:*)'} that covers them, or use a user that has one.`,
            ],
          );
        }
        return new ConnectionError(`${label}: permission denied: this user may not run ${command} (${err.message})`, [
          aclHint(command),
        ]);
      case 'WRONGPASS':
        return new ConnectionError(`${label}: authentication failed: wrong username or password`);
      case 'NOAUTH':
        return new ConnectionError(
          `${label}: the server requires a password: give it in the URL or in REDIS_URL (redis://user:PASSWORD@host:port)`,
        );
      case 'BUSY': {
        // SCRIPT KILL and FUNCTION KILL are how a busy server is recovered: their BUSY is theirs to read.
        if (/^(SCRIPT|FUNCTION) KILL$/.test(command)) return err;
        const busy = new ConnectionError(
          `${label}: the server is busy running a script and answers nothing else; stop it with: rscript kill`,
        );
        BUSY_FAILURES.add(busy);
        return busy;
      }
      case 'LOADING':
        return new ConnectionError(`${label}: the server is loading its dataset; try again in a moment`);
      case 'ERR':
        // Valkey 9.1 built with Lua as a module, started without it: no engine runs Lua scripts.
        if (/^ERR Could not find scripting engine 'lua'/i.test(err.message)) return noLuaError(label);
        return err;
      case 'MASTERDOWN':
      case 'CLUSTERDOWN':
        return new ConnectionError(`${label}: ${err.message}`);
      default:
        return err;
    }
  }
  const errno = (err as NodeJS.ErrnoException).code;
  switch (errno) {
    case 'ECONNREFUSED':
      // A node the cluster still lists but that is down: the cluster marks it failed after
      // cluster-node-timeout, and from then on it is skipped.
      return new ConnectionError(
        origin.listedByCluster
          ? `${label}: connection refused (the cluster lists this node but nothing answers there; if it is down, try again once the cluster has marked it failed, after cluster-node-timeout: rscript skips failed nodes)`
          : `${label}: connection refused (is redis-server running there? set the URL with --url or REDIS_URL)`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectionError(`${label}: unknown host`);
    case 'ECONNRESET':
    case 'EPIPE':
      // A TLS-only port hangs up on a plain handshake.
      return new ConnectionError(
        `${label}: the connection was closed by the server during ${command}${command === 'connect' ? ' (if it requires TLS, use rediss://)' : ''}`,
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ConnectionError(`${label}: host unreachable`);
  }
  // The reply parser met bytes that are not RESP: something else listens there (a web server, a proxy).
  if (/^Unknown RESP type/.test(err.message)) {
    return new ConnectionError(
      `${label}: the server does not speak the Redis protocol (is it a Redis server? check the host and port)`,
    );
  }
  const lost = errorClasses
    ? [errorClasses.SocketClosedUnexpectedlyError, errorClasses.ClientClosedError, errorClasses.DisconnectsClientError]
    : [];
  if (
    lost.some((type) => err instanceof type) ||
    hasClassNamed(err, 'SocketClosedUnexpectedlyError', 'ClientClosedError', 'DisconnectsClientError')
  ) {
    return new ConnectionError(`${label}: the connection was lost during ${command} (did the server stop or restart?)`);
  }
  if (
    /certificate|SSL|TLS|self[- ]signed/i.test(err.message) ||
    errno?.startsWith('ERR_TLS') ||
    errno?.includes('CERT')
  ) {
    return new ConnectionError(
      `${label}: TLS failed: ${err.message} (give the CA with --tls-ca, or --tls-insecure to skip verification)`,
    );
  }
  return new ConnectionError(`${label}: ${command} failed: ${err.message}`);
}
