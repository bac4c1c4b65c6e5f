/**
 * Bundles the command line for bin/rscript (run by `npm run build`, after tsc has written the library
 * in dist/). One entry file, dist/rscript.js, with its dependencies inside, so Node resolves a handful
 * of files instead of hundreds; every `import()` of the CLI becomes a chunk in dist/chunks/ that loads
 * only when a command needs it (the Redis client, the config loader, the Lua parser).
 */
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    hash.update(file).update('\0').update(readFileSync(join('src', file))).update('\0');
  }
  for (const pkg of ['package.json', 'node_modules/luaparse/package.json']) hash.update(JSON.parse(readFileSync(pkg, 'utf8')).version);
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
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
      loader: 'js',
    }));
  },
};

const result = await build({
  entryPoints: { rscript: 'src/cli.ts' },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  // No keepNames: it wraps every function made at run time in a defineProperty call (150,000 of
  // them to lint 10,000 scripts, a fifth of the linter's time). The code tells errors apart by
  // class (instanceof), never by a name the minifier changes.
  // cosmiconfig requires TypeScript only to read a .ts config file: the user's own, never bundled.
  external: ['typescript'],
  // The bundled CommonJS packages call require() for Node's modules; an ES module has none.
  banner: { js: "import{createRequire as __rscriptRequire}from'node:module';const require=__rscriptRequire(import.meta.url);" },
  plugins: [lazyChildProcess],
  define: { RSCRIPT_LINT_FINGERPRINT: JSON.stringify(lintFingerprint()) },
  metafile: true,
  logLevel: 'warning',
});

// Remove the chunks of earlier builds only now: a CLI started before this build still finds its own.
const current = new Set(Object.keys(result.metafile.outputs).map((file) => basename(file)));
for (const file of readdirSync('dist/chunks')) {
  if (!current.has(file)) rmSync(`dist/chunks/${file}`);
}
// What each output holds; test/perf/bundle.test.ts reads it to check what --help loads.
writeFileSync('dist/rscript.meta.json', JSON.stringify(result.metafile));
