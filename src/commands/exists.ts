import { ConfigError, UsageError } from '../errors.js';
import { readManifest } from '../manifest/manifest.js';
import { suggest } from '../registry/resolve.js';
import type { Target } from '../server/connection.js';
import { scriptExists } from '../server/scripts.js';
import { withConnection } from '../server/session.js';

export interface ExistsOptions {
  /** Manifest names to check; all when empty. */
  names: string[];
  manifest: string;
  target: Target;
}

export interface ExistsRow {
  name: string;
  sha: string;
  cached: boolean;
}

export interface ExistsResult {
  rows: ExistsRow[];
  missing: number;
}

/**
 * Asks the server, in one SCRIPT EXISTS, whether it has every script of the manifest.
 * @see https://redis.io/commands/script-exists/
 */
export async function exists(options: ExistsOptions): Promise<ExistsResult> {
  const manifest = readManifest(options.manifest);
  if (!manifest) throw new ConfigError(`${options.manifest}: no manifest; run rscript load first`);
  const all = Object.keys(manifest.scripts);
  for (const name of options.names) {
    if (!manifest.scripts[name]) {
      const close = suggest(name, all);
      throw new UsageError(`unknown script "${name}"${close.length ? `; did you mean ${close.map((n) => `"${n}"`).join(' or ')}?` : ''}`);
    }
  }
  const names = options.names.length > 0 ? options.names : all;
  const shas = names.map((n) => manifest.scripts[n]!.sha);
  const cached = await withConnection(options.target, (conn) => scriptExists(conn, shas));
  const rows = names.map((name, i) => ({ name, sha: shas[i]!, cached: cached[i]! }));
  return { rows, missing: rows.filter((r) => !r.cached).length };
}
