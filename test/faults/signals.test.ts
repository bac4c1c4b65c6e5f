/**
 * Ctrl-C (SIGINT) or a supervisor's SIGTERM in the middle of `load`: rscript stops at once and the
 * manifest is the old one, untouched, with nothing beside it.
 */
import { statSync } from 'node:fs';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { startRedisProcess, type RedisProcess } from '../helpers/redis-process.js';
import {
  beforeExit,
  expectSuccess,
  rscript,
  startRscript,
  tempProject,
  type TempProject,
} from '../helpers/rscript-process.js';

let server: RedisProcess;
let project: TempProject;

beforeAll(async () => {
  server = await startRedisProcess();
  project = tempProject({ 'lua/base.lua': 'return "base"\n' });
  expectSuccess(await rscript(['load', '--url', server.url], { cwd: project.dir }));
  for (let i = 0; i < 200; i++) project.write(`lua/more/m${i}.lua`, `return ${i}\n`);
});
afterAll(async () => {
  await server.stop();
  project.cleanup();
});

it.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('%s during load: prompt exit, manifest unchanged, no temp file', async (signal, shellCode) => {
  const before = project.read('rscript.lock.json');
  const inode = statSync(project.path('rscript.lock.json')).ino;
  server.cli('SCRIPT', 'FLUSH'); // the previous case loaded them: make this load send SCRIPT LOAD again
  // Replies are held once SCRIPT LOAD is sent: the process is certainly waiting in the middle of the load.
  const proxy = await startFaultProxy(server.port, /\$4\r\nLOAD\r\n/);
  try {
    const running = startRscript(['load', '--url', proxy.url, '--timeout', '20000'], {
      cwd: project.dir,
      killAfterMs: 25000,
    });
    await beforeExit(running, proxy.triggered);
    const sent = performance.now();
    running.child.kill(signal);
    const r = await running.done;
    expect(r.signal === signal || r.code === shellCode).toBe(true);
    // Far below the 20 s the load would otherwise wait for: it did not ignore the signal.
    expect(performance.now() - sent).toBeLessThan(5000);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  } finally {
    await proxy.close();
  }
  // The signal lands before any write (a write cut short is test/faults/atomic-write.test.ts): the
  // manifest is the same file, untouched, and nothing is beside it.
  expect(project.read('rscript.lock.json').equals(before)).toBe(true);
  expect(statSync(project.path('rscript.lock.json')).ino).toBe(inode);
  expect(project.list()).toEqual(['lua', 'package.json', 'rscript.lock.json']);
});
