/**
 * The global names of Redis 7.0's Lua sandbox, as `for k in pairs(_G)` lists them inside EVAL.
 * Everything else is nil, and reading it raises "Script attempted to access nonexistent global
 * variable". The globals and the library tables are read-only: writing raises
 * "Attempt to modify a readonly table" (KEYS and ARGV are the exceptions).
 */
export const SANDBOX_GLOBALS: ReadonlySet<string> = new Set([
  'ARGV',
  'KEYS',
  '_G',
  '_VERSION',
  '__redis__err__handler',
  'assert',
  'bit',
  'cjson',
  'cmsgpack',
  'collectgarbage',
  'coroutine',
  'error',
  'gcinfo',
  'getmetatable',
  'ipairs',
  'load',
  'loadstring',
  'math',
  'next',
  'pairs',
  'pcall',
  'rawequal',
  'rawget',
  'rawset',
  'redis',
  'select',
  'setmetatable',
  'string',
  'struct',
  'table',
  'tonumber',
  'tostring',
  'type',
  'unpack',
  'xpcall',
]);

/** Why a familiar name is missing, and what to use instead. */
export const MISSING_GLOBAL_HINTS: Readonly<Record<string, string>> = {
  print: 'Scripts have no stdout: use redis.log(redis.LOG_NOTICE, msg) (it goes to the server log).',
  require: 'Scripts cannot load modules; inline the code, or use Redis Functions libraries for shared code.',
  loadfile: 'Scripts cannot read files.',
  dofile: 'Scripts cannot read files.',
  io: 'Scripts have no file or network access.',
  os: 'os exists only from Redis 7.4, and only os.clock(); use redis.call("TIME") for the time.',
  debug: 'The debug library is not available to scripts.',
  setfenv: 'setfenv is not available in the Redis sandbox.',
  getfenv: 'getfenv is not available in the Redis sandbox.',
  module: 'Scripts cannot define modules.',
};
