import { checkScripts } from '../lint/cached.js';
import type { Finding, Severity } from '../lint/finding.js';
import type { ScriptMetadata } from '../lint/metadata.js';
import { discoverScripts } from '../registry/discover.js';
import { UsageError } from '../errors.js';
import { mapFindings, sourceOf } from '../lint/map-findings.js';

export interface LintCommandOptions {
  paths: string[];
  /** The include folder (`include` in the config): its fragments are linted as part of the scripts that include them. */
  include?: string[];
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
  const scripts = discoverScripts({ paths: options.paths, cwd: options.cwd, allowBom: true, include: options.include });
  if (scripts.length === 0) throw new UsageError(`no .lua files found under ${options.paths.join(', ')}`);
  const checked = await checkScripts(scripts, { rules: options.rules, target: options.target, headers: options.headers, cache: options.cache, cwd: options.cwd ?? process.cwd() });
  // The assembled text is what is linted; each finding is shown where it was written. A fragment's
  // findings are listed once, under the fragment, however many scripts include it.
  const fragments = new Map<string, LintedFile>();
  const seen = new Set<string>();
  const files: LintedFile[] = scripts.map((s, i) => {
    const { findings, metadata } = checked[i]!;
    if (!s.map) return { file: s.path, name: s.name, source: s.bytes.toString('utf8'), findings, metadata };
    const own: Finding[] = [];
    for (const f of mapFindings(s, findings)) {
      if (f.includedInto === undefined) {
        own.push(f);
        continue;
      }
      const key = `${f.file}\0${f.line}\0${f.column}\0${f.rule}\0${f.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let fragment = fragments.get(f.file);
      if (!fragment) {
        fragment = { file: f.file, name: f.file, source: sourceOf(s, f), findings: [], metadata: { keys: [], args: [], errors: [], flags: [] } };
        fragments.set(f.file, fragment);
      }
      fragment.findings.push(f);
    }
    return { file: s.path, name: s.name, source: s.map.sources[0]!.text, findings: own, metadata };
  });
  for (const fragment of [...fragments.values()].sort((a, b) => (a.file < b.file ? -1 : 1))) {
    fragment.findings.sort((x, y) => x.line - y.line || x.column - y.column);
    files.push(fragment);
  }
  // Notes (severity info) count as neither.
  const count = (sev: string) => files.reduce((n, f) => n + f.findings.filter((x) => x.severity === sev).length, 0);
  return { files, errors: count('error'), warnings: count('warning') };
}
