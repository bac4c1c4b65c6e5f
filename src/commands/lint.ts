import { checkScript, type Finding, type Severity } from '../lint/lint.js';
import type { ScriptMetadata } from '../lint/metadata.js';
import { discoverScripts } from '../registry/discover.js';
import { UsageError } from '../errors.js';

export interface LintOptions {
  paths: string[];
  rules?: Record<string, Severity>;
  cwd?: string;
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

/** Lints every script under the paths; pure apart from reading the files. */
export async function lint(options: LintOptions): Promise<LintResult> {
  const scripts = discoverScripts({ paths: options.paths, cwd: options.cwd, allowBom: true });
  if (scripts.length === 0) throw new UsageError(`no .lua files found under ${options.paths.join(', ')}`);
  const files = scripts.map((s) => {
    const { findings, metadata } = checkScript(s.bytes, s.path, { rules: options.rules });
    return { file: s.path, name: s.name, source: s.bytes.toString('utf8'), findings, metadata };
  });
  const count = (sev: string) => files.reduce((n, f) => n + f.findings.filter((x) => x.severity === sev).length, 0);
  return { files, errors: count('error'), warnings: count('warning') };
}
