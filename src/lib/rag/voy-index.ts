/**
 * voy-search (a k-d tree in Rust/WebAssembly) behind our `VectorIndex` interface.
 *
 * Loaded without a bundler plugin: voy ships wasm-bindgen "bundler" output, so we import its
 * JS glue (`voy_search_bg.js`), instantiate the .wasm ourselves and hand the exports back with
 * `__wbg_set_wasm`. The caller supplies the wasm bytes (browser: fetch of the `?url` asset, see
 * `voy-browser.ts`; Node: read the file).
 *
 * Its limits, which the lesson shows: every vector is padded/truncated to 768 dims (we refuse
 * longer ones rather than silently truncating), search returns ids only — no distances (we
 * compute the cosine of the hits from our own copy) — and `serialize()` is enormous JSON, so we
 * never persist it: the index is rebuilt from the stored vectors.
 *
 * Data a k-d tree cannot index as is: voy's tree (kiddo 2.1, buckets of 32) panics ("Too many
 * items with the same position on one axis", seen as a bare "unreachable") when more than 32
 * vectors share one value on the axis it splits. Sparse vectors do exactly that — the built-in
 * lexical embedder's hashed TF-IDF vectors are ~95 % zeros, so most chunks sit at 0 on every
 * axis — and so do the zero-padded dimensions of any embedder under 768 dims. We therefore hand
 * voy a *rotated* copy of each vector: padded to 768 dims, then two fixed Householder reflections
 * (x ← x − 2(u·x)u, orthogonal), which make every coordinate dense while keeping every dot
 * product, length and distance — so voy's neighbours are the same ones. Only identical vectors
 * stay tied on every axis: more than 32 copies of one vector (empty or duplicated chunks) are
 * refused with an explanation (use the flat index).
 */
import { normalize } from './embedders';
import { LabError } from '../errors';
import type { VectorHit, VectorIndex } from './vector-index';

export const VOY_MAX_DIMS = 768;
/** kiddo's bucket size in voy-search 0.6: at most this many vectors may share a position on an axis */
export const VOY_BUCKET = 32;

/** Two fixed random unit vectors [VOY_MAX_DIMS] (seeded), for the reflections. */
function reflectors(): Float32Array[] {
  let a = 0x9e3779b9; // mulberry32, seeded: the same rotation in every realm
  const rand = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return [0, 1].map(() => normalize(Float32Array.from({ length: VOY_MAX_DIMS }, () => rand() * 2 - 1)));
}
let REFLECTORS: Float32Array[] | null = null;

/**
 * `x` [d ≤ 768] padded to 768 dims and reflected twice: an orthogonal map, so dot products and
 * distances are unchanged, but sparse or padded vectors become dense (no ties on an axis).
 */
export function voyRotate(x: Float32Array): Float32Array {
  REFLECTORS ??= reflectors();
  const y = new Float32Array(VOY_MAX_DIMS);
  y.set(x.subarray(0, VOY_MAX_DIMS));
  for (const u of REFLECTORS) {
    let dot = 0;
    for (let j = 0; j < VOY_MAX_DIMS; j++) dot += u[j]! * y[j]!;
    for (let j = 0; j < VOY_MAX_DIMS; j++) y[j] = y[j]! - 2 * dot * u[j]!;
  }
  return y;
}

/** A 32-bit FNV-1a hash of a vector's bytes (to count identical vectors). */
function rowHash(row: Float32Array): number {
  const w = new Uint32Array(row.buffer, row.byteOffset, row.length);
  let h = 0x811c9dc5;
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w[i]!, 0x01000193);
  return h >>> 0;
}

interface VoyInstance {
  search(q: Float32Array, k: number): { neighbors: Array<{ id: string }> };
  add(resource: { embeddings: Array<{ id: string; title: string; url: string; embeddings: number[] }> }): void;
  clear(): void;
  size(): number;
  free(): void;
}
interface VoyGlue {
  Voy: new (resource?: unknown) => VoyInstance;
  __wbg_set_wasm(exports: WebAssembly.Exports): void;
}

let ready: Promise<VoyGlue> | null = null;
let wasmMemory: WebAssembly.Memory | null = null;

/** Bytes of voy's WebAssembly memory (grows with the indexes built in this realm; never shrinks). */
export function voyMemoryBytes(): number {
  return wasmMemory?.buffer.byteLength ?? 0;
}

/** Instantiates voy's wasm once per realm (page, worker or Node process). */
export function loadVoy(wasmBytes: () => Promise<BufferSource>): Promise<VoyGlue> {
  ready ??= (async () => {
    const glue = (await import('voy-search/voy_search_bg.js')) as unknown as VoyGlue;
    const { instance } = await WebAssembly.instantiate(await wasmBytes(), { './voy_search_bg.js': glue as unknown as WebAssembly.ModuleImports });
    glue.__wbg_set_wasm(instance.exports);
    wasmMemory = (instance.exports.memory as WebAssembly.Memory) ?? null;
    return glue;
  })();
  ready.catch(() => (ready = null));
  return ready;
}

/** A voy k-d tree; build it with `VoyIndex.create` after `loadVoy`. */
export class VoyIndex implements VectorIndex {
  readonly kind = 'voy' as const;
  private voy: VoyInstance;
  readonly ids: string[] = [];
  /** our own normalised copy [size, dims], to give hits a score voy doesn't return */
  private rows: Float32Array[] = [];
  /** how many rows share each vector (by hash): voy cannot hold more than VOY_BUCKET of one */
  private copies = new Map<number, number>();

  private constructor(glue: VoyGlue, readonly dims: number) {
    if (dims > VOY_MAX_DIMS) throw new Error(`voy truncates vectors to ${VOY_MAX_DIMS} dimensions; this embedder has ${dims}. Use the flat index.`);
    this.voy = new glue.Voy();
  }

  /** Creates an empty index (loads the wasm on first use). */
  static async create(dims: number, wasmBytes: () => Promise<BufferSource>): Promise<VoyIndex> {
    return new VoyIndex(await loadVoy(wasmBytes), dims);
  }

  get size(): number {
    return this.ids.length;
  }

  add(ids: string[], vectors: Float32Array): void {
    const d = this.dims;
    const rows = ids.map((_, i) => normalize(Float32Array.from(vectors.subarray(i * d, (i + 1) * d))));
    // Refuse before voy panics: identical vectors tie on every axis, even rotated.
    const copies = new Map(this.copies);
    for (const row of rows) {
      const h = rowHash(row);
      const n = (copies.get(h) ?? 0) + 1;
      copies.set(h, n);
      if (n > VOY_BUCKET)
        throw new LabError('unsupported', `voy's k-d tree cannot hold more than ${VOY_BUCKET} identical vectors, and this collection has more (empty or duplicated chunks).`,
          'Use the flat index, or remove the duplicated documents.');
    }
    const embeddings = rows.map((row, i) => {
      // voy's id is our row number; voy needs title/url strings, which we keep empty
      return { id: String(this.ids.length + i), title: '', url: '', embeddings: Array.from(voyRotate(row)) };
    });
    this.voy.add({ embeddings });
    this.copies = copies;
    this.rows.push(...rows);
    this.ids.push(...ids);
  }

  search(query: Float32Array, k: number): VectorHit[] {
    const q = normalize(Float32Array.from(query.subarray(0, this.dims)));
    const res = this.voy.search(voyRotate(q), Math.min(k, this.ids.length));
    return res.neighbors.map((nb) => {
      const index = Number(nb.id);
      const row = this.rows[index];
      let dot = 0;
      for (let j = 0; j < this.dims; j++) dot += row[j] * q[j];
      return { id: this.ids[index], index, score: dot };
    });
  }

  clear(): void {
    this.voy.clear();
    this.ids.length = 0;
    this.rows = [];
    this.copies.clear();
  }

  /** Frees the wasm memory. */
  free(): void {
    this.voy.free();
  }
}
