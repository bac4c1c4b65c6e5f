import { UsageError } from '../errors.js';
import type { ResolvedScript } from '../manifest/resolve.js';

/** What a script reads: KEYS[1..n] and ARGV[1..m], each with its documented meaning ('' if none). */
export interface Expected {
  keys: string[];
  args: string[];
  /** How many a caller must pass: the slots after these are optional (read with a default). Default: all. */
  minKeys?: number;
  minArgs?: number;
}

/**
 * What the script expects, from the manifest when it describes this SHA (no parse), else from the
 * file's header and code (the Lua parser is loaded only then). Undefined when nothing is known.
 */
export async function expectedOf(resolved: ResolvedScript): Promise<Expected | undefined> {
  if (resolved.keys && resolved.args)
    return { keys: resolved.keys, args: resolved.args, minKeys: resolved.minKeys, minArgs: resolved.minArgs };
  if (!resolved.script) return undefined;
  const { extractMetadata } = await import('./metadata.js');
  const meta = extractMetadata(resolved.script.bytes);
  const required = (slots: ReadonlyArray<{ optional?: true }>): number => {
    let n = slots.length;
    while (n > 0 && slots[n - 1]!.optional) n--;
    return n;
  };
  return {
    keys: meta.keys.map((k) => k.doc ?? ''),
    args: meta.args.map((a) => a.doc ?? ''),
    minKeys: required(meta.keys),
    minArgs: required(meta.args),
  };
}

/**
 * Refuses a call with fewer keys or args than the script reads, naming what is missing, before
 * anything is sent: the script would otherwise fail on a nil deep inside. More is allowed (variadic).
 * `ref` is how `rscript info` finds the script: its name, or the path it was given by (a file outside
 * the script folders has no name info knows).
 */
export function checkArity(
  name: string,
  expected: Expected | undefined,
  keys: number,
  args: number,
  ref: string = name,
): void {
  if (!expected) return;
  const minKeys = expected.minKeys ?? expected.keys.length;
  const minArgs = expected.minArgs ?? expected.args.length;
  const missing = [
    ...expected.keys
      .slice(keys, Math.max(keys, minKeys))
      .map((doc, i) => `KEYS[${keys + i + 1}]${doc ? ` (${doc})` : ''}`),
    ...expected.args
      .slice(args, Math.max(args, minArgs))
      .map((doc, i) => `ARGV[${args + i + 1}]${doc ? ` (${doc})` : ''}`),
  ];
  if (missing.length === 0) return;
  const count = (min: number, all: number, noun: string): string =>
    min < all ? `${min} to ${all} ${noun}(s)` : `${all} ${noun}(s)`;
  throw new UsageError(
    `${name} reads ${count(minKeys, expected.keys.length, 'key')} and ${count(minArgs, expected.args.length, 'arg')}; got ${keys} and ${args}`,
    [`missing: ${missing.join('; ')}`, `pass them with --keys and --args (rscript info ${ref} shows what each means)`],
  );
}
