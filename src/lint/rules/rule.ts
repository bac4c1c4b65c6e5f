/** What a rule sees and how it reports. */
import type * as lua from 'luaparse';
import type { Analysis, RedisCallSite } from '../analysis.js';
import type { RuleInfo } from '../finding.js';
import type { Header } from '../header.js';
import type { ResolvedCommand } from '../known-commands.js';
import type { ParseResult } from '../parse.js';
import type { PreparedSource } from '../source.js';
import type { Directive } from '../suppressions.js';
import type { Target } from '../target.js';
import type { CommandTable } from '../../redis/command-table.js';
import type { Registrations } from '../library.js';

/** Where a finding points: a node, or explicit 1-based positions. */
export type At = { node: lua.Node } | { line: number; column: number; endLine?: number; endColumn?: number };

export interface Report {
  message: string;
  hint?: string;
  /** A note rather than the rule's severity: counts neither as a warning nor as an error. */
  info?: boolean;
}

export interface RuleContext {
  /** The server the scripts must run on: its command table and its Lua API. */
  target: Target;
  /** `always`: header-keys-argv checks every script; `convention`: only scripts with a KEYS[n]:/ARGV[n]: header. */
  headers: 'convention' | 'always';
  /** The target's command table. */
  commandTable: CommandTable;
  source: PreparedSource;
  parsed: ParseResult;
  header: Header;
  /** The `rscript-disable-...` comments, read once for the linter and the rule that checks their ids. */
  directives: readonly Directive[];
  report(at: At, report: Report): void;
  /** Set for a Redis Functions library (`#!lua name=`), or a file that registers functions without one. */
  library?: { registrations: Registrations; missingName?: boolean };
}

/** The context of a script that parsed. */
export interface AstContext extends RuleContext {
  analysis: Analysis;
  /** Each redis.call/pcall site with its command (undefined when the name is not a literal). */
  commands: ReadonlyArray<{ site: RedisCallSite; command: ResolvedCommand | undefined }>;
}

/** A rule that needs the syntax tree is skipped when the script does not parse. */
export type Rule = RuleInfo &
  ({ needsAst: false; check(ctx: RuleContext): void } | { needsAst: true; check(ctx: AstContext): void });
