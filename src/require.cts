/**
 * What `require('rscript')` loads (package.json "exports", condition "require"): the package is an ES
 * module, and without this Node says only ERR_PACKAGE_PATH_NOT_EXPORTED ('No "exports" main defined').
 */
throw Object.assign(
  new Error("rscript is an ES module and cannot be require()d: use import { Scripts } from 'rscript' in an ES module (.mjs, .mts, or \"type\": \"module\"), or await import('rscript') from CommonJS"),
  { code: 'ERR_REQUIRE_ESM' },
);
