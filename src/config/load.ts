import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
// A static import: cli.ts loads this module only when a command needs its settings, so --help and
// --version never pay for cosmiconfig. (A dynamic import() of a CommonJS package loses its named
// exports in the bundled CLI: esbuild's split chunks export only `default`.)
import { cosmiconfig } from 'cosmiconfig';
import { ConfigError } from '../errors.js';
import { DEFAULTS, SchemaError, validateConfig, type Config } from './schema.js';

/** The cosmiconfig module name: `.redisscriptsrc`, `redisscripts.config.js`, package.json "redisscripts". */
export const MODULE_NAME = 'redisscripts';

export interface LoadedConfig {
  config: Config;
  /** The file the settings came from, if any. */
  file?: string;
  /** Things worth telling the user (a password stored in plain text). */
  warnings: string[];
}

/**
 * Merges defaults < config file < environment < flags. Flags left undefined are dropped before the
 * merge. Relative paths in a config file are relative to that file.
 */
export async function loadConfig(
  flags: Partial<Config> & { config?: string },
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Promise<LoadedConfig> {
  const warnings: string[] = [];
  const found = await readConfigFile(flags.config, cwd);
  let fromFile: Partial<Config> = {};
  if (found) {
    try {
      fromFile = validateConfig(found.data);
    } catch (err) {
      if (err instanceof SchemaError) throw new ConfigError(`${displayFile(found.file, cwd)}: ${err.message}`);
      throw err;
    }
    rebasePaths(fromFile, dirname(found.file), cwd);
    if (fromFile.url && hasPassword(fromFile.url)) {
      warnings.push(
        `${displayFile(found.file, cwd)} holds a Redis password in plain text; prefer the REDIS_URL environment variable`,
      );
    }
  }
  const fromEnv: Partial<Config> = {};
  if (env.REDIS_URL) fromEnv.url = env.REDIS_URL;
  const fromFlags = Object.fromEntries(
    Object.entries(flags).filter(([key, v]) => v !== undefined && key !== 'config'),
  ) as Partial<Config>;
  const config: Config = { ...DEFAULTS, ...fromFile, ...fromEnv, ...fromFlags };
  return { config, file: found?.file, warnings };
}

async function readConfigFile(explicit: string | undefined, cwd: string): Promise<{ file: string; data: unknown } | null> {
  const explorer = cosmiconfig(MODULE_NAME, {
    searchStrategy: 'project',
    cache: false,
    loaders: { '.js': importConfig, '.cjs': importConfig, '.mjs': importConfig },
  });
  try {
    const result = explicit ? await explorer.load(resolve(cwd, explicit)) : await explorer.search(cwd);
    if (!result || result.isEmpty) {
      if (explicit) throw new ConfigError(`${explicit}: the config file is empty`);
      return null;
    }
    return { file: result.filepath, data: result.config };
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const e = (err ?? {}) as NodeJS.ErrnoException & { filepath?: string };
    if (explicit && e.code === 'ENOENT') throw new ConfigError(`config file not found: ${explicit}`);
    // cosmiconfig names the file that failed in `filepath`, also a file it found by searching.
    const file = explicit ?? (typeof e.filepath === 'string' ? displayFile(e.filepath, cwd) : 'config file');
    // Its parse errors start with a "JSON Error in <file>:" line; the reason is on the next one.
    const reason =
      String(e.message ?? err)
        .split('\n')
        .map((l) => l.trim())
        .find((l) => l !== '' && !/^\w* ?Error in /.test(l)) ?? String(err);
    throw new ConfigError(`${file}: cannot load the config (${reason})`);
  }
}

/**
 * A JS config through import() only (it loads CommonJS too). cosmiconfig's own loader retries a
 * failed import with require(): that runs a throwing config twice and, in the bundled CLI, reports
 * "__filename is not defined" instead of the config's own error.
 */
async function importConfig(file: string): Promise<unknown> {
  return ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
}

function rebasePaths(config: Partial<Config>, base: string, cwd: string): void {
  const rebase = (p: string) => (isAbsolute(p) ? p : relative(cwd, resolve(base, p)) || '.');
  if (config.scripts) config.scripts = config.scripts.map(rebase);
  if (config.manifest) config.manifest = rebase(config.manifest);
  if (config.tls) {
    for (const k of ['ca', 'cert', 'key'] as const) if (config.tls[k]) config.tls[k] = rebase(config.tls[k]!);
  }
}

function displayFile(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel.startsWith('..') ? file : rel;
}

function hasPassword(url: string): boolean {
  try {
    return new URL(url).password !== '';
  } catch {
    return false;
  }
}
