/**
 * `rscript test`'s text: a line per case as the run goes (failures detailed under their case, with
 * expected vs actual and the spec's file:line), a summary line, and the JUnit XML report for CI.
 */
import type { CaseResult, Failure, TestResult } from '../commands/test.js';
import { ms, out } from './render.js';

const protocolTag = (r: CaseResult, protocols: number) => (protocols > 1 ? ` ${out.dim(`[RESP${r.protocol}]`)}` : '');

/** One case: its mark, file:line, name and time; a failed one with what went wrong under it. */
export function renderCase(r: CaseResult, protocols: number): string {
  const mark = r.passed ? out.green('✓') : out.red('✗');
  const calls = r.calls ? out.dim(` ${r.calls} calls`) : '';
  const head = `${mark} ${out.dim(`${r.file}:${r.line}`)}  ${r.name}${protocolTag(r, protocols)}  ${out.dim(`${ms(r.ms)} ms`)}${calls}`;
  return [head, ...r.failures.flatMap((f) => renderFailure(r.file, f))].join('\n');
}

/** A failure's lines, indented under its case. */
export function renderFailure(file: string, f: Failure): string[] {
  const lines = [`    ${out.bold(`${file}:${f.line}`)}  ${f.what}`];
  if (f.expected !== undefined) lines.push(`      ${out.green('expected')}  ${f.expected}`);
  if (f.actual !== undefined) lines.push(`      ${out.red('actual')}    ${f.actual}`);
  for (const m of f.mismatches ?? []) {
    lines.push(`      ${out.dim(`at ${m.path || '(reply)'}`)}  expected ${m.expected}, got ${m.actual}`);
  }
  if (f.note) lines.push(`      ${out.dim(f.note)}`);
  return lines;
}

/** `12 passed, 1 failed` and where, how long; the plain counts first so that CI logs can be read for them. */
export function renderSummary(r: TestResult): string {
  const protocols = r.protocols.map((p) => `RESP${p}`).join(' and ');
  const counts = `${r.passed} passed, ${r.failed} failed${r.skipped > 0 ? `, ${r.skipped} skipped` : ''}`;
  const stopped = r.interrupted ? out.yellow(' (interrupted: the cases left were not run)') : '';
  const skipped =
    r.skipped > 0
      ? out.dim(`\n(${r.skipped} case run${r.skipped === 1 ? '' : 's'} marked "cluster: false" not run on the cluster)`)
      : '';
  const where = out.dim(
    `${r.cases.length} case runs of ${r.files.length} spec file${r.files.length === 1 ? '' : 's'} under ${protocols} on ${r.server} in ${(r.ms / 1000).toFixed(2)} s`,
  );
  return `${r.failed > 0 ? out.red(counts) : out.green(counts)}${stopped}\n${where}${skipped}`;
}

/** The whole text, for a run whose cases were not printed as they ran. */
export function renderTest(r: TestResult): string {
  return [...r.cases.map((c) => renderCase(c, r.protocols.length)), renderSummary(r)].join('\n');
}

/** JUnit XML: a testsuite per spec file, a testcase per case and protocol. */
export function junitReport(r: TestResult): string {
  const byFile = new Map<string, CaseResult[]>();
  for (const f of r.files) byFile.set(f, []);
  for (const c of r.cases) byFile.get(c.file)?.push(c);
  const secs = (n: number) => (n / 1000).toFixed(3);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="rscript test" tests="${r.cases.length}" failures="${r.failed}" time="${secs(r.ms)}">`,
  ];
  for (const [file, cases] of byFile) {
    const failed = cases.filter((c) => !c.passed).length;
    const time = cases.reduce((n, c) => n + c.ms, 0);
    lines.push(`  <testsuite name="${xml(file)}" tests="${cases.length}" failures="${failed}" time="${secs(time)}">`);
    for (const c of cases) {
      const name = r.protocols.length > 1 ? `${c.name} [RESP${c.protocol}]` : c.name;
      const attrs = `classname="${xml(file.replace(/\.spec\.yaml$/, ''))}" name="${xml(name)}" file="${xml(file)}" line="${c.line}" time="${secs(c.ms)}"`;
      if (c.passed) {
        lines.push(`    <testcase ${attrs}/>`);
        continue;
      }
      const first = c.failures[0]!;
      const message = `${file}:${first.line}: ${first.what}${first.expected !== undefined ? `: expected ${first.expected}` : ''}${first.actual !== undefined ? `, actual ${first.actual}` : ''}`;
      // The same lines as the terminal's, without colour.
      const detail = c.failures.flatMap((f) => plainFailure(file, f)).join('\n');
      lines.push(
        `    <testcase ${attrs}>`,
        `      <failure message="${xml(message)}" type="${xml(first.what.split(' ')[0]!)}">${xml(detail)}</failure>`,
        '    </testcase>',
      );
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n');
}

function plainFailure(file: string, f: Failure): string[] {
  return [
    `${file}:${f.line}  ${f.what}`,
    ...(f.expected !== undefined ? [`  expected  ${f.expected}`] : []),
    ...(f.actual !== undefined ? [`  actual    ${f.actual}`] : []),
    ...(f.mismatches ?? []).map((m) => `  at ${m.path || '(reply)'}  expected ${m.expected}, got ${m.actual}`),
    ...(f.note ? [`  ${f.note}`] : []),
  ];
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 cannot hold these characters at all
const NOT_XML = /[\x00-\x08\x0b\x0c\x0e-\x1f]/g;

function xml(s: string): string {
  return s
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
