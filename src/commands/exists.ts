import { ConfigError, UsageError } from '../errors.js';
import { readManifest } from '../manifest/manifest.js';
import { suggest } from '../registry/resolve.js';
import type { Target } from '../server/connection.js';
import { scriptExists } from '../server/scripts.js';
import { withTopology, type NodeRole, type TopologySummary } from '../server/topology.js';

export interface ExistsOptions {
  /** Manifest names to check; all when empty. */
  names: string[];
  manifest: string;
  target: Target;
}

export interface ExistsRow {
  name: string;
  sha: string;
  /** On a cluster: true when every node has it. */
  cached: boolean;
  /** Cluster only: the nodes that lack it. */
  missingOn?: Array<{ node: string; role: NodeRole }>;
}

export interface ExistsResult {
  rows: ExistsRow[];
  /** Scripts missing (on a cluster: on at least one node). */
  missing: number;
  /** Cluster only: the nodes that were asked. */
  cluster?: TopologySummary;
}

/**
 * Asks the server, in one SCRIPT EXISTS, whether it has every script of the manifest. On a cluster,
 * every node is asked (replicas too: a replica that lacks a script fails after a failover).
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
  return withTopology(options.target, {}, async (topology) => {
    const perNode = await Promise.all(topology.nodes.map((node) => scriptExists(node.conn, shas)));
    const rows: ExistsRow[] = names.map((name, i) => {
      const lacking = topology.nodes.filter((_, j) => !perNode[j]![i]);
      return {
        name,
        sha: shas[i]!,
        cached: lacking.length === 0,
        ...(topology.cluster ? { missingOn: lacking.map((n) => ({ node: n.label, role: n.role })) } : {}),
      };
    });
    const cluster = topology.summary();
    return { rows, missing: rows.filter((r) => !r.cached).length, ...(cluster ? { cluster } : {}) };
  });
}
