/** Functions libraries the tests load: the same text wherever a test needs a plain counters library. */

/** `counters`: counter_add (writes, INCRBY) and counter_get (no-writes, GET), each with a header. */
export const COUNTERS = `#!lua name=counters
-- counter_add: adds to a counter
--
-- KEYS[1]: the counter (string holding an integer)
-- ARGV[1]: increment (integer)
redis.register_function('counter_add', function(keys, args)
  return redis.call('INCRBY', keys[1], args[1])
end)

-- counter_get: reads it
--
-- KEYS[1]: the counter
redis.register_function{function_name = 'counter_get', callback = function(keys) return redis.call('GET', keys[1]) end, flags = {'no-writes'}}
`;
