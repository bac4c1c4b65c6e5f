/**
 * The one module that owns colour (chalk) and tables (./table.ts). Commands return data; this turns it into text.
 * No colour when stdout is not a TTY or NO_COLOR is set.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { ExecResult } from '../commands/exec.js';
import type { InfoServerCopy, ScriptInfo } from '../commands/info.js';
import type { ExistsResult } from '../commands/exists.js';
import type { FlushResult } from '../commands/flush.js';
import type { FunctionsDumpResult, FunctionsRestoreResult } from '../commands/functions.js';
import type { KillOutcome, KillResult } from '../commands/kill.js';
import type { LoadResult } from '../commands/load.js';
import type { BuildResult } from '../commands/build.js';
import type { GenResult } from '../commands/gen.js';
import type { NodeRole, TopologySummary } from '../server/topology.js';
import { colorLevel } from './color.js';
import type { TypedReply } from '../redis/typed-reply.js';
import { printable } from './printable.js';
import { plainReply, replyRows, type PlainReply } from './reply.js';
import { displayWidth, renderTable, type Align } from './table.js';

export { colorLevel };

export const out: ChalkInstance = new Chalk({ level: colorLevel(process.stdout) });
/** For stderr (the bench's progress line): made on first use, so that stderr is not opened for nothing. */
let errChalk: ChalkInstance | undefined;
export const err = (): ChalkInstance => (errChalk ??= new Chalk({ level: colorLevel(process.stderr) }));

export function table(head: string[], rows: string[][], align?: Align[]): string {
  return renderTable(
    head.map((h) => out.bold(h)),
    rows,
    align,
  );
}

export const shortSha = (sha: string) => sha.slice(0, 12);
/** `1 script`, `2 scripts`. */
export const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
export const ms = (n: number) => (n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));

/**
 * Beyond this many unchanged scripts that every node already has, the table lists only the scripts
 * something happened to, and one line counts the others: a load of 10,000 scripts with one change
 * prints one row, not 10,000 (`--all` lists every script; `--json` always does).
 */
export const QUIET_ROWS_LISTED = 50;

export function renderLoad(r: LoadResult, options: { all?: boolean } = {}): string {
  const statusColor = (s: string) => (s === 'new' ? out.green(s) : s === 'changed' ? out.yellow(s) : out.dim(s));
  const serverColor = (s: string) =>
    s === 'loaded'
      ? out.green(s)
      : s === 'would load'
        ? out.yellow(s)
        : s === 'cached'
          ? out.dim('already cached')
          : out.dim('-');
  // Unchanged and cached everywhere (with --check the server is not asked: unchanged).
  const quiet = (row: LoadResult['rows'][number]) =>
    row.status === 'unchanged' && (row.server === 'cached' || row.server === 'unknown');
  const quietCount = r.rows.reduce((n, row) => n + (quiet(row) ? 1 : 0), 0);
  const folded = !options.all && quietCount > QUIET_ROWS_LISTED;
  const listed = folded ? r.rows.filter((row) => !quiet(row)) : r.rows;
  const rows = listed.map((row) => [
    row.name,
    shortSha(row.sha),
    statusColor(row.status),
    row.nodes ? nodeCounts(row.nodes) : serverColor(row.server),
    String(row.size),
  ]);
  for (const name of r.removed) rows.push([out.strikethrough(name), '', out.red('removed'), out.dim('-'), '']);
  const onlyLibraries = r.rows.length === 0 && r.removed.length === 0 && r.libraries !== undefined;
  const lines =
    (rows.length > 0 || !folded) && !onlyLibraries
      ? [table(['script', 'sha', 'status', 'server', 'bytes'], rows, ['left', 'left', 'left', 'left', 'right'])]
      : [];
  // A script changed by a fragment it includes: which file changed, since the script itself did not.
  for (const row of listed) {
    const via = row.changedSources?.filter((p) => !row.path.endsWith(p));
    if (via && via.length > 0) lines.push(out.dim(`${row.name}: changed through ${via.join(', ')}`));
  }
  if (r.libraries) lines.push(...renderLibraryRows(r));
  if (folded) {
    const what = r.check
      ? 'unchanged'
      : r.cluster
        ? 'unchanged and cached on every node'
        : 'unchanged and already cached';
    lines.push(out.dim(`${quietCount} scripts ${what} are not listed (--all lists every script)`));
  }
  const count = (s: string) => r.rows.filter((row) => row.status === s).length;
  const loaded = r.rows.filter((row) => row.server === 'loaded').length;
  const cached = r.rows.filter((row) => row.server === 'cached').length;
  const parts = onlyLibraries
    ? []
    : [
        plural(r.rows.length, 'script'),
        `${count('new')} new`,
        `${count('changed')} changed`,
        `${count('unchanged')} unchanged`,
      ];
  if (r.removed.length) parts.push(`${r.removed.length} removed`);
  if (onlyLibraries) parts.push(libraryCounts(r));
  else if (!r.check && r.cluster) parts.push(...clusterLoadCounts(r, r.cluster));
  else if (!r.check)
    parts.push(
      r.dryRun ? `${r.rows.filter((x) => x.server === 'would load').length} to load` : `${loaded} loaded`,
      `${cached} already cached`,
    );
  let tail: string;
  if (r.check)
    tail = r.stale
      ? out.red(`${r.manifest} is out of date: run rscript load and commit it`)
      : out.green(`${r.manifest} is up to date`);
  else if (r.dryRun) tail = out.yellow('dry run: nothing loaded, nothing written');
  else tail = r.manifestWritten ? `${r.manifest} written` : `${r.manifest} unchanged`;
  if (r.libraries && !onlyLibraries) parts.push(libraryCounts(r));
  lines.push(`${parts.join(', ')}${r.server ? ` on ${r.server.name}` : ''} in ${ms(r.elapsedMs)} ms; ${tail}`);
  return lines.join('\n');
}

/** The libraries of a load: one row each, what each node did with it. */
function renderLibraryRows(r: LoadResult): string[] {
  const libs = r.libraries ?? [];
  const statusColor = (s: string) => (s === 'new' ? out.green(s) : s === 'changed' ? out.yellow(s) : out.dim(s));
  const rows = libs.map((lib) => [
    lib.library,
    shortSha(lib.sha),
    statusColor(lib.status),
    r.check ? out.dim('-') : libraryServerCell(lib.nodes),
    lib.functions.map((f) => f.name + (f.flags.length ? ` (${f.flags.join(',')})` : '')).join(', '),
  ]);
  for (const name of r.removedLibraries ?? [])
    rows.push([
      out.strikethrough(name),
      '',
      out.red('removed'),
      out.dim('still on the server (FUNCTION DELETE removes it)'),
      '',
    ]);
  const lines = rows.length > 0 ? [table(['library', 'sha', 'status', 'server', 'functions'], rows)] : [];
  for (const lib of libs) {
    const via = lib.changedSources?.filter((p) => !lib.path.endsWith(p));
    if (via && via.length > 0) lines.push(out.dim(`${lib.library}: changed through ${via.join(', ')}`));
  }
  // Per node, when a dry run has something to do on a cluster: which primary gets what.
  if (r.dryRun && r.cluster) {
    for (const lib of libs) {
      for (const n of lib.nodes)
        if (n.action !== 'unchanged') lines.push(out.dim(`  ${n.node} (${n.role}): ${n.action} ${lib.library}`));
    }
  }
  return lines;
}

/** One library's server cell: `replaced`, `unchanged`, or per action with node counts on a cluster. */
function libraryServerCell(nodes: LibraryRowNodes): string {
  if (nodes.length === 0) return out.dim('-');
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(n.action, (counts.get(n.action) ?? 0) + 1);
  const color = (a: string) =>
    a === 'added' || a === 'replaced' || a === 'received'
      ? out.green(a)
      : a === 'unchanged'
        ? out.dim(a)
        : out.yellow(a);
  if (nodes.length === 1) return color(nodes[0]!.action);
  return [...counts].map(([a, n]) => `${color(a)} on ${n}`).join(', ') + ` of ${nodes.length} nodes`;
}

type LibraryRowNodes = NonNullable<LoadResult['libraries']>[number]['nodes'];

function libraryCounts(r: LoadResult): string {
  const libs = r.libraries ?? [];
  const by = (s: string) => libs.filter((l) => l.status === s).length;
  const parts = [
    plural(libs.length, 'library').replace('librarys', 'libraries'),
    `${by('new')} new`,
    `${by('changed')} changed`,
    `${by('unchanged')} unchanged`,
  ];
  if (r.removedLibraries?.length) parts.push(`${r.removedLibraries.length} removed`);
  if (!r.check) {
    const written = libs.reduce(
      (n, l) => n + l.nodes.filter((x) => x.action === 'added' || x.action === 'replaced').length,
      0,
    );
    const planned = libs.reduce(
      (n, l) => n + l.nodes.filter((x) => x.action === 'would add' || x.action === 'would replace').length,
      0,
    );
    parts.push(r.dryRun ? `${planned} FUNCTION LOAD to send` : `${written} FUNCTION LOAD sent`);
  }
  return parts.join(', ');
}

/** On a cluster a script can be loaded on some nodes and cached on others: loads are counted per node. */
function clusterLoadCounts(r: LoadResult, cluster: TopologySummary): string[] {
  const status = r.dryRun ? 'would load' : 'loaded';
  const loads = r.rows.flatMap((row) => row.nodes ?? []).filter((n) => n.server === status);
  const nodes = new Set(loads.map((n) => n.node)).size;
  return [
    `${loads.length} ${r.dryRun ? 'loads to do' : 'loads'} on ${nodes} of ${cluster.nodes.length} cluster nodes (${describeNodes(cluster.nodes)})`,
    `${r.rows.filter((row) => row.server === 'cached').length} already cached everywhere`,
  ];
}

/** A load row on a cluster: on how many nodes the script was loaded and on how many it was cached. */
function nodeCounts(nodes: NonNullable<LoadResult['rows'][number]['nodes']>): string {
  const count = (s: string) => nodes.filter((n) => n.server === s).length;
  const [loaded, cached, wouldLoad] = [count('loaded'), count('cached'), count('would load')];
  if (cached === nodes.length) return out.dim(`already cached on all ${nodes.length} nodes`);
  const parts: string[] = [];
  if (loaded > 0) parts.push(out.green(`loaded on ${loaded}`));
  if (wouldLoad > 0) parts.push(out.yellow(`would load on ${wouldLoad}`));
  if (cached > 0) parts.push(out.dim(`already cached on ${cached}`));
  return `${parts.join(', ')} of ${nodes.length} nodes`;
}

/** "3 primaries, 3 replicas" (or "1 primary"). */
export function describeNodes(nodes: ReadonlyArray<{ role: NodeRole }>): string {
  const primaries = nodes.filter((n) => n.role === 'primary').length;
  const replicas = nodes.length - primaries;
  const parts = [`${primaries} ${primaries === 1 ? 'primary' : 'primaries'}`];
  if (replicas > 0) parts.push(`${replicas} ${replicas === 1 ? 'replica' : 'replicas'}`);
  return parts.join(', ');
}

/** A script's text (the server's copy) as indented lines, each escaped as every printed source line is. */
function sourceBlock(text: string): string[] {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => `  ${printable(l)}`);
}

/**
 * exec's `--json` document: `reply` as plain JSON (what `redis-cli --json` gives, for jq), and the
 * typed tree, which tells a status from a bulk string and keeps every byte, as `replyTyped`.
 */
export function execJson(r: ExecResult): Omit<ExecResult, 'reply'> & { reply: PlainReply; replyTyped: TypedReply } {
  return { ...r, reply: plainReply(r.reply), replyTyped: r.reply };
}

/**
 * One line per error-level lint finding on a file `rscript load` had not checked, as load words its
 * refusals (the call ran: these are warnings, and the exit code stays the call's).
 */
export function execLintWarnings(r: ExecResult): string[] {
  return (r.lintErrors ?? []).map((f) =>
    printable(
      `${f.file}:${f.line}:${f.column}: ${f.message} (${f.rule}${f.includedInto ? `, included into ${f.includedInto}` : ''}; rscript lint ${f.includedInto ?? f.file} explains it)`,
    ),
  );
}

export function renderExec(r: ExecResult): string {
  const rows = replyRows(r.reply).map((row) => [out.dim(row.path), out.cyan(row.type), row.value]);
  const note = r.reloaded ? out.yellow(' (the server lacked it: loaded and retried)') : '';
  const where = r.node
    ? out.dim(`  on ${r.node.node} (${r.node.role}${r.node.slot !== undefined ? `, slot ${r.node.slot}` : ''})`)
    : '';
  const text = `${table(['at', 'type', 'value'], rows)}\n${ms(r.rttMs)} ms  ${r.script}  sha ${shortSha(r.sha)}${where}${note}`;
  const copy = r.serverCopy;
  if (!copy) return text;
  if (copy.status === 'same')
    return `${text}\n${out.dim(`the server's copy (SCRIPT SHOW ${shortSha(copy.sha)}) is the same as the file`)}`;
  if (copy.status === 'unavailable' || copy.status === 'not cached') {
    const shown = copy.source !== undefined ? `\n${sourceBlock(copy.source).join('\n')}` : '';
    return `${text}\n${out.dim(`server's copy: ${copy.reason}`)}${shown}`;
  }
  const source = sourceBlock(copy.source ?? '').join('\n');
  return `${text}\n${out.red(`the server's copy (sha ${shortSha(copy.sha)}, from the manifest) differs from the file, which changed since rscript load; the server has:`)}\n${source}`;
}

/** Past QUIET_ROWS_LISTED cached scripts, as for load, the table lists the missing ones and counts the others. */
export function renderExists(r: ExistsResult, options: { all?: boolean } = {}): string {
  if (!r.libraries) return renderScriptsExist(r, options);
  // Without script rows, the server's notes (evicted scripts) still come first.
  const scripts = r.rows.length > 0 ? [renderScriptsExist(r, options)] : existsNotes(r);
  const libraries = renderLibrariesExist(r.libraries, r.cluster);
  // The last line is the verdict a log's tail shows: scripts missing while the libraries are all
  // there put the libraries first.
  const scriptsLast = r.missing > 0 && !r.librariesMissing && r.rows.length > 0;
  return (scriptsLast ? [libraries, ...scripts] : [...scripts, libraries]).join('\n');
}

/** Each library: present everywhere, or the nodes that lack it and those holding other code. */
function renderLibrariesExist(libs: NonNullable<ExistsResult['libraries']>, cluster?: TopologySummary): string {
  const where = (nodes: ReadonlyArray<{ node: string; role: NodeRole }>) =>
    nodes.map((n) => (cluster ? `${n.node} (${n.role})` : n.node)).join(', ');
  const rows = libs.map((l) => [
    l.library,
    shortSha(l.sha),
    l.present
      ? out.green(cluster ? `yes, on all ${cluster.nodes.length} nodes` : 'yes')
      : out.red(
          [
            l.missingOn.length ? `MISSING on ${where(l.missingOn)}` : '',
            l.driftOn.length
              ? `OTHER CODE on ${where(l.driftOn)} (sha ${[...new Set(l.driftOn.map((d) => shortSha(d.sha)))].join(', ')})`
              : '',
          ]
            .filter(Boolean)
            .join('; '),
        ),
  ]);
  const bad = libs.filter((l) => !l.present).length;
  const summary =
    bad === 0
      ? out.green(
          `${libs.length === 1 ? 'the library is' : `all ${libs.length} libraries are`} on the server with the manifest's code`,
        )
      : out.red(
          `${bad} of ${libs.length} ${libs.length === 1 ? 'library' : 'libraries'} missing or drifted: run rscript load`,
        );
  return [table(['library', 'sha', 'present'], rows), summary].join('\n');
}

function renderScriptsExist(r: ExistsResult, options: { all?: boolean }): string {
  const notes = existsNotes(r);
  if (r.cluster) return [...serverCopyLines(r), ...notes, renderClusterExists(r, r.cluster)].join('\n');
  const cached = r.rows.length - r.missing;
  const copies = r.rows.some((row) => row.serverCopy !== undefined);
  // With --verbose on a server that has SCRIPT SHOW, every row is listed: each has a copy to report.
  const folded = !options.all && !copies && cached > QUIET_ROWS_LISTED;
  const listed = folded ? r.rows.filter((row) => !row.cached) : r.rows;
  const rows = listed.map((row) => [
    row.name,
    shortSha(row.sha),
    row.cached ? out.green('yes') : out.red('MISSING'),
    ...(copies ? [copyCell(row.serverCopy)] : []),
  ]);
  const lines = rows.length > 0 ? [table(['script', 'sha', 'cached', ...(copies ? ['server copy'] : [])], rows)] : [];
  lines.push(...serverCopyLines(r, false), ...notes);
  if (folded && r.missing > 0)
    lines.push(out.dim(`${cached} cached scripts are not listed (--all lists every script)`));
  const server = r.server ? `the server (${r.server.name})` : 'the server';
  lines.push(
    r.missing === 0
      ? out.green(
          r.rows.length === 1
            ? `the script is cached on ${server}`
            : `all ${r.rows.length} scripts are cached on ${server}`,
        )
      : out.red(`${r.missing} of ${plural(r.rows.length, 'script')} missing on ${server}: run rscript load`),
  );
  return lines.join('\n');
}

const copyCell = (copy: string | undefined) =>
  copy === 'same'
    ? out.green('same as the file')
    : copy === 'differs'
      ? out.red('DIFFERS from the file')
      : copy === 'no file'
        ? out.yellow('no local file')
        : out.dim('-');

/**
 * The server's copies that differ from the files (SCRIPT SHOW), each with its source; on a cluster
 * (no table) the scripts whose copy is the same are counted too. A server without SCRIPT SHOW says so.
 */
function serverCopyLines(r: ExistsResult, counted = true): string[] {
  const lines: string[] = [];
  if (r.serverCopyNote) lines.push(out.dim(r.serverCopyNote));
  for (const row of r.rows) {
    if (row.serverCopy === 'differs') {
      lines.push(
        out.red(
          `${row.name}: the server's copy (sha ${shortSha(row.sha)}) differs from the file, which changed since rscript load; the server runs:`,
        ),
      );
      lines.push(...sourceBlock(row.serverSource ?? ''));
    } else if (row.serverCopy === 'no file' && counted) {
      lines.push(out.yellow(`${row.name}: the server has it, and its file is gone`));
    }
  }
  const same = r.rows.filter((row) => row.serverCopy === 'same').length;
  if (counted && same > 0)
    lines.push(out.dim(`the server's copy of ${plural(same, 'script')} is the same as the file (SCRIPT SHOW)`));
  return lines;
}

/** Nodes that evicted scripts: said per node, with why it matters. */
function existsNotes(r: ExistsResult): string[] {
  if (!r.evicted?.length) return [];
  return [
    ...r.evicted.map((e) =>
      out.yellow(
        `${e.node}: ${plural(e.evictedScripts, 'script')} evicted from the cache since the server started (INFO evicted_scripts)`,
      ),
    ),
    out.dim(
      'Redis 7.4+ and Valkey 8+ keep at most 500 scripts added by EVAL and evict the least recently used; scripts loaded with SCRIPT LOAD (as rscript loads them) stay. Something here runs scripts through EVAL: those pay a compile per eviction, and on Redis 7.4.0 a script first added by EVAL stays evictable even after rscript load.',
    ),
  ];
}

/** On a cluster: one line when every node has every script, else the scripts and the nodes that lack them. */
function renderClusterExists(r: ExistsResult, cluster: TopologySummary): string {
  const nodes = `${cluster.nodes.length}${r.server ? ` ${r.server.name}` : ''} nodes (${describeNodes(cluster.nodes)})`;
  if (r.missing === 0) return out.green(`all ${r.rows.length} scripts are cached on all ${nodes}`);
  const rows = r.rows
    .filter((row) => !row.cached)
    .map((row) => [row.name, shortSha(row.sha), out.red(missingOnCell(row.missingOn ?? [], cluster.nodes))]);
  const lacking = new Set(r.rows.flatMap((row) => (row.missingOn ?? []).map((n) => n.node)));
  const summary = out.red(
    `${r.missing} of ${plural(r.rows.length, 'script')} missing on ${lacking.size} of ${nodes}: run rscript load`,
  );
  return [table(['script', 'sha', 'missing on'], rows), summary].join('\n');
}

/** Past this many, the "missing on" cell names the first nodes and counts the others (`--json` has them all). */
const NODES_NAMED = 3;

/**
 * The nodes that lack a script, on one line: `all 6 nodes`, `all 6 nodes but 127.0.0.1:30001 (primary)`,
 * `127.0.0.1:30004 (replica), 127.0.0.1:30005 (replica)`, `3 of 6 nodes: a, b, c (replicas)`.
 */
function missingOnCell(
  missing: ReadonlyArray<{ node: string; role: NodeRole }>,
  all: ReadonlyArray<{ node: string; role: NodeRole }>,
): string {
  const named = (nodes: ReadonlyArray<{ node: string; role: NodeRole }>) =>
    nodes.map((n) => `${n.node} (${n.role})`).join(', ');
  if (missing.length >= all.length) return `all ${all.length} nodes`;
  if (missing.length <= 2) return named(missing);
  const lacking = new Set(missing.map((n) => n.node));
  const having = all.filter((n) => !lacking.has(n.node));
  if (having.length <= 2) return `all ${all.length} nodes but ${named(having)}`;
  const shown = missing.slice(0, NODES_NAMED);
  const roles = new Set(missing.map((n) => n.role));
  const list =
    roles.size === 1
      ? `${shown.map((n) => n.node).join(', ')} (${[...roles][0] === 'primary' ? 'primaries' : 'replicas'})`
      : named(shown);
  const more = missing.length > shown.length ? ` and ${missing.length - shown.length} more (--json lists them)` : '';
  return `${missing.length} of ${all.length} nodes: ${list}${more}`;
}

export function renderFlush(r: FlushResult): string {
  if (r.what === 'functions') {
    const where = r.nodes ? `${r.nodes.length} primaries (replicas follow them): ${r.server}` : r.server;
    return `every Functions library deleted (FUNCTION FLUSH${r.mode === 'default' ? '' : ` ${r.mode}`}) on ${where}`;
  }
  if (r.nodes) {
    return `script cache flushed on ${r.nodes.length} nodes (${describeNodes(r.nodes)})${r.mode === 'default' ? '' : ` (${r.mode})`}: ${r.server}`;
  }
  return `script cache flushed on ${r.server}${r.mode === 'default' ? '' : ` (${r.mode})`}`;
}

/** kill's notice (stderr) when a node accepted the connection but answers nothing yet. */
export function renderKillWaiting(node: string, waitedMs: number, maxWaitMs: number): string {
  return `${node}: no answer within ${waitedMs} ms: the server is busy running a script (it answers nothing until busy-reply-threshold, 5000 ms by default, has passed); waiting up to ${maxWaitMs % 1000 === 0 ? `${maxWaitMs / 1000} s` : `${maxWaitMs} ms`} for it to accept SCRIPT KILL (--wait)`;
}

export function renderKill(r: KillResult): string {
  if (r.nodes) {
    if (r.outcome === 'nothing running') {
      const where = r.nodes.length === 1 ? r.server : `any of the ${r.nodes.length} nodes (${describeNodes(r.nodes)})`;
      return `no script is running on ${where}; nothing to kill`;
    }
    // Each node that ran a script, with its role: a replica runs no-writes scripts sent with --ro.
    const killed = r.nodes
      .filter((n) => n.outcome === 'killed script' || n.outcome === 'killed function')
      .map((n) => renderStandaloneKill({ outcome: n.outcome as KillOutcome, server: `${n.node} (${n.role})` }));
    return killed.join('\n');
  }
  return renderStandaloneKill(r);
}

function renderStandaloneKill(r: Pick<KillResult, 'outcome' | 'server'>): string {
  switch (r.outcome) {
    case 'killed script':
      return `${r.server}: the running script was killed`;
    case 'killed function':
      return `${r.server}: a FUNCTION was running; it was killed with FUNCTION KILL`;
    case 'nothing running':
      return `${r.server}: no script is running; nothing to kill`;
  }
}

/** The catalog's width for a slot whose doc has no short name (a sentence): its first words. */
const CLIPPED_DOC = 24;

/**
 * "refill rate in tokens per second (decimal...)" -> "refill rate in tokens…": the doc up to its
 * first parenthesis, comma or semicolon, cut at a word; undefined when nothing is left.
 */
function clipDoc(doc: string): string | undefined {
  const head = doc.split(/\s*[(,;]/)[0]!.trim();
  if (head === '' || /^[[<]/.test(head)) return undefined;
  if (head.length <= CLIPPED_DOC) return head;
  const cut = head.lastIndexOf(' ', CLIPPED_DOC - 1);
  return `${head.slice(0, cut > 0 ? cut : CLIPPED_DOC - 1)}…`;
}

/**
 * Clips the keys and args cells (columns 2 and 3) of the info catalog so that its lines fit in
 * `columns`: each gets half of the room the other columns leave, and what one does not use goes to
 * the other. A clipped cell ends at a whole slot name where it can, with "…". (Those cells are plain
 * text, but for a dimmed "none", too short ever to be cut.)
 */
function fitSlots(rows: string[][], columns: number, copies: boolean): void {
  const widest = (c: number, head: string) => Math.max(head.length, ...rows.map((r) => displayWidth(r[c]!)));
  // Six borders and a space each side of five cells (seven and six with the server copy). Too narrow
  // a terminal still gets the two cells at their narrowest: a table a little wider than it, not three
  // times as wide.
  const copy = copies ? 3 + widest(5, 'server copy') : 0;
  const room = Math.max(
    2 * MIN_SLOT_WIDTH,
    columns - 16 - copy - widest(0, 'script') - widest(1, 'sha') - widest(4, 'flags'),
  );
  const keys = widest(2, 'keys');
  const args = widest(3, 'args');
  if (keys + args <= room) return;
  const half = Math.floor(room / 2);
  const keysWidth = keys <= half ? keys : args <= room - half ? room - args : half;
  const argsWidth = room - keysWidth;
  for (const row of rows) {
    row[2] = clipCell(row[2]!, keysWidth);
    row[3] = clipCell(row[3]!, argsWidth);
  }
}

const MIN_SLOT_WIDTH = 6;

/**
 * `text` in at most `width` columns: cut after the last whole ", "-separated part that fits, then
 * "…". Measured in columns (a CJK character takes two), cut between whole characters.
 */
function clipCell(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let room = '';
  let used = 0;
  for (const ch of text) {
    const w = displayWidth(ch);
    if (used + w > width - 1) break;
    room += ch;
    used += w;
  }
  const comma = room.lastIndexOf(', ');
  return `${comma > 0 ? room.slice(0, comma) : room.replace(/[,\s]+$/, '')}…`;
}

/**
 * `rscript info`: a one-row-per-script catalog, or the full card of one script. `columns`: the
 * terminal's width, which the catalog's keys and args cells are clipped to fit (not when piped).
 */
export function renderInfo(scripts: ScriptInfo[], detailed: boolean, columns?: number): string {
  // An optional slot (read with a default) shows in brackets, as usage lines write optional arguments.
  const slot = (s: { name?: string; doc?: string; optional?: true }, i: number, what: string) => {
    const text = s.name ?? (s.doc ? clipDoc(s.doc) : undefined) ?? `${what}[${i + 1}]`;
    return s.optional ? `[${text}]` : text;
  };
  const opt = (s: { optional?: true; doc?: string }) =>
    s.optional && !/\boptional\b/i.test(s.doc ?? '') ? ` ${out.dim('(optional)')}` : '';
  const copies = scripts.filter((s) => s.serverCopy !== undefined);
  // A server without SCRIPT SHOW: said once, not per script.
  const unread =
    copies.length > 0 && copies.every((s) => s.serverCopy!.status === 'unavailable' && !s.serverCopy!.source);
  const copyColumn = copies.length > 0 && !unread;
  if (!detailed) {
    const rows = scripts.map((s) => [
      s.name,
      shortSha(s.sha),
      [...s.keys.map((k, i) => slot(k, i, 'KEYS')), ...(s.moreKeys ? ['...'] : [])].join(', ') || out.dim('none'),
      [...s.args.map((a, i) => slot(a, i, 'ARGV')), ...(s.moreArgs ? ['...'] : [])].join(', ') || out.dim('none'),
      s.flags.join(',') || out.dim('-'),
      ...(copyColumn ? [infoCopyCell(s.serverCopy)] : []),
    ]);
    if (columns !== undefined) fitSlots(rows, columns, copyColumn);
    const fns = scripts.filter((s) => s.library !== undefined).length;
    const counted =
      fns > 0
        ? `${plural(scripts.length - fns, 'script')} and ${plural(fns, 'function')} of ${plural(new Set(scripts.map((s) => s.library).filter(Boolean)).size, 'library').replace('librarys', 'libraries')}`
        : plural(scripts.length, 'script');
    const heads = ['script', 'sha', 'keys', 'args', 'flags', ...(copyColumn ? ['server copy'] : [])];
    const notes = unread
      ? [out.dim(`server copy: ${copies[0]!.serverCopy!.reason}: the server's copies cannot be read back`)]
      : copies.flatMap((s) => (s.serverCopy!.status === 'differs' ? infoCopyLines(s, true) : []));
    return [table(heads, rows), ...notes, `${counted}; rscript info <script> for one in full`].join('\n');
  }
  return scripts
    .map((s) => {
      const lines = [
        `${out.bold(s.name)}  ${s.path}  ${s.library ? `function of library ${s.library} (sha ${s.sha})` : `sha ${s.sha}`}  ${s.size} bytes`,
      ];
      if (s.summary) lines.push(s.summary);
      lines.push(`flags: ${s.flags.join(', ') || 'none (writes allowed)'}`);
      if (s.includes && s.includes.length > 0) lines.push(`includes: ${s.includes.join(', ')}`);
      s.keys.forEach((k, i) => lines.push(`KEYS[${i + 1}]  ${k.doc ?? out.dim('(undocumented)')}${opt(k)}`));
      if (s.moreKeys) lines.push(`KEYS[${s.keys.length + 1}..N]  ${s.moreKeys.doc ?? out.dim('(undocumented)')}`);
      s.args.forEach((a, i) => lines.push(`ARGV[${i + 1}]  ${a.doc ?? out.dim('(undocumented)')}${opt(a)}`));
      if (s.moreArgs) lines.push(`ARGV[${s.args.length + 1}..N]  ${s.moreArgs.doc ?? out.dim('(undocumented)')}`);
      if (s.returns) lines.push(`returns: ${s.returns}`);
      if (s.errors.length) lines.push(`errors: ${s.errors.join('; ')}`);
      lines.push(...infoCopyLines(s, false));
      return lines.join('\n');
    })
    .join('\n\n');
}

/** The catalog's cell for a script's copy on the server (`-` for a function: libraries are exists's). */
function infoCopyCell(copy: InfoServerCopy | undefined): string {
  if (!copy) return out.dim('-');
  const partly = copy.missingOn ? out.yellow(` (not on ${plural(copy.missingOn.length, 'node')})`) : '';
  if (copy.status === 'same') return out.green('same as the file') + partly;
  if (copy.status === 'differs') return out.red('DIFFERS from the file') + partly;
  if (copy.status === 'not cached') return out.red('not cached');
  return out.dim(copy.reason ?? 'unavailable');
}

/**
 * A script's copy on the server, in words: one line, or the line and the server's source when it
 * differs from the file. `named`: the line starts with the script's name (in the catalog).
 */
function infoCopyLines(s: ScriptInfo, named: boolean): string[] {
  const copy = s.serverCopy;
  if (!copy) return [];
  const lead = named ? `${s.name}: the server's copy` : "server's copy";
  const sha = `sha ${shortSha(copy.sha)}${copy.sha !== s.sha ? ', from the manifest' : ''}`;
  const partly = copy.missingOn ? `; not on ${copy.missingOn.join(', ')} (rscript load puts it there)` : '';
  if (copy.status === 'same') return [out.green(`${lead} (${sha}) is the same as the file`) + out.yellow(partly)];
  if (copy.status === 'differs')
    return [
      out.red(`${lead} (${sha}) differs from the file, which changed since rscript load; the server has:`),
      ...sourceBlock(copy.source ?? ''),
      ...(partly ? [out.yellow(partly.slice(2))] : []),
    ];
  if (copy.status === 'not cached')
    return [out.red(`${lead}: not cached (${copy.reason}; rscript load puts it there)`)];
  return [out.dim(`${lead}: ${copy.reason}`), ...(copy.source !== undefined ? sourceBlock(copy.source) : [])];
}

/**
 * `rscript build`: without --out, the assembled text itself (one script: exactly its bytes, so that
 * `rscript build x > x.lua` hashes to its SHA; several: each after a `-- ==> name (sha) <==` line);
 * with --out, what was written.
 */
export function renderBuild(r: BuildResult): string {
  if (r.out === undefined) {
    // The caller's print() ends the output with a newline: the text's own is left to it.
    const chomp = (t: string) => (t.endsWith('\n') ? t.slice(0, -1) : t);
    if (r.scripts.length === 1) return chomp(r.scripts[0]!.text);
    return r.scripts.map((s) => `-- ==> ${s.name} (${s.path}, sha ${s.sha}) <==\n${chomp(s.text)}`).join('\n\n');
  }
  const rows = r.scripts.map((s) => [
    s.name,
    shortSha(s.sha),
    String(s.sources.length),
    s.written ?? '',
    String(s.size),
  ]);
  const lines = [
    table(['script', 'sha', 'files', 'written', 'bytes'], rows, ['left', 'left', 'right', 'left', 'right']),
  ];
  lines.push(`${plural(r.scripts.length, 'script')} written to ${r.out}/`);
  return lines.join('\n');
}

/** `rscript gen ts`: the module itself without --out; else what was done with the file. */
export function renderGen(r: GenResult): string {
  if (r.out === undefined) return r.text.replace(/\n$/, '');
  const what = `${plural(r.scripts, 'script')}${r.functions ? `, ${plural(r.functions, 'function')}` : ''}`;
  if (r.check) {
    return r.upToDate
      ? out.green(`${r.out} is up to date (${what})`)
      : out.red(`${r.out} is out of date: run rscript gen ts --out ${r.out} and commit it`);
  }
  return `${r.out} ${r.written ? 'written' : 'unchanged'} (${what})`;
}

/** The types gen fell back on, said once each (on stderr: stdout may be the module). */
export function genWarnings(r: GenResult): string[] {
  const lines: string[] = [];
  if (r.untyped.length > 0) {
    lines.push(
      `${plural(r.untyped.length, 'argument')} typed string, their header giving no type rscript reads ((integer ...), (string ...)): ${r.untyped.join('; ')}`,
    );
  }
  if (r.untypedReplies.length > 0)
    lines.push(
      `${r.untypedReplies.length === 1 ? '1 reply' : `${r.untypedReplies.length} replies`} typed unknown: ${r.untypedReplies.join('; ')}`,
    );
  return lines;
}

/** `functions dump`: what the payload holds and where it went. */
export function renderFunctionsDump(
  r: Omit<FunctionsDumpResult, 'payload'> & { bytes: number; file?: string },
): string {
  const libs = r.libraries.map((l) => `${l.library} (${l.functions.join(', ')})`).join(', ') || 'no library';
  const from = r.nodes.length === 1 ? r.nodes[0]!.node : `${r.nodes.length} primaries holding the same libraries`;
  return `${r.bytes} bytes from ${from}${r.file ? ` written to ${r.file}` : ''}: ${libs}`;
}

/** `functions restore`: the policy and what every primary holds now. */
export function renderFunctionsRestore(r: FunctionsRestoreResult, file: string): string {
  const where = r.nodes.length === 1 ? r.nodes[0]!.node : `${r.nodes.length} primaries (replicas follow them)`;
  return `${file} restored (${r.policy}) on ${where}; libraries now: ${r.libraries.join(', ') || 'none'}`;
}
