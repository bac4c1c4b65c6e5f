/**
 * The library's own specs (lua/*.spec.yaml, the format users write) run through `rscript test` on a
 * throwaway server, under RESP2 and RESP3: every case must pass.
 */
import { REPO, runCli } from '../helpers/cli.js';
import { assertRedisInstalled } from '../helpers/redis-server.js';
import { localLuaScripts } from '../helpers/lua.js';
import { existsSync } from 'node:fs';

beforeAll(() => assertRedisInstalled());

it('every script of lua/ has a spec', () => {
  const missing = localLuaScripts().filter((s) => !existsSync(s.absPath.replace(/\.lua$/, '.spec.yaml')));
  expect(missing.map((s) => s.name)).toEqual([]);
});

it('rscript test passes every case of lua/ under RESP2 and RESP3', async () => {
  const r = await runCli(['test', '--json'], { cwd: REPO, timeoutMs: 120_000 });
  const doc = JSON.parse(r.stdout);
  const failed = (doc.cases ?? []).filter((c: { passed: boolean }) => !c.passed);
  expect(failed).toEqual([]);
  expect(r.code).toBe(0);
  // One spec per script, and lua/toolkit.spec.yaml, the Functions library's (its calls go as FCALL).
  expect(doc.files).toHaveLength(localLuaScripts().length + 1);
  expect(doc.cases.filter((c: { file: string }) => c.file === 'lua/toolkit.spec.yaml').length).toBe(12);
  expect(new Set(doc.cases.map((c: { protocol: number }) => c.protocol))).toEqual(new Set([2, 3]));
}, 150_000);

it('rscript test --cluster passes lua/ on a throwaway three-primary cluster (the hash tags hold)', async () => {
  const r = await runCli(['test', '--cluster', '--resp', '3', '--json'], { cwd: REPO, timeoutMs: 120_000 });
  const doc = JSON.parse(r.stdout);
  expect((doc.cases ?? []).filter((c: { passed: boolean }) => !c.passed)).toEqual([]);
  expect(r.code).toBe(0);
  expect(doc.sandbox.kind).toBe('cluster');
  // batch_expire's cases about a whole node's keyspace only.
  expect(doc.skipped).toBe(4);
}, 150_000);
