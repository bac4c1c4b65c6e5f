/** The rscript library: run a manifest's Lua scripts by name from application code. */
export {
  Scripts,
  UnknownScriptError,
  ScriptArgumentsError,
  ScriptReplyError,
  isNoScript,
  type CommandSender,
  type RunOptions,
  type ScriptArg,
} from './runtime.js';
export { readManifest, parseManifest, type Manifest, type ManifestEntry } from './manifest/manifest.js';
export { sha1hex } from './registry/script.js';
