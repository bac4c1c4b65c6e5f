import { checkScripts } from '../lint/cached.js';
import type { Finding, Severity } from '../lint/finding.js';
import type { ScriptMetadata } from '../lint/metadata.js';
import { discoverScripts } from '../registry/discover.js';
import { UsageError } from '../errors.js';

export interface LintCommandOptions {
  paths: string[];
  rules?: Record<string, Severity>;
  /** The server the scripts must run on (`redis-7.4`); default redis-7.0. */
  target?: string;
  /** `always`: header-keys-argv checks every script, not only those with a KEYS[n]:/ARGV[n]: header. */
  headers?: 'convention' | 'always';
  cwd?: string;
  /** False: neither read nor write the lint cache (`--no-cache`). */
  cache?: boolean;
}

export interface LintedFile {
  file: string;
  name: string;
  source: string;
  findings: Finding[];
  metadata: ScriptMetadata;
}

export interface LintResult {
  files: LintedFile[];
  errors: number;
  warnings: number;
}

/** Lints every script under the paths; pure apart from reading the files and the lint cache. */
export async function lint(options: LintCommandOptions): Promise<LintResult> {
  const scripts = discoverScripts({ paths: options.paths, cwd: options.cwd, allowBom: true });
  if (scripts.length === 0) throw new UsageError(`no .lua files found under ${options.paths.join(', ')}`);
  const checked = await checkScripts(scripts, { rules: options.rules, target: options.target, headers: options.headers, cache: options.cache, cwd: options.cwd ?? process.cwd() });
  const files = scripts.map((s, i) => {
    const { findings, metadata } = checked[i]!;
    return { file: s.path, name: s.name, source: s.bytes.toString('utf8'), findings, metadata };
  });
  // Notes (severity info) count as neither.
  const count = (sev: string) => files.reduce((n, f) => n + f.findings.filter((x) => x.severity === sev).length, 0);
  return { files, errors: count('error'), warnings: count('warning') };
}
