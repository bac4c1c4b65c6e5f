/**
 * Connection failures as a user reads them: socket errors, timeouts' causes and the server's refusals
 * (NOPERM, WRONGPASS, BUSY, LOADING...) become a ConnectionError (exit 2) that says what to do, and a
 * script's own error replies pass unchanged, told apart by `replyCode`. Apart from connection.ts so
 * that the layers above can classify a reply without the socket code.
 */
import { ConfigError, ConnectionError, UsageError } from '../errors.js';
import type { ServerIdentity } from './identity.js';

/** Where rscript got a node's address from: the URL, or the node list of a cluster (another node's). */
export interface NodeOrigin {
  /** The address was announced by the cluster, not given by the user: "check --url" does not help. */
  listedByCluster?: boolean;
}

/** The first word of a server error reply (`NOSCRIPT`, `BUSY`, `ERR`), or undefined. */
export function replyCode(err: unknown): string | undefined {
  if (!(err instanceof Error) || !isErrorReply(err)) return undefined;
  return err.message.split(' ', 1)[0];
}

/** Whether `err` is a server error reply (node-redis's ErrorReply, of rscript's client or of the user's). */
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
let errorClasses: ErrorClasses | undefined;

type ErrorClasses = Pick<
  typeof import('./resp-client.js'),
  'ErrorReply' | 'SocketClosedUnexpectedlyError' | 'ClientClosedError' | 'DisconnectsClientError'
>;

/** Called by connection.ts when it has loaded the client (lazily: `load --check` never does). */
export function knowErrorClasses(classes: ErrorClasses): void {
  errorClasses ??= classes;
}

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
