/**
 * Which server rscript talks to: Redis or Valkey, and its version. Read from the reply to the
 * `HELLO 3` every connection opens with (`server: redis|valkey`, `version`), so it costs no round
 * trip, needs no ACL permission and is answered while a script runs. It is what INFO server says:
 * Valkey's `version` there is its own (`valkey_version`), not the `redis_version` it keeps at 7.2.4
 * for old clients. A server that answers neither (a proxy) is named by what it says, or not at all.
 * @see https://redis.io/commands/hello/
 */
import { asRecord } from './cluster-nodes.js';

export interface ServerIdentity {
  /** `redis`, `valkey`, or what another server calls itself. */
  flavour: string;
  /** `8.0.2` */
  version: string;
  /** `Redis 8.0.2`, `Valkey 8.1.1`: how messages name it. */
  name: string;
  /** False when the server reports no Lua engine (Valkey 9.1 built with Lua as a module, not loaded). */
  lua: boolean;
}

const DISPLAY: Record<string, string> = { redis: 'Redis', valkey: 'Valkey' };

/** The identity in a HELLO reply, or undefined when it has neither `server` nor `version`. */
export function identityFromHello(hello: unknown): ServerIdentity | undefined {
  let record: Record<string, unknown>;
  try {
    record = asRecord(hello);
  } catch {
    return undefined;
  }
  const flavour = text(record.server)?.toLowerCase();
  const version = text(record.version);
  if (!flavour || !version) return undefined;
  return {
    flavour,
    version,
    name: `${DISPLAY[flavour] ?? flavour} ${version}`,
    lua: hasLua(flavour, version, record.modules),
  };
}

/**
 * Valkey 9.1 moved Lua into a module: built with `BUILD_LUA=module` and started without loading
 * it, the server has no Lua, and HELLO's module list lacks `lua` (a static build lists it as well).
 * Older servers have Lua built in and list no such module.
 */
function hasLua(flavour: string, version: string, modules: unknown): boolean {
  if (flavour !== 'valkey' || compareVersions(version, '9.1.0') < 0) return true;
  const list = Array.isArray(modules) ? modules : [];
  return list.some((m) => {
    try {
      return text(asRecord(m).name)?.toLowerCase() === 'lua';
    } catch {
      return false;
    }
  });
}

/** `a` before `b` (negative), equal (0), after (positive), by numeric dot-separated parts. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** A server's flavour, version and name: an identity, or a topology's summary of its nodes. */
export type ServerRelease = Pick<ServerIdentity, 'flavour' | 'version' | 'name'>;

/** Whether `server` is `flavour` at `version` or later. */
export function serverAtLeast(server: ServerRelease | undefined, flavour: string, version: string): boolean {
  return server?.flavour === flavour && compareVersions(server.version, version) >= 0;
}

/**
 * `SCRIPT SHOW <sha>` (Valkey 8.0+) returns a cached script's source.
 * @see https://valkey.io/commands/script-show/
 */
export function offersScriptShow(server: ServerRelease | undefined): boolean {
  return serverAtLeast(server, 'valkey', '8.0.0');
}

/** Why the server cannot show a cached script's source (no SCRIPT SHOW), or undefined when it can. */
export function noScriptShow(server: ServerRelease | undefined): string | undefined {
  return offersScriptShow(server)
    ? undefined
    : `${server?.name ?? 'this server'} has no SCRIPT SHOW (Valkey 8.0+ has it)`;
}

/** The servers of a topology in one phrase: `Redis 8.0.2`, or `Redis 7.4.1 (3 nodes), Redis 8.0.2 (3 nodes)` while they differ. */
export function describeServers(servers: ReadonlyArray<ServerIdentity | undefined>): string | undefined {
  const counts = new Map<string, number>();
  for (const s of servers) if (s) counts.set(s.name, (counts.get(s.name) ?? 0) + 1);
  if (counts.size === 0) return undefined;
  if (counts.size === 1) return [...counts.keys()][0];
  return [...counts].map(([name, n]) => `${name} (${n} node${n === 1 ? '' : 's'})`).join(', ');
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString();
  if (typeof v === 'number') return String(v);
  return undefined;
}
