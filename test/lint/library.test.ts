/**
 * The project's own scripts (lua/) must lint without errors. Warnings are listed in the test output
 * so that a reviewer sees them, and silenced in the file (rscript-disable-line) when intended.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatText } from '../../src/output/lint.js';
import { lintSource } from '../../src/lint/lint.js';

const LUA = fileURLToPath(new URL('../../lua/', import.meta.url));

function luaFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return luaFiles(path);
      return name.endsWith('.lua') ? [path] : [];
    });
}

const files = luaFiles(LUA);
const results = files.map((path) => {
  const source = readFileSync(path, 'utf8');
  const file = `lua/${relative(LUA, path).split('\\').join('/')}`;
  return { file, source, findings: lintSource(source, file) };
});

test('lua/ holds scripts', () => {
  expect(files.length).toBeGreaterThan(0);
});

test('no script of lua/ has a lint error', () => {
  const errors = results.map((r) => ({ ...r, findings: r.findings.filter((f) => f.severity === 'error') }));
  const count = errors.reduce((n, r) => n + r.findings.length, 0);
  // On failure the message is the linter's own report.
  expect(count === 0 ? '' : formatText(errors, false)).toBe('');
});

test('warnings of lua/ (listed, not failing)', () => {
  const warnings = results.map((r) => ({ ...r, findings: r.findings.filter((f) => f.severity === 'warning') }));
  const count = warnings.reduce((n, r) => n + r.findings.length, 0);
  if (count > 0) console.log(`lint warnings in lua/:\n${formatText(warnings, false)}`);
  expect(warnings.every((r) => r.findings.every((f) => f.file === r.file))).toBe(true);
});
