/**
 * The linter's rule ids, without the rules: the config check uses them to refuse a misspelled rule
 * when the config is read, not at the first lint (which might be a deploy's load). A test holds this
 * list to the rules themselves (src/lint/rules/index.ts).
 */
export const RULE_IDS: readonly string[] = [
  'command-not-allowed-in-script',
  'header-keys-argv',
  'invalid-shebang',
  'keys-from-keys-array',
  'lua-api',
  'no-float-reply',
  'library-load-time',
  'library-no-writes',
  'library-register',
  'no-global-assignment',
  'no-keyspace-scan',
  'no-nil-compare',
  'no-nil-in-reply-array',
  'no-string-keys-in-reply',
  'no-unbounded-loop',
  'no-undefined-global',
  'no-writes-violation',
  'syntax-error',
  'unknown-command',
  'unknown-suppression',
  'wrong-arity',
];
