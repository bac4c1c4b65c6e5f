import { checkScripts } from '../lint/cached.js';
import type { Finding, Severity } from '../lint/finding.js';
import type { ScriptMetadata } from '../lint/metadata.js';
import { discoverScripts } from '../registry/discover.js';
import { UsageError } from '../errors.js';
import { mapFindings, sourceOf } from '../lint/map-findings.js';
import { libraryKind, positionIn } from '../registry/library.js';
import type { LocalScript } from '../registry/script.js';
import type { Target as ConnectionTarget } from '../server/target.js';
import type { ServerIdentity } from '../server/identity.js';
import { chooseTarget, type ChosenTarget } from '../lint/target-ids.js';

export interface LintCommandOptions {
  paths: string[];
  /** The include folder (`include` in the config): its fragments are linted as part of the scripts that include them. */
  include?: string[];
  rules?: Record<string, Severity>;
  /** The server the scripts must run on (`redis-7.4`): `--target`, before all the others. */
  target?: string;
  /** `lint --url`: the server whose release the scripts are linted for, before lint.target. */
  server?: ConnectionTarget;
  /** lint.target in the config; default redis-7.0. */
  configTarget?: string;
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
  /** The server the scripts were checked against, and why that one. */
  target: ChosenTarget;
}

/** Lints every script under the paths; pure apart from reading the files and the lint cache. */
export async function lint(options: LintCommandOptions): Promise<LintResult> {
  const scripts = discoverScripts({ paths: options.paths, cwd: options.cwd, allowBom: true, include: options.include });
  if (scripts.length === 0) throw new UsageError(`no .lua files found under ${options.paths.join(', ')}`);
  const target = chooseTarget({
    flag: options.target,
    servers: options.server && !options.target ? await serverReleases(options.server) : [],
    config: options.configTarget,
  });
  const checked = await checkScripts(scripts, {
    rules: options.rules,
    target: target.id,
    headers: options.headers,
    cache: options.cache,
    cwd: options.cwd ?? process.cwd(),
  });
  // The assembled text is what is linted; each finding is shown where it was written. A fragment's
  // findings are listed once, under the fragment, however many scripts include it.
  const fragments = new Map<string, LintedFile>();
  const seen = new Set<string>();
  const clashes = await checkFunctionNames(scripts, options.rules);
  const files: LintedFile[] = scripts.map((s, i) => {
    const { metadata } = checked[i]!;
    const findings = clashes.has(i)
      ? [...checked[i]!.findings, ...clashes.get(i)!].sort((x, y) => x.line - y.line || x.column - y.column)
      : checked[i]!.findings;
    if (!s.map) return { file: s.path, name: s.name, source: s.bytes.toString('utf8'), findings, metadata };
    const own: Finding[] = [];
    for (const f of mapFindings(s, findings)) {
      if (f.includedInto === undefined) {
        own.push(f);
        continue;
      }
      // Not the message: a syntax error quotes the line of the assembled text, which differs per includer.
      const key = `${f.file}\0${f.line}\0${f.column}\0${f.rule}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let fragment = fragments.get(f.file);
      if (!fragment) {
        fragment = {
          file: f.file,
          name: f.file,
          source: sourceOf(s, f),
          findings: [],
          metadata: { keys: [], args: [], errors: [], flags: [] },
        };
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
  return { files, errors: count('error'), warnings: count('warning'), target };
}

/**
 * The release of every node of the server (HELLO's, read at connect: nothing else is sent). A server
 * without Lua is no reason to refuse: its release is what the scripts are checked for.
 */
async function serverReleases(server: ConnectionTarget): Promise<Array<ServerIdentity | undefined>> {
  const { withTopology } = await import('../server/topology.js');
  return withTopology(server, { needsLua: false }, async (topology) => topology.nodes.map((n) => n.conn.server));
}

/**
 * A function name is unique across the tree (Redis refuses a second library defining it, even with
 * REPLACE): the second definition is an error of library-register, naming the first file. Findings
 * by script index, at lines of the assembled text (mapped with the others).
 */
async function checkFunctionNames(
  scripts: LocalScript[],
  rules: Record<string, Severity> | undefined,
): Promise<Map<number, Finding[]>> {
  const out = new Map<number, Finding[]>();
  const severity = rules?.['library-register'] ?? 'error';
  if (severity === 'off') return out;
  const libraries = scripts
    .map((s, i) => ({ s, i, kind: libraryKind(s.bytes) }))
    .filter((x) => x.kind !== null && 'library' in x.kind);
  if (libraries.length < 2) return out;
  const { readRegistrations } = await import('../lint/library.js');
  const seen = new Map<string, { file: string; library: string }>();
  for (const { s, i, kind } of libraries) {
    const library = (kind as { library: string }).library;
    for (const fn of readRegistrations(s.bytes).functions) {
      const first = seen.get(fn.name);
      if (first && first.library !== library) {
        const list = out.get(i) ?? [];
        list.push({
          rule: 'library-register',
          severity,
          file: s.path,
          line: fn.line,
          column: 1,
          message: `function "${fn.name}" is also defined by ${first.file} (library "${first.library}"): Redis refuses a second library defining it, even with REPLACE`,
          hint: 'Rename one of the functions; function names are global across libraries.',
        });
        out.set(i, list);
      } else if (!first) seen.set(fn.name, { file: positionIn(s, fn.line).file, library });
    }
  }
  return out;
}
