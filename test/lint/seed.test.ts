/**
 * The guide's scripts, byte for byte (test/fixtures/seed/, see its README), and what a reviewer
 * expects the linter to say about each: every finding as rule@line, nothing more, nothing less.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SEED, at, lint, readFixture } from './helpers.js';

const EXPECTED: Record<string, string[]> = {
  // The introduction's purchase: KEYS used but never documented (the snippet has no header): one
  // note, as a script without rscript's header convention gets.
  atomic_balance: ['header-keys-argv@2'],
  // SCAN looped until the cursor is "0" in one call, the pattern passed as KEYS[1], EXPIRE on keys
  // read from the SCAN reply.
  batch_expire: ['no-keyspace-scan@13', 'keys-from-keys-array@13', 'keys-from-keys-array@19'],
  // Shard keys built from KEYS[1] .. ':shard:' .. i.
  distributed_counter_get: ['keys-from-keys-array@14'],
  distributed_counter_incr: ['keys-from-keys-array@18', 'no-string-keys-in-reply@20'],
  distributed_lock_acquire: ['no-string-keys-in-reply@14', 'no-string-keys-in-reply@18'],
  distributed_lock_release: ['no-string-keys-in-reply@13', 'no-string-keys-in-reply@15'],
  increment_with_max: [],
  infinite_loop: ['no-unbounded-loop@2'],
  // KEYS '*' (the "bad" half); the "good" half still reads its keys from SCAN replies and returns
  // string-keyed tables. Its SCAN loop returns after 10000 keys, but it is still a walk of the
  // keyspace in one call (any loop around SCAN is flagged).
  keys_vs_scan: [
    'no-keyspace-scan@2',
    'keys-from-keys-array@4',
    'no-keyspace-scan@12',
    'keys-from-keys-array@17',
    'no-string-keys-in-reply@22',
    'no-string-keys-in-reply@27',
  ],
  // 'user:' .. user_id (user_id from ARGV), a literal index key, a string-keyed reply, ARGV undocumented.
  multi_operations: [
    'keys-from-keys-array@25',
    'keys-from-keys-array@30',
    'keys-from-keys-array@37',
    'no-string-keys-in-reply@39',
    // No KEYS[n]:/ARGV[n]: header: one note at the first read.
    'header-keys-argv@43',
  ],
  pcall_errors: ['header-keys-argv@2', 'keys-from-keys-array@5', 'no-string-keys-in-reply@10'],
  // Every key built from the queue name; the reply is an array of string-keyed records.
  priority_queue_pop: [
    'keys-from-keys-array@9',
    'keys-from-keys-array@24',
    'keys-from-keys-array@34',
    'keys-from-keys-array@35',
    'keys-from-keys-array@38',
    'no-string-keys-in-reply@42',
  ],
  priority_queue_push: [
    'keys-from-keys-array@22',
    'keys-from-keys-array@26',
    'keys-from-keys-array@27',
    'keys-from-keys-array@30',
    'keys-from-keys-array@33',
    'keys-from-keys-array@34',
    'no-string-keys-in-reply@36',
    'keys-from-keys-array@39',
  ],
  // return { ok = false, ... } and return { ok = true, ... }: ok is not a string, so both are arrays.
  purchase_product: ['no-string-keys-in-reply@26', 'no-string-keys-in-reply@48'],
  rate_limit_token_bucket: ['no-string-keys-in-reply@45'],
  safe_batch_operations: ['header-keys-argv@9', 'no-string-keys-in-reply@41'],
  safe_increment: ['header-keys-argv@17'],
  saga_transfer: ['no-string-keys-in-reply@56'],
  sandbox_require: ['no-undefined-global@2', 'no-undefined-global@3'],
  script_template: ['no-string-keys-in-reply@53'],
  test_script: ['header-keys-argv@15'],
  time_limited_loop: ['no-string-keys-in-reply@24', 'no-string-keys-in-reply@38'],
  // Several `return`s in a row: Lua 5.1 refuses code after a return (Redis: user_script:9).
  type_conversions: ['syntax-error@9'],
};

const lintSeed = (name: string) => lint(readFixture(join(SEED, `${name}.lua`)));

test('every extracted script has expectations', () => {
  const files = readdirSync(SEED)
    .filter((f) => f.endsWith('.lua'))
    .map((f) => f.slice(0, -4))
    .sort();
  expect(files).toEqual(Object.keys(EXPECTED).sort());
});

test.each(Object.keys(EXPECTED))('%s', (name) => {
  expect(at(lintSeed(name))).toEqual(EXPECTED[name]);
});

describe('what the findings say', () => {
  test('purchase_product: ok = true is not a status reply, the caller gets an empty array', () => {
    const last = lintSeed('purchase_product').find((f) => f.line === 48)!;
    expect(last.severity).toBe('error');
    expect(last.message).toContain('ok = true');
    expect(last.message).toContain('remaining_stock');
    expect(last.message).toContain('empty array');
  });

  test('rate_limit_token_bucket: the three result fields are dropped', () => {
    const [f] = lintSeed('rate_limit_token_bucket');
    expect(f!.message).toContain('allowed, tokens_remaining, retry_after');
  });

  test('priority_queue_pop: each record of the results list arrives empty', () => {
    const f = lintSeed('priority_queue_pop').find((x) => x.rule === 'no-string-keys-in-reply')!;
    expect(f.message).toContain("'results' (the table built on line 15)");
    expect(f.message).toContain('id, data, score');
  });

  test('multi_operations: the literal key and the key built from a parameter', () => {
    const keys = lintSeed('multi_operations').filter((f) => f.rule === 'keys-from-keys-array');
    expect(keys.map((f) => [f.line, f.column])).toEqual([
      [25, 29],
      [30, 24],
      [37, 24],
    ]);
    expect(keys[2]!.message).toContain('"index:emails" is a literal');
  });

  test('multi_operations: string.match(...) ~= nil is a correct nil test, not a reply comparison', () => {
    expect(lintSeed('multi_operations').filter((f) => f.rule === 'no-nil-compare')).toEqual([]);
  });

  test('batch_expire: KEYS[1] is a pattern, and the SCAN loop walks the whole keyspace', () => {
    const findings = lintSeed('batch_expire');
    expect(findings.find((f) => f.rule === 'keys-from-keys-array' && f.line === 13)!.message).toContain('pattern');
    expect(findings.find((f) => f.rule === 'no-keyspace-scan')!.message).toContain('whole keyspace');
  });

  test("the guide's header style (KEYS[1] : text) counts as documentation", () => {
    expect(lintSeed('increment_with_max')).toEqual([]);
    expect(lintSeed('saga_transfer').filter((f) => f.rule === 'header-keys-argv')).toEqual([]);
  });

  test('time_limited_loop: while true with a return and a break is bounded', () => {
    expect(lintSeed('time_limited_loop').filter((f) => f.rule === 'no-unbounded-loop')).toEqual([]);
  });
});
