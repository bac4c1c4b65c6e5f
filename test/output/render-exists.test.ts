import type { ExistsResult } from '../../src/commands/exists.js';
import { renderExists } from '../../src/output/render.js';
import type { NodeRole } from '../../src/server/topology.js';

// A six-node cluster as `exists` returns it (stdout is not a TTY under jest: no colour).
const NODES: Array<{ node: string; role: NodeRole }> = [
  { node: '127.0.0.1:31001', role: 'primary' },
  { node: '127.0.0.1:31002', role: 'primary' },
  { node: '127.0.0.1:31003', role: 'primary' },
  { node: '127.0.0.1:31004', role: 'replica' },
  { node: '127.0.0.1:31005', role: 'replica' },
  { node: '127.0.0.1:31006', role: 'replica' },
];

function result(missingOn: Array<Array<{ node: string; role: NodeRole }>>): ExistsResult {
  const rows = missingOn.map((m, i) => ({
    name: `script_${i}`,
    sha: `${i}`.repeat(40),
    cached: m.length === 0,
    missingOn: m,
  }));
  return { rows, missing: rows.filter((r) => !r.cached).length, cluster: { nodes: NODES, skipped: [] } };
}

/** The table's lines: every one as wide as the rules, one line per row. */
function tableLines(text: string): string[] {
  const lines = text.split('\n');
  const table = lines.slice(0, lines.findIndex((l) => l.startsWith('└')) + 1);
  for (const line of table) expect([...line]).toHaveLength([...table[0]!].length);
  return table;
}

describe('exists on a cluster: the "missing on" cell', () => {
  test('one node: its address and role', () => {
    const lines = tableLines(renderExists(result([[NODES[4]!]])));
    expect(lines[2]).toBe('│ script_0 │ 000000000000 │ 127.0.0.1:31005 (replica) │');
  });

  test('several nodes: one line per script, a comma-separated list', () => {
    const lines = tableLines(renderExists(result([NODES.slice(3), [NODES[0]!, NODES[4]!]])));
    expect(lines).toHaveLength(5);
    expect(lines[2]).toContain('│ 3 of 6 nodes: 127.0.0.1:31004, 127.0.0.1:31005, 127.0.0.1:31006 (replicas) │');
    expect(lines[3]).toContain('│ 127.0.0.1:31001 (primary), 127.0.0.1:31005 (replica)');
  });

  test('every node, or every node but one or two: said in few words', () => {
    const text = renderExists(result([NODES, NODES.slice(1), [NODES[0]!, NODES[1]!, NODES[2]!, NODES[3]!]]));
    const lines = tableLines(text);
    expect(lines[2]).toContain('│ all 6 nodes ');
    expect(lines[3]).toContain('│ all 6 nodes but 127.0.0.1:31001 (primary) ');
    expect(lines[4]).toContain('│ all 6 nodes but 127.0.0.1:31005 (replica), 127.0.0.1:31006 (replica) ');
    expect(text).toContain('3 of 3 scripts missing on 6 of 6 nodes (3 primaries, 3 replicas): run rscript load');
  });

  test('a large cluster: at most three addresses, and the count of the others', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({
      node: `10.0.0.${i}:6379`,
      role: (i < 20 ? 'primary' : 'replica') as NodeRole,
    }));
    const r: ExistsResult = {
      rows: [{ name: 'a', sha: 'a'.repeat(40), cached: false, missingOn: many.slice(10, 30) }],
      missing: 1,
      cluster: { nodes: many, skipped: [] },
    };
    const lines = tableLines(renderExists(r));
    expect(lines[2]).toContain(
      '│ 20 of 40 nodes: 10.0.0.10:6379 (primary), 10.0.0.11:6379 (primary), 10.0.0.12:6379 (primary) and 17 more (--json lists them) │',
    );
  });
});
