/**
 * rediss:// against a real redis-server that speaks TLS only, with certificates made for the run:
 * verified with the CA given by flag or config, refused when nobody vouches for the certificate,
 * accepted unverified only when --tls-insecure says so.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { startRedisProcess, type RedisProcess } from '../helpers/redis-process.js';
import { expectFailure, expectSuccess, rscript, tempProject, type TempProject } from '../helpers/rscript-process.js';
import { makeTestCerts, type TestCerts } from '../helpers/tls-certs.js';

let certs: TestCerts;
let server: RedisProcess;
let project: TempProject;

beforeAll(async () => {
  certs = makeTestCerts();
  server = await startRedisProcess({ tls: { ca: certs.ca, cert: certs.cert, key: certs.key } });
  project = tempProject({ 'lua/one.lua': 'return 1\n' });
});
afterAll(async () => {
  await server.stop();
  project.cleanup();
  certs.cleanup();
});

const run = (...args: string[]) => rscript(args, { cwd: project.dir });

it('works with the CA given by --tls-ca: load, exists, exec, kill, flush; no warning on stderr', async () => {
  const tls = ['--url', server.url, '--tls-ca', certs.ca];
  for (const command of [['load'], ['exists'], ['exec', 'one'], ['kill'], ['flush', '--yes']]) {
    const r = await run(...command, ...tls);
    expectSuccess(r);
    // Node prints a DeprecationWarning when SNI is set to an IP address: a user would see it every run.
    expect(r.stderr).toBe('');
  }
  expect(server.cli('SCRIPT', 'EXISTS', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db')).toBe('0'); // flushed, over TLS
});

it('verifies the host name too: rediss://localhost matches the certificate', async () => {
  expectSuccess(await run('exists', '--url', `rediss://localhost:${server.port}`, '--tls-ca', certs.ca), 1);
});

it('takes the CA from the config file, relative to that file', async () => {
  mkdirSync(project.path('certs'), { recursive: true });
  copyFileSync(certs.ca, project.path('certs/ca.crt'));
  project.write(
    '.redisscriptsrc.json',
    JSON.stringify({ url: server.url, scripts: 'lua', manifest: 'rscript.lock.json', tls: { ca: 'certs/ca.crt' } }),
  );
  try {
    // From a subfolder: the config is found above, and its paths are read from where it lives.
    expectSuccess(await rscript(['load'], { cwd: project.path('lua') }));
    expectSuccess(await rscript(['exists'], { cwd: project.path('lua') }));
  } finally {
    project.remove('.redisscriptsrc.json');
  }
});

it.each([
  ['no CA given', [] as string[]],
  ['a CA that did not sign it', ['--tls-ca', 'OTHER']],
])('refuses the certificate with %s: exit 2, a TLS message that names the way out', async (_what, extra) => {
  const args = extra.map((a) => (a === 'OTHER' ? certs.otherCa : a));
  for (const command of [['load'], ['exec', 'one']]) {
    const r = await run(...command, '--url', server.url, ...args);
    expectFailure(r, 2, /TLS failed: .*certificate.*--tls-ca.*--tls-insecure/);
  }
});

it('accepts an unverified certificate only with --tls-insecure', async () => {
  expectSuccess(await run('load', '--url', server.url, '--tls-insecure'));
  expectSuccess(await run('exists', '--url', server.url, '--tls-insecure', '--tls-ca', certs.otherCa));
});

it('a missing CA file is a config error naming the file', async () => {
  expectFailure(
    await run('exists', '--url', server.url, '--tls-ca', 'nope/ca.crt'),
    2,
    /cannot read the TLS CA file: nope\/ca\.crt/,
  );
});

it('redis:// (no TLS) against the TLS port: exit 2, pointing at rediss://', async () => {
  const r = await run('exists', '--url', `redis://127.0.0.1:${server.port}`, '--timeout', '1000');
  expectFailure(r, 2, /127\.0\.0\.1:\d+: .*use rediss:\/\//);
  expect(r.ms).toBeLessThan(1000 + 5000);
});

it('rediss:// against a plain port: exit 2 within the timeout, pointing at redis://', async () => {
  const plain = await startRedisProcess();
  try {
    const r = await run(
      'exists',
      '--url',
      plain.url.replace('redis:', 'rediss:'),
      '--tls-insecure',
      '--timeout',
      '500',
    );
    expectFailure(r, 2, /no answer within 500 ms while connecting .*for a plain port use redis:\/\//);
    expect(r.ms).toBeLessThan(500 + 5000);
  } finally {
    await plain.stop();
  }
});

describe('TLS flags beside a redis:// URL: refused (exit 2), as the connection would not be encrypted', () => {
  it.each([
    [['--tls-ca', 'nope/ca.crt'], '--tls-ca needs'],
    [['--tls-cert', 'c.pem', '--tls-key', 'k.pem'], '--tls-cert and --tls-key need'],
    [['--tls-insecure'], '--tls-insecure needs'],
  ])('%j, for every command that connects, and before a cluster is looked for', async (flags, says) => {
    const url = `redis://127.0.0.1:${server.port}`;
    for (const command of [
      ['exists'],
      ['exec', 'one'],
      ['load'],
      ['kill'],
      ['flush', '--yes'],
      ['exists', '--cluster'],
    ]) {
      const r = await run(...command, '--url', url, ...flags);
      expectFailure(r, 2, new RegExp(`^rscript: ${says} a TLS URL, and redis://127\\.0\\.0\\.1:\\d+ is not one$`));
      expect(r.stderr.split('\n')[1]).toBe(
        `  use rediss://127.0.0.1:${server.port} (with the server's TLS port), or drop ${flags.filter((f) => f.startsWith('--')).join(' and ')} for a plain connection`,
      );
    }
  });

  it('the URL from REDIS_URL: said so, the password not repeated; before the command (rscript --tls-ca x exists) too', async () => {
    const r = await rscript(['--tls-ca', certs.ca, 'exists'], {
      cwd: project.dir,
      env: { REDIS_URL: `redis://u:Pw-4417@127.0.0.1:${server.port}` },
    });
    expectFailure(
      r,
      2,
      /^rscript: --tls-ca needs a TLS URL, and redis:\/\/u:\*\*\*@127\.0\.0\.1:\d+ \(from REDIS_URL\) is not one$/,
    );
    expect(r.stderr).not.toContain('Pw-4417');
  });

  it('load --check too: it connects to nothing, but load would refuse the same flags', async () => {
    const url = `redis://127.0.0.1:${server.port}`;
    for (const argv of [
      ['load', '--check', '--url', url, '--tls-ca', certs.ca],
      ['--tls-ca', certs.ca, 'load', '--check', '--url', url],
    ]) {
      const r = await run(...argv);
      expectFailure(r, 2, /^rscript: --tls-ca needs a TLS URL, and redis:\/\/127\.0\.0\.1:\d+ is not one$/);
      expect(r.stdout).toBe('');
    }
  });

  it('lint and info, which never connect, leave them unused before their name, as they do --url and --timeout', async () => {
    const url = `redis://127.0.0.1:${server.port}`;
    for (const command of [
      ['lint', 'lua'],
      ['info', 'one'],
    ]) {
      const r = await run('--tls-ca', certs.ca, '--url', url, ...command);
      expectSuccess(r);
      expect(r.stderr).toBe('');
    }
  });

  it('--sandbox with a TLS flag: the throwaway server has no TLS', async () => {
    expectFailure(
      await run('exec', 'one', '--sandbox', '--tls-insecure'),
      2,
      /^rscript: --sandbox and --tls-insecure conflict: the throwaway local redis-server has no TLS; drop --tls-insecure$/,
    );
  });

  it("the config file's tls with a redis:// URL (REDIS_URL for a local server) is left aside: no error", async () => {
    const plain = await startRedisProcess();
    project.write(
      '.redisscriptsrc.json',
      JSON.stringify({ url: server.url, tls: { ca: 'nope/ca.crt', insecure: true } }),
    );
    try {
      const r = await rscript(['load'], { cwd: project.dir, env: { REDIS_URL: plain.url } });
      expectSuccess(r);
      expect(r.stderr).toBe('');
    } finally {
      project.remove('.redisscriptsrc.json');
      await plain.stop();
    }
  });
});
