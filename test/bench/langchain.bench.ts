/**
 * Lesson 1.3 bundle cost: builds the app (production, with a manifest) and reports, gzipped,
 *  - the main graph (entry chunk + the chunks it imports statically) — against a baseline build of the
 *    same tree with the three LangChain labs' meta modules stubbed out, i.e. the app without lesson 1.3;
 *  - the chunks loaded lazily when lesson 1.3's labs open (LangChain.js, our adapters, the lab UIs),
 *    which must contain all of @langchain/core while the main graph contains none of it.
 */
import { build, type Plugin } from 'vite';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

type Manifest = Record<string, { file: string; imports?: string[]; dynamicImports?: string[]; isEntry?: boolean }>;

const LAB_METAS = /src\/labs\/lc-(components|memory|router)\/meta\.ts$/;
/** Replaces the LangChain labs' meta modules, so the registry never sees them (baseline build). */
const withoutLesson13: Plugin = {
  name: 'bench-without-lesson-1.3',
  enforce: 'pre',
  load(id) {
    return LAB_METAS.test(id) ? 'export default { id: "removed", topic: "x", tasks: [], component: () => Promise.resolve({}) };' : null;
  },
};

async function buildOnce(plugins: Plugin[]): Promise<{ dir: string; manifest: Manifest }> {
  const dir = mkdtempSync(join(tmpdir(), 'llm-lab-bench-'));
  const saved = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ mode: 'production', logLevel: 'silent', plugins, build: { outDir: dir, emptyOutDir: true, manifest: true } });
  } finally {
    process.env.NODE_ENV = saved;
  }
  return { dir, manifest: JSON.parse(readFileSync(join(dir, '.vite/manifest.json'), 'utf8')) as Manifest };
}

/** The chunk files reachable by static imports from the given manifest keys. */
function staticGraph(m: Manifest, keys: string[]): Set<string> {
  const out = new Set<string>();
  const walk = (k: string) => {
    const e = m[k];
    if (!e || out.has(e.file)) return;
    out.add(e.file);
    for (const i of e.imports ?? []) walk(i);
  };
  keys.forEach(walk);
  return out;
}

const gz = (dir: string, files: Iterable<string>) => [...files].reduce((s, f) => s + gzipSync(readFileSync(join(dir, f))).length, 0);
const kB = (n: number) => `${(n / 1024).toFixed(1)} kB`;

export default async function run(): Promise<void> {
  const full = await buildOnce([]);
  const base = await buildOnce([withoutLesson13]);
  const mainKeys = (m: Manifest) => Object.keys(m).filter((k) => m[k].isEntry && k.endsWith('index.html'));
  const mainFull = staticGraph(full.manifest, mainKeys(full.manifest));
  const mainBase = staticGraph(base.manifest, mainKeys(base.manifest));
  const labKeys = Object.keys(full.manifest).filter((k) => /src\/labs\/lc-[a-z]+\/[A-Za-z]+Lab\.svelte$/.test(k) || /src\/curriculum\/lessons\/1\.3\//.test(k));
  const lazy = [...staticGraph(full.manifest, labKeys)].filter((f) => !mainFull.has(f));
  const gzFull = gz(full.dir, mainFull);
  const gzBase = gz(base.dir, mainBase);
  const gzLazy = gz(full.dir, lazy);
  const langchainIn = (dir: string, files: Iterable<string>) => [...files].filter((f) => /RunnableSequence|lc_namespace/.test(readFileSync(join(dir, f), 'utf8')));

  console.log('chunk group'.padEnd(56) + 'gzipped'.padStart(10));
  console.log('main graph without lesson 1.3 (baseline)'.padEnd(56) + kB(gzBase).padStart(10));
  console.log('main graph with lesson 1.3'.padEnd(56) + kB(gzFull).padStart(10) + `   ${gzFull - gzBase >= 0 ? '+' : ''}${gzFull - gzBase} B (the three labs' meta: ids, schemas, defaults)`);
  console.log(`lesson 1.3 lazily loaded chunks (${lazy.length} files)`.padEnd(56) + kB(gzLazy).padStart(10));
  const leaked = langchainIn(full.dir, mainFull);
  console.log(`LangChain code in the main graph: ${leaked.length ? `YES (${leaked.join(', ')})` : 'none'} · in the lazy 1.3 chunks: ${langchainIn(full.dir, lazy).length ? 'yes' : 'NO'}`);
  for (const d of [full.dir, base.dir]) rmSync(d, { recursive: true, force: true });
  if (leaked.length) throw new Error('@langchain/core leaked into the main graph');
}
