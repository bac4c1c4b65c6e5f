/**
 * Suppression comments: `-- rscript-disable-next-line rule-a, rule-b` silences the next line,
 * `-- rscript-disable-line rule` its own line; without ids every rule is silenced. Text after " -- "
 * is a free explanation, not ids. Read by the linter (what to silence) and by the
 * `unknown-suppression` rule (ids that name no rule).
 */
import type * as lua from 'luaparse';
import { commentTextStart, lineOf, rangeOf } from './source.js';

/** One rule id written in a directive. */
export interface DirectiveId {
  id: string;
  /** 0-based offset of the id in the file. */
  offset: number;
}

/** One `rscript-disable-...` comment. */
export interface Directive {
  /** `rscript-disable-next-line` or `rscript-disable-line`, as written. */
  name: string;
  /** The 1-based line it silences. */
  line: number;
  /** The ids it names; empty: every rule. */
  ids: DirectiveId[];
}

const PREFIX = 'rscript-disable-';
const DIRECTIVE = /^rscript-disable-(next-line|line)(?=\s|$)(.*)$/s;

/** The directives among a script's comments, in order. A directive must start its comment. */
export function readDirectives(comments: readonly lua.Comment[], lineStarts: readonly number[]): Directive[] {
  let out: Directive[] | undefined;
  for (const c of comments) {
    if (!c.value.includes(PREFIX)) continue;
    const body = c.value.trim();
    const m = DIRECTIVE.exec(body);
    if (!m) continue;
    const [start, end] = rangeOf(c);
    const line = m[1] === 'next-line' ? lineOf(lineStarts, end) + 1 : lineOf(lineStarts, start);
    // Where m[2] starts in the file: after the comment's opening, the blanks `trim` dropped and the name.
    const base = commentTextStart(c) + (c.value.length - c.value.trimStart().length) + PREFIX.length + m[1]!.length;
    const ids: DirectiveId[] = [];
    for (const w of m[2]!.split(/\s--\s/)[0]!.matchAll(/[^\s,]+/g)) ids.push({ id: w[0], offset: base + w.index });
    (out ??= []).push({ name: `${PREFIX}${m[1]}`, line, ids });
  }
  return out ?? NO_DIRECTIVES;
}

/** Shared by the scripts without a directive (most of them); never written to. */
const NO_DIRECTIVES: Directive[] = [];
