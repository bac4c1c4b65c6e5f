/**
 * Box tables in one pass over the cells. cli-table3 laid out 10,000 rows (a large `load`) in 6 to 9 s
 * (its layout is quadratic in the rows); this does it in milliseconds and draws the same box.
 */

export type Align = 'left' | 'right';

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour sequences take no room on screen
const ANSI = /\x1b\[[0-9;]*m/g;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Columns a string takes on a terminal: colour codes take none, wide (CJK, emoji) characters two. */
export function displayWidth(text: string): number {
  const plain = text.includes('\x1b') ? text.replace(ANSI, '') : text;
  // Most cells (names, SHAs, numbers) are printable ASCII: a column a character, no loop.
  if (PRINTABLE_ASCII.test(plain)) return plain.length;
  let width = 0;
  for (const ch of plain) {
    const cp = ch.codePointAt(0)!;
    if (
      cp < 0x20 ||
      (cp >= 0x7f && cp < 0xa0) ||
      (cp >= 0x300 && cp < 0x370) ||
      cp === 0x200d ||
      (cp >= 0xfe00 && cp <= 0xfe0f)
    )
      continue;
    width += isWide(cp) ? 2 : 1;
  }
  return width;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/**
 * A table: a top rule, the header, the rows, a bottom rule, one space of padding in each cell.
 * No rule between rows, so long tables stay compact. A cell holding line breaks (a message that
 * names several nodes, a server's error text) takes as many lines as it has, inside its column.
 */
export function renderTable(head: string[], rows: string[][], align: Align[] = []): string {
  const columns = head.length;
  const widths = head.map(displayWidth);
  // The printed lines: the row itself for the usual row (no copy), one per line of its tallest cell
  // for a row with line breaks.
  const lines: string[][] = [];
  for (const row of rows) {
    let height = 1;
    for (let c = 0; c < columns; c++) if (row[c]?.includes('\n')) height = Math.max(height, row[c]!.split('\n').length);
    if (height === 1) {
      lines.push(row);
      continue;
    }
    const split = head.map((_, c) => (row[c] ?? '').split('\n'));
    for (let k = 0; k < height; k++) lines.push(split.map((cell) => cell[k] ?? ''));
  }
  // Each cell measured once, in one flat array: 10,000 rows made 20,000 small arrays before.
  const cellWidths = new Array<number>(lines.length * columns);
  for (let i = 0; i < lines.length; i++) {
    for (let c = 0; c < columns; c++) {
      const w = displayWidth(lines[i]![c] ?? '');
      cellWidths[i * columns + c] = w;
      if (w > widths[c]!) widths[c] = w;
    }
  }
  const line = (cells: string[], cellW: readonly number[], at: number) => {
    let text = '│';
    for (let c = 0; c < columns; c++) {
      const pad = ' '.repeat(widths[c]! - cellW[at + c]!);
      const cell = cells[c] ?? '';
      text += align[c] === 'right' ? ` ${pad}${cell} │` : ` ${cell}${pad} │`;
    }
    return text;
  };
  const rule = (left: string, mid: string, right: string) =>
    left + widths.map((w) => '─'.repeat(w + 2)).join(mid) + right;
  const out = [rule('┌', '┬', '┐'), line(head, head.map(displayWidth), 0)];
  for (let i = 0; i < lines.length; i++) out.push(line(lines[i]!, cellWidths, i * columns));
  out.push(rule('└', '┴', '┘'));
  return out.join('\n');
}
