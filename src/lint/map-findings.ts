/**
 * Lint findings of an assembled script (one that includes fragments), led back to the file and line
 * each came from: a finding in a fragment names the fragment, and the script it was included into.
 */
import { displayPath, mapLine } from '../registry/include.js';
import type { LocalScript } from '../registry/script.js';
import type { Finding } from './finding.js';

/** A finding in an included fragment names the script that included it. */
export type MappedFinding = Finding & { includedInto?: string };

/** The findings as positions of the files written; the same array when the script includes nothing. */
export function mapFindings(script: LocalScript, findings: Finding[]): MappedFinding[] {
  const map = script.map;
  if (!map) return findings;
  return findings.map((f) => {
    const start = mapLine(map, script.absPath, f.line);
    const out: MappedFinding = { ...f, line: start.line };
    if (start.fragment) {
      out.file = displayPath(start.absPath);
      out.includedInto = script.path;
    }
    if (f.endLine !== undefined) {
      const end = mapLine(map, script.absPath, f.endLine);
      // A range that runs out of a fragment into the script (or back) is cut to its first line.
      if (end.absPath === start.absPath && end.line >= start.line) out.endLine = end.line;
      else {
        delete out.endLine;
        delete out.endColumn;
      }
    }
    return out;
  });
}

/** The text of a mapped finding's file: the script's own or a fragment's (from the source map). */
export function sourceOf(script: LocalScript, finding: MappedFinding): string {
  if (!script.map || finding.includedInto === undefined)
    return script.map ? script.map.sources[0]!.text : script.bytes.toString('utf8');
  return script.map.sources.find((s) => displayPath(s.absPath) === finding.file)?.text ?? '';
}
