/**
 * `import()` for what the bundle does not hold: a JS config file, a Node built-in needed by few runs.
 * The bundled CLI runs as a script compiled through node:vm (src/launch.ts), where Node 20 resolves
 * an import() only with an experimental option that prints a warning, and not at all from V8's code
 * cache; so the launcher, an ordinary module, hands the bundle its own import() as __rscriptImport.
 * The TypeScript sources and the library build use theirs.
 */
declare const __rscriptImport: ((specifier: string) => Promise<unknown>) | undefined;

export function importModule<T = unknown>(specifier: string): Promise<T> {
  return (typeof __rscriptImport === 'function' ? __rscriptImport(specifier) : import(specifier)) as Promise<T>;
}
