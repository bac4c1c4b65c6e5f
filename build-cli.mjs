/**
 * Bundles the command line for bin/rscript (run by `npm run build`, after tsc has written the library
 * in dist/), so that Node resolves a handful of files instead of hundreds:
 * - dist/cli.cjs: the CLI (src/cli/program.ts, every command, commander, chalk) in one CommonJS file; its
 *   first line names the build (a hash of every file below);
 * - dist/parts/*.cjs: the Lua parser, the Redis decoder, cosmiconfig and the YAML parser of the specs,
 *   each in a file of its own that only the commands using it read (yaml, 160 KB, came with rscript
 *   test; inside the CLI's file it made --help take 174-185 ms instead of 141-147, interleaved runs);
 * - dist/rscript.cjs: the launcher (src/launch.ts), which compiles the two above through V8's code
 *   cache. All CommonJS: node:vm compiles scripts (ES modules would need a flag of Node 20), and an
 *   ES module anywhere would load Node's ES module loader, a tenth of a short run.
 */
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * The lint cache's key to the linter's build (src/lint/cached.ts): a hash of every source file (the
 * linter reads a few outside src/lint, such as the shebang flags of src/registry), luaparse's version
 * and rscript's. Another build, another cache file.
 */
function lintFingerprint() {
  const hash = createHash('sha1');
  for (const file of readdirSync('src', { recursive: true, encoding: 'utf8' }).sort()) {
    if (!/\.(ts|json)$/.test(file)) continue;
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join('src', file)))
      .update('\0');
  }
  for (const pkg of ['package.json', 'node_modules/luaparse/package.json'])
    hash.update(JSON.parse(readFileSync(pkg, 'utf8')).version);
  return hash.digest('hex').slice(0, 16);
}

/**
 * commander requires node:child_process when it loads, for executable subcommands, which rscript has
 * none of; loading it (and node:net behind it) was a fifth of `rscript --help`. For commander only,
 * it becomes a proxy that loads the module on first use.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)
        ? { path: 'child_process', namespace: 'lazy' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
      loader: 'js',
    }));
  },
};

/**
 * The parts: what the CLI imports from these packages comes from dist/parts/<name>.cjs, through the
 * launcher. Each part holds one package (and its own dependencies), never a module of src/, so no
 * class exists twice (an error made in a part is the part's class wherever it is checked).
 */
const PARTS = {
  luaparse: { contents: "module.exports = require('luaparse');", imports: ['luaparse'] },
  cosmiconfig: { contents: "module.exports = require('cosmiconfig');", imports: ['cosmiconfig'] },
  yaml: { contents: "module.exports = require('yaml');", imports: ['yaml'] },
  redis: {
    contents:
      "module.exports = Object.assign({}, require('@redis/client/dist/lib/RESP/decoder.js'), require('@redis/client/dist/lib/errors.js'));",
    imports: ['@redis/client/dist/lib/RESP/decoder.js', '@redis/client/dist/lib/errors.js'],
  },
};
const PART_OF = new Map(Object.entries(PARTS).flatMap(([name, part]) => part.imports.map((spec) => [spec, name])));

/** The packages of the parts (`@redis/client`, `yaml`...): an import of any file of one goes to its part. */
const PART_PACKAGES = [
  ...new Set(
    [...PART_OF.keys()].map((spec) =>
      spec
        .split('/')
        .slice(0, spec.startsWith('@') ? 2 : 1)
        .join('/'),
    ),
  ),
];

const toParts = {
  name: 'parts',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${PART_PACKAGES.join('|')})(/|$)`) }, (args) => {
      if (args.kind === 'require-call' && !/[\\/]src[\\/]/.test(args.importer)) return undefined;
      const part = PART_OF.get(args.path);
      if (part === undefined)
        return { errors: [{ text: `${args.path}: not in a part of build-cli.mjs (add it to PARTS)` }] };
      return { path: `./parts/${part}.cjs`, external: true };
    });
  },
};

/**
 * cosmiconfig imports a TypeScript config (compiled to a temp .mjs) and TypeScript itself with
 * import(), which code compiled by node:vm cannot run in Node 20: those two go through the launcher's
 * import() (src/import-module.ts), given to every bundled file as __rscriptImport.
 */
const cosmiconfigImports = {
  name: 'cosmiconfig-imports',
  setup(b) {
    b.onLoad({ filter: /[\\/]cosmiconfig[\\/]dist[\\/]loaders\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const count = source.match(/\bimport\(/g)?.length ?? 0;
      if (count !== 2)
        return {
          errors: [{ text: `cosmiconfig's loaders.js: expected 2 import() calls, found ${count}: check the rewrite` }],
        };
      return { contents: source.replace(/\bimport\(/g, '__rscriptImport('), loader: 'js' };
    });
  },
};

/** In the bundle, src/import-module.ts is the launcher's import() alone (no import() of its own). */
const bundledImport = {
  name: 'bundled-import',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]import-module\.ts$/ }, () => ({
      contents: 'export function importModule(specifier) { return __rscriptImport(specifier); }',
      loader: 'js',
    }));
  },
};

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  write: false,
  metafile: true,
  logLevel: 'warning',
  // cosmiconfig requires TypeScript only to read a .ts config file: the user's own, never bundled.
  external: ['typescript'],
};

const cli = await build({
  ...common,
  entryPoints: ['src/cli/program.ts'],
  outfile: 'dist/cli.cjs',
  // Identifiers keep their names (whitespace and syntax are still minified): a stack trace of
  // `--verbose` names describeFailure and openTopology, not Qt and kr. The bundle is 30% larger
  // (250 -> 325 KB); --help, exists and lint measured the same within this machine's noise
  // (interleaved hyperfine, 2 x 30 runs), as the code cache holds the compiled code either way.
  minify: false,
  minifyWhitespace: true,
  minifySyntax: true,
  // No keepNames: it wraps every function made at run time in a defineProperty call (150,000 of
  // them to lint 10,000 scripts, a fifth of the linter's time). The code tells errors apart by
  // class (instanceof), never by a name the minifier changes.
  plugins: [lazyChildProcess, toParts, bundledImport],
  // The launcher gives the bundle its file's URL (src/cli/program.ts reads package.json above it).
  define: { RSCRIPT_LINT_FINGERPRINT: JSON.stringify(lintFingerprint()), 'import.meta.url': '__rscriptMetaUrl' },
});
const parts = await Promise.all(
  Object.entries(PARTS).map(([name, part]) =>
    build({
      ...common,
      stdin: { contents: part.contents, resolveDir: '.', sourcefile: `part-${name}.cjs` },
      outfile: `dist/parts/${name}.cjs`,
      plugins: [cosmiconfigImports],
    }),
  ),
);
const launcher = await build({ ...common, entryPoints: ['src/launch.ts'], outfile: 'dist/rscript.cjs' });

// An import() left in a file the launcher compiles would fail at run time: stop the build instead.
for (const file of [...cli.outputFiles, ...parts.flatMap((p) => p.outputFiles)]) {
  if (/\bimport\(/.test(file.text))
    throw new Error(
      `${file.path}: holds an import(), which fails in code compiled by node:vm; use src/import-module.ts`,
    );
}

// The build's name: every file the launcher compiles. The code cache of one build is never used by another.
const outputs = [...cli.outputFiles, ...parts.flatMap((p) => p.outputFiles)];
const hash = createHash('sha1');
for (const file of outputs) hash.update(basename(file.path)).update('\0').update(file.contents).update('\0');
const buildId = hash.digest('hex').slice(0, 16);
// Each file whole (a temp file, then a rename), the parts first: an rscript started during the build
// reads old or new files, never half of one.
mkdirSync('dist/parts', { recursive: true });
const isCli = (file) => file.path.endsWith(join('dist', 'cli.cjs'));
for (const file of [...outputs.filter((f) => !isCli(f)), ...outputs.filter(isCli), ...launcher.outputFiles]) {
  const text = isCli(file) ? `/*rscript-build:${buildId}*/${file.text}` : file.text;
  writeFileSync(`${file.path}.tmp`, text);
  renameSync(`${file.path}.tmp`, file.path);
}

// Remove what earlier builds left: parts since dropped, and the ES module bundle of before the code cache.
for (const file of readdirSync('dist/parts')) {
  if (!Object.hasOwn(PARTS, file.replace(/\.cjs$/, ''))) rmSync(`dist/parts/${file}`);
}
rmSync('dist/chunks', { recursive: true, force: true });
rmSync('dist/rscript.js', { force: true });
// What each output holds; test/perf/bundle.test.ts reads it to check what each command loads.
const outputsMeta = Object.assign({}, ...[cli, ...parts, launcher].map((r) => r.metafile.outputs));
writeFileSync('dist/rscript.meta.json', JSON.stringify({ outputs: outputsMeta }));
