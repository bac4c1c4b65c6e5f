/** extractMetadata: the header and the code's KEYS/ARGV, for the manifest and the CLI. */
import { join } from 'node:path';
import { extractMetadata } from '../../src/lint/metadata.js';
import { SEED, readFixture } from './helpers.js';

const HEADER = `#!lua flags=no-writes,allow-stale
-- bucket_peek: reports how many tokens a bucket holds
--
-- KEYS[1]: bucket key (hash)
-- KEYS[2] : audit log (stream)
-- ARGV[1] - now in ms (integer)
-- ARGV[2] → capacity, at most 1000 (integer)
-- Returns: {tokens (integer), retry_after_ms (integer)}
-- Errors: ERR capacity must be positive; ERR now is not an integer
`;

test('the project header: summary, keys, args, returns, errors, flags', () => {
  const meta = extractMetadata(HEADER + "return {redis.call('HGET', KEYS[1], 'tokens'), ARGV[1], ARGV[2]}\n");
  expect(meta).toEqual({
    summary: 'reports how many tokens a bucket holds',
    keys: [
      { name: 'bucket key', doc: 'bucket key (hash)' },
      { name: 'audit log', doc: 'audit log (stream)' },
    ],
    args: [
      { name: 'now in ms', doc: 'now in ms (integer)' },
      { name: 'capacity', doc: 'capacity, at most 1000 (integer)' },
    ],
    returns: '{tokens (integer), retry_after_ms (integer)}',
    errors: ['ERR capacity must be positive', 'ERR now is not an integer'],
    flags: ['no-writes', 'allow-stale'],
  });
});

test('counts are the highest of what the code reads and what the header documents', () => {
  const meta = extractMetadata("-- KEYS[1]: a (string)\nreturn redis.call('MGET', KEYS[1], KEYS[3]) .. ARGV[2]\n");
  expect(meta.keys).toEqual([{ name: 'a', doc: 'a (string)' }, {}, {}]);
  expect(meta.args).toEqual([{}, {}]);
  expect(meta.returns).toBeUndefined();
  expect(meta.summary).toBeUndefined();
  expect(meta.flags).toEqual([]);
});

test('KEYS[2..N] documents every key from the second on; ARGV[2..3] the second and third', () => {
  const src = [
    '-- sum: adds shards',
    '--',
    '-- KEYS[1]: shard 0 of the counter (string holding an integer)',
    '-- KEYS[2..N]: the other shards (string holding an integer)',
    '-- ARGV[1]: time to live in seconds (integer)',
    '-- ARGV[2..3]: bounds, low then high',
    '--   (integers)',
    '-- ARGV[4...]: labels for the sum (strings)',
    "return redis.call('MGET', unpack(KEYS)) and ARGV[3]",
  ].join('\n');
  const meta = extractMetadata(src);
  expect(meta.keys).toEqual([
    { name: 'shard 0 of the counter', doc: 'shard 0 of the counter (string holding an integer)' },
  ]);
  expect(meta.moreKeys).toEqual({ name: 'the other shards', doc: 'the other shards (string holding an integer)' });
  expect(meta.args).toEqual([
    { name: 'time to live in seconds', doc: 'time to live in seconds (integer)' },
    { name: 'bounds', doc: 'bounds, low then high (integers)' },
    { name: 'bounds', doc: 'bounds, low then high (integers)' },
  ]);
  expect(meta.moreArgs).toEqual({ name: 'labels for the sum', doc: 'labels for the sum (strings)' });
  // A sentence is not a name: the table shows ARGV[n] for it.
  expect(extractMetadata('-- ARGV[1]: the most keys to expire in this call (integer)\nreturn ARGV[1]\n').args).toEqual([
    { doc: 'the most keys to expire in this call (integer)' },
  ]);

  // The code reads KEYS[3] of KEYS[2..N]: a slot of its own, documented by the range.
  const read = extractMetadata("-- KEYS[1]: a\n-- KEYS[2..N]: b (string)\nreturn redis.call('GET', KEYS[3])\n");
  expect(read.keys).toEqual([
    { name: 'a', doc: 'a' },
    { name: 'b', doc: 'b (string)' },
    { name: 'b', doc: 'b (string)' },
  ]);
  expect(read.moreKeys).toEqual({ name: 'b', doc: 'b (string)' });
  // A range of more than 16 is read as open-ended: its slots are not all required.
  const many = extractMetadata('-- ARGV[1..300]: values (string)\nreturn ARGV[1]\n');
  expect(many.args).toEqual([{ name: 'values', doc: 'values (string)' }]);
  expect(many.moreArgs).toEqual({ name: 'values', doc: 'values (string)' });
  expect(extractMetadata('-- ARGV[1..16]: v\nreturn 1\n').args).toHaveLength(16);
  // KEYS[3..N] with only KEYS[1] documented: KEYS[2] is a slot, undocumented.
  expect(extractMetadata('-- KEYS[1]: a\n-- KEYS[3..]: c\nreturn 1\n').keys).toEqual([{ name: 'a', doc: 'a' }, {}]);
});

test('headers the linter warns about are still read, as info shows them', () => {
  // KEYS[3..2]: KEYS[3] alone, KEYS[2] undocumented.
  expect(extractMetadata('-- KEYS[3..2]: b\nreturn 1\n').keys).toEqual([{}, {}, { name: 'b', doc: 'b' }]);
  // ARGV[0..2]: the slots callers pass, 1 and 2; KEYS[0..N]: every key.
  expect(extractMetadata('-- ARGV[0..2]: bound\nreturn 1\n').args).toEqual([
    { name: 'bound', doc: 'bound' },
    { name: 'bound', doc: 'bound' },
  ]);
  const open = extractMetadata('-- KEYS[0..N]: shard\nreturn 1\n');
  expect({ keys: open.keys, moreKeys: open.moreKeys }).toEqual({ keys: [], moreKeys: { name: 'shard', doc: 'shard' } });
  // A slot documented twice keeps its first line's text.
  expect(extractMetadata('-- KEYS[1..3]: shard\n-- KEYS[2]: total\nreturn 1\n').keys.map((k) => k.doc)).toEqual([
    'shard',
    'shard',
    'shard',
  ]);
});

test('best effort when the code does not parse: the header, and KEYS read before the error', () => {
  const meta = extractMetadata(HEADER + 'local x = KEYS[3]\nif x then\n  return ARGV[5] //\n');
  expect(meta.summary).toBe('reports how many tokens a bucket holds');
  expect(meta.keys).toHaveLength(3);
  expect(meta.args).toHaveLength(5);
  expect(meta.flags).toEqual(['no-writes', 'allow-stale']);
});

test('multi-line Returns and Errors sections, and doc continuation lines', () => {
  const src = [
    '-- job_take: takes a job',
    '--',
    '-- KEYS[1]: the queue',
    '--          (sorted set)',
    '-- Returns:',
    '--   the job id (bulk string)',
    '--   or null when the queue is empty',
    '-- Errors:',
    '--   ERR queue is paused',
    '--   WRONGTYPE',
    '',
    '-- a comment after the header is not part of it: KEYS[2]: nothing',
    "return redis.call('ZPOPMIN', KEYS[1])",
  ].join('\n');
  expect(extractMetadata(src)).toEqual({
    summary: 'takes a job',
    keys: [{ name: 'the queue', doc: 'the queue (sorted set)' }],
    args: [],
    returns: 'the job id (bulk string) or null when the queue is empty',
    errors: ['ERR queue is paused', 'WRONGTYPE'],
    flags: [],
  });
});

test("the guide's headers: a file name line, then a description; KEYS[1] : text", () => {
  const meta = extractMetadata(readFixture(join(SEED, 'distributed_lock_acquire.lua')));
  expect(meta.summary).toBeUndefined();
  expect(meta.keys).toHaveLength(1);
  expect(meta.keys[0]!.doc).toMatch(/^cl.+ du lock$/);
  expect(meta.args.map((a) => a.name)).toEqual(['lock_id unique', 'ttl en secondes']);

  const bucket = extractMetadata(readFixture(join(SEED, 'rate_limit_token_bucket.lua')));
  expect(bucket.summary).toMatch(/^Impl.+mente l'algorithme Token Bucket pour le rate limiting$/);
  expect(bucket.args.map((a) => a.name)).toEqual(['capacity', 'refill_rate', 'requested', 'current_time']);
});

test("the guide's template: Description, indented parameters, Returns and Errors blocks", () => {
  const meta = extractMetadata(readFixture(join(SEED, 'script_template.lua')));
  expect(meta.summary).toBe('[Description du script]');
  expect(meta.keys).toEqual([{ doc: '[description]' }]);
  expect(meta.returns).toBe('[description du retour]');
  expect(meta.errors).toEqual(['ERR_CODE_1 : [description]', 'ERR_CODE_2 : [description]']);
});

test('a Buffer with a BOM and CRLF line ends', () => {
  const text =
    '#!lua flags=no-writes\r\n-- peek: reads\r\n-- KEYS[1]: the key (string)\r\nreturn redis.call("GET", KEYS[1])\r\n';
  const meta = extractMetadata(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
  expect(meta).toEqual({
    summary: 'reads',
    keys: [{ name: 'the key', doc: 'the key (string)' }],
    args: [],
    errors: [],
    flags: ['no-writes'],
  });
});
