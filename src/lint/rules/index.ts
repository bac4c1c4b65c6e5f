/** Every lint rule, in the order they are documented and reported. */
import { commandNotAllowedInScript } from './command-not-allowed-in-script.js';
import { headerKeysArgv } from './header-keys-argv.js';
import { invalidShebang } from './invalid-shebang.js';
import { keysFromKeysArray } from './keys-from-keys-array.js';
import { luaApi } from './lua-api.js';
import { noFloatReply } from './no-float-reply.js';
import { noGlobalAssignment } from './no-global-assignment.js';
import { noKeyspaceScan } from './no-keyspace-scan.js';
import { noNilCompare } from './no-nil-compare.js';
import { noNilInReplyArray } from './no-nil-in-reply-array.js';
import { noStringKeysInReply } from './no-string-keys-in-reply.js';
import { noUnboundedLoop } from './no-unbounded-loop.js';
import { noUndefinedGlobal } from './no-undefined-global.js';
import { noWritesViolation } from './no-writes-violation.js';
import type { Rule } from './rule.js';
import { syntaxError } from './syntax-error.js';
import { unknownCommand } from './unknown-command.js';
import { unknownSuppression } from './unknown-suppression.js';
import { wrongArity } from './wrong-arity.js';
import { libraryLoadTime, libraryNoWrites, libraryRegister } from './library-rules.js';

export const ALL_RULES: readonly Rule[] = [
  syntaxError,
  invalidShebang,
  noGlobalAssignment,
  noUndefinedGlobal,
  luaApi,
  noStringKeysInReply,
  noFloatReply,
  noNilInReplyArray,
  keysFromKeysArray,
  noKeyspaceScan,
  noUnboundedLoop,
  noNilCompare,
  unknownCommand,
  wrongArity,
  commandNotAllowedInScript,
  noWritesViolation,
  headerKeysArgv,
  libraryRegister,
  libraryLoadTime,
  libraryNoWrites,
  unknownSuppression,
];
