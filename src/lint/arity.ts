import { UsageError } from '../errors.js';
import type { ResolvedScript } from '../manifest/resolve.js';

/** What a script reads: KEYS[1..n] and ARGV[1..m], each with its documented meaning ('' if none). */
export interface Expected {
  keys: string[];
  args: string[];
}

/**
 * What the script expects, from the manifest when it describes this SHA (no parse), else from the
 * file's header and code (the Lua parser is loaded only then). Undefined when nothing is known.
 */
export async function expectedOf(resolved: ResolvedScript): Promise<Expected | undefined> {
  if (resolved.keys && resolved.args) return { keys: resolved.keys, args: resolved.args };
  if (!resolved.script) return undefined;
  const { extractMetadata } = await import('./metadata.js');
  const meta = extractMetadata(resolved.script.bytes);
  return { keys: meta.keys.map((k) => k.doc ?? ''), args: meta.args.map((a) => a.doc ?? '') };
}

/**
 * Refuses a call with fewer keys or args than the script reads, naming what is missing, before
 * anything is sent: the script would otherwise fail on a nil deep inside. More is allowed (variadic).
 */
export function checkArity(name: string, expected: Expected | undefined, keys: number, args: number): void {
  if (!expected) return;
  const missing = [
    ...expected.keys.slice(keys).map((doc, i) => `KEYS[${keys + i + 1}]${doc ? ` (${doc})` : ''}`),
    ...expected.args.slice(args).map((doc, i) => `ARGV[${args + i + 1}]${doc ? ` (${doc})` : ''}`),
  ];
  if (missing.length === 0) return;
  throw new UsageError(
    `${name} reads ${expected.keys.length} key(s) and ${expected.args.length} arg(s); got ${keys} and ${args}`,
    [`missing: ${missing.join('; ')}`, 'pass them with --keys and --args (rscript info ' + name + ' shows what each means)'],
  );
}
