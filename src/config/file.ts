/**
 * Reading the config file with cosmiconfig. A module of its own, loaded only for a file that
 * findConfig leaves to it (YAML, JS, TS, `--config`): cosmiconfig and its YAML parser take some 20 ms
 * to load, a tenth of a whole `rscript exists`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
// A static import: this module itself is loaded lazily, and in the bundled CLI cosmiconfig is a part
// of its own (dist/parts/cosmiconfig.cjs, read only when this module runs).
import { cosmiconfig, defaultLoaders } from 'cosmiconfig';
import { ConfigError } from '../errors.js';
import { jsonErrorAtLine } from '../text.js';
import { importModule } from '../import-module.js';
import { MODULE_NAME } from './search.js';

export async function readConfigFile(
  explicit: string | undefined,
  cwd: string,
  expected?: string,
): Promise<{ file: string; data: unknown } | null> {
  let explorer: ReturnType<typeof cosmiconfig>;
  try {
    explorer = cosmiconfig(MODULE_NAME, {
      searchStrategy: 'project',
      cache: false,
      loaders: {
        '.js': importConfig,
        '.cjs': importConfig,
        '.mjs': importConfig,
        '.ts': checkedTs,
        '.mts': checkedTs,
        '.cts': checkedTs,
      },
    });
  } catch (err) {
    // cosmiconfig reads the working directory's package.json as it starts (for its own settings).
    throw configError(err, 'package.json');
  }
  try {
    const result = explicit ? await explorer.load(resolve(cwd, explicit)) : await explorer.search(cwd);
    if (!result || result.isEmpty) {
      // cosmiconfig answers "nothing" when a $import fails (a missing file): the settings would be
      // dropped without a word, and rscript would run against the defaults.
      if (expected !== undefined && importsSomething(expected)) {
        throw new ConfigError(
          `${displayFile(expected, cwd)}: cannot load the config (its $import gave nothing: is the imported file there?)`,
        );
      }
      if (explicit) throw new ConfigError(`${explicit}: the config file is empty`);
      return null;
    }
    return { file: result.filepath, data: result.config };
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const e = (err ?? {}) as NodeJS.ErrnoException & { filepath?: string };
    // ENOENT: the file named, or one it $imports.
    if (explicit && e.code === 'ENOENT' && !existsSync(resolve(cwd, explicit)))
      throw new ConfigError(`config file not found: ${explicit}`);
    // cosmiconfig names the file that failed in `filepath`, also a file it found by searching.
    const path = typeof e.filepath === 'string' ? e.filepath : explicit ? resolve(cwd, explicit) : undefined;
    const shown = explicit ?? (typeof e.filepath === 'string' ? displayFile(e.filepath, cwd) : 'config file');
    // `.redisscriptsrc` is read as YAML, whose words for a broken JSON file are a riddle ("end of the
    // stream within a flow collection"): a file that starts like JSON gets JSON's own message.
    const json = path === undefined ? undefined : jsonProblem(path);
    if (json !== undefined) throw new ConfigError(`${shown}: cannot load the config (not valid JSON: ${json})`);
    throw configError(err, shown);
  }
}

/**
 * One line: cosmiconfig's parse errors start with a "JSON Error in <file>:" line, then a code frame
 * ("1 | {...", "> 2 | ...", "  | ^") and the reason, or the reason alone: the first line that is neither.
 */
function configError(err: unknown, file: string): ConfigError {
  const lines = String((err as Error | undefined)?.message ?? err)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^\w* ?Error in /.test(l));
  const reason = lines.find((l) => !/^(>\s*)?\d*\s*\|/.test(l)) ?? lines[0] ?? String(err);
  return new ConfigError(`${file}: cannot load the config (${reason})`);
}

/** JSON.parse's message for a file that starts like JSON (`{` or `[`) and is not; undefined otherwise. */
function jsonProblem(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  if (!/^\s*[{[]/.test(text)) return undefined;
  try {
    JSON.parse(text);
    return undefined;
  } catch (err) {
    // "at position 20" said as a line and a column.
    return jsonErrorAtLine((err as Error).message, text);
  }
}

function importsSomething(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').includes('$import');
  } catch {
    return false;
  }
}

async function importConfig(file: string): Promise<unknown> {
  return (await importModule<{ default?: unknown }>(pathToFileURL(file).href)).default;
}

/** The slice of the `typescript` package a syntax check needs. */
interface TypeScript {
  transpileModule(
    input: string,
    options: { fileName: string; reportDiagnostics: boolean },
  ): { diagnostics?: TsDiagnostic[] };
  flattenDiagnosticMessageText(text: unknown, newLine: string): string;
  DiagnosticCategory: { Error: number };
}
interface TsDiagnostic {
  category: number;
  messageText: unknown;
  start?: number;
  file?: { getLineAndCharacterOfPosition(pos: number): { line: number; character: number } };
}

/**
 * A TypeScript config, checked for syntax errors first: cosmiconfig transpiles without looking at
 * them, and TypeScript emits code even for a file missing its closing brace, so a broken config
 * could load with settings nobody wrote. Then cosmiconfig's own loader.
 */
async function checkedTs(file: string, content: string): Promise<unknown> {
  let ts: TypeScript | undefined;
  try {
    const mod = await importModule<TypeScript & { default?: TypeScript }>('typescript');
    ts = mod.default ?? mod;
  } catch (err) {
    // rscript ships no TypeScript (a devDependency only): the project must have it. Node's own
    // "Cannot find package 'typescript' imported from .../rscript.cjs" says neither why nor what to do.
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new ConfigError(
        `${displayFile(file, process.cwd())}: a TypeScript config needs the typescript package, which this project does not have: npm install --save-dev typescript`,
      );
    }
    ts = undefined;
  }
  const errors =
    ts
      ?.transpileModule(content, { fileName: file, reportDiagnostics: true })
      .diagnostics?.filter((d) => d.category === ts!.DiagnosticCategory.Error) ?? [];
  if (ts && errors.length > 0) {
    const first = errors[0]!;
    const at =
      first.file && first.start !== undefined ? first.file.getLineAndCharacterOfPosition(first.start) : undefined;
    const where = `${displayFile(file, process.cwd())}${at ? `:${at.line + 1}:${at.character + 1}` : ''}`;
    throw new ConfigError(`${where}: not valid TypeScript: ${ts.flattenDiagnosticMessageText(first.messageText, ' ')}`);
  }
  return defaultLoaders['.ts'](file, content);
}

function displayFile(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel.startsWith('..') ? file : rel;
}
