/**
 * Whether a script may write, from its code: for `rscript bench`'s "what it wrote stays on the
 * server" note on a script that is not flagged no-writes. Conservative: only a script that parses and
 * whose every `redis.call`/`redis.pcall` names a command the table knows, none of them flagged `write`,
 * is said not to write.
 */
import { analyse } from './analysis.js';
import { resolveCommand } from './known-commands.js';
import { parseLua } from './parse.js';
import { prepareSource } from './source.js';

export function mayWrite(source: string | Buffer): boolean {
  const prepared = prepareSource(source);
  const parsed = parseLua(prepared.code);
  if (!parsed.chunk) return true;
  const { redisCalls } = analyse(parsed.chunk);
  // `pcall(redis.call, ...)`, `local c = redis.call` passed around: a use the analysis does not see as a call.
  const mentions = prepared.code.match(/\bredis\s*\.\s*p?call\b/g)?.length ?? 0;
  if (mentions > redisCalls.length) return true;
  return redisCalls.some((site) => {
    const command = resolveCommand(site.args);
    return !command?.info || command.info.flags.includes('write');
  });
}
