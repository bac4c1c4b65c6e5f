/**
 * Lints one Redis Lua script: what Redis would refuse, break or silently change, with where and how
 * to fix it. Pure: text in, findings out; no Redis connection.
 */
import { ConfigError } from '../errors.js';
import { analyse } from './analysis.js';
import type { Finding, RuleInfo, Severity } from './finding.js';
import { readHeader } from './header.js';
import { resolveCommand } from './known-commands.js';
import { metadataFrom, type ScriptMetadata } from './metadata.js';
import { parseLua } from './parse.js';
import { ALL_RULES } from './rules/index.js';
import type { AstContext, At, Report, Rule, RuleContext } from './rules/rule.js';
import { positionAt, prepareSource, rangeOf, type PreparedSource } from './source.js';
import { readDirectives, type Directive } from './suppressions.js';
import { commandTable, DEFAULT, parseTarget } from './target.js';
import { readRegistrations, walk, type Registrations } from './library.js';
import type * as lua from 'luaparse';

export type { Finding, RuleInfo, Severity } from './finding.js';

/** The rules, their default severity and what they check (for docs, config validation and SARIF). */
export const RULES: RuleInfo[] = ALL_RULES.map(({ id, defaultSeverity, description }) => ({
  id,
  defaultSeverity,
  description,
}));

export interface RuleOptions {
  /** Per-rule severity; rules left out keep their default. */
  rules?: Record<string, Severity>;
  /** The server the scripts must run on (`redis-7.4`, `valkey-8.1`); default redis-7.0 (see target.ts). */
  target?: string;
  /**
   * `convention` (default): header-keys-argv checks the scripts whose header documents a KEYS[n]: or
   * ARGV[n]: line; `always`: every script.
   */
  headers?: 'convention' | 'always';
}

const SEVERITIES: readonly string[] = ['off', 'warning', 'error'];

/**
 * Lints a script's text or bytes. `file` is only copied into the findings.
 * Findings come sorted by line, then column. Throws ConfigError for an unknown rule id or severity.
 */
export function lintSource(source: string | Buffer, file: string, options: RuleOptions = {}): Finding[] {
  return checkScript(source, file, options).findings;
}

/** Findings and metadata from one parse: what `load` needs for every new or changed script. */
export function checkScript(
  source: string | Buffer,
  file: string,
  options: RuleOptions = {},
): { findings: Finding[]; metadata: ScriptMetadata } {
  const severities = resolveSeverities(options.rules);
  const target = options.target === undefined ? DEFAULT : parseTarget(options.target);
  const table = commandTable(target);
  const headers = options.headers ?? 'convention';
  const prepared = prepareSource(source);
  const library = libraryOf(prepared);
  if (library && !library.missingName) asLibrary(prepared, library.registrations);
  const parsed = parseLua(prepared.code);
  // A library's top comment documents its first function (read by readRegistrations), not KEYS/ARGV of the file.
  const header = readHeader(library && !library.missingName ? [] : parsed.comments, prepared.code, prepared.lineStarts);
  const analysis = parsed.chunk ? analyse(parsed.chunk) : undefined;
  const metadata = metadataFrom(prepared, parsed, header, analysis);
  const directives = readDirectives(parsed.comments, prepared.lineStarts);
  const suppressed = readSuppressions(directives);
  const findings: Finding[] = [];

  // One context for every rule, and `report` names the rule being run: a context spread per rule,
  // with a closure each, was a fifth of linting 10,000 small scripts.
  let rule: Rule = ALL_RULES[0]!;
  let severity: Finding['severity'] = 'warning';
  const report = (at: At, r: Report): void => {
    const pos = position(at, prepared.lineStarts);
    if (isSuppressed(suppressed, pos.line, rule.id)) return;
    const finding: Finding = {
      rule: rule.id,
      severity: r.info ? 'info' : severity,
      message: r.message,
      file,
      line: pos.line,
      column: pos.column,
    };
    if (pos.endLine !== undefined) finding.endLine = pos.endLine;
    if (pos.endColumn !== undefined) finding.endColumn = pos.endColumn;
    if (r.hint) finding.hint = r.hint;
    findings.push(finding);
  };
  const base = {
    target,
    headers,
    commandTable: table,
    source: prepared,
    parsed,
    header,
    directives,
    report,
    ...(library ? { library } : {}),
  } satisfies RuleContext;
  // Rules that need the tree get the analysis and every redis.call's command; a file that does not parse gets neither.
  const ctx: RuleContext | AstContext =
    parsed.chunk && analysis
      ? ({
          ...base,
          analysis,
          commands: analysis.redisCalls.map((site) => ({ site, command: resolveCommand(site.args, table) })),
        } satisfies AstContext)
      : base;

  for (rule of ALL_RULES) {
    const level = severities.get(rule.id)!;
    if (level === 'off') continue;
    // A library documents each function above it (library.ts reads that), not KEYS/ARGV in a file header.
    if (library && rule.id === 'header-keys-argv') continue;
    severity = level;
    // A rule that needs the syntax tree is skipped when the script does not parse.
    if (!rule.needsAst) rule.check(ctx);
    else if ('analysis' in ctx) rule.check(ctx);
  }
  findings.sort((x, y) => x.line - y.line || x.column - y.column || (x.rule < y.rule ? -1 : x.rule > y.rule ? 1 : 0));
  return { findings, metadata };
}

const DEFAULT_SEVERITIES: ReadonlyMap<string, Severity> = new Map(ALL_RULES.map((r) => [r.id, r.defaultSeverity]));

function resolveSeverities(rules: Record<string, Severity> | undefined): ReadonlyMap<string, Severity> {
  if (!rules || Object.keys(rules).length === 0) return DEFAULT_SEVERITIES;
  const out = new Map(DEFAULT_SEVERITIES);
  for (const [id, severity] of Object.entries(rules)) {
    if (!out.has(id)) {
      throw new ConfigError(`lint: unknown rule "${id}"`, [`Known rules: ${ALL_RULES.map((r) => r.id).join(', ')}`]);
    }
    if (!SEVERITIES.includes(severity)) {
      throw new ConfigError(
        `lint: rule "${id}" has severity ${JSON.stringify(severity)}; use "off", "warning" or "error"`,
      );
    }
    out.set(id, severity);
  }
  return out;
}

function position(at: At, lineStarts: readonly number[]): Pick<Finding, 'line' | 'column' | 'endLine' | 'endColumn'> {
  if ('node' in at) {
    const [from, to] = rangeOf(at.node);
    const start = positionAt(lineStarts, from);
    const end = positionAt(lineStarts, to);
    return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
  }
  const pos: Pick<Finding, 'line' | 'column' | 'endLine' | 'endColumn'> = { line: at.line, column: at.column };
  if (at.endLine !== undefined) pos.endLine = at.endLine;
  if (at.endColumn !== undefined) pos.endColumn = at.endColumn;
  return pos;
}

/** Line -> rule ids silenced on it ('*': every rule). */
type Suppressions = Map<number, Set<string>>;

/** What the `rscript-disable-...` comments silence (see suppressions.ts). */
function readSuppressions(directives: readonly Directive[]): Suppressions {
  if (directives.length === 0) return NO_SUPPRESSIONS;
  const out: Suppressions = new Map();
  for (const d of directives) {
    const set = out.get(d.line) ?? new Set<string>();
    if (d.ids.length === 0) set.add('*');
    for (const { id } of d.ids) set.add(id);
    out.set(d.line, set);
  }
  return out;
}

/** Shared by the scripts without a directive (most of them); never written to. */
const NO_SUPPRESSIONS: Suppressions = new Map();

function isSuppressed(s: Suppressions, line: number, rule: string): boolean {
  const set = s.get(line);
  return set !== undefined && (set.has('*') || set.has(rule));
}

/** A library (`#!lua name=`), or a file that calls register_function without naming its library. */
function libraryOf(prepared: PreparedSource): { registrations: Registrations; missingName?: boolean } | undefined {
  // A `name=` file that registers nothing keeps the script rules' word on its shebang (invalid-shebang).
  if (!/\bredis\s*\.\s*register_function\b/.test(prepared.code)) return undefined;
  const named = prepared.shebang !== null && /(^|\s)name=/.test(prepared.shebang.text);
  const registrations = readRegistrations(prepared.text);
  return named ? { registrations } : { registrations, missingName: true };
}

/**
 * Lets the script rules check a library: its `name=` is no shebang problem, and inside each function
 * the parameters `keys` and `args` become KEYS and ARGV (same length, so every position stays where
 * it is in the file); the parameter itself is renamed so that it does not hide them.
 */
function asLibrary(prepared: PreparedSource, registrations: Registrations): void {
  if (prepared.shebang) {
    prepared.shebang.problems = prepared.shebang.problems.filter((p) => !/shebang option: name=/.test(p.message));
  }
  const code = prepared.code.split('');
  const put = (at: number, text: string) => text.split('').forEach((c, i) => (code[at + i] = c));
  for (const { node } of registrations.callbacks) {
    node.parameters.forEach((param, i) => {
      if (i > 1 || param.type !== 'Identifier' || param.name.length !== 4) return;
      const name = param.name;
      put(rangeOf(param)[0], i === 0 ? '_k__' : '_a__');
      walk(node, (n) => {
        if (n.type === 'Identifier' && n !== param && (n as lua.Identifier).name === name)
          put(rangeOf(n)[0], i === 0 ? 'KEYS' : 'ARGV');
      });
    });
  }
  prepared.code = code.join('');
}
