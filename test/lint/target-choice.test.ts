/**
 * Which lint target a server's release maps to, and which of --target, the server, lint.target and
 * the default wins. Pure: the servers are the identities HELLO gives (see test/servers and
 * test/commands/lint-target.e2e.test.ts for the real ones).
 */
import { chooseTarget, describeTarget, targetOfServer } from '../../src/lint/target-ids.js';

const server = (flavour: string, version: string) => ({
  flavour,
  version,
  name: `${flavour === 'redis' ? 'Redis' : flavour === 'valkey' ? 'Valkey' : flavour} ${version}`,
});

test.each([
  ['redis', '7.0.15', 'redis-7.0'],
  ['redis', '7.2.4', 'redis-7.2'],
  ['redis', '7.4.1', 'redis-7.4'],
  ['redis', '8.0.2', 'redis-8.0'],
  // Newer than any table: the newest of its flavour. Between two: the last one released before it.
  ['redis', '8.2.1', 'redis-8.0'],
  ['redis', '9.0.0', 'redis-8.0'],
  ['redis', '7.3.0', 'redis-7.2'],
  // Older than any: the oldest of its flavour.
  ['redis', '6.2.14', 'redis-7.0'],
  ['valkey', '7.2.5', 'valkey-8.0'],
  ['valkey', '8.0.6', 'valkey-8.0'],
  ['valkey', '8.1.1', 'valkey-8.1'],
  ['valkey', '9.1.2', 'valkey-9.1'],
  ['valkey', '10.0.0', 'valkey-9.1'],
])('%s %s lints as %s', (flavour, version, id) => {
  expect(targetOfServer({ flavour, version })).toBe(id);
});

test('a server that is neither Redis nor Valkey has no target of its own', () => {
  expect(targetOfServer({ flavour: 'dragonfly', version: '1.20.0' })).toBeUndefined();
});

test.each([
  // flag, servers, config -> target, source
  [{ flag: 'redis-7.4', servers: [server('redis', '8.0.2')], config: 'valkey-8.1' }, 'redis-7.4', 'flag'],
  [{ servers: [server('redis', '8.0.2')], config: 'redis-7.0' }, 'redis-8.0', 'server'],
  [{ servers: [server('valkey', '8.1.1')] }, 'valkey-8.1', 'server'],
  [{ servers: [], config: 'redis-7.4' }, 'redis-7.4', 'config'],
  [{ servers: [undefined], config: 'redis-7.4' }, 'redis-7.4', 'config'],
  [{}, 'redis-7.0', 'default'],
  // Another flavour tells nothing: the config, else the default.
  [{ servers: [server('dragonfly', '1.20.0')], config: 'valkey-9.0' }, 'valkey-9.0', 'config'],
  [{ servers: [server('dragonfly', '1.20.0')] }, 'redis-7.0', 'default'],
  // A cluster in a rolling upgrade: its oldest node, where the script must run too.
  [{ servers: [server('redis', '8.0.2'), server('redis', '7.4.1'), undefined] }, 'redis-7.4', 'server'],
  // Flavours mixed: no one release says what every node has.
  [{ servers: [server('redis', '7.2.4'), server('valkey', '8.1.1')], config: 'redis-7.2' }, 'redis-7.2', 'config'],
] as const)('%j -> %s from %s', (options, id, from) => {
  expect(chooseTarget(options)).toMatchObject({ id, from });
});

test('the description says where the target came from', () => {
  expect(describeTarget(chooseTarget({ servers: [server('redis', '7.4.1'), server('redis', '8.0.2')] }))).toBe(
    "Redis 7.4 (the server's release, Redis 7.4.1)",
  );
  expect(describeTarget(chooseTarget({ flag: 'valkey-9.0' }))).toBe('Valkey 9.0 (--target)');
  expect(describeTarget(chooseTarget({ config: 'redis-8.0' }))).toBe('Redis 8.0 (lint.target in the config)');
  expect(describeTarget(chooseTarget({}))).toBe('Redis 7.0 (the default: the oldest supported server)');
});
