/**
 * Finding the config file without cosmiconfig where that gives the same answer. The search cosmiconfig
 * makes ("project" strategy) goes from the working directory up to the first folder that holds a
 * package.json or package.yaml, and in each folder tries, in this order: a "redisscripts" key in package.json,
 * .redisscriptsrc, .redisscriptsrc.json, .yaml, .yml, .js, .ts, .cjs, .mjs, the same under .config/,
 * then redisscripts.config.*. The first one found wins. When it is a package.json key or a JSON file
 * (the usual case), it is read here: cosmiconfig and its YAML parser cost 15-25 ms to load, a tenth of
 * a whole `rscript exists` or `rscript lint`. Anything else (YAML, JS, TS, `$import`, a file that is
 * not valid JSON, a repeated key, so that cosmiconfig gives its own error) is left to cosmiconfig.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The cosmiconfig module name: `.redisscriptsrc`, `redisscripts.config.js`, package.json "redisscripts". */
export const MODULE_NAME = 'redisscripts';

/** A config read here: the file and what it holds. */
export interface PlainConfig {
  file: string;
  data: unknown;
}

/** A config file that cosmiconfig must read: the first place its search will find. */
export interface Deferred {
  cosmiconfig: string;
}

/** `null`: no config file anywhere cosmiconfig looks. */
export type ConfigLookup = PlainConfig | Deferred | null;

const RC = `.${MODULE_NAME}rc`;
/** cosmiconfig's order within one folder (after package.json). */
const RC_FILES = ['', '.json', '.yaml', '.yml', '.js', '.ts', '.cjs', '.mjs'].map((ext) => RC + ext);
const CONFIG_FILES = ['.js', '.ts', '.cjs', '.mjs'].map((ext) => `${MODULE_NAME}.config${ext}`);

export function findConfig(cwd: string): ConfigLookup {
  for (let dir = cwd; ; dir = dirname(dir)) {
    const names = safeList(dir);
    // cosmiconfig's "project" search ends at the first folder with a package.json or a package.yaml.
    const projectRoot = names.includes('package.json') || names.includes('package.yaml');
    if (names.includes('package.json')) {
      let pkg: unknown;
      try {
        pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      } catch {
        return { cosmiconfig: join(dir, 'package.json') }; // let cosmiconfig report a broken package.json
      }
      if (isObject(pkg) && Object.hasOwn(pkg, MODULE_NAME)) {
        const data = pkg[MODULE_NAME];
        const file = join(dir, 'package.json');
        return isObject(data) && !Object.hasOwn(data, '$import') ? { file, data } : { cosmiconfig: file };
      }
    }
    // The first of the folder's files in cosmiconfig's order: .redisscriptsrc before .redisscriptsrc.json.
    const rc = RC_FILES.find((n) => names.includes(n));
    if (rc === RC || rc === `${RC}.json`) return readJson(join(dir, rc));
    if (rc !== undefined) return { cosmiconfig: join(dir, rc) };
    const inConfig = names.includes('.config')
      ? safeList(join(dir, '.config')).filter((n) => n.startsWith(`${MODULE_NAME}rc`))
      : [];
    const inConfigFirst = RC_FILES.map((n) => n.slice(1)).find((n) => inConfig.includes(n)) ?? inConfig[0];
    if (inConfigFirst !== undefined) return { cosmiconfig: join(dir, '.config', inConfigFirst) };
    const configFile = CONFIG_FILES.find((n) => names.includes(n));
    if (configFile !== undefined) return { cosmiconfig: join(dir, configFile) };
    if (projectRoot || dirname(dir) === dir) return null;
  }
}

/**
 * Where the default script folder and manifest are when no config file says: the nearest folder,
 * from `cwd` up to the project's root (the first folder with a package.json or a .git), that holds
 * one of `markers` (`lua`, `rscript.lock.json`). So `rscript exists` run in lua/queue finds the
 * lockfile two levels up. Undefined (they stay where rscript runs) when `cwd` holds a marker itself,
 * when no folder up to the root does, and outside any project: a stray `lua` folder above an
 * unrelated working directory is not a project.
 */
export function findDefaultsFolder(cwd: string, markers: readonly string[]): string | undefined {
  let found: string | undefined;
  for (let dir = cwd; ; dir = dirname(dir)) {
    const names = safeList(dir);
    if (found === undefined && markers.some((m) => names.includes(m))) {
      if (dir === cwd) return undefined;
      found = dir;
    }
    if (names.includes('package.json') || names.includes('.git')) return found;
    if (dirname(dir) === dir) return undefined;
  }
}

/** A JSON object read as cosmiconfig would read it; anything unusual goes to cosmiconfig. */
function readJson(file: string): ConfigLookup {
  let text: string;
  let data: unknown;
  try {
    text = readFileSync(file, 'utf8');
    data = JSON.parse(text);
  } catch {
    return { cosmiconfig: file }; // empty, YAML, or broken: cosmiconfig says which, with its message
  }
  // cosmiconfig reads .redisscriptsrc as YAML, which refuses a repeated key where JSON.parse keeps
  // the last one: such a file gets cosmiconfig's error, as before.
  if (!isObject(data) || Object.hasOwn(data, '$import') || hasRepeatedKey(text)) return { cosmiconfig: file };
  return { file, data };
}

/** Whether an object in this valid JSON text has the same key twice. */
function hasRepeatedKey(text: string): boolean {
  const objects: Array<Set<string> | null> = []; // null: an array
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      let next = end + 1;
      while (next < text.length && ' \t\r\n'.includes(text[next]!)) next++;
      const keys = objects[objects.length - 1];
      if (text[next] === ':' && keys) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) return true;
        keys.add(key);
      }
      i = end;
    } else if (c === '{') objects.push(new Set());
    else if (c === '[') objects.push(null);
    else if (c === '}' || c === ']') objects.pop();
  }
  return false;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
