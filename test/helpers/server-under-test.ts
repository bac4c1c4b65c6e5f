/**
 * Which server the suite runs against. `RSCRIPT_TEST_SERVER` names a `redis-server` binary (a path,
 * or a name on PATH; default: the `redis-server` on PATH); its `redis-cli` and `redis-benchmark` are
 * the ones in the same folder (`scripts/build-server.sh` puts all three there). `npm run test:servers`
 * runs the server-facing tests once per server with this variable set.
 *
 * A test that expects a server-specific text or behaviour asks `server` (flavour and version, read
 * from `redis-server --version`) and says in a comment which servers differ and why.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const named = process.env.RSCRIPT_TEST_SERVER?.trim() || 'redis-server';
const folder = named.includes('/') ? dirname(named) : undefined;

/** The redis-server the helpers start. */
export const SERVER_BIN = named;
/** The redis-cli beside it (the one on PATH when the server is the one on PATH). */
export const CLI_BIN = folder ? join(folder, 'redis-cli') : 'redis-cli';
/** The redis-benchmark beside it. */
export const BENCHMARK_BIN = folder ? join(folder, 'redis-benchmark') : 'redis-benchmark';

export type Flavour = 'redis' | 'valkey';

export interface ServerUnderTest {
  flavour: Flavour;
  /** `8.1.1` */
  version: string;
  /** `Valkey 8.1.1`, for test names and messages. */
  name: string;
  /** True when the server is at least `flavour` `version` (false for the other flavour). */
  atLeast(flavour: Flavour, version: string): boolean;
  /** True when the server is of `flavour` and older than `version`. */
  below(flavour: Flavour, version: string): boolean;
}

function compare(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

let probed: ServerUnderTest | undefined;

/** The flavour and version of SERVER_BIN (`Redis server v=7.0.15 ...`, `Valkey server v=8.1.1 ...`). */
export function serverUnderTest(): ServerUnderTest {
  if (probed) return probed;
  const out = spawnSync(SERVER_BIN, ['--version'], { encoding: 'utf8' });
  if (out.error) {
    throw new Error(
      `${SERVER_BIN} is not installed: the tests need a real Redis (Debian: apt-get install redis-server; another server: RSCRIPT_TEST_SERVER=/path/to/redis-server)`,
    );
  }
  const m = /^(Redis|Valkey) server v=(\d+\.\d+\.\d+)/.exec(out.stdout ?? '');
  if (!m) throw new Error(`${SERVER_BIN} --version printed no "Redis server v=" or "Valkey server v=": ${out.stdout}`);
  const flavour = m[1]!.toLowerCase() as Flavour;
  const version = m[2]!;
  probed = {
    flavour,
    version,
    name: `${m[1]} ${version}`,
    atLeast: (f, v) => f === flavour && compare(version, v) >= 0,
    below: (f, v) => f === flavour && compare(version, v) < 0,
  };
  return probed;
}

/**
 * `--loadmodule` arguments for the scripting engine modules built beside the server (Valkey 9.1 can
 * build Lua as a module: without it loaded, that server has no Lua). Every test server loads them,
 * except with `RSCRIPT_TEST_NO_LUA=1` (the "server without Lua" case), or `withLua: false`.
 */
export function engineModuleArgs(withLua = process.env.RSCRIPT_TEST_NO_LUA !== '1'): string[] {
  if (!withLua || !folder) return [];
  let files: string[];
  try {
    files = readdirSync(folder);
  } catch {
    return [];
  }
  return files
    .filter((f) => /lua.*\.so$/i.test(f) && existsSync(join(folder, f)))
    .sort()
    .flatMap((f) => ['--loadmodule', join(folder, basename(f))]);
}
