/** The spec format: YAML types are reply types, and every mistake is reported at its file:line. */
import { parseSpec, SpecError } from '../../src/spec/parse.js';
import { matchReply, notation } from '../../src/spec/match.js';
import { typeReply } from '../../src/redis/typed-reply.js';

const parse = (text: string) => parseSpec(text, '/p/lua/counter.spec.yaml', 'lua/counter.spec.yaml');

function problem(text: string): string {
  try {
    parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).exitCode).toBe(2);
    return (err as Error).message;
  }
  throw new Error('expected a SpecError');
}

describe('parseSpec', () => {
  it('names the script after the file and types replies from YAML: 8 an integer, "8" a bulk string, null nil', () => {
    const spec = parse(`cases:
  - name: a
    call: { keys: [c], args: [5, 0x10, -0, "x"] }
    reply: [8, "8", null, { status: OK }, { double: 1.5 }, 9007199254740993]
`);
    expect(spec.script).toBe('counter');
    const [c] = spec.cases;
    // Arguments keep what was typed: 0x10 and -0 are not turned into 16 and 0.
    expect(c!.steps[0]!.call).toEqual({ script: 'counter', keys: ['c'], args: ['5', '0x10', '-0', 'x'], line: 3 });
    const reply = c!.steps[0]!.reply!;
    expect(reply.kind === 'array' && reply.items.map((i) => i.kind)).toEqual([
      'integer',
      'bulk string',
      'null',
      'status',
      'double',
      'integer',
    ]);
    // Past 2^53 an integer keeps its digits.
    expect(reply.kind === 'array' && reply.items[5]).toEqual({ line: 4, kind: 'integer', value: '9007199254740993' });
  });

  it.each([
    ['cases: [', /^lua\/counter\.spec\.yaml:1: invalid YAML: /],
    ['- a\n- b\n', /^lua\/counter\.spec\.yaml:1: a spec is a mapping with "cases"/],
    ['cases: []\n', /:1: "cases" must be a list with at least one case/],
    [
      'cases:\n  - name: a\n    call: {}\n    reply: 1\n    keyspce: {}\n',
      /:5: unknown field "keyspce" in a case: expected "name", /,
    ],
    ['cases:\n  - name: a\n    call: {}\n', /:2: case "a" expects nothing/],
    [
      'cases:\n  - name: a\n    call: {}\n    reply: { mapp: {} }\n',
      /:4: a mapping in a reply is one tag: .*got "mapp"/,
    ],
    [
      'cases:\n  - name: a\n    call: {}\n    reply: 1\n    error: ERR\n',
      /:5: case "a": expect a "reply" or an "error", not both/,
    ],
    [
      'cases:\n  - name: a\n    call: { args: [~] }\n    reply: 1\n',
      /:3: call\.args\[0\] is empty \(null\): write "" for an empty string/,
    ],
    [
      'cases:\n  - name: a\n    call: {}\n    reply: 1\n  - name: a\n    call: {}\n    reply: 1\n',
      /:5: two cases named "a" \(the other at line 2\)/,
    ],
    [
      'cases:\n  - name: a\n    concurrent: { clients: 0, calls: 1, steps: [{}] }\n    dbsize: 0\n',
      /:3: concurrent\.clients and concurrent\.calls must be at least 1/,
    ],
    [
      'cases:\n  - name: a\n    concurrent: { clients: 2, calls: 1, steps: [{}] }\n    replies: [{ step: nope, count: 1 }]\n',
      /:4: replies\[0\]: no step named "nope" \(the steps: counter\)/,
    ],
    [
      'cases:\n  - name: a\n    call: {}\n    keyspace:\n      k: { hash: {}, list: [] }\n',
      /:5: keyspace\["k"\]: give one of "hash", "list"/,
    ],
    [
      'cases:\n  - name: a\n    call: {}\n    reply: { pattern: "(" }\n',
      /:4: pattern is not a valid regular expression/,
    ],
  ])('refuses %j', (text, message) => {
    expect(problem(text)).toMatch(message);
  });
});

describe('matchReply', () => {
  const expectation = (yaml: string) =>
    parse(`cases:\n  - name: a\n    call: {}\n    reply: ${yaml}\n`).cases[0]!.steps[0]!.reply!;

  it('tells an integer from a bulk string and a status, and says where nested replies differ', () => {
    const reply = typeReply([1, Buffer.from('x'), 'OK', [2, null]]);
    expect(matchReply(expectation('[1, x, { status: OK }, [2, null]]'), reply, 3)).toEqual([]);
    expect(
      matchReply(expectation('["1", x, OK, [3, null, 4]]'), reply, 3).map((m) => [m.path, m.expected, m.actual]),
    ).toEqual([
      ['[1]', '"1"', '1'],
      ['[3]', '"OK"', '{status: "OK"}'],
      ['[4][1]', '3', '2'],
      ['[4][3]', '4', '(no element)'],
    ]);
  });

  it('matches maps and sets in any order, and RESP2 pairs of a map', () => {
    expect(
      matchReply(
        expectation('{ map: { b: 2, a: 1 } }'),
        typeReply(
          new Map([
            ['a', 1],
            ['b', 2],
          ]),
        ),
        3,
      ),
    ).toEqual([]);
    expect(
      matchReply(expectation('{ set: [y, x] }'), typeReply(new Set([Buffer.from('x'), Buffer.from('y')])), 3),
    ).toEqual([]);
    expect(
      matchReply(expectation('{ pairs: { b: 2, a: 1 } }'), typeReply([Buffer.from('a'), 1, Buffer.from('b'), 2]), 2),
    ).toEqual([]);
    const missing = matchReply(
      expectation('{ map: { a: 1, c: 3 } }'),
      typeReply(
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      ),
      3,
    );
    expect(missing.map((m) => [m.path, m.expected, m.actual])).toEqual([
      ['["c"]', '3', '(no such field)'],
      ['["b"]', '(no such field)', '2'],
    ]);
  });

  it('takes the branch of the protocol, and ranges, patterns and types', () => {
    const e = expectation('{ resp2: [a, 1], resp3: { map: { a: 1 } } }');
    expect(matchReply(e, typeReply([Buffer.from('a'), 1]), 2)).toEqual([]);
    expect(matchReply(e, typeReply([Buffer.from('a'), 1]), 3)).toHaveLength(1);
    expect(
      matchReply(
        expectation('[{ between: [1, 5] }, { pattern: "^id-" }, { type: integer }]'),
        typeReply([5, Buffer.from('id-7'), 3]),
        3,
      ),
    ).toEqual([]);
    expect(matchReply(expectation('{ between: [1, 5] }'), typeReply(6), 3)).toHaveLength(1);
  });

  it('writes replies in the notation a spec uses', () => {
    expect(notation(typeReply([1, Buffer.from('x'), 'OK', null, new Map([['a', [1]]])]))).toBe(
      '[1, "x", {status: "OK"}, null, {map: {"a": [1]}}]',
    );
  });
});
