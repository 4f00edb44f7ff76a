/**
 * Offline install size (`npm run bench precache`): builds the app into a temporary folder and
 * reads the service worker's precache list, as a learner's browser downloads it on install.
 * Reports the total, the biggest entries, and "second copies": one module bundled twice under
 * two hashed names (e.g. once for the page and once for a worker), which the install downloads
 * twice. Baseline: main before the shared-asset change (issue 12) precached 14 MiB, about
 * 3.4 MiB of it second copies of the three gpt-tokenizer tables.
 * Also the first load: the main graph (index.html's entry chunk and every chunk it imports
 * statically, gzipped), against main before lab metas stopped pulling in TinyLM, RAG and the test
 * double (b73eb5f).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { gzipSync } from 'node:zlib';

// Measured with this bench's method on commit dde9f2c (main before the change), December 2026.
const BASELINE = { label: 'main before (dde9f2c)', totalMiB: 14.0, secondCopiesMiB: 3.31 };
// The main graph measured with this bench's method on b73eb5f (before the light lab metas), December 2026.
const MAIN_BASELINE = { label: 'main before (b73eb5f)', gzKiB: 109.2 };

type Manifest = Record<string, { file: string; imports?: string[]; isEntry?: boolean }>;

/** The chunk files index.html loads before the app runs: its entry and everything imported statically. */
function mainGraph(m: Manifest): string[] {
  const out = new Set<string>();
  const walk = (k: string) => {
    const e = m[k];
    if (!e || out.has(e.file)) return;
    out.add(e.file);
    for (const i of e.imports ?? []) walk(i);
  };
  Object.keys(m).filter((k) => m[k].isEntry && k.endsWith('index.html')).forEach(walk);
  return [...out];
}

/** `assets/cl100k_base-BVLGh5KQ.js` → `assets/cl100k_base.js` (the name without Vite's hash). */
const unhashed = (url: string) => url.replace(/-[A-Za-z0-9_-]{8}(\.\w+)$/, '$1');

export default async function precacheBench(): Promise<void> {
  const outDir = mkdtempSync(join(tmpdir(), 'llm-lab-precache-'));
  try {
    const t0 = performance.now();
    await build({ logLevel: 'silent', build: { outDir, emptyOutDir: true, manifest: true } });
    console.log(`built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const sw = readFileSync(join(outDir, 'sw.js'), 'utf8');
    const urls = [...sw.matchAll(/url:"([^"]+)"/g)].map((m) => m[1]);
    const entries = urls.map((url) => ({ url, bytes: statSync(join(outDir, url)).size }));
    const total = entries.reduce((a, e) => a + e.bytes, 0);
    // Same module under two hashes: every copy after the first (public/ files are not hashed, so never count).
    const groups = new Map<string, typeof entries>();
    for (const e of entries) {
      if (!e.url.startsWith('assets/')) continue;
      const k = unhashed(e.url);
      groups.set(k, [...(groups.get(k) ?? []), e]);
    }
    const twice = [...groups.entries()].filter(([, g]) => g.length > 1);
    const second = twice.reduce((a, [, g]) => a + g.slice(1).reduce((b, e) => b + e.bytes, 0), 0);
    const mib = (b: number) => b / 2 ** 20;
    console.log(`precache: ${entries.length} files, ${mib(total).toFixed(2)} MiB`);
    console.table([
      { build: BASELINE.label, 'total MiB': BASELINE.totalMiB.toFixed(2), 'second copies MiB': BASELINE.secondCopiesMiB.toFixed(2) },
      { build: 'this build', 'total MiB': mib(total).toFixed(2), 'second copies MiB': mib(second).toFixed(2) },
      { build: 'ratio (this / baseline)', 'total MiB': (mib(total) / BASELINE.totalMiB).toFixed(2), 'second copies MiB': (mib(second) / BASELINE.secondCopiesMiB).toFixed(2) },
    ]);
    if (twice.length) console.log('bundled more than once:', twice.map(([k, g]) => `${k} ×${g.length} (${(g[0].bytes / 1024).toFixed(0)} KiB)`).join(', '));
    const main = mainGraph(JSON.parse(readFileSync(join(outDir, '.vite/manifest.json'), 'utf8')) as Manifest);
    const mainGz = main.reduce((a, f) => a + gzipSync(readFileSync(join(outDir, f))).length, 0) / 1024;
    console.log(`first load (main graph, gzipped): ${main.length} chunks`);
    console.table([
      { build: MAIN_BASELINE.label, 'main graph kB gz': MAIN_BASELINE.gzKiB.toFixed(1) },
      { build: 'this build', 'main graph kB gz': mainGz.toFixed(1) },
      { build: 'ratio (this / baseline)', 'main graph kB gz': (mainGz / MAIN_BASELINE.gzKiB).toFixed(2) },
    ]);
    console.log('largest entries (KiB):');
    for (const e of entries.sort((a, b) => b.bytes - a.bytes).slice(0, 8)) console.log(`  ${(e.bytes / 1024).toFixed(0).padStart(6)}  ${e.url}`);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
