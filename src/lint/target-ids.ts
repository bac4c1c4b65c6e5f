/**
 * The servers `target` may name, without the command tables (the config check uses this list when
 * the config is read; target.ts loads the tables only when the linter runs).
 */
export const TARGETS: readonly string[] = [
  'redis-7.0',
  'redis-7.2',
  'redis-7.4',
  'redis-8.0',
  'valkey-8.0',
  'valkey-8.1',
  'valkey-9.0',
  'valkey-9.1',
];

/** Redis 7.0, the oldest release the project supports: a script clean against it runs on all of them. */
export const DEFAULT_TARGET = 'redis-7.0';
