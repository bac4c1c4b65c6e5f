/**
 * What rscript connects to: the Target (URL, timeout, TLS files), its redis:// or rediss:// URL parsed
 * and checked, and the TLS options read from the configured files. No socket here: a command checks its
 * URL (and --url's mistakes are reported) before anything connects.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { ConfigError, UsageError } from '../errors.js';
import type { TlsConfig } from '../config/schema.js';
import { registerSecret } from '../secrets.js';

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

/** Node's TLS options for `host`: SNI, verification, and the CA, certificate and key files read. */
export function tlsOptions(host: string, tls: TlsConfig): Record<string, unknown> {
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
