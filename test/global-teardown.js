/**
 * Removes the run's temp folder (jest.config.js), after saying what tests left in it: a test cleans
 * up after itself, and this names the ones that did not (the folder goes all the same).
 */
import { readdirSync, rmSync } from 'node:fs';

/**
 * What the run itself puts there: the lint caches of the rscript processes the tests start, and the
 * compile cache of tsx (`tsx-<uid>`, in the temp folder), which runs the examples as the README does.
 */
const expected = (name) => name === 'cache' || name.startsWith('worker-cache-') || /^tsx-\d+$/.test(name);

export default function globalTeardown() {
  const dir = process.env.RSCRIPT_JEST_RUN_DIR;
  if (!dir) return;
  let left = [];
  try {
    left = readdirSync(dir).filter((name) => !expected(name));
  } catch {
    return;
  }
  if (left.length > 0 && process.env.RSCRIPT_JEST_KEEP_QUIET !== '1') {
    process.stderr.write(`\ntest temp folders not removed by their tests (removed now): ${left.sort().join(', ')}\n`);
  }
  rmSync(dir, { recursive: true, force: true });
}
