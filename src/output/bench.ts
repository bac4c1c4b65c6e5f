/**
 * `rscript bench`'s printed text: the result table (fitted to the terminal), a small latency histogram,
 * the budget verdicts, the live progress line (stderr, TTY only), and the `--csv` text.
 */
import { printable } from './printable.js';
import type { BenchResult } from '../commands/bench.js';
import type { LiveRun } from '../bench/load-generator.js';
import { CSV_FIELDS, type BenchRow } from '../bench/rows.js';
import { err, out, table } from './render.js';
import { displayWidth, type Align } from './table.js';

/** A figure in ms with 3 significant-ish digits: 0.021, 1.25, 48.2, 1520. */
export function fmtMs(ms: number | null): string {
  if (ms === null) return '-';
  if (ms === 0) return '0';
  return ms < 1 ? ms.toFixed(3) : ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');

function verdictText(row: BenchRow): string {
  switch (row.verdict) {
    case 'ok':
      return out.green('ok');
    case 'over':
      return out.red('OVER');
    case 'unsure':
      return out.yellow('UNSURE');
    case 'error':
      return out.red('ERROR');
  }
}

function sourceText(row: BenchRow): string {
  if (row.budgetSource === 'client') return 'client-side p99 latency (the server gave no statistics)';
  return row.serverSource === 'commandstats+latency-histogram'
    ? 'server-side time per call (INFO commandstats + LATENCY HISTOGRAM)'
    : 'server-side mean (INFO commandstats), p99 bounded by client latency';
}

/**
 * The human report: one table row per script, then the histogram (one script), notes and errors.
 * `columns`: the terminal's width, which the table is made to fit (see fitBenchTable); none when piped.
 */
export function renderBench(r: BenchResult, columns?: number): string {
  // A row with no call answered (a fixture whose setup failed) has no figures: '-', not 0.
  const figure = (row: BenchRow, text: string) => (row.requests > row.errors ? text : '-');
  const table: BenchTable = {
    columns: [
      {
        head: 'script',
        short: 'script',
        align: 'left',
        cells: r.results.map((row) => row.script + (row.interrupted ? out.yellow(' (partial)') : '')),
      },
      { head: 'requests', short: 'calls', align: 'right', cells: r.results.map((row) => fmtInt(row.requests)) },
      {
        head: 'errors',
        short: 'errors',
        align: 'right',
        cells: r.results.map((row) => (row.errors > 0 ? out.red(String(row.errors)) : '0')),
      },
      {
        head: 'ops/sec',
        short: 'ops/sec',
        align: 'right',
        cells: r.results.map((row) => figure(row, fmtInt(row.opsPerSec))),
      },
      { head: 'p50 ms', short: 'p50', align: 'right', cells: r.results.map((row) => figure(row, fmtMs(row.p50Ms))) },
      { head: 'p99 ms', short: 'p99', align: 'right', cells: r.results.map((row) => figure(row, fmtMs(row.p99Ms))) },
      { head: 'max ms', short: 'max', align: 'right', cells: r.results.map((row) => figure(row, fmtMs(row.maxMs))) },
      {
        head: 'server mean ms',
        short: 'srv mean',
        align: 'right',
        cells: r.results.map((row) => figure(row, fmtMs(row.serverMeanMs))),
      },
      {
        head: 'server p99 ms',
        short: 'srv p99',
        align: 'right',
        cells: r.results.map((row) =>
          row.serverP99MsAtMost === null ? '-' : figure(row, `≤ ${fmtMs(row.serverP99MsAtMost)}`),
        ),
      },
      { head: 'budget ms', short: 'budget', align: 'right', cells: r.results.map((row) => `${row.budgetMs}`) },
      { head: 'verdict', short: 'verdict', align: 'left', cells: r.results.map(verdictText) },
    ],
    short: false,
    left: [],
  };
  const fitted = columns === undefined ? table : fitBenchTable(table, columns);
  const lines: string[] = [];
  const where = r.sandbox
    ? `sandbox ${r.serverName ?? `redis-server ${r.sandbox.version ?? ''}`} on ${r.server}`.replace('  ', ' ')
    : `${r.server}${r.serverName ? ` (${r.serverName})` : ''}`;
  lines.push(out.dim(`bench on ${where}${fitted.short ? '; times in ms' : ''}`));
  lines.push(drawBenchTable(fitted));
  if (fitted.left.length > 0) {
    lines.push(out.dim(`left out to fit ${columns} columns: ${fitted.left.join(', ')} (--json has every figure)`));
  }
  if (r.results.length === 1 && r.results[0]!.requests > r.results[0]!.errors) {
    const row = r.results[0]!;
    const calls = `${fmtInt(row.requests)} calls in ${fmtMs(row.elapsedMs / 1000)} s, c=${row.connections} P=${row.pipeline}`;
    const latency = `client latency ms: min ${fmtMs(row.minMs)}  p50 ${fmtMs(row.p50Ms)}  p90 ${fmtMs(row.p90Ms)}  p99 ${fmtMs(row.p99Ms)}  p99.9 ${fmtMs(row.p999Ms)}  max ${fmtMs(row.maxMs)}`;
    // One line when it fits (or when piped), else two.
    const oneLine = `${calls}; ${latency}`;
    lines.push(columns === undefined || displayWidth(oneLine) <= columns ? oneLine : `${calls}\n${latency}`);
    if (row.histogram.length > 0) lines.push(drawHistogram(row.histogram));
  }
  // One line per script that needs a word (all of them for a single script); the table says the rest.
  const sources = new Set<string>();
  for (const row of r.results) {
    if (row.error) {
      // No call at all: the fixture's setup failed.
      const when = row.requests > 0 ? ` after ${fmtInt(row.requests)} calls` : ', nothing benched';
      lines.push(`${row.script}: ${verdictText(row)}${when}: ${out.red(printable(row.error))}`);
      if (row.errorLine) lines.push(out.dim(`  ${printable(row.errorLine)}`));
      continue;
    }
    sources.add(sourceText(row));
    if (r.results.length > 1 && row.verdict === 'ok' && !row.note) continue;
    const figure =
      `p99 ≤ ${fmtMs(row.budgetFigureMsAtMost)} ms` +
      (row.serverMeanMs !== null ? `, mean ${fmtMs(row.serverMeanMs)} ms` : '');
    lines.push(`${row.script}: ${verdictText(row)}: ${figure} against ${row.budgetMs} ms`);
    if (row.note) lines.push(out.dim(`  ${row.note}`));
  }
  if (sources.size > 0) {
    const held = `held against the budget: ${[...sources].join('; ')}`;
    // On a narrow terminal the sources go on a line of their own.
    const narrow = columns !== undefined && displayWidth(held) > columns;
    lines.push(out.dim(narrow ? `held against the budget:\n  ${[...sources].join(';\n  ')}` : held));
  }
  if (r.withoutFixture.length > 0) {
    lines.push(out.dim(`no fixture, not benched: ${r.withoutFixture.join(', ')}`));
  }
  if (r.leftKeys.length > 0) {
    const names = r.leftKeys.slice(0, 5).join(', ') + (r.leftKeys.length > 5 ? `, ... (${r.leftKeys.length})` : '');
    lines.push(out.dim(`what ${names} wrote stays on ${r.server} (bench --sandbox runs on a throwaway server)`));
  }
  if (r.interrupted) lines.push(out.yellow('interrupted (Ctrl-C): the figures cover what ran before it'));
  const bad = r.overBudget + r.failed;
  if (!r.interrupted) {
    lines.push(
      bad === 0
        ? out.green(r.results.length === 1 ? 'within budget' : `all ${r.results.length} within budget`)
        : out.red(`${r.overBudget} over budget or unsure, ${r.failed} failed, of ${r.results.length}`),
    );
  }
  return lines.join('\n');
}

/** The bench table as columns, so that some can be shortened or left out to fit a terminal. */
interface BenchTable {
  columns: Array<{ head: string; short: string; align: Align; cells: string[] }>;
  /** The short headers are used (the units are then said once, above the table). */
  short: boolean;
  /** The headers of the columns left out. */
  left: string[];
}

function drawBenchTable(t: BenchTable): string {
  const rows = t.columns[0]!.cells.map((_, i) => t.columns.map((c) => c.cells[i]!));
  return table(
    t.columns.map((c) => (t.short ? c.short : c.head)),
    rows,
    t.columns.map((c) => c.align),
  );
}

const tableWidth = (t: BenchTable) => displayWidth(drawBenchTable(t).split('\n', 1)[0]!);

/**
 * Makes the table fit in `columns`, one step at a time until it does: short headers (the units said
 * once), the errors column when every row has none, then max and p50 (the line under a single
 * script's table keeps them), then the script names clipped (to 16 columns, then ops/sec left out,
 * then to 8). What the budget verdict rests on (p99, server mean and p99, budget, verdict) stays.
 */
export function fitBenchTable(t: BenchTable, columns: number): BenchTable {
  let fit: BenchTable = t;
  const fits = () => tableWidth(fit) <= columns;
  const without = (head: string) => {
    fit = { ...fit, columns: fit.columns.filter((c) => c.head !== head), left: [...fit.left, head] };
  };
  // The names are clipped from the original cells, to what the other columns leave (at least `min`).
  const names = t.columns[0]!;
  const clipScripts = (min: number) => {
    const [script, ...rest] = fit.columns;
    const now = Math.max(...[script!.head, ...script!.cells].map(displayWidth));
    const room = Math.max(min, now + columns - tableWidth(fit));
    fit = { ...fit, columns: [{ ...names, cells: names.cells.map((c) => clip(c, room)) }, ...rest] };
  };
  if (fits()) return fit;
  fit = { ...fit, short: true };
  if (fits()) return fit;
  if (fit.columns.find((c) => c.head === 'errors')!.cells.every((c) => c === '0')) {
    fit = { ...fit, columns: fit.columns.filter((c) => c.head !== 'errors') };
    if (fits()) return fit;
  }
  for (const head of ['max ms', 'p50 ms']) {
    without(head);
    if (fits()) return fit;
  }
  clipScripts(16);
  if (fits()) return fit;
  without('ops/sec');
  clipScripts(8);
  return fit;
}

/** `text` cut to `width` columns, ending with "…" when cut. */
function clip(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let cut = '';
  for (const ch of text) {
    if (displayWidth(cut + ch) > width - 1) break;
    cut += ch;
  }
  return `${cut}…`;
}

/**
 * A small histogram of client latency: one line per power-of-two bin, a bar scaled to the fullest
 * bin, and the share of calls. Bins with nothing at either end are left out.
 */
export function drawHistogram(bins: BenchRow['histogram'], width = 40): string {
  let first = bins.findIndex((b) => b.count > 0);
  let last = bins.length - 1 - [...bins].reverse().findIndex((b) => b.count > 0);
  if (first < 0) return '';
  // Keep it small: merge the thinnest bins at the ends into "< x" / ">= y" when there are many.
  while (last - first + 1 > 12) {
    if (bins[first]!.count <= bins[last]!.count) first++;
    else last--;
  }
  const total = bins.reduce((s, b) => s + b.count, 0);
  const shown = bins.slice(first, last + 1).map((b) => ({ ...b }));
  shown[0]!.count += bins.slice(0, first).reduce((s, b) => s + b.count, 0);
  shown[shown.length - 1]!.count += bins.slice(last + 1).reduce((s, b) => s + b.count, 0);
  const peak = Math.max(...shown.map((b) => b.count));
  const labels = shown.map((b, i) => {
    const lo = i === 0 && first > 0 ? '' : fmtMs(b.fromMs);
    const hi = i === shown.length - 1 && last < bins.length - 1 ? '' : fmtMs(b.toMs);
    return lo === '' ? `< ${hi} ms` : hi === '' ? `>= ${lo} ms` : `${lo} - ${hi} ms`;
  });
  const pad = Math.max(...labels.map((l) => l.length));
  return shown
    .map((b, i) => {
      const len = b.count === 0 ? 0 : Math.max(1, Math.round((b.count / peak) * width));
      const share = ((b.count / total) * 100).toFixed(1).padStart(5);
      return `  ${labels[i]!.padStart(pad)} ${out.cyan('█'.repeat(len))}${' '.repeat(width - len)} ${share}%`;
    })
    .join('\n');
}

/** The live line: script, a bar, calls, ops/sec, p50 and p99 so far, elapsed. */
export function progressLine(script: string, live: LiveRun, nowMs: number, columns = 80): string {
  const elapsedMs = Math.max(1, nowMs - live.startedAt);
  const done = live.completed + live.errors;
  const fraction =
    live.requests !== undefined
      ? done / live.requests
      : live.durationMs !== undefined
        ? elapsedMs / live.durationMs
        : 0;
  const h = live.histogram;
  const stats =
    ` ${fmtInt(done)}${live.requests !== undefined ? `/${fmtInt(live.requests)}` : ''} calls` +
    `  ${fmtInt((done / elapsedMs) * 1000)} ops/s` +
    `  p50 ${fmtMs(h.percentile(50) / 1e6)} ms  p99 ${fmtMs(h.percentile(99) / 1e6)} ms` +
    `  ${(elapsedMs / 1000).toFixed(1)}s` +
    (live.errors > 0 ? `  ${live.errors} errors` : '');
  const barWidth = Math.max(10, Math.min(30, columns - script.length - stats.length - 6));
  const filled = Math.min(barWidth, Math.round(Math.min(1, fraction) * barWidth));
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]`;
  return `${script} ${err().cyan(bar)}${stats}`;
}

/** Redraws the progress line on `stream` every 200 ms until the returned stop is called. */
export function startProgress(script: string, live: LiveRun, stream: NodeJS.WriteStream = process.stderr): () => void {
  const draw = () => stream.write(`\r\x1b[2K${progressLine(script, live, Date.now(), stream.columns ?? 80)}`);
  const timer = setInterval(draw, 200);
  timer.unref();
  return () => {
    clearInterval(timer);
    stream.write('\r\x1b[2K');
  };
}

/** RFC 4180 CSV: a header line, then one line per row; fields with a comma, quote or newline quoted. */
export function benchCsv(rows: BenchRow[]): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [CSV_FIELDS.join(','), ...rows.map((row) => CSV_FIELDS.map((f) => cell(row[f])).join(','))].join('\n');
}
