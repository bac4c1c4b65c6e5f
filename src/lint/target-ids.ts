/**
 * The servers `target` may name, without the command tables (the config check uses this list when
 * the config is read; target.ts loads the tables only when the linter runs).
 */
export const TARGETS: readonly string[] = [
  'redis-7.0',
  'redis-7.2',
  'redis-7.4',
  'redis-8.0',
  'valkey-8.0',
  'valkey-8.1',
  'valkey-9.0',
  'valkey-9.1',
];

/** Redis 7.0, the oldest release the project supports: a script clean against it runs on all of them. */
export const DEFAULT_TARGET = 'redis-7.0';

/** Where a lint target came from, strongest first. */
export type TargetSource = 'flag' | 'server' | 'config' | 'default';

export interface ChosenTarget {
  /** `redis-8.0` */
  id: string;
  from: TargetSource;
  /** With `from: 'server'`: the server it was read from (`Redis 8.0.2`). */
  server?: string;
}

/** The flavour and version a server reports (server/identity.ts reads them from HELLO). */
export interface ServerRelease {
  flavour: string;
  version: string;
  name: string;
}

/**
 * The target of a server's release: the newest known target of its flavour that is not newer than
 * it (Redis 8.2.1 -> redis-8.0, Redis 7.2.4 -> redis-7.2), the oldest of its flavour when it is older
 * than all of them; undefined for a server that is neither Redis nor Valkey.
 */
export function targetOfServer(server: { flavour: string; version: string }): string | undefined {
  const [major = 0, minor = 0] = server.version.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const own = TARGETS.map((id) => /^(\w+)-(\d+)\.(\d+)$/.exec(id)!)
    .filter((m) => m[1] === server.flavour)
    .map((m) => ({ id: m[0], major: Number(m[2]), minor: Number(m[3]) }));
  if (own.length === 0) return undefined;
  const released = own.filter((t) => t.major < major || (t.major === major && t.minor <= minor));
  return (released.at(-1) ?? own[0]!).id;
}

/**
 * The target the linter checks against: `--target`, else the connected server's release (on a
 * cluster, its oldest node's: a script must run on every node), else `lint.target` in the config,
 * else redis-7.0. A server of another flavour, or a cluster mixing flavours, gives none.
 */
export function chooseTarget(options: {
  flag?: string;
  servers?: ReadonlyArray<ServerRelease | undefined>;
  config?: string;
}): ChosenTarget {
  if (options.flag) return { id: options.flag, from: 'flag' };
  const known = (options.servers ?? []).filter((s): s is ServerRelease => s !== undefined);
  const ids = known.map((s) => targetOfServer(s));
  const flavours = new Set(ids.map((id) => id?.split('-')[0]));
  if (known.length > 0 && flavours.size === 1 && !flavours.has(undefined)) {
    // TARGETS lists each flavour's releases oldest first.
    const oldest = Math.min(...ids.map((id) => TARGETS.indexOf(id!)));
    const at = ids.indexOf(TARGETS[oldest]!);
    return { id: TARGETS[oldest]!, from: 'server', server: known[at]!.name };
  }
  if (options.config) return { id: options.config, from: 'config' };
  return { id: DEFAULT_TARGET, from: 'default' };
}

/** `redis-8.0` -> `Redis 8.0`. */
export function targetLabel(id: string): string {
  const [flavour = '', release = ''] = id.split('-');
  return `${flavour === 'redis' ? 'Redis' : flavour === 'valkey' ? 'Valkey' : flavour} ${release}`;
}

/** Where the target came from, for a message: `Redis 8.0 (the server's release, Redis 8.0.2)`. */
export function describeTarget(t: ChosenTarget): string {
  const why =
    t.from === 'flag'
      ? '--target'
      : t.from === 'server'
        ? `the server's release, ${t.server}`
        : t.from === 'config'
          ? 'lint.target in the config'
          : 'the default: the oldest supported server';
  return `${targetLabel(t.id)} (${why})`;
}
