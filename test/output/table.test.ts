import { displayWidth, renderTable } from '../../src/output/table.js';

describe('tables', () => {
  test('columns fit the widest cell, right-aligned where asked, wide characters count double', () => {
    const text = renderTable(
      ['script', 'bytes'],
      [
        ['a', '5'],
        ['日本', '12345'],
      ],
      ['left', 'right'],
    );
    expect(text.split('\n')).toEqual([
      '┌────────┬───────┐',
      '│ script │ bytes │',
      '│ a      │     5 │',
      '│ 日本   │ 12345 │',
      '└────────┴───────┘',
    ]);
  });

  test('colour codes take no room', () => {
    expect(displayWidth('\x1b[32mnew\x1b[39m')).toBe(3);
    const plain = renderTable(['h'], [['new']]);
    const coloured = renderTable(['h'], [['\x1b[32mnew\x1b[39m']]);
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(plain);
  });

  test('a cell with line breaks takes a line each, inside its column', () => {
    // A raw line break in a cell used to start the next line at column 0 and break the box.
    const text = renderTable(
      ['script', 'missing on'],
      [
        ['a', 'node-1 (replica)\nnode-2 (replica)'],
        ['bb', 'node-3'],
      ],
    );
    expect(text.split('\n')).toEqual([
      '┌────────┬──────────────────┐',
      '│ script │ missing on       │',
      '│ a      │ node-1 (replica) │',
      '│        │ node-2 (replica) │',
      '│ bb     │ node-3           │',
      '└────────┴──────────────────┘',
    ]);
  });

  test('lays out a 10,000-row table (a large load) row for row', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => [`script_${i}`, 'e0e1f9fabfc9', 'new', 'loaded', String(i)]);
    const text = renderTable(['script', 'sha', 'status', 'server', 'bytes'], rows);
    expect(text.split('\n')).toHaveLength(10_003);
  });
});
