/**
 * Maps the server's script error replies back to the user's file: `user_script:LINE` and
 * `@user_script:LINE` carry the line numbers of the text sent (Redis 7, shebang line included); for
 * a script that includes fragments, the source map leads them back to the fragment's own line.
 */

/**
 * Leads a line of the text sent back to the file it was written in (the script's source map, built
 * by registry/include.ts); `file` is undefined for a line of the script itself.
 */
export type LineMapper = (line: number) => { line: number; file?: string };

export interface LocatedError {
  /** `lua/file.lua:LINE: message` (or `lua/file.lua: message` when the server gave no line). */
  text: string;
  /** The file the line is in: the script, or the fragment it included. */
  file: string;
  /** The line in `file`. */
  line?: number;
  /** The source line, quoted with its number, when the line is known. */
  source?: string;
  compile: boolean;
}

const COMPILE = /^ERR Error compiling script \(new function\): user_script:(\d+): (.*)$/s;
const RUNTIME_PREFIX = /^(ERR )?user_script:(\d+): /;
// Redis 7+ and Valkey 8: ` script: <sha>, on @user_script:2.`; Valkey 9.1 leaves the SHA out: ` script: on @user_script:2.`
const RUNTIME_SUFFIX = / script: (?:[0-9a-f]{40}, )?on @user_script:(\d+)\.\s*$/;

/** Splits a script error reply into its line and the message without the server's decoration. */
export function parseScriptError(reply: string): { line?: number; message: string; compile: boolean } {
  const compile = COMPILE.exec(reply);
  if (compile) return { line: Number(compile[1]), message: compile[2]!.trim(), compile: true };
  let message = reply;
  let line: number | undefined;
  const suffix = RUNTIME_SUFFIX.exec(message);
  if (suffix) {
    line = Number(suffix[1]);
    message = message.slice(0, suffix.index);
  }
  const prefix = RUNTIME_PREFIX.exec(message);
  if (prefix) {
    line ??= Number(prefix[2]);
    message = message.slice(prefix[0].length);
  }
  return { line, message: message.trim(), compile: false };
}

/**
 * Points a script error reply at `path:LINE` and quotes that line of `body` (the text sent). With the
 * script's source map, a line of an included fragment is named in the fragment, with the script
 * it was included into: `lua/include/util.lua:3: message (included into lua/job.lua)`.
 */
export function locateScriptError(reply: string, path: string, body?: Buffer, mapLine?: LineMapper): LocatedError {
  const { line: sent, message, compile } = parseScriptError(reply);
  let file = path;
  let line = sent;
  let into = '';
  if (sent !== undefined && mapLine) {
    const mapped = mapLine(sent);
    line = mapped.line;
    if (mapped.file !== undefined) {
      file = mapped.file;
      into = ` (included into ${path})`;
    }
  }
  const where = line !== undefined ? `${file}:${line}` : file;
  // Lua quotes the offending token, and an unfinished string is a token of the rest of the file.
  const text = `${where}: ${compile ? 'compile error: ' : ''}${clip(message, 300)}${into}`;
  let source: string | undefined;
  if (sent !== undefined && body) {
    const lines = body.toString('utf8').split('\n');
    const src = lines[sent - 1];
    // A minified or generated script can be one line of megabytes: quote its start only.
    if (src !== undefined) source = `${line} | ${clip(src.replace(/\r$/, ''))}`;
  }
  return { text, file, line, source, compile };
}

/** At most `max` characters, with an ellipsis when cut. */
export function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

const FN_COMPILE = /^ERR Error compiling function: user_function:(\d+): (.*)$/s;
const FN_REGISTER = /^ERR Error registering functions: (?:ERR )?(?:user_function:(\d+): )?(.*)$/s;
// Valkey 9.1 leaves the name out, as for scripts (RUNTIME_SUFFIX).
const FN_RUNTIME = / script: (?:[^,\s]+, )?on @user_function:(\d+)\.\s*$/;

/**
 * Points a Functions error reply at the library file: `user_function:LINE` (load) and
 * `@user_function:LINE` (FCALL) count lines from the library's first line, the `#!lua` line. With the
 * library's source map, a line of an included fragment is named in the fragment, with the library it
 * was included into, as for scripts.
 */
export function locateFunctionError(reply: string, path: string, body?: Buffer, mapLine?: LineMapper): LocatedError {
  let line: number | undefined;
  let message = reply;
  let compile = false;
  const c = FN_COMPILE.exec(reply);
  const r = c ? null : FN_REGISTER.exec(reply);
  const run = c || r ? null : FN_RUNTIME.exec(reply);
  if (c) {
    line = Number(c[1]);
    message = `compile error: ${c[2]!.trim()}`;
    compile = true;
  } else if (r) {
    line = r[1] !== undefined ? Number(r[1]) : undefined;
    message = /FUNCTION LOAD timeout/.test(r[2]!)
      ? "the library's load-time code ran past the 500 ms Redis allows FUNCTION LOAD (ERR FUNCTION LOAD timeout): keep the top level to register_function calls"
      : `refused at load time: ${r[2]!.trim()}`;
  } else if (run) {
    line = Number(run[1]);
    message = reply.slice(0, run.index).trim();
  }
  const sent = line;
  let file = path;
  let into = '';
  if (sent !== undefined && mapLine) {
    const mapped = mapLine(sent);
    line = mapped.line;
    if (mapped.file !== undefined) {
      file = mapped.file;
      into = ` (included into ${path})`;
    }
  }
  const where = line !== undefined ? `${file}:${line}` : file;
  let source: string | undefined;
  if (sent !== undefined && body) {
    const src = body.toString('utf8').split('\n')[sent - 1];
    if (src !== undefined) source = `${line} | ${clip(src.replace(/\r$/, ''))}`;
  }
  return { text: `${where}: ${clip(message, 300)}${into}`, file, line, source, compile };
}
