/**
 * Whether a config file can exist, answered with a few directory reads and no cosmiconfig: the search
 * cosmiconfig makes ("project" strategy) goes from the working directory up to the first folder that
 * holds a package.json, looking for .redisscriptsrc*, .config/redisscriptsrc*, redisscripts.config.*,
 * and a "redisscripts" key in that package.json.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The cosmiconfig module name: `.redisscriptsrc`, `redisscripts.config.js`, package.json "redisscripts". */
export const MODULE_NAME = 'redisscripts';

export function mayHaveConfigFile(cwd: string): boolean {
  for (let dir = cwd; ; dir = dirname(dir)) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      names = [];
    }
    if (names.some((n) => n.startsWith(`.${MODULE_NAME}rc`) || n.startsWith(`${MODULE_NAME}.config.`))) return true;
    if (names.includes('.config') && safeList(join(dir, '.config')).some((n) => n.startsWith(`${MODULE_NAME}rc`))) return true;
    if (names.includes('package.json')) {
      try {
        return Object.prototype.hasOwnProperty.call(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')), MODULE_NAME);
      } catch {
        return true; // let cosmiconfig report a broken package.json
      }
    }
    if (dirname(dir) === dir) return false;
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
