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
 */
import { normalize } from './embedders';
import type { VectorHit, VectorIndex } from './vector-index';

export const VOY_MAX_DIMS = 768;

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
    const embeddings = ids.map((id, i) => {
      const row = normalize(Float32Array.from(vectors.subarray(i * d, (i + 1) * d)));
      this.rows.push(row);
      // voy's id is our row number; voy needs title/url strings, which we keep empty
      return { id: String(this.ids.length + i), title: '', url: '', embeddings: Array.from(row) };
    });
    this.voy.add({ embeddings });
    this.ids.push(...ids);
  }

  search(query: Float32Array, k: number): VectorHit[] {
    const q = normalize(Float32Array.from(query.subarray(0, this.dims)));
    const res = this.voy.search(q, Math.min(k, this.ids.length));
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
  }

  /** Frees the wasm memory. */
  free(): void {
    this.voy.free();
  }
}
