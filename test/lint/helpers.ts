/** Shared by the lint tests: fixture paths and compact views of findings. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lintSource, type Finding, type Severity } from '../../src/lint/lint.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/lint/', import.meta.url));
export const SEED = fileURLToPath(new URL('../fixtures/seed/', import.meta.url));

export function readFixture(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Lints a source string. */
export function lint(source: string | Buffer, rules?: Record<string, Severity>): Finding[] {
  return lintSource(source, 'test.lua', rules ? { rules } : {});
}

/** `rule@line` for each finding, in report order. */
export function at(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.rule}@${f.line}`);
}

/** Lines of the findings of one rule. */
export function linesOf(findings: readonly Finding[], rule: string): number[] {
  return findings.filter((f) => f.rule === rule).map((f) => f.line);
}
