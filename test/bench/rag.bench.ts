/**
 * RAG benchmarks (`npm run bench rag`), one run, side by side:
 *  1. Ingestion throughput (chunks/s) per embedder: built-in lexical; the test-double engine
 *     through EngineEmbedder (the path web-llm and remote embeddings take — web-llm itself needs a
 *     GPU and a download, so it is not measured here); and the whole ingest incl. the store write.
 *  2. Query latency p50/p95 for 10k and 100k vectors × 384 dims: flat (Float32Array scan) vs voy
 *     (k-d tree, WebAssembly) vs a naive JS loop (number[][], cosine from scratch, full sort).
 *     Goal: exact search over 10k × 384 in under 2 ms per query.
 *  3. Loading 100k stored 384-dim vectors from IndexedDB in headless Chromium (fake-indexeddb in
 *     Node is not representative of a browser's IndexedDB), on a disk profile and in memory: v3
 *     per-document Blob blocks read by the real RagStore.vectors vs the v2 ArrayBuffer blocks
 *     (before) vs the v1 per-chunk rows, vs RxDB's published ~7 s for 100k. Goal: under 1 s.
 *  Parts: RAG_BENCH=ingest,search,voy,load,load-v1 (see `run` at the end); unset runs all.
 *  4. voy build time and memory (WebAssembly memory after the build; its serialize() size at 10k).
 */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { createTestDoubleEngine } from '../../src/lib/engine/test-double';
import { EngineEmbedder, LexicalEmbedder, type Embedder } from '../../src/lib/rag/embedders';
import { embedAll, prepareFile } from '../../src/lib/rag/ingest';
import { percentile, randomVectors } from '../../src/lib/rag/index-timing';
import { split } from '../../src/lib/rag/splitters';
import { RagStore } from '../../src/lib/rag/store';
import { FlatIndex, NaiveIndex, type VectorIndex } from '../../src/lib/rag/vector-index';
import { VoyIndex, voyMemoryBytes } from '../../src/lib/rag/voy-index';
import { openLabDB } from '../../src/lib/storage/db';

const root = new URL('../../', import.meta.url);
const voyWasm = async () => readFileSync(new URL('node_modules/voy-search/voy_search_bg.wasm', root));
const RXDB_100K_LOAD_S = 7;
const f = (x: number, d = 2) => x.toFixed(d);

export async function ingestion(): Promise<void> {
  const text = readFileSync(new URL('public/corpora/stories.txt', root), 'utf8');
  const chunks = split(text, { kind: 'recursive', size: 500, overlap: 50 }).map((s) => s.text);
  const embedders: Array<[string, Embedder]> = [
    ['lexical (hashed TF-IDF, 768)', new LexicalEmbedder()],
    ['engine: test double (64), batch 16', new EngineEmbedder(createTestDoubleEngine({ embeddingDim: 64 }), { id: 'td', label: 'td', dims: 64, batchSize: 16 })],
  ];
  const rows = [];
  for (const [name, e] of embedders) {
    const t0 = performance.now();
    await embedAll(e, chunks);
    const s = (performance.now() - t0) / 1000;
    rows.push({ embedder: name, chunks: chunks.length, 'embed s': f(s, 3), 'chunks/s': Math.round(chunks.length / s) });
  }
  // load → split → embed → one transaction, into fake-indexeddb
  const db = openLabDB('bench-rag');
  const store = new RagStore(db);
  const col = await store.createCollection('bench', new LexicalEmbedder());
  const bytes = new TextEncoder().encode(text);
  const t0 = performance.now();
  const prepared = await prepareFile({ name: 'stories.txt', size: bytes.length, arrayBuffer: async () => bytes.slice().buffer }, { splitter: { kind: 'recursive', size: 500, overlap: 50 }, embedder: new LexicalEmbedder() });
  const t1 = performance.now();
  await store.addDocument(col.id, prepared);
  const t2 = performance.now();
  rows.push({ embedder: 'full ingest, lexical (load+split+embed | store)', chunks: prepared.chunks.length, 'embed s': `${f((t1 - t0) / 1000, 3)} | ${f((t2 - t1) / 1000, 3)}`, 'chunks/s': Math.round(prepared.chunks.length / ((t2 - t0) / 1000)) });
  db.close();
  console.log(`Ingestion of public/corpora/stories.txt (${(bytes.length / 1024).toFixed(0)} kB), recursive splitter 500/50:`);
  console.table(rows);
  console.log('web-llm snowflake-arctic-embed is not measured here (needs a GPU and a download).');
}

export async function queryLatency(): Promise<void> {
  const dims = 384;
  const rows = [];
  for (const n of [10_000, 100_000]) {
    const vectors = randomVectors(n, dims, 1);
    const ids = Array.from({ length: n }, (_, i) => String(i));
    const nq = n >= 100_000 ? 10 : 200; // the first queries include JIT and wasm tier-up warm-up
    const qs = randomVectors(nq, dims, 2);
    // flat-js: the same flat index with its JS loop instead of the SIMD kernel (the fallback)
    const kinds: Array<'flat' | 'flat-js' | 'voy' | 'naive'> = n >= 100_000 ? ['flat', 'flat-js', 'naive'] : ['flat', 'flat-js', 'voy', 'naive'];
    let flatP50 = 0;
    for (const kind of kinds) {
      const mem0 = process.memoryUsage().heapUsed;
      const t0 = performance.now();
      const index: VectorIndex = kind === 'flat' ? new FlatIndex(dims, n) : kind === 'flat-js' ? new FlatIndex(dims, n, { simd: false }) : kind === 'naive' ? new NaiveIndex(dims) : await VoyIndex.create(dims, voyWasm);
      index.add(ids, vectors);
      const buildMs = performance.now() - t0;
      const times: number[] = [];
      for (let q = 0; q < nq; q++) {
        const t = performance.now();
        index.search(qs.subarray(q * dims, (q + 1) * dims), 10);
        times.push(performance.now() - t);
      }
      const p50 = percentile(times, 50);
      if (kind === 'flat') flatP50 = p50;
      const mem = kind === 'voy' ? `${(voyMemoryBytes() / 2 ** 20).toFixed(0)} MiB wasm` : `${((process.memoryUsage().heapUsed - mem0) / 2 ** 20).toFixed(0)} MiB heap`;
      rows.push({ vectors: n, index: kind, 'build ms': Math.round(buildMs), 'p50 ms': f(p50), 'p95 ms': f(percentile(times, 95)), 'vs flat (p50)': `${f(p50 / flatP50, 1)}×`, memory: mem });
      if (index instanceof VoyIndex) index.free();
    }
    if (n >= 100_000) rows.push({ vectors: n, index: 'voy', 'build ms': '—', 'p50 ms': 'skipped', 'p95 ms': '', 'vs flat (p50)': '', memory: 'build too slow for a 2-minute bench (see 10k)' });
  }
  console.log('Query latency, top-10 of random unit vectors × 384 dims (worst case for a k-d tree):');
  console.table(rows);
  const flat10k = rows.find((r) => r.vectors === 10_000 && r.index === 'flat')!;
  console.log(`Goal < 2 ms/query for 10k × 384 with the flat index: ${Number(flat10k['p50 ms']) < 2 ? 'met' : 'NOT met'} (p50 ${flat10k['p50 ms']} ms on this machine).`);
}

export async function voySerializeSize(): Promise<void> {
  const n = 2000;
  const dims = 384;
  const index = await VoyIndex.create(dims, voyWasm);
  index.add(Array.from({ length: n }, (_, i) => String(i)), randomVectors(n, dims, 3));
  const json = (index as unknown as { voy: { serialize(): string } }).voy.serialize();
  console.log(`voy serialize(): ${(json.length / 2 ** 20).toFixed(1)} MiB of JSON for ${n} × ${dims} (binary Float32: ${((n * dims * 4) / 2 ** 20).toFixed(1)} MiB) — ${f(json.length / (n * dims * 4), 1)}× larger; we never persist it.`);
  index.free();
}

/**
 * The app's own storage code (openLabDB + RagStore, with dexie) bundled for a blank page, so the
 * load below times the real `RagStore.vectors`. esbuild comes with tsx (which runs this bench).
 */
async function storeBundle(): Promise<string> {
  const { build } = await import('esbuild');
  const out = await build({
    stdin: { contents: "export { openLabDB } from './src/lib/storage/db'; export { RagStore } from './src/lib/rag/store';", resolveDir: new URL('.', root).pathname, loader: 'ts' },
    bundle: true,
    format: 'iife',
    globalName: 'Lab',
    write: false,
    target: 'es2022',
  });
  return out.outputFiles[0].text;
}

/**
 * Loads 100k stored 384-dim vectors from IndexedDB in headless Chromium, in one page: the v1
 * per-chunk rows (only with `v1`: writing them takes minutes), the v2 per-document ArrayBuffer
 * blocks read the v2 way (before), and the v3 per-document Blob blocks read by the real
 * `RagStore.vectors` (after). The profile is on disk (a temporary user-data dir, like a real
 * browser profile) or in memory (an incognito context, whose IndexedDB never touches disk).
 */
export async function indexedDbLoad(opts: { n?: number; v1?: boolean; profile?: 'disk' | 'memory' } = {}): Promise<void> {
  const { n = 100_000, v1 = true, profile = 'disk' } = opts;
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    console.log('playwright-core missing: IndexedDB load not measured.');
    return;
  }
  const { chromiumArgs, chromiumPath } = await import('../../vite.config');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const lab = await storeBundle();
  const userDir = profile === 'disk' ? mkdtempSync(join(tmpdir(), 'rag-bench-profile-')) : null;
  const browser = userDir ? null : await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  const context = userDir ? await chromium.launchPersistentContext(userDir, { executablePath: chromiumPath, args: chromiumArgs, headless: true }) : await browser!.newContext();
  try {
    const page = await context.newPage();
    page.on('crash', () => console.log('(the benchmark page crashed)'));
    page.on('console', (m) => m.type() === 'error' && console.log('page:', m.text()));
    await page.route('http://localhost/**', (route) =>
      route.request().url().endsWith('/lab.js')
        ? route.fulfill({ body: lab, contentType: 'text/javascript' })
        : route.fulfill({ body: '<!doctype html><script src="/lab.js"></script>', contentType: 'text/html' }),
    );
    // tsx (esbuild keepNames) wraps functions in __name(); the page needs a stand-in
    await page.addInitScript('globalThis.__name = (f) => f;');
    await page.goto('http://localhost/'); // localhost: a secure context (crypto.randomUUID)
    const r = await page.evaluate(async ({ n, dims, perDoc, v1 }) => {
      type Row = { chunkIds: string[]; vectors: ArrayBuffer };
      const { openLabDB, RagStore } = (globalThis as unknown as { Lab: typeof import('../../src/lib/rag/store') & typeof import('../../src/lib/storage/db') }).Lab;
      const db = openLabDB('bench');
      const store = new RagStore(db);
      const ids: string[] = Array.from({ length: n }, (_, i) => `c${String(i).padStart(6, '0')}`);
      const vec = (i: number, out: Float32Array, at: number) => {
        for (let j = 0; j < dims; j++) out[at + j] = Math.sin(i * 0.37 + j);
      };
      const packed = (d: number, m: number) => {
        const out = new Float32Array(m * dims); // [m, dims]
        for (let r = 0; r < m; r++) vec(d * perDoc + r, out, r * dims);
        return out;
      };
      const docs = Math.ceil(n / perDoc);
      const rowsOf = (d: number) => Math.min(perDoc, n - d * perDoc);
      let writeRowsS = 0;
      if (v1) {
        const t0 = performance.now();
        for (let b = 0; b < n; b += 5000) {
          const rows = [];
          for (let i = b; i < Math.min(n, b + 5000); i++) {
            const v = new Float32Array(dims);
            vec(i, v, 0);
            rows.push({ chunkId: ids[i], collectionId: 'v1', embedder: 'e', vector: v.buffer });
          }
          await db.embeddings.bulkAdd(rows);
        }
        writeRowsS = (performance.now() - t0) / 1000;
      }
      // v2 (before): one ArrayBuffer block per document, each in its own transaction
      await db.collections.add({ id: 'v2', name: 'v2', embedder: 'e', dims, createdAt: 0 });
      let t = performance.now();
      for (let d = 0; d < docs; d++) {
        const row = { docId: `v2-d${String(d).padStart(5, '0')}`, docIds: [], collectionId: 'v2', embedder: 'e', dims, chunkIds: ids.slice(d * perDoc, d * perDoc + rowsOf(d)), vectors: packed(d, rowsOf(d)).buffer };
        await db.transaction('rw', db.vectorBlocks, () => db.vectorBlocks.add(row));
      }
      const writeV2S = (performance.now() - t) / 1000;
      // v3 (now): documents through the real RagStore.addDocument (document + chunks + Blob block
      // in one transaction, then packing when due); chunk text = its row number, for the checks
      const col = await store.createCollection('v3', { id: 'e', dims });
      t = performance.now();
      for (let d = 0; d < docs; d++) {
        const m = rowsOf(d);
        const chunks = Array.from({ length: m }, (_, r) => ({ text: String(d * perDoc + r), start: 0, end: 1 }));
        await store.addDocument(col.id, { name: `doc ${d}`, mime: 'text/plain', hash: `h${d}`, size: 1, text: `doc ${d}`, chunks, vectors: packed(d, m), embedderId: 'e' });
      }
      const writeV3S = (performance.now() - t) / 1000;
      const blocksV3 = await db.vectorBlocks.where('collectionId').equals(col.id).toArray();
      const chunks3 = await store.chunks(col.id);
      const ids3 = chunks3.map((c) => c.id);
      // a few values spread over the rows, checked against what was written for that chunk
      const probeAt = [7, 4242, n - 1].filter((i) => i < n);
      const check = (out: Float32Array, rowOfPos: (p: number) => number) =>
        probeAt.every((p) => {
          const want = new Float32Array(dims);
          vec(rowOfPos(p), want, 0);
          return out.length === n * dims && out[p * dims + 3] === want[3] && out[p * dims + dims - 1] === want[dims - 1];
        });
      const loadV1 = async () => {
        const t = performance.now();
        const rows = await db.embeddings.where('[collectionId+embedder]').equals(['v1', 'e']).toArray();
        const out = new Float32Array(rows.length * dims);
        rows.forEach((row, i) => out.set(new Float32Array(row.vector), i * dims)); // ids sort like row order
        return { s: (performance.now() - t) / 1000, ok: check(out, (p) => p) };
      };
      // RagStore.vectors as of schema v2 (before): one index read of ArrayBuffer blocks, assembled row by row
      const loadV2 = async () => {
        const t = performance.now();
        const blocks = (await db.vectorBlocks.where('[collectionId+embedder]').equals(['v2', 'e']).toArray()) as unknown as Row[];
        const byId = new Map<string, { data: Float32Array; row: number }>();
        for (const b of blocks) {
          const data = new Float32Array(b.vectors);
          b.chunkIds.forEach((id, row) => byId.set(id, { data, row }));
        }
        const out = new Float32Array(ids.length * dims);
        ids.forEach((id, i) => {
          const v = byId.get(id)!;
          out.set(v.data.subarray(v.row * dims, (v.row + 1) * dims), i * dims);
        });
        return { s: (performance.now() - t) / 1000, ok: check(out, (p) => p) };
      };
      // the real RagStore.vectors (after), on the v3 collection; and on the un-migrated v2 rows
      const loadV3 = async () => {
        const t = performance.now();
        const { vectors } = await store.vectors(col.id, ids3, 'e');
        return { s: (performance.now() - t) / 1000, ok: check(vectors, (p) => Number(chunks3[p].text)) };
      };
      const loadV2Rows = async () => {
        const t = performance.now();
        const { vectors } = await store.vectors('v2', ids, 'e');
        return { s: (performance.now() - t) / 1000, ok: check(vectors, (p) => p) };
      };
      // three rounds, interleaved, so background work and caches affect each way alike
      const ways: Record<string, () => Promise<{ s: number; ok: boolean }>> = { v2: loadV2, v3: loadV3, 'v2 rows, RagStore': loadV2Rows };
      if (v1) ways.v1 = loadV1;
      const times: Record<string, number[]> = {};
      let ok = true;
      for (let round = 0; round < 3; round++) {
        for (const [k, load] of Object.entries(ways)) {
          const got = await load();
          (times[k] ??= []).push(got.s);
          ok &&= got.ok;
        }
      }
      db.close();
      const packs = blocksV3.filter((b) => b.docIds.length > 1);
      return { writeRowsS, writeV2S, writeV3S, times, ok, blocks3: blocksV3.length, packs3: packs.length, packRows: packs.reduce((s, b) => s + b.chunkIds.length, 0) };
    }, { n, dims: 384, perDoc: 100, v1 });
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const per100k = (s: number) => `${f((s * (100_000 / n)) / RXDB_100K_LOAD_S, 2)}×`;
    const load = (k: string, how: string) => {
      const t = r.times[k];
      return { how, seconds: `${f(med(t))} (${t.map((x) => f(x)).join(' / ')})`, 'time / RxDB 7 s (per 100k)': per100k(med(t)) };
    };
    console.log(`Loading ${n / 1000}k × 384 stored vectors from IndexedDB (headless Chromium, ${profile === 'disk' ? 'profile on disk' : 'incognito: IndexedDB in memory'}); load seconds: median (3 interleaved rounds):`);
    console.table([
      ...(v1 ? [{ how: `write ${n / 1000}k v1 rows (bulkAdd, 5k per transaction)`, seconds: f(r.writeRowsS), 'time / RxDB 7 s (per 100k)': '' }] : []),
      { how: `write ${n / 1000}k as v2 blocks: ArrayBuffer, 100 chunks per document, one transaction each`, seconds: f(r.writeV2S), 'time / RxDB 7 s (per 100k)': '' },
      { how: `write ${n / 1000}k via RagStore.addDocument (v3: + chunk rows, Blob block, packing)`, seconds: f(r.writeV3S), 'time / RxDB 7 s (per 100k)': '' },
      ...(v1 ? [load('v1', 'load v1: one row per chunk, where(index).toArray() → Float32Array (schema v1)')] : []),
      load('v2', 'load v2: ArrayBuffer blocks → Float32Array row by row (RagStore.vectors before, schema v2)'),
      load('v2 rows, RagStore', 'load v2 ArrayBuffer blocks with today’s RagStore.vectors (un-migrated rows)'),
      load('v3', `load v3: ${r.blocks3} Blob blocks (${r.packs3} packs, ${r.packRows} rows) joined, one read (RagStore.vectors now)`),
    ]);
    const v3 = med(r.times.v3), v2 = med(r.times.v2);
    console.log(`v3 vs v2 load: ${f(v2 / v3, 1)}× faster${v1 ? `, vs v1: ${f(med(r.times.v1) / v3, 1)}×` : ''}; values as written: ${r.ok}. Goal < 1 s: ${v3 < 1 && r.ok ? 'met' : 'NOT met'} (median ${f(v3)} s) on this machine (${profile}). (RxDB's figure is from its own write-up on other hardware.)`);
  } finally {
    await context.close();
    await browser?.close();
    if (userDir) rmSync(userDir, { recursive: true, force: true });
  }
}

/**
 * The parts, in order. `RAG_BENCH=search,load npm run bench rag` runs only those; unset runs
 * everything. `load` leaves out the v1 per-chunk rows (writing 100k of them takes minutes);
 * `load-v1` (or running everything) puts them in.
 */
const PARTS: Record<string, (parts: string[]) => Promise<void>> = {
  ingest: ingestion,
  search: queryLatency,
  voy: voySerializeSize,
  load: async (parts) => {
    await indexedDbLoad({ v1: parts.includes('load-v1'), profile: 'disk' });
    await indexedDbLoad({ v1: false, profile: 'memory' });
  },
};

export default async function run(): Promise<void> {
  const parts = (process.env.RAG_BENCH ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const known = [...Object.keys(PARTS), 'load-v1'];
  const unknown = parts.filter((w) => !known.includes(w));
  if (unknown.length) throw new Error(`RAG_BENCH: unknown part(s) ${unknown.join(', ')}; use any of ${known.join(', ')} (comma-separated), or unset it to run all.`);
  if (parts.length === 0) parts.push(...known);
  if (parts.includes('load-v1')) parts.push('load');
  for (const [name, part] of Object.entries(PARTS)) if (parts.includes(name)) await part(parts);
}
