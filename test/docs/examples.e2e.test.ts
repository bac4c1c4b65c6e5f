/**
 * The docs cannot rot: every shell example of README.md and docs/**\/*.md runs here, with the built
 * binary, against a real throwaway server, in a project holding a copy of the repository's lua/.
 *
 * What counts as an example (a fenced block):
 * - a transcript: lines starting `$ ` are commands, the lines under one are what it printed. Every
 *   command runs (an `echo` or a `redis-cli` between two rscript commands sets up the next one);
 *   each must exit 0 (a doc that shows a failure writes `; echo "exit $?"`, and shows `exit 1`);
 *   each printed line shown must appear in what the command printed (stdout and stderr).
 * - a list of commands (a `sh` block): each line starting `rscript` or `npx rscript` runs, exit 0.
 *
 * Matching a shown line: spaces collapse, a table's rules match at any width, timings (a decimal
 * number, or a number before `ms`/`s`) match any number, `…` matches anything (a value that changes
 * from run to run: a timestamp, a pid), and the server's address and version match the one started
 * here (the docs show 127.0.0.1:6379 and Redis 7.0.15).
 *
 * A comment just before a block changes what happens to it:
 * - `<!-- example: skip <reason> -->`: not run (a cluster, a file the project does not have); counted.
 * - `<!-- example: exit-only <reason> -->`: run, exit codes checked, output not compared (a bench's
 *   figures).
 * - `<!-- example: file <path> -->`: the block is a file's content, written into the project at
 *   <path> when the reader reaches it (a script a later example loads, a config file).
 * - `<!-- example: lint-bad <rule> -->` / `lint-good <rule>`: a Lua script that `rscript lint` must
 *   report under <rule> (bad), or not report under it at all (good): docs/lint-rules.md.
 *
 * State: README.md starts from an empty server and a project holding lua/ alone (no lockfile); every
 * page of docs/ starts where the README's quick start left them (`rscript load` done, empty
 * keyspace), in a fresh copy. Commands in one page share the project and the server, in order.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative } from 'node:path';
import { BIN, REPO } from '../helpers/cli.js';
import { startRedis, type TestServer } from '../helpers/redis-server.js';
import { CLI_BIN } from '../helpers/server-under-test.js';

interface Command {
  /** The command line as bash runs it. */
  text: string;
  /** Where it is written: file:line. */
  at: string;
  /** The lines the doc shows it printed (transcripts only). */
  shown: string[];
}

type Block =
  | { kind: 'run'; at: string; commands: Command[]; checkOutput: boolean }
  | { kind: 'skip'; at: string; reason: string; commands: number }
  | { kind: 'file'; at: string; path: string; content: string }
  | { kind: 'lint'; at: string; rule: string; bad: boolean; content: string };

const RSCRIPT = /^(npx )?rscript(\s|$)/;

/** The markdown files the docs are made of: README.md and docs/**\/*.md. */
function docFiles(): string[] {
  const out = ['README.md'];
  const walk = (dir: string) => {
    for (const e of readdirSync(join(REPO, dir), { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const rel = join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.md')) out.push(rel);
    }
  };
  walk('docs');
  return out;
}

/** The fenced blocks of a markdown file that are examples, in reading order. */
function parseExamples(file: string, text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(`{3,})(\S*)\s*$/.exec(lines[i]!);
    if (!fence) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== fence[1]; i++) body.push(lines[i]!);
    let j = start - 1;
    while (j >= 0 && lines[j]!.trim() === '') j--;
    const directive = j >= 0 ? /^<!-- example: (\S+)\s*(.*?)\s*-->$/.exec(lines[j]!.trim()) : null;
    const at = `${file}:${start + 1}`;
    if (directive?.[1] === 'lint-bad' || directive?.[1] === 'lint-good') {
      const content = `${body.join('\n')}\n`;
      blocks.push({ kind: 'lint', at, rule: directive[2]!, bad: directive[1] === 'lint-bad', content });
      continue;
    }
    if (directive?.[1] === 'file') {
      blocks.push({ kind: 'file', at, path: directive[2]!, content: `${body.join('\n')}\n` });
      continue;
    }
    const commands = blockCommands(file, start + 2, body, fence[2]!);
    if (commands.length === 0) {
      if (directive) throw new Error(`${at}: <!-- example: ${directive[1]} --> before a block with no rscript command`);
      continue;
    }
    if (directive?.[1] === 'skip') {
      if (!directive[2]) throw new Error(`${at}: a skipped example needs its reason`);
      blocks.push({ kind: 'skip', at, reason: directive[2], commands: commands.length });
    } else if (directive?.[1] === 'exit-only') {
      if (!directive[2]) throw new Error(`${at}: exit-only needs its reason`);
      blocks.push({ kind: 'run', at, commands, checkOutput: false });
    } else if (directive) {
      throw new Error(`${at}: unknown directive <!-- example: ${directive[1]} -->`);
    } else {
      blocks.push({ kind: 'run', at, commands, checkOutput: true });
    }
  }
  return blocks;
}

function blockCommands(file: string, firstLine: number, body: string[], lang: string): Command[] {
  if (body.some((l) => l.startsWith('$ '))) {
    const commands: Command[] = [];
    for (let k = 0; k < body.length; k++) {
      const line = body[k]!;
      if (line.startsWith('$ ')) {
        let text = line.slice(2);
        const at = `${file}:${firstLine + k}`;
        while (text.endsWith('\\') && k + 1 < body.length) text = `${text.slice(0, -1)} ${body[++k]!.trim()}`;
        commands.push({ text, at, shown: [] });
      } else if (commands.length > 0 && line.trim() !== '') {
        commands.at(-1)!.shown.push(line);
      }
    }
    return commands.some((c) => RSCRIPT.test(c.text)) ? commands : [];
  }
  if (!['sh', 'bash', 'shell', 'console', ''].includes(lang)) return [];
  return body.flatMap((line, k) =>
    RSCRIPT.test(line) ? [{ text: line, at: `${file}:${firstLine + k}`, shown: [] }] : [],
  );
}

/** A shown line as a pattern: see the file's comment for what varies. */
function pattern(shown: string): RegExp {
  const parts = squash(shown).split(/(…|\.\.\.)/);
  const source = parts
    .map((part, n) =>
      n % 2 === 1
        ? '.*'
        : part
            .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
            .replace(/\d[\d,]*\\\.\d+/g, '[\\d.,]+')
            .replace(/\d[\d,]*(?= ?m?s\b)/g, '[\\d.,]+'),
    )
    .join('');
  return new RegExp(`^${source}$`);
}

function squash(line: string): string {
  return line
    .replace(/─+/g, '─')
    .replace(/\s+/g, ' ')
    .replace(/\b(Redis|Valkey) \d+\.\d+\.\d+/g, 'SERVER')
    .replace(/redis-server \d+\.\d+\.\d+/g, 'redis-server SERVER')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT')
    .replace(/redis:\/\/127\.0\.0\.1:PORT/g, 'redis://127.0.0.1:PORT')
    .trim();
}

let server: TestServer;
let shims: string;
let cacheDir: string;
const tally = { lintExamples: 0, files: 0, blocks: 0, commands: 0, skippedBlocks: 0, skippedCommands: 0, exitOnly: 0 };
const skips: string[] = [];

beforeAll(async () => {
  server = await startRedis();
  shims = mkdtempSync(join(tmpdir(), 'docs-shims-'));
  cacheDir = mkdtempSync(join(tmpdir(), 'docs-cache-'));
  const shim = (name: string, body: string) => {
    writeFileSync(join(shims, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(shims, name), 0o755);
  };
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  shim('rscript', `exec ${q(process.execPath)} ${q(BIN)} "$@"`);
  shim(
    'npx',
    `if [ "$1" = rscript ]; then shift; exec ${q(process.execPath)} ${q(BIN)} "$@"; fi\n` +
      `echo "npx $1: the docs' example test runs only npx rscript" >&2; exit 127`,
  );
  // The real redis-cli, found before the shims go first on PATH (the shim would run itself).
  const realCli = spawnSync('sh', ['-c', `command -v ${q(CLI_BIN)}`], { encoding: 'utf8' }).stdout.trim();
  shim('redis-cli', `exec ${q(realCli || CLI_BIN)} -p ${server.port} "$@"`);
});

afterAll(async () => {
  await server?.stop();
  if (shims) rmSync(shims, { recursive: true, force: true });
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  process.stdout.write(
    `docs examples: ${tally.commands} rscript commands in ${tally.blocks} blocks of ${tally.files} files run ` +
      `(${tally.exitOnly} blocks checked for exit codes only); ${tally.lintExamples} lint examples linted; ` +
      `${tally.skippedCommands} commands in ${tally.skippedBlocks} blocks skipped${skips.length ? ':' : ''}\n` +
      skips.map((s) => `  ${s}\n`).join(''),
  );
});

function newProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'docs-project-'));
  cpSync(join(REPO, 'lua'), join(dir, 'lua'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "name": "my-app", "private": true }\n');
  return dir;
}

function bash(command: string, cwd: string) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DEBUG', 'FORCE_COLOR', 'NODE_OPTIONS', 'COLUMNS']) delete env[k];
  Object.assign(env, {
    PATH: `${shims}:${process.env.PATH}`,
    REDIS_URL: server.url,
    NO_COLOR: '1',
    RSCRIPT_CACHE_DIR: cacheDir,
  });
  const r = spawnSync('bash', ['-c', command], { cwd, env, encoding: 'utf8', timeout: 30_000, stdio: 'pipe' });
  return { code: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function resetServer(): void {
  server.cli('FLUSHALL');
  server.cli('SCRIPT', 'FLUSH');
  server.cli('FUNCTION', 'FLUSH');
  server.cli('CONFIG', 'SET', 'busy-reply-threshold', '5000');
}

const files = docFiles();

test.each(files)('the shell examples of %s run as shown', (file) => {
  const blocks = parseExamples(file, readFileSync(join(REPO, file), 'utf8'));
  tally.files++;
  if (!blocks.some((b) => b.kind === 'run')) {
    // Nothing to run (skipped blocks, lint examples): no project, no server round.
    for (const block of blocks) {
      if (block.kind === 'skip') {
        tally.skippedBlocks++;
        tally.skippedCommands += block.commands;
        skips.push(`${block.at}: ${block.reason}`);
      }
    }
    return;
  }
  const project = newProject();
  try {
    resetServer();
    if (file !== 'README.md') {
      // Where the README's quick start left the reader: the scripts loaded and the lockfile written.
      const load = bash('rscript load', project);
      expect(load).toMatchObject({ code: 0 });
      server.cli('FLUSHALL');
    }
    const problems: string[] = [];
    for (const block of blocks) {
      if (block.kind === 'file') {
        mkdirSync(dirname(join(project, block.path)), { recursive: true });
        writeFileSync(join(project, block.path), block.content);
        continue;
      }
      if (block.kind === 'lint') continue;
      if (block.kind === 'skip') {
        tally.skippedBlocks++;
        tally.skippedCommands += block.commands;
        skips.push(`${block.at}: ${block.reason}`);
        continue;
      }
      tally.blocks++;
      if (!block.checkOutput) tally.exitOnly++;
      for (const command of block.commands) {
        if (RSCRIPT.test(command.text)) tally.commands++;
        const { code, output } = bash(command.text, project);
        const printed = output.split('\n').map(squash);
        const failures: string[] = [];
        if (code !== 0) failures.push(`exit ${code} (a doc shows a failing command with ; echo "exit $?")`);
        if (block.checkOutput) {
          for (const line of command.shown) {
            const re = pattern(line);
            if (!printed.some((p) => re.test(p))) failures.push(`not printed: ${line}`);
          }
        }
        if (failures.length > 0) {
          const head = output.split('\n').slice(0, 40).join('\n');
          problems.push(`${command.at}: $ ${command.text}\n    ${failures.join('\n    ')}\n  printed:\n${head}`);
        }
      }
    }
    expect(problems.join('\n')).toBe('');
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});

test('each lint example breaks its rule when marked bad, and does not when marked good', () => {
  const examples = files.flatMap((file) =>
    parseExamples(file, readFileSync(join(REPO, file), 'utf8')).filter((b) => b.kind === 'lint'),
  );
  expect(examples.length).toBeGreaterThan(0);
  const dir = mkdtempSync(join(tmpdir(), 'docs-lint-'));
  try {
    const names = examples.map((b, n) => {
      const name = `${String(n).padStart(3, '0')}-${b.rule}-${b.bad ? 'bad' : 'good'}.lua`;
      writeFileSync(join(dir, name), b.content);
      return name;
    });
    // One lint of every example; its text report: a file's name, then its findings, each ending
    // with the rule id.
    const { output } = bash('rscript lint --no-cache .', dir);
    const found = new Map<string, Set<string>>();
    let current: Set<string> | undefined;
    for (const line of output.split('\n')) {
      if (/^\S+\.lua$/.test(line)) found.set(line.replace(/^\.\//, ''), (current = new Set()));
      const finding = /^\s+\d+:\d+\s+(?:error|warning|note)\s.*\s(\S+)$/.exec(line);
      if (finding && current) current.add(finding[1]!);
    }
    const wrong = examples.flatMap((b, n) => {
      const rules = found.get(names[n]!) ?? new Set<string>();
      if (b.bad && !rules.has(b.rule))
        return [`${b.at}: not reported under ${b.rule} (got: ${[...rules].join(', ') || 'nothing'})`];
      if (!b.bad && rules.has(b.rule)) return [`${b.at}: the good example is reported under ${b.rule}`];
      return [];
    });
    expect(wrong).toEqual([]);
    tally.lintExamples = examples.length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, '')
    .replace(/ /g, '-');
}

const withoutCode = (text: string) => text.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1$/gm, '').replace(/`[^`\n]*`/g, '');

test('every relative link between the docs resolves, anchors included', () => {
  const broken: string[] = [];
  for (const file of files) {
    const text = withoutCode(readFileSync(join(REPO, file), 'utf8'));
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = m[1]!;
      if (/^[a-z]+:/i.test(link)) continue;
      const [path, anchor] = link.split('#') as [string, string | undefined];
      const target = path ? normalize(join(dirname(file), path)) : file;
      if (relative(REPO, join(REPO, target)).startsWith('..')) {
        broken.push(`${file}: ${link} leaves the repository`);
        continue;
      }
      let content: string;
      try {
        content = readFileSync(join(REPO, target), 'utf8');
      } catch {
        try {
          readdirSync(join(REPO, target));
          continue;
        } catch {
          broken.push(`${file}: ${link}: no such file`);
          continue;
        }
      }
      if (anchor && target.endsWith('.md')) {
        const headings = [...content.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1$/gm, '').matchAll(/^#+ (.*)$/gm)].map((h) =>
          slug(h[1]!),
        );
        if (!headings.includes(anchor)) broken.push(`${file}: ${link}: no heading #${anchor} in ${target}`);
      }
    }
  }
  expect(broken).toEqual([]);
});
