/** Hashing exact bytes, shebang parsing, and refusing a BOM: no Redis needed. */
import { createHash } from 'node:crypto';
import { CheckFailedError, EXIT_FAILED } from '../../src/errors.js';
import { makeScript, parseShebang, sha1hex } from '../../src/registry/script.js';
import { makeProject, type Project } from '../helpers/cli.js';

const script = (bytes: string | Buffer) => makeScript('s', 'lua/s.lua', '/abs/lua/s.lua', Buffer.from(bytes));

describe('sha1hex', () => {
  test('the Redis test vector: "return 1"', () => {
    expect(sha1hex('return 1')).toBe('e0e1f9fabfc9d4800c877a703b823ac0578ff8db');
    expect(sha1hex(Buffer.from('return 1'))).toBe('e0e1f9fabfc9d4800c877a703b823ac0578ff8db');
  });

  test('a script is hashed as the exact bytes it holds', () => {
    const s = script('return 1');
    expect(s.sha).toBe('e0e1f9fabfc9d4800c877a703b823ac0578ff8db');
    expect(s.size).toBe(8);
  });

  test.each([
    ['a trailing newline', 'return 1\n'],
    ['CRLF line ends', 'local a = 1\r\nreturn a\r\n'],
    ['a shebang line', '#!lua\nreturn 1'],
    ['a space before the end', 'return 1 '],
  ])('%s changes the SHA (nothing is normalised)', (_what, text) => {
    const s = script(text);
    expect(s.sha).toBe(createHash('sha1').update(Buffer.from(text)).digest('hex'));
    expect(s.sha).not.toBe('e0e1f9fabfc9d4800c877a703b823ac0578ff8db');
    expect(s.size).toBe(Buffer.byteLength(text));
  });

  test('CRLF and LF versions of one script have different SHAs', () => {
    expect(script('local a = 1\r\nreturn a\r\n').sha).not.toBe(script('local a = 1\nreturn a\n').sha);
  });

  test('non-UTF-8 bytes are hashed as bytes', () => {
    const bytes = Buffer.from([0x72, 0x65, 0x74, 0x75, 0x72, 0x6e, 0x20, 0x22, 0xff, 0x00, 0x22]);
    expect(script(bytes).sha).toBe(createHash('sha1').update(bytes).digest('hex'));
  });
});

describe('parseShebang', () => {
  test.each<[string, { engine: string; flags: string[]; other: string[] } | null]>([
    ['return 1', null],
    ['-- #!lua flags=no-writes\nreturn 1', null],
    ['#!lua\nreturn 1', { engine: 'lua', flags: [], other: [] }],
    ['#!lua flags=no-writes\nreturn 1', { engine: 'lua', flags: ['no-writes'], other: [] }],
    ['#!lua flags=no-writes,allow-oom\r\nreturn 1', { engine: 'lua', flags: ['no-writes', 'allow-oom'], other: [] }],
    ['#!lua flags=\nreturn 1', { engine: 'lua', flags: [], other: [] }],
    ['#!lua name=mylib\nreturn 1', { engine: 'lua', flags: [], other: ['name=mylib'] }],
    ['#!lua flags=allow-stale', { engine: 'lua', flags: ['allow-stale'], other: [] }],
    ['#!lua   flags=no-cluster  \nreturn 1', { engine: 'lua', flags: ['no-cluster'], other: [] }],
    // Only a first line that starts with the two bytes #! is a shebang.
    ['#', null],
    ['#\n!lua', null],
    ['# lua flags=no-writes\nreturn 1', null],
    ['!#lua flags=no-writes\nreturn 1', null],
    ['x!lua flags=no-writes\nreturn 1', null],
    ['#!', { engine: '', flags: [], other: [] }],
    // Any whitespace separates the options, a carriage return inside the line too.
    ['#!lua flags=no-writes\rname=x\nreturn 1', { engine: 'lua', flags: ['no-writes'], other: ['name=x'] }],
  ])('%j', (text, expected) => {
    expect(parseShebang(Buffer.from(text))).toEqual(expected);
  });

  test('the flags reach the script, and the shebang marks it', () => {
    const s = script('#!lua flags=no-writes,allow-stale\nreturn 1\n');
    expect(s.flags).toEqual(['no-writes', 'allow-stale']);
    expect(s.shebang).toBe(true);
    const plain = script('return 1\n');
    expect(plain.flags).toEqual([]);
    expect(plain.shebang).toBe(false);
  });
});

describe('a UTF-8 byte order mark', () => {
  const bom = Buffer.from([0xef, 0xbb, 0xbf]);

  test.each([
    ['before #!', Buffer.concat([bom, Buffer.from('#!lua flags=no-writes\nreturn 1\n')])],
    ['before plain code', Buffer.concat([bom, Buffer.from('return 1\n')])],
  ])('%s is refused with a message naming the file and the fix', (_what, bytes) => {
    let error: unknown;
    try {
      makeScript('s', 'lua/s.lua', '/abs/lua/s.lua', bytes);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CheckFailedError);
    const e = error as CheckFailedError;
    expect(e.message).toMatch(/^lua\/s\.lua: .*byte order mark \(BOM\)/);
    expect(e.exitCode).toBe(EXIT_FAILED);
    expect(e.detail).toEqual([
      'Save the file as UTF-8 without BOM (for example: sed -i "1s/^\\xEF\\xBB\\xBF//" lua/s.lua)',
    ]);
  });

  test.each([
    ['EF BB 00', [0xef, 0xbb, 0x00]],
    ['EF 00 BF', [0xef, 0x00, 0xbf]],
    ['00 BB BF', [0x00, 0xbb, 0xbf]],
    ['EF BB at the end of a 2-byte file', [0xef, 0xbb]],
  ])('only the three bytes EF BB BF are a BOM: %s is hashed as it is', (_what, bytes) => {
    const body = Buffer.from(bytes);
    expect(script(body).sha).toBe(createHash('sha1').update(body).digest('hex'));
  });

  test('allowed (allowBom): the file is taken as it is, its BOM hashed with it', () => {
    const bytes = Buffer.concat([bom, Buffer.from('return 1\n')]);
    const s = makeScript('s', 'lua/s.lua', '/abs/lua/s.lua', bytes, true);
    expect(s.sha).toBe(createHash('sha1').update(bytes).digest('hex'));
    expect(s.size).toBe(12);
  });

  test('the same bytes later in the file are not a BOM', () => {
    expect(() => script(Buffer.concat([Buffer.from('return "'), bom, Buffer.from('"')]))).not.toThrow();
  });
});

describe('a script that includes a fragment', () => {
  let project: Project | undefined;
  afterEach(() => project?.cleanup());

  test('is hashed as the assembled text, and keeps the files it came from (for the manifest and error lines)', () => {
    project = makeProject({ 'lua/include/util.lua': 'local function twice(x) return x * 2 end\n' });
    const own = '--- @include "include/util"\nreturn twice(21)\n';
    const s = makeScript('s', 'lua/s.lua', project.path('lua/s.lua'), Buffer.from(own));
    const assembled = 'local function twice(x) return x * 2 end\nreturn twice(21)\n';
    expect(s.bytes.toString()).toBe(assembled);
    expect(s.sha).toBe(createHash('sha1').update(assembled).digest('hex'));
    expect(s.map?.sources.map((src) => src.absPath)).toEqual([
      project.path('lua/s.lua'),
      project.path('lua/include/util.lua'),
    ]);
    // Line 2 of the assembled text is line 2 of the script itself.
    expect(s.map?.files[1]).toBe(0);
    expect(s.map?.lines[1]).toBe(2);
  });

  test('a script without includes has no map: its lines are its own', () => {
    expect(script('return 1\n').map).toBeUndefined();
  });
});
