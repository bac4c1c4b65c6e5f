/** How gen ts reads names and types from header lines (pure functions, no server). */
import { functionName, generateTs, replyType, slotName } from '../../src/gen/ts.js';

test('function names: camelCase of the script name, folders included; reserved words avoided', () => {
  expect(functionName('rate_limit_token_bucket')).toBe('rateLimitTokenBucket');
  expect(functionName('queue/priority_pop')).toBe('queuePriorityPop');
  expect(functionName('delete')).toBe('deleteScript');
  expect(functionName('2fa-check')).toBe('script2faCheck');
});

test('field names: the first words of the doc, up to a comma, a parenthesis or a small word', () => {
  expect(slotName('capacity, the most tokens the bucket holds (integer, 1 to 1000000000)')).toBe('capacity');
  expect(slotName('refill rate in tokens per second (decimal number, 0.001 to 1000000000)')).toBe('refillRate');
  expect(slotName("the caller's clock in milliseconds, e.g. Unix ms (integer)")).toBe('callersClock');
  expect(slotName('time to live in seconds (integer, 1 to 2147483647)')).toBe('ttl');
  expect(slotName('shards 1 to N-1, in order (string holding an integer)')).toBe('shards');
  expect(slotName('item_id (string)')).toBe('itemId');
  expect(slotName('(string)')).toBeUndefined();
  expect(slotName(undefined)).toBeUndefined();
});

test('reply types from Returns:', () => {
  expect(replyType('the new value (integer)')).toBe('number');
  expect(replyType('the previous value (bulk string), or null when the key did not exist')).toBe('string | null');
  expect(replyType('status OK')).toBe('string');
  expect(
    replyType(
      'array {allowed (1 or 0), tokens_left (integer, rounded down), retry_after_ms (integer, 0 when allowed)}',
    ),
  ).toBe('[allowed: number, tokensLeft: number, retryAfterMs: number]');
  expect(replyType('array {1, new_balance} when debited, {0, balance} when the balance is too low (integers)')).toBe(
    '([1, number] | [0, number])',
  );
  expect(
    replyType(
      'array of items, each {item_id (string), data (string), priority (integer)}; empty array when the queue is empty',
    ),
  ).toBe('Array<[itemId: string, data: string, priority: number]>');
  expect(replyType('the new record as a map {id, email}')).toBeUndefined();
  expect(replyType('whatever it feels like')).toBeUndefined();
  expect(replyType(undefined)).toBeUndefined();
});

test('optional trailing args are optional; an untyped one is string, listed once; a variadic tail is a list', () => {
  const out = generateTs(
    [
      {
        name: 'tag',
        path: 'lua/tag.lua',
        flags: [],
        metadata: {
          keys: [{ doc: 'the set (set)' }],
          // `optional` as extractMetadata sets it (read with a default): gen follows it, not the doc's words.
          args: [{ doc: 'label (string)' }, { doc: 'weight (integer, optional)', optional: true }],
          moreArgs: { doc: 'label (string)' },
          errors: [],
          flags: [],
          returns: 'how many were added (integer)',
        },
      },
      {
        name: 'free',
        path: 'lua/free.lua',
        flags: ['no-writes'],
        metadata: { keys: [], args: [{ doc: 'whatever you like' }], errors: [], flags: ['no-writes'] },
      },
    ],
    './rscript.lock.json',
    'rscript.lock.json',
  );
  expect(out.text).toContain('    weight?: number;');
  expect(out.text).toContain('    labelRest?: ScriptArg[];');
  expect(out.text).toContain(
    "await run(client, 'tag', [keys.set], [args.label, args?.weight, ...(args?.labelRest ?? [])], false)",
  );
  expect(out.text).toContain("await run(client, 'free', [], [args.whateverYouLike], true)");
  expect(out.untyped).toEqual(['free: ARGV[1] (whatever you like)']);
  expect(out.untypedReplies).toEqual(['free: no Returns: line']);
  expect(out.text).toContain('export type FreeReply = unknown;');
});
