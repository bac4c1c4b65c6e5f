/**
 * Rules for Redis Functions libraries (`#!lua name=<lib>`): what may run when the library loads,
 * what `redis.register_function` is given, and writes inside a function registered `no-writes`.
 * The script rules run on a library too, with each function's `keys`/`args` parameters read as
 * KEYS/ARGV (see lint.ts).
 */
import { isRedisMember, walk } from '../library.js';
import { displayName } from '../known-commands.js';
import { rangeOf } from '../source.js';
import type { Rule } from './rule.js';

/** What a library's load-time code may touch: the rest of `redis` does not exist until a function runs. */
const LOAD_TIME_REDIS = /^(register_function|log|LOG_[A-Z]+|REDIS_VERSION|REDIS_VERSION_NUM)$/;

export const libraryLoadTime: Rule = {
  id: 'library-load-time',
  defaultSeverity: 'error',
  description:
    "A library's load-time code (outside its functions) may only call redis.register_function and redis.log and read redis.REDIS_VERSION*/LOG_*: Redis refuses the rest, and stops a load past 500 ms.",
  needsAst: true,
  check(ctx) {
    if (!ctx.library) return;
    for (const statement of ctx.parsed.chunk!.body) {
      walk(statement, (node) => {
        // A function's body runs when it is called, not when the library loads.
        if (node.type === 'FunctionDeclaration') return false;
        if (
          node.type === 'MemberExpression' &&
          node.base.type === 'Identifier' &&
          node.base.name === 'redis' &&
          !LOAD_TIME_REDIS.test(node.identifier.name)
        ) {
          ctx.report(
            { node },
            {
              message: `redis.${node.identifier.name} at load time: Redis refuses the library (ERR Error registering functions: ... nonexistent global variable '${node.identifier.name}')`,
              hint: 'Only redis.register_function, redis.log, redis.LOG_* and redis.REDIS_VERSION* exist while a library loads: move this into a function.',
            },
          );
        } else if (
          node.type === 'WhileStatement' ||
          node.type === 'RepeatStatement' ||
          node.type === 'ForNumericStatement' ||
          node.type === 'ForGenericStatement'
        ) {
          ctx.report(
            { node },
            {
              message:
                'a loop at load time runs at every FUNCTION LOAD, on every node, and Redis stops a load past 500 ms (ERR FUNCTION LOAD timeout)',
              hint: 'Keep the top level to local definitions and redis.register_function calls; do the work inside a function.',
            },
          );
        }
      });
    }
  },
};

export const libraryRegister: Rule = {
  id: 'library-register',
  defaultSeverity: 'error',
  description:
    'redis.register_function must be given a literal name, a callback and only the flags Redis knows; a library must register a function and name itself on its #!lua line.',
  needsAst: false,
  check(ctx) {
    const lib = ctx.library;
    if (!lib) return;
    if (lib.missingName) {
      ctx.report(
        { line: 1, column: 1 },
        {
          message:
            'this file calls redis.register_function but its first line is not #!lua name=<library>: Redis refuses it (ERR Library name was not given), and rscript takes it for an EVAL script',
          hint: 'Start the file with #!lua name=<library> (letters, digits and underscores).',
        },
      );
      return;
    }
    for (const p of lib.registrations.problems) {
      ctx.report(
        { line: p.line, column: 1 },
        {
          message: p.message,
          hint: "Write redis.register_function('name', function(keys, args) ... end) or the table form {function_name = 'name', callback = fn, flags = {'no-writes'}}.",
        },
      );
    }
    if (!lib.registrations.error && lib.registrations.functions.length === 0) {
      ctx.report(
        { line: 1, column: 1 },
        {
          message: 'the library registers no function: Redis refuses it (ERR No functions registered)',
          hint: 'Call redis.register_function at the top level.',
        },
      );
    }
  },
};

export const libraryNoWrites: Rule = {
  id: 'library-no-writes',
  defaultSeverity: 'error',
  description: 'A function registered with the no-writes flag calls a write command: Redis refuses it at run time.',
  needsAst: true,
  check(ctx) {
    const lib = ctx.library;
    if (!lib) return;
    for (const cb of lib.registrations.callbacks) {
      if (!cb.flags.includes('no-writes')) continue;
      const [a, b] = rangeOf(cb.node);
      for (const { site, command } of ctx.commands) {
        const [from] = rangeOf(site.node);
        if (from < a || from > b || !command?.info?.flags.includes('write')) continue;
        ctx.report(
          { node: site.node },
          {
            message: `${displayName(command)} writes, but function "${cb.name}" is registered with flags = {'no-writes'}: redis.${site.method} fails with "ERR Write commands are not allowed from read-only scripts."`,
            hint: "Drop 'no-writes' from its flags (FCALL_RO and replicas then refuse it), or drop the write.",
          },
        );
      }
    }
  },
};

export { isRedisMember };
