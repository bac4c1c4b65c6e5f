/**
 * Error replies mapped back to the user's file. The strings are the exact replies of Redis 7.0
 * (see redis-facts.md), captured from redis-server.
 */
import { locateScriptError, parseScriptError } from '../../src/redis/script-errors.js';

const SHA = 'ede4134472addc54fd7300ce4163d8295bc56d64';

describe('parseScriptError', () => {
  test.each<[string, string, { line?: number; message: string; compile: boolean }]>([
    [
      'compile error',
      "ERR Error compiling script (new function): user_script:3: unexpected symbol near 'return'",
      { line: 3, message: "unexpected symbol near 'return'", compile: true },
    ],
    [
      'compile error at the end of the file',
      "ERR Error compiling script (new function): user_script:3: unexpected symbol near '<eof>'",
      { line: 3, message: "unexpected symbol near '<eof>'", compile: true },
    ],
    [
      'runtime error in Lua',
      `ERR user_script:3: attempt to index local 'y' (a nil value) script: ${SHA}, on @user_script:3.`,
      { line: 3, message: "attempt to index local 'y' (a nil value)", compile: false },
    ],
    [
      // Server-specific: Valkey 9.1 leaves the SHA out of the suffix (measured on 9.1.2).
      'Valkey 9.1: a failed redis.call, no SHA in the suffix',
      'WRONGTYPE Operation against a key holding the wrong kind of value script: on @user_script:2.',
      { line: 2, message: 'WRONGTYPE Operation against a key holding the wrong kind of value', compile: false },
    ],
    [
      'Valkey 9.1: a runtime error in Lua',
      'ERR user_script:2: boom script: on @user_script:2.',
      { line: 2, message: 'boom', compile: false },
    ],
    [
      'a failed redis.call keeps the command error code',
      `ERR value is not an integer or out of range script: ${SHA}, on @user_script:2.`,
      { line: 2, message: 'ERR value is not an integer or out of range', compile: false },
    ],
    [
      'creating a global',
      `ERR user_script:1: Attempt to modify a readonly table script: ${SHA}, on @user_script:1.`,
      { line: 1, message: 'Attempt to modify a readonly table', compile: false },
    ],
    [
      'reading an undefined global',
      `ERR user_script:7: Script attempted to access nonexistent global variable 'x' script: ${SHA}, on @user_script:7.`,
      { line: 7, message: "Script attempted to access nonexistent global variable 'x'", compile: false },
    ],
    [
      'error() with a table',
      `TABLEERR from table script: ${SHA}, on @user_script:12.`,
      { line: 12, message: 'TABLEERR from table', compile: false },
    ],
    ['redis.error_reply', 'MYERR custom failure', { message: 'MYERR custom failure', compile: false }],
    [
      'an invalid shebang flag',
      'ERR Unexpected flag in script shebang: bogus',
      { message: 'ERR Unexpected flag in script shebang: bogus', compile: false },
    ],
    [
      'a Functions header sent to SCRIPT LOAD',
      'ERR Unknown lua shebang option: name=x',
      { message: 'ERR Unknown lua shebang option: name=x', compile: false },
    ],
  ])('%s', (_what, reply, expected) => {
    expect(parseScriptError(reply)).toEqual(expected);
  });
});

describe('locateScriptError', () => {
  const body = Buffer.from('#!lua flags=no-writes\nlocal a = 1\r\nlocal b = \nreturn a +\n');

  test('a compile error points at path:LINE and quotes that line (shebang counted)', () => {
    const located = locateScriptError(
      "ERR Error compiling script (new function): user_script:4: unexpected symbol near 'return'",
      'lua/bad.lua',
      body,
    );
    expect(located).toEqual({
      text: "lua/bad.lua:4: compile error: unexpected symbol near 'return'",
      file: 'lua/bad.lua',
      line: 4,
      source: '4 | return a +',
      compile: true,
    });
  });

  test('a CRLF line is quoted without its carriage return', () => {
    const located = locateScriptError(
      `ERR user_script:2: boom script: ${SHA}, on @user_script:2.`,
      'lua/bad.lua',
      body,
    );
    expect(located.text).toBe('lua/bad.lua:2: boom');
    expect(located.source).toBe('2 | local a = 1');
  });

  test('no line: the path alone, no source', () => {
    const located = locateScriptError('MYERR custom failure', 'lua/x.lua', body);
    expect(located).toEqual({
      text: 'lua/x.lua: MYERR custom failure',
      file: 'lua/x.lua',
      line: undefined,
      source: undefined,
      compile: false,
    });
  });

  test('a line but no body (SHA-only exec): no source', () => {
    const located = locateScriptError(`ERR user_script:3: boom script: ${SHA}, on @user_script:3.`, 'ede4134472ad');
    expect(located.text).toBe('ede4134472ad:3: boom');
    expect(located.source).toBeUndefined();
  });

  test('a line past the end of the file is not quoted', () => {
    const located = locateScriptError(
      `ERR user_script:40: boom script: ${SHA}, on @user_script:40.`,
      'lua/x.lua',
      body,
    );
    expect(located.line).toBe(40);
    expect(located.source).toBeUndefined();
  });
});
