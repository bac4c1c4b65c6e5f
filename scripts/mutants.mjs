#!/usr/bin/env node
/**
 * Hand-made mutants for what the end-to-end tests check (`npm run test:mutants`; before a release,
 * not in every CI run: each mutant costs a build and a test run). End-to-end tests run the built
 * binary, which a source mutation reaches only through a rebuild, so StrykerJS (npm run
 * test:mutation) covers the pure modules and this list the rest.
 *
 * test/mutants/mutants.json lists each mutant: one-line edits (a text that must occur exactly once
 * in its file, and what replaces it) and the test files expected to fail with it. For each mutant
 * this applies the edits, rebuilds (npm run build), runs the named tests, expects a failure, and
 * restores the files. The originals are also kept in .mutants-backup.json until restored, so an
 * interrupted run (Ctrl-C, a kill) is undone by the next one, or now on Ctrl-C.
 *
 *   npm run test:mutants [-- <id>...]
 *
 * Exit 0 when every mutant was caught; 1 when one survived or no longer applies.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LIST = join(ROOT, 'test', 'mutants', 'mutants.json');
const BACKUP = join(ROOT, '.mutants-backup.json');
/** jest's output for each mutant. */
const LOGS = join(ROOT, 'reports', 'mutants');

/** Puts back the files of an interrupted run, then forgets the backup. */
function restore() {
  if (!existsSync(BACKUP)) return false;
  const saved = JSON.parse(readFileSync(BACKUP, 'utf8'));
  for (const [file, text] of Object.entries(saved)) writeFileSync(join(ROOT, file), text);
  rmSync(BACKUP);
  return true;
}

/** The command being run: stopped with its children on Ctrl-C. */
let current;

/** Runs a command in a process group of its own; resolves to its exit code and output. */
function run(command, args, env = {}) {
  const started = Date.now();
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    current = child;
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (s) => (output += s));
    child.stderr.setEncoding('utf8').on('data', (s) => (output += s));
    child.on('close', (code, signal) => {
      current = undefined;
      resolvePromise({ code: code ?? (signal ? 128 : 1), output, seconds: (Date.now() - started) / 1000 });
    });
  });
}

const build = () => run('npm', ['run', '--silent', 'build']);

/** The names of the tests jest reports as failed (`● describe › name`), for the table. */
function failedTests(output) {
  return [
    ...new Set(
      [...output.matchAll(/^ {2}● (.+)$/gm)]
        .map((m) => m[1].trim())
        .filter((name) => !name.startsWith('Test suite failed to run')),
    ),
  ];
}

async function main() {
  if (restore()) {
    console.log('restored the files of an interrupted run');
    await build();
  }
  const wanted = process.argv.slice(2);
  const mutants = JSON.parse(readFileSync(LIST, 'utf8')).mutants.filter(
    (m) => wanted.length === 0 || wanted.includes(m.id),
  );
  if (mutants.length === 0) {
    console.error(`no mutant named ${wanted.join(', ')} in test/mutants/mutants.json`);
    process.exit(2);
  }
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      interrupted = true;
      if (current) {
        try {
          process.kill(-current.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      if (restore())
        console.error(`\n${signal}: the mutated files are restored; run npm run build before using the build`);
      process.exit(130);
    });
  }

  const rows = [];
  for (const mutant of mutants) {
    if (interrupted) break;
    const row = { id: mutant.id, escape: mutant.escape ?? '', result: '', seconds: 0, detail: '' };
    rows.push(row);
    const originals = {};
    const changed = {};
    for (const edit of mutant.edits) {
      const text = changed[edit.file] ?? readFileSync(join(ROOT, edit.file), 'utf8');
      const count = text.split(edit.find).length - 1;
      if (count !== 1) {
        row.result = 'STALE';
        row.detail = `${edit.file}: the text to replace occurs ${count} times (expected once): update test/mutants/mutants.json`;
        break;
      }
      originals[edit.file] ??= text;
      changed[edit.file] = text.replace(edit.find, () => edit.replace);
    }
    if (row.result) continue;
    writeFileSync(BACKUP, JSON.stringify(originals));
    for (const [file, text] of Object.entries(changed)) writeFileSync(join(ROOT, file), text);
    process.stdout.write(`${mutant.id}: `);
    try {
      const built = await build();
      if (built.code !== 0) {
        row.result = 'BUILD FAILED';
        row.detail = built.output.split('\n').find((l) => /error/i.test(l)) ?? '';
      } else {
        const jestArgs = [
          '--experimental-vm-modules',
          join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
          '--runInBand',
          ...mutant.tests,
        ];
        if (mutant.testNamePattern) jestArgs.push('-t', mutant.testNamePattern);
        const tested = await run(process.execPath, jestArgs);
        mkdirSync(LOGS, { recursive: true });
        writeFileSync(join(LOGS, `${mutant.id}.log`), tested.output);
        row.seconds = Math.round(built.seconds + tested.seconds);
        const summary = /^Tests: .*$/m.exec(tested.output)?.[0] ?? '';
        if (tested.code !== 0 && failedTests(tested.output).length > 0) {
          row.result = 'killed';
          row.detail = failedTests(tested.output)[0];
        } else if (tested.code !== 0) {
          row.result = 'ERROR';
          row.detail = `no failed test named (see reports/mutants/${mutant.id}.log): ${tested.output.trim().split('\n').slice(-3).join(' / ')}`;
        } else {
          row.result = 'SURVIVED';
          row.detail = summary;
        }
      }
    } finally {
      restore();
    }
    console.log(row.result);
  }
  // Back to the build of the unmutated sources.
  const rebuilt = await build();
  if (rebuilt.code !== 0) console.error('rscript: the final rebuild failed:\n' + rebuilt.output);

  const header = ['mutant', 'escape', 'result', 's', 'failing test / note'];
  const table = [header, ...rows.map((r) => [r.id, String(r.escape), r.result, String(r.seconds), r.detail])];
  const widths = header.map((_, i) => Math.max(...table.map((line) => line[i].length)));
  console.log('');
  for (const line of table)
    console.log(line.map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '));
  const bad = rows.filter((r) => r.result !== 'killed');
  console.log(`\n${rows.length - bad.length} of ${rows.length} mutants caught`);
  process.exit(bad.length === 0 ? 0 : 1);
}

await main();
