/** The server's name and version from HELLO's reply, and whether it has Lua (src/server/identity.ts). */
import { describeServers, identityFromHello, offersScriptShow } from '../../src/server/identity.js';

const hello = (fields: Record<string, unknown>) => new Map(Object.entries(fields));

test('Redis and Valkey as HELLO names them (Valkey: its own version, not redis_version 7.2.4)', () => {
  expect(identityFromHello(hello({ server: 'redis', version: '8.0.2', modules: [] }))).toEqual({
    flavour: 'redis',
    version: '8.0.2',
    name: 'Redis 8.0.2',
    lua: true,
  });
  expect(identityFromHello(hello({ server: 'valkey', version: '8.1.1', modules: [] }))).toMatchObject({
    name: 'Valkey 8.1.1',
    lua: true,
  });
  // A RESP2-style flat array, as a proxy may answer.
  expect(identityFromHello(['server', 'redis', 'version', '7.0.15'])).toMatchObject({ name: 'Redis 7.0.15' });
  expect(identityFromHello(hello({ proto: 3 }))).toBeUndefined();
  expect(identityFromHello('OK')).toBeUndefined();
});

test('Valkey 9.1+ has Lua only when its module is listed', () => {
  const lua = [hello({ name: 'lua', ver: 1, path: 'lua', args: [] })];
  expect(identityFromHello(hello({ server: 'valkey', version: '9.1.2', modules: lua }))?.lua).toBe(true);
  expect(identityFromHello(hello({ server: 'valkey', version: '9.1.2', modules: [] }))?.lua).toBe(false);
  // Older servers have Lua built in and list no module for it.
  expect(identityFromHello(hello({ server: 'valkey', version: '9.0.3', modules: [] }))?.lua).toBe(true);
  expect(
    identityFromHello(hello({ server: 'redis', version: '8.0.2', modules: [hello({ name: 'vectorset' })] }))?.lua,
  ).toBe(true);
});

test('SCRIPT SHOW: Valkey 8.0 and later only', () => {
  expect(offersScriptShow(identityFromHello(hello({ server: 'valkey', version: '8.0.0' })))).toBe(true);
  expect(offersScriptShow(identityFromHello(hello({ server: 'valkey', version: '7.2.8' })))).toBe(false);
  expect(offersScriptShow(identityFromHello(hello({ server: 'redis', version: '8.2.0' })))).toBe(false);
});

test('a cluster names one server, or each with its count while they differ', () => {
  const r7 = identityFromHello(hello({ server: 'redis', version: '7.4.1' }));
  const r8 = identityFromHello(hello({ server: 'redis', version: '8.0.2' }));
  expect(describeServers([r8, r8, undefined])).toBe('Redis 8.0.2');
  expect(describeServers([r7, r8, r7])).toBe('Redis 7.4.1 (2 nodes), Redis 8.0.2 (1 node)');
  expect(describeServers([undefined])).toBeUndefined();
});
