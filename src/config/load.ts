import { dirname, join, isAbsolute, relative, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { findConfig, findDefaultsFolder } from './search.js';
import { DEFAULTS, SchemaError, validateConfig, type Config } from './schema.js';

export { MODULE_NAME } from './search.js';

export interface LoadedConfig {
  config: Config;
  /** The file the settings came from, if any. */
  file?: string;
  /** Things worth telling the user (a password stored in plain text). */
  warnings: string[];
  /**
   * Where `config.url` came from when the command line did not give it, for the messages about it:
   * `REDIS_URL` or `"url" in <file>`; undefined for --url and for the default.
   */
  urlFrom?: string;
}

/**
 * Merges defaults < config file < environment < flags. Flags left undefined are dropped before the
 * merge. Relative paths in a config file, and the default paths when there is one, are relative to
 * that file.
 */
export async function loadConfig(
  flags: Partial<Config> & { config?: string },
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Promise<LoadedConfig> {
  const warnings: string[] = [];
  // cosmiconfig is loaded only for a file it must read itself (YAML, JS, TS): see findConfig.
  const lookup = flags.config !== undefined ? { cosmiconfig: resolve(cwd, flags.config) } : findConfig(cwd);
  const found =
    lookup !== null && 'cosmiconfig' in lookup
      ? await (await import('./file.js')).readConfigFile(flags.config, cwd, lookup.cosmiconfig)
      : lookup;
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
  // Set but empty is kept, and refused by the commands that connect (see parseRedisUrl): a CI secret
  // that is missing gives an empty variable, and falling back to the config's url or localhost would
  // load a deploy's scripts somewhere else.
  if (env.REDIS_URL !== undefined) fromEnv.url = env.REDIS_URL;
  const fromFlags = Object.fromEntries(
    Object.entries(flags).filter(([key, v]) => v !== undefined && key !== 'config'),
  ) as Partial<Config>;
  // A config file found by searching marks the project's folder: the default script folder and
  // manifest are there too, so a run from a subfolder (lua/queue) finds lua/ and the lockfile beside
  // the config. One named with --config can live anywhere (a shared file), so it marks nothing: as
  // without a config file, the nearest folder of the project that holds lua/ or the lockfile.
  const base =
    found && flags.config === undefined
      ? dirname(found.file)
      : findDefaultsFolder(cwd, [...DEFAULTS.scripts, DEFAULTS.manifest]);
  const defaults: Config =
    base === undefined
      ? DEFAULTS
      : {
          ...DEFAULTS,
          scripts: DEFAULTS.scripts.map((p) => rebase(p, base, cwd)),
          include: rebase(DEFAULTS.include, base, cwd),
          manifest: rebase(DEFAULTS.manifest, base, cwd),
        };
  const config: Config = { ...defaults, ...fromFile, ...fromEnv, ...fromFlags };
  // The fragments' folder follows the scripts unless named: `include/` in the first scripts folder.
  if (fromFile.include === undefined && fromFlags.include === undefined)
    config.include = join(config.scripts[0] ?? 'lua', 'include');
  const urlFrom =
    fromFlags.url !== undefined
      ? undefined
      : fromEnv.url !== undefined
        ? 'REDIS_URL'
        : found && fromFile.url !== undefined
          ? `"url" in ${displayFile(found.file, cwd)}`
          : undefined;
  return { config, file: found?.file, warnings, ...(urlFrom ? { urlFrom } : {}) };
}

/**
 * A JS config through import() only (it loads CommonJS too). cosmiconfig's own loader retries a
 * failed import with require(): that runs a throwing config twice and, in the bundled CLI, reports
 * "__filename is not defined" instead of the config's own error.
 */
function rebasePaths(config: Partial<Config>, base: string, cwd: string): void {
  if (config.scripts) config.scripts = config.scripts.map((p) => rebase(p, base, cwd));
  if (config.manifest) config.manifest = rebase(config.manifest, base, cwd);
  if (config.include) config.include = rebase(config.include, base, cwd);
  // A path to the sandbox's redis-server is relative to the file too; a bare name is looked up in PATH.
  if (config.redisServer && /[\\/]/.test(config.redisServer)) {
    // Still a path once rebased: `./redis-server` beside a config in the folder rscript runs in is
    // `redis-server` from there, which spawn would look up in PATH.
    const path = rebase(config.redisServer, base, cwd);
    config.redisServer = /[\\/]/.test(path) ? path : `./${path}`;
  }
  if (config.tls) {
    for (const k of ['ca', 'cert', 'key'] as const)
      if (config.tls[k]) config.tls[k] = rebase(config.tls[k]!, base, cwd);
  }
}

/** A path relative to `base`, as seen from `cwd` (absolute paths as they are). */
function rebase(path: string, base: string, cwd: string): string {
  return isAbsolute(path) ? path : relative(cwd, resolve(base, path)) || '.';
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
