/** The linter runs on every file of a project at each check: it must stay cheap. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lintSource } from '../../src/lint/lint.js';
import { SEED, readFixture } from './helpers.js';

test('1,000 scripts lint in well under a second of CPU (bound doubled for a busy shared machine)', () => {
  const sources = readdirSync(SEED)
    .filter((f) => f.endsWith('.lua'))
    .map((f) => readFixture(join(SEED, f)));
  // Warm up: the first calls include the JIT compiling the parser.
  for (const s of sources) lintSource(s, 'warm.lua');
  const before = process.cpuUsage();
  let findings = 0;
  for (let i = 0; i < 1000; i++) findings += lintSource(sources[i % sources.length]!, `f${i}.lua`).length;
  const cpu = process.cpuUsage(before);
  const ms = (cpu.user + cpu.system) / 1000;
  expect(findings).toBeGreaterThan(1000);
  expect(ms).toBeLessThan(2000);
});
