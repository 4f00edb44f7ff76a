/**
 * Benchmark runner: `npm run bench [area…]` runs every `test/bench/<area>.bench.ts` (or the named
 * ones) in turn. Each bench prints its own side-by-side figures and ratios against its baseline.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.bench\.ts$/, '')))
  .sort();

console.log(`LLM Lab benchmarks — ${new Date().toISOString()}`);
console.log(`node ${process.version} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} · ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`);
if (files.length === 0) {
  console.log(wanted.length ? `No bench named ${wanted.join(', ')}.` : 'No benches found.');
  process.exit(wanted.length ? 1 : 0);
}
let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f.replace(/\.bench\.ts$/, '')} ${'='.repeat(Math.max(0, 60 - f.length))}`);
  const t0 = performance.now();
  try {
    const mod = (await import(pathToFileURL(join(here, f)).href)) as { default: () => Promise<void> };
    await mod.default();
  } catch (e) {
    failed++;
    console.error(`bench ${f} failed:`, e);
  }
  console.log(`(${f} took ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
process.exit(failed ? 1 : 0);
