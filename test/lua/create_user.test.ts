import { describe, expect, it } from '@jest/globals';
import { useLuaHarness } from '../helpers/lua.js';

describe('lua/create_user', () => {
  const h = useLuaHarness();
  const index = '{users}:index:emails';
  const user = (id: string) => `{users}:user:${id}`;

  it('creates the user, indexes the lowercased email and returns the record as a map (RESP3)', async () => {
    const before = Math.floor(Date.now() / 1000);
    const reply = (await h.run('create_user', [user('42'), index], ['42', 'Ada@Example.org', 'Ada'])) as Record<
      string,
      unknown
    >;
    expect(reply).toEqual({ id: '42', email: 'Ada@Example.org', name: 'Ada', created_at: expect.any(Number) });
    expect(reply.created_at as number).toBeGreaterThanOrEqual(before - 5);
    expect(await h.cmd('HGETALL', user('42'))).toEqual({
      email: 'Ada@Example.org',
      name: 'Ada',
      created_at: String(reply.created_at),
    });
    expect(await h.cmd('HGET', index, 'ada@example.org')).toBe('42');
  });

  it('returns the same record to a RESP2 client as a flat array of field, value pairs', async () => {
    const resp2 = await h.connect(2);
    const reply = (await h.run('create_user', [user('7'), index], ['7', 'bob@example.org', 'Bob'], {
      client: resp2,
    })) as unknown[];
    expect(Array.isArray(reply)).toBe(true);
    expect(reply).toHaveLength(8);
    const record: Record<string, unknown> = {};
    for (let i = 0; i < reply.length; i += 2) record[reply[i] as string] = reply[i + 1];
    expect(record).toEqual({ id: '7', email: 'bob@example.org', name: 'Bob', created_at: expect.any(Number) });
  });

  it('refuses an existing user id and leaves the first user and the index alone', async () => {
    await h.run('create_user', [user('42'), index], ['42', 'ada@example.org', 'Ada']);
    expect(await h.runError('create_user', [user('42'), index], ['42', 'other@example.org', 'Eve'])).toBe(
      'ERR user already exists',
    );
    expect(await h.cmd('HGET', user('42'), 'name')).toBe('Ada');
    expect(await h.cmd('HEXISTS', index, 'other@example.org')).toBe(0);
  });

  it('refuses an email already registered, whatever its case', async () => {
    await h.run('create_user', [user('1'), index], ['1', 'ada@example.org', 'Ada']);
    expect(await h.runError('create_user', [user('2'), index], ['2', 'ADA@example.ORG', 'Impostor'])).toBe(
      'ERR email already registered',
    );
    expect(await h.cmd('EXISTS', user('2'))).toBe(0);
    expect(await h.cmd('HGET', index, 'ada@example.org')).toBe('1');
  });

  it('registers an email only once when 10 clients race for it', async () => {
    const clients = await Promise.all(Array.from({ length: 10 }, () => h.connect()));
    const outcomes = await Promise.allSettled(
      clients.map((client, i) =>
        h.run('create_user', [user(`r${i}`), index], [`r${i}`, 'race@example.org', 'R'], { client }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(await h.cmd('HLEN', index)).toBe(1);
    expect(((await h.cmd('KEYS', '{users}:user:*')) as string[]).length).toBe(1);
  });

  it.each([
    'no-at-sign',
    'a@b',
    'a@@b.co',
    'a b@c.de',
    '@b.co',
    'a@.co',
    'a@b..co',
    'a.@b.co',
    'a@b.co.',
    'a@b_c.co',
    '',
  ])('refuses the email %j and writes nothing', async (email) => {
    expect(await h.runError('create_user', [user('9'), index], ['9', email, 'N'])).toBe(
      'ERR invalid email format, expected local@domain.tld without spaces',
    );
    expect(await h.cmd('DBSIZE')).toBe(0);
  });

  it('accepts ordinary addresses with dots, plus tags and subdomains', async () => {
    await h.run('create_user', [user('1'), index], ['1', 'first.last+tag@mail.example.co.uk', 'F']);
    await h.run('create_user', [user('2'), index], ['2', "o'hara@x-y.io", 'O']);
    expect(await h.cmd('HLEN', index)).toBe(2);
  });

  it.each([
    [['', 'a@b.co', 'N'], 'ERR ARGV[1] (user_id) must be 1 to 128 bytes'],
    [['1', 'a@b.co', ''], 'ERR ARGV[3] (name) must be 1 to 256 bytes'],
    [['1', 'a@b.co', 'x'.repeat(257)], 'ERR ARGV[3] (name) must be 1 to 256 bytes'],
  ])('refuses the arguments %j', async (args, message) => {
    expect(await h.runError('create_user', [user('1'), index], args)).toBe(message);
    expect(await h.cmd('DBSIZE')).toBe(0);
  });

  it('refuses a call that does not pass the index key (the guide built it inside the script)', async () => {
    expect(await h.runError('create_user', [user('1')], ['1', 'a@b.co', 'N'])).toMatch(
      /^ERR wrong number of keys or arguments: expected 2 keys/,
    );
  });
});
