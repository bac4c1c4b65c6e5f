/** The yes/no question asked before flushing a server's scripts or benching a server not on loopback. */
import { EXIT_INTERRUPTED, RscriptError, UsageError } from '../errors.js';
import { importModule } from '../import-module.js';

/** Asks a yes/no question on the terminal: true for y or yes. Without a terminal, a usage error naming --yes. */
export async function confirm(question: string, what = 'flush'): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    // The question's reason goes with the refusal: `its database holds 5 keys; rscript test empties ...`.
    const reason = /^(.*?)[.;]?\s*Go on\?/s.exec(question)?.[1]?.trim();
    throw new UsageError(
      `refusing to ${what} without confirmation: stdin is not a terminal; pass --yes`,
      reason ? [`${reason[0]!.toUpperCase()}${reason.slice(1)}.`] : [],
    );
  }
  const { createInterface } = await importModule<typeof import('node:readline/promises')>('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  // While readline asks, the terminal is in raw mode: Ctrl-C arrives as a key (its 'SIGINT' event),
  // not as a signal. The prompt may close without an answer: Ctrl-D (end of input) is no answer, so
  // no; Ctrl-C stops rscript as it does anywhere else (exit 130). Either way nothing was done.
  let interrupted = false;
  try {
    const answer = await new Promise<string | undefined>((resolve, reject) => {
      rl.on('SIGINT', () => {
        interrupted = true;
        resolve(undefined);
      });
      rl.on('close', () => resolve(undefined));
      rl.question(question).then(resolve, (err: { code?: string }) =>
        err.code === 'ABORT_ERR' ? resolve(undefined) : reject(err),
      );
    });
    if (answer !== undefined) return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
  process.stderr.write('\n');
  if (interrupted)
    throw new RscriptError(`${what} interrupted at its prompt (Ctrl-C): nothing was sent`, EXIT_INTERRUPTED);
  return false;
}
