/** What the linter reports, and how a rule's severity is configured. */

/** A rule's configured level: `off` silences it. */
export type Severity = 'off' | 'warning' | 'error';

/** A finding's level, every one a finding can have (the lint cache reads back only these). */
export const FINDING_SEVERITIES = ['error', 'warning', 'info'] as const;

/** One problem in one file. Lines and columns are 1-based; columns count UTF-16 code units. */
export interface Finding {
  rule: string;
  /** `info`: a note that counts neither as an error nor against --max-warnings. */
  severity: (typeof FINDING_SEVERITIES)[number];
  /** What Redis will do with this code. */
  message: string;
  /** How to fix it. */
  hint?: string;
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

/** A rule as documentation, configuration and SARIF list it. */
export interface RuleInfo {
  id: string;
  defaultSeverity: 'error' | 'warning';
  description: string;
}
