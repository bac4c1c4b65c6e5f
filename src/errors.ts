/**
 * Typed errors. Commands throw them; only the entry point turns them into a message and an exit code.
 * Exit codes: 0 success; 1 a check or a script failed; 2 usage, config or connection error; 130 Ctrl-C.
 */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** Stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

export class RscriptError extends Error {
  /** `detail` lines are printed under the message (a quoted source line, a hint). */
  constructor(
    message: string,
    readonly exitCode: number,
    readonly detail: string[] = [],
  ) {
    super(message);
  }
}
// Named by hand: the bundled CLI minifies class names, and a stack trace (--verbose) should say these.
RscriptError.prototype.name = 'RscriptError';

/** Bad flags or arguments. */
export class UsageError extends RscriptError {
  constructor(message: string, detail: string[] = []) {
    super(message, EXIT_USAGE, detail);
  }
}
UsageError.prototype.name = 'UsageError';

/** A config file or manifest that cannot be used as it is. */
export class ConfigError extends RscriptError {
  constructor(message: string, detail: string[] = []) {
    super(message, EXIT_USAGE, detail);
  }
}
ConfigError.prototype.name = 'ConfigError';

/** The server could not be reached, refused us, or stopped answering. */
export class ConnectionError extends RscriptError {
  constructor(message: string, detail: string[] = []) {
    super(message, EXIT_USAGE, detail);
  }
}
ConnectionError.prototype.name = 'ConnectionError';

/** A check failed or a script failed on the server (compile error, error reply, missing SHA). */
export class CheckFailedError extends RscriptError {
  constructor(message: string, detail: string[] = []) {
    super(message, EXIT_FAILED, detail);
  }
}
CheckFailedError.prototype.name = 'CheckFailedError';
