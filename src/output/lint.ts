/**
 * Lint output: a human report (grouped by file, the source line with a caret under the column) and
 * SARIF 2.1.0 for code-scanning tools. Both return text/data; printing is the caller's business.
 */
import { pathToFileURL } from 'node:url';
import { isAbsolute } from 'node:path';
import { Chalk } from 'chalk';
import type { Finding, RuleInfo } from '../lint/finding.js';
import type { ChosenTarget } from '../lint/target-ids.js';
import { computeLineStarts } from '../lint/source.js';
import { printable } from './printable.js';

export interface FileResult {
  file: string;
  source: string;
  findings: Finding[];
}

/** The human report; `color` turns ANSI colours on. Ends with its summary line, without a newline (the printer ends the output). */
export function formatText(results: readonly FileResult[], color: boolean): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  const out: string[] = [];
  let errors = 0;
  let warnings = 0;
  let notes = 0;
  for (const result of results) {
    if (result.findings.length === 0) continue;
    out.push(c.bold.underline(printable(result.file)));
    const lines = splitLines(result.source);
    for (const f of result.findings) {
      if (f.severity === 'error') errors++;
      else if (f.severity === 'warning') warnings++;
      else notes++;
      const level =
        f.severity === 'error' ? c.red('error  ') : f.severity === 'warning' ? c.yellow('warning') : c.cyan('note   ');
      out.push(`  ${c.dim(`${f.line}:${f.column}`)}  ${level}  ${printable(f.message)}  ${c.dim(f.rule)}`);
      const text = lines[f.line - 1];
      if (text !== undefined) {
        out.push(`    ${printable(text)}`);
        out.push(
          `    ${caretLine(text, f)}`.replace(/[~^]+/, (m) =>
            f.severity === 'error' ? c.red(m) : f.severity === 'warning' ? c.yellow(m) : c.cyan(m),
          ),
        );
      }
      if (f.hint) out.push(`    ${c.cyan('hint:')} ${printable(f.hint)}`);
    }
    out.push('');
  }
  const summary = `${plural(errors, 'error')}, ${plural(warnings, 'warning')}${notes > 0 ? `, ${plural(notes, 'note')}` : ''} in ${plural(results.length, 'file')}`;
  out.push(errors > 0 ? c.red.bold(summary) : warnings > 0 ? c.yellow.bold(summary) : c.green(summary));
  return out.join('\n');
}

/**
 * Blanks that keep tabs as tabs, so the caret lands under the column in any tab width; measured on the
 * printed (escaped) line, so that a `\x1b` before the column moves the caret by its four characters.
 */
function caretLine(text: string, f: Finding): string {
  const start = Math.max(0, Math.min(f.column - 1, text.length));
  const pad = printable(text.slice(0, start)).replace(/[^\t]/g, ' ');
  const sameLine = f.endLine === undefined || f.endLine === f.line;
  const end = sameLine && f.endColumn !== undefined ? Math.min(f.endColumn - 1, text.length) : start + 1;
  const span = Math.max(1, printable(text.slice(start, Math.max(end, start + 1))).length);
  return pad + '^' + '~'.repeat(span - 1);
}

function splitLines(source: string): string[] {
  const starts = computeLineStarts(source);
  return starts.map((s, i) =>
    source.slice(s, i + 1 < starts.length ? starts[i + 1] : source.length).replace(/[\r\n]+$/, ''),
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * SARIF 2.1.0: one run, the rule list in the driver, one result per finding. The rules come from the
 * caller (`RULES` of lint.ts): this module does not load the rules and the Lua parser for a text or
 * JSON report of cached findings.
 * @see https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 */
export function formatSarif(
  results: readonly FileResult[],
  toolVersion: string,
  rules: readonly RuleInfo[],
  target?: ChosenTarget,
): object {
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'rscript',
            version: toolVersion,
            rules: rules.map((r) => ({
              id: r.id,
              shortDescription: { text: r.description },
              defaultConfiguration: { level: r.defaultSeverity },
            })),
          },
        },
        // Columns are counted in UTF-16 code units, as the linter counts them.
        columnKind: 'utf16CodeUnits',
        // The findings depend on the server linted for (a run's property bag, SARIF 2.1.0 3.8).
        ...(target ? { properties: { lintTarget: target } } : {}),
        results: results.flatMap((result) =>
          result.findings.map((f) => {
            const region: Record<string, number> = { startLine: f.line, startColumn: f.column };
            if (f.endLine !== undefined) region.endLine = f.endLine;
            if (f.endColumn !== undefined) region.endColumn = f.endColumn;
            const index = ruleIndex.get(f.rule);
            return {
              ruleId: f.rule,
              ...(index === undefined ? {} : { ruleIndex: index }),
              level: f.severity === 'info' ? 'note' : f.severity,
              message: { text: f.hint ? `${f.message}. ${f.hint}` : f.message },
              locations: [{ physicalLocation: { artifactLocation: { uri: fileUri(f.file) }, region } }],
            };
          }),
        ),
      },
    ],
  };
}

/** A relative path stays relative (SARIF resolves it against the checkout); an absolute one becomes file://. */
function fileUri(file: string): string {
  if (isAbsolute(file)) return pathToFileURL(file).href;
  return encodeURI(file.replace(/\\/g, '/'));
}
