/** Makes the run's temp folder of jest.config.js (again, for a process that runs jest more than once). */
import { mkdirSync } from 'node:fs';

export default function globalSetup() {
  if (process.env.RSCRIPT_JEST_RUN_DIR) mkdirSync(process.env.RSCRIPT_JEST_RUN_DIR, { recursive: true });
  if (process.env.RSCRIPT_CACHE_DIR) mkdirSync(process.env.RSCRIPT_CACHE_DIR, { recursive: true });
}
