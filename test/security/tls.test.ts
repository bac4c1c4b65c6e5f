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
  project.write('.redisscriptsrc.json', JSON.stringify({ url: server.url, scripts: 'lua', manifest: 'rscript.lock.json', tls: { ca: 'certs/ca.crt' } }));
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
  expectFailure(await run('exists', '--url', server.url, '--tls-ca', 'nope/ca.crt'), 2, /cannot read the TLS CA file: nope\/ca\.crt/);
});

it('redis:// (no TLS) against the TLS port: exit 2, pointing at rediss://', async () => {
  const r = await run('exists', '--url', `redis://127.0.0.1:${server.port}`, '--timeout', '1000');
  expectFailure(r, 2, /127\.0\.0\.1:\d+: .*use rediss:\/\//);
  expect(r.ms).toBeLessThan(1000 + 5000);
});

it('rediss:// against a plain port: exit 2 within the timeout, pointing at redis://', async () => {
  const plain = await startRedisProcess();
  try {
    const r = await run('exists', '--url', plain.url.replace('redis:', 'rediss:'), '--tls-insecure', '--timeout', '500');
    expectFailure(r, 2, /no answer within 500 ms while connecting .*for a plain port use redis:\/\//);
    expect(r.ms).toBeLessThan(500 + 5000);
  } finally {
    await plain.stop();
  }
});
