/**
 * Fast inference with a KV cache: the contract's `InferenceSession` for `TinyLM`.
 *
 * `append(ids)` runs the new tokens through every layer as one block (prefill when there are
 * several, decode when one), writing their keys/values into per-layer caches [maxSeqLen, Hkv·hd]
 * and attending over every cached position. Work buffers are allocated once per block size and
 * reused, so decoding one token allocates nothing but the returned logits copy (and, on the SIMD
 * path, a few small typed-array views).
 * Matmuls are row-major [out, in] dot products over contiguous rows. Where WebAssembly SIMD is
 * available they run in the f32x4 kernel of `simd.ts` over a packed copy of the weights in wasm
 * memory (one copy per model, refreshed when a session starts, so weights trained since the last
 * session are picked up); otherwise, or with `{ simd: false }`, in the JS kernels of `kernels.ts`
 * (`matvec8` for one token, `matmulABt` for a block).
 */
import type { InferenceSession } from './contract';
import type { TinyLM } from './model';
import { layerNames } from './names';
import { axpy, dot, matmulABt as matmulABtBlock, matvec8 } from './kernels';
import { SimdMatrices, type MatrixSource } from './simd';

/** c[T,N] = a[T,K]·b[N,K]ᵀ in JS; one token (decoding) takes the eight-row matrix–vector kernel. */
function matmulABtJS(a: Float32Array, b: Float32Array, c: Float32Array, T: number, N: number, K: number): void {
  if (T === 1) matvec8(b, a, c, N, K);
  else matmulABtBlock(a, b, c, T, N, K);
}

/** A weight matrix [N, K]: its JS array and its index in the model's SIMD store. */
interface Mat {
  w: Float32Array;
  i: number;
}

interface LayerW {
  inNorm: Float32Array; q: Mat; k: Mat; v: Mat; o: Mat;
  postNorm: Float32Array; gate: Mat; up: Mat; down: Mat;
}

export interface SessionOptions {
  /** Use the WebAssembly SIMD kernel when available (default true); false forces the JS kernels. */
  simd?: boolean;
}

/**
 * One packed copy of a model's matrices per model (not per session): sessions of the same model
 * share it. Rebuilt when the model's matrices are no longer the same arrays.
 */
const simdStores = new WeakMap<TinyLM, { sources: MatrixSource[]; store: SimdMatrices }>();

function simdStoreFor(model: TinyLM, sources: MatrixSource[]): SimdMatrices | null {
  const cached = simdStores.get(model);
  if (cached && cached.sources.length === sources.length && cached.sources.every((s, i) => s.data === sources[i].data)) return cached.store;
  const store = SimdMatrices.create(sources);
  if (store) simdStores.set(model, { sources, store });
  return store;
}

/** Work buffers for a block of `cap` tokens. */
class Buffers {
  x: Float32Array; xb: Float32Array; q: Float32Array; att: Float32Array; o: Float32Array;
  g: Float32Array; u: Float32Array;
  constructor(readonly cap: number, D: number, C: number, F: number) {
    this.x = new Float32Array(cap * D); // residual stream [T, D]
    this.xb = new Float32Array(cap * D); // normed input [T, D]
    this.q = new Float32Array(cap * C); // queries [T, H·hd]
    this.att = new Float32Array(cap * C); // attention output [T, H·hd]
    this.o = new Float32Array(cap * D); // block output [T, D]
    this.g = new Float32Array(cap * F); // gate [T, F]
    this.u = new Float32Array(cap * F); // up [T, F]
  }
}

/** KV-cached incremental decoder over a `TinyLM`'s weights. */
export class TinyLMSession implements InferenceSession {
  private len = 0;
  private readonly kCache: Float32Array[]; // per layer [maxSeqLen, Hkv·hd]
  private readonly vCache: Float32Array[];
  private readonly layers: LayerW[];
  private readonly embedW: Float32Array;
  private readonly head: Mat;
  /** Packed weights for the SIMD kernel; null when the JS kernels are used. */
  private readonly simd: SimdMatrices | null;
  private uploaded = false;
  private readonly normW: Float32Array;
  private buf: Buffers | null = null;
  private readonly scores: Float32Array; // [maxSeqLen]
  private readonly logits: Float32Array; // [V]
  private readonly last: Float32Array; // [D]

  constructor(private readonly model: TinyLM, opts: SessionOptions = {}) {
    const c = model.config;
    const hd = c.dim / c.nHeads;
    const Ckv = c.nKvHeads * hd;
    this.kCache = Array.from({ length: c.nLayers }, () => new Float32Array(c.maxSeqLen * Ckv));
    this.vCache = Array.from({ length: c.nLayers }, () => new Float32Array(c.maxSeqLen * Ckv));
    const sources: MatrixSource[] = [];
    const mat = (data: Float32Array, rows: number, cols: number): Mat => ({ w: data, i: sources.push({ data, rows, cols }) - 1 });
    this.layers = Array.from({ length: c.nLayers }, (_, l) => {
      const n = layerNames(l);
      const w = (name: string) => model.weight(name).data;
      return {
        inNorm: w(n.inNorm), postNorm: w(n.postNorm),
        q: mat(w(n.q), c.nHeads * hd, c.dim), k: mat(w(n.k), Ckv, c.dim), v: mat(w(n.v), Ckv, c.dim),
        o: mat(w(n.o), c.dim, c.nHeads * hd),
        gate: mat(w(n.gate), c.ffnDim, c.dim), up: mat(w(n.up), c.ffnDim, c.dim), down: mat(w(n.down), c.dim, c.ffnDim),
      };
    });
    this.embedW = model.weight('model.embed_tokens.weight').data;
    this.head = mat(c.tieEmbeddings ? this.embedW : model.weight('lm_head.weight').data, c.vocabSize, c.dim);
    this.simd = opts.simd === false ? null : simdStoreFor(model, sources);
    this.normW = model.weight('model.norm.weight').data;
    this.scores = new Float32Array(c.maxSeqLen);
    this.logits = new Float32Array(c.vocabSize);
    this.last = new Float32Array(c.dim);
  }

  /** Which kernels this session's matmuls run on. */
  get kernel(): 'simd' | 'js' {
    return this.simd ? 'simd' : 'js';
  }

  get length(): number {
    return this.len;
  }

  truncate(n: number): void {
    this.len = Math.max(0, Math.min(this.len, n));
  }

  /** Appends tokens and returns the next-token logits after the last one [V] (a fresh copy). */
  append(ids: number[]): Float32Array {
    if (!ids.length) throw new Error('append needs at least one token');
    this.forwardBlock(ids);
    return this.logits.slice();
  }

  /**
   * Appends tokens as one block and returns the next-token logits after *every* one of them
   * [T, V] row-major: what a speculative-decoding verifier needs (one pass, γ+1 distributions).
   */
  appendAll(ids: number[]): Float32Array {
    if (!ids.length) throw new Error('appendAll needs at least one token');
    const all = new Float32Array(ids.length * this.model.config.vocabSize);
    this.forwardBlock(ids, all);
    return all;
  }

  /** Bytes held by the key/value cache buffers (all layers, K and V, the full window). */
  get cacheBytes(): number {
    let n = 0;
    for (let l = 0; l < this.kCache.length; l++) n += this.kCache[l].byteLength + this.vCache[l].byteLength;
    return n;
  }

  /** c[T,N] = a[T,K]·Wᵀ for a weight matrix W [N, K]. */
  private matmul(a: Float32Array, m: Mat, c: Float32Array, T: number, N: number, K: number): void {
    if (this.simd) this.simd.matmul(m.i, a, c, T);
    else matmulABtJS(a, m.w, c, T, N, K);
  }

  /**
   * Runs a block of T new tokens; leaves the last token's logits in `this.logits`, and every
   * token's logits in `all` [T, V] when it is given.
   */
  private forwardBlock(ids: number[], all?: Float32Array): void {
    if (this.simd && !this.uploaded) {
      this.simd.upload(); // the model's current weights (training may have changed them)
      this.uploaded = true;
    }
    const c = this.model.config;
    const T = ids.length, pos0 = this.len;
    if (pos0 + T > c.maxSeqLen) throw new Error(`context full: ${pos0 + T} > maxSeqLen ${c.maxSeqLen}`);
    const D = c.dim, H = c.nHeads, Hkv = c.nKvHeads, hd = D / H, half = hd / 2;
    const C = H * hd, Ckv = Hkv * hd, F = c.ffnDim, V = c.vocabSize, group = H / Hkv;
    const scl = 1 / Math.sqrt(hd);
    if (!this.buf || this.buf.cap < T) this.buf = new Buffers(Math.max(T, 1), D, C, F);
    const { x, xb, q, att, o, g, u } = this.buf;
    const cos = this.model.ropeCos, sin = this.model.ropeSin;

    // x[t] = embed[ids[t]]   [T, D]
    for (let t = 0; t < T; t++) {
      const id = ids[t];
      if (id < 0 || id >= V) throw new Error(`token id ${id} outside vocabulary of ${V}`);
      x.set(this.embedW.subarray(id * D, id * D + D), t * D);
    }
    for (let l = 0; l < c.nLayers; l++) {
      const w = this.layers[l];
      const kc = this.kCache[l], vc = this.vCache[l];
      rmsnormRows(x, w.inNorm, xb, T, D, c.normEps); // xb [T, D]
      this.matmul(xb, w.q, q, T, C, D); // q [T, H·hd]
      // k, v go straight into the cache rows pos0..pos0+T−1   [T, Hkv·hd]
      const kNew = kc.subarray(pos0 * Ckv, (pos0 + T) * Ckv);
      this.matmul(xb, w.k, kNew, T, Ckv, D);
      this.matmul(xb, w.v, vc.subarray(pos0 * Ckv, (pos0 + T) * Ckv), T, Ckv, D);
      ropeRows(q, T, H, hd, half, pos0, cos, sin);
      ropeRows(kNew, T, Hkv, hd, half, pos0, cos, sin);
      // causal attention over cached positions 0..pos0+t
      att.fill(0, 0, T * C);
      for (let t = 0; t < T; t++) {
        const p = pos0 + t;
        for (let h = 0; h < H; h++) {
          const qo = t * C + h * hd, ko = Math.floor(h / group) * hd;
          let mx = -Infinity;
          for (let s = 0; s <= p; s++) {
            const sc = dot(q, qo, kc, s * Ckv + ko, hd) * scl;
            this.scores[s] = sc;
            if (sc > mx) mx = sc;
          }
          let z = 0;
          for (let s = 0; s <= p; s++) {
            const e = Math.exp(this.scores[s] - mx);
            this.scores[s] = e;
            z += e;
          }
          const inv = 1 / z;
          for (let s = 0; s <= p; s++) axpy(this.scores[s] * inv, vc, s * Ckv + ko, att, qo, hd);
        }
      }
      this.matmul(att, w.o, o, T, D, C); // o [T, D]
      for (let i = 0; i < T * D; i++) x[i] += o[i];
      // SwiGLU feed-forward
      rmsnormRows(x, w.postNorm, xb, T, D, c.normEps);
      this.matmul(xb, w.gate, g, T, F, D); // g [T, F]
      this.matmul(xb, w.up, u, T, F, D); // u [T, F]
      for (let i = 0; i < T * F; i++) {
        const a = g[i];
        g[i] = (a / (1 + Math.exp(-a))) * u[i];
      }
      this.matmul(g, w.down, o, T, D, F); // o [T, D]
      for (let i = 0; i < T * D; i++) x[i] += o[i];
    }
    this.len = pos0 + T;
    if (all) {
      // Every position's logits: final norm on all rows, LM head as one block [T, V].
      rmsnormRows(x, this.normW, xb, T, D, c.normEps);
      this.matmul(xb, this.head, all, T, V, D);
      this.logits.set(all.subarray((T - 1) * V, T * V));
      return;
    }
    // Only the last position's logits are needed: final norm + LM head on one row.
    rmsnormRows(x.subarray((T - 1) * D, T * D), this.normW, this.last, 1, D, c.normEps);
    this.matmul(this.last, this.head, this.logits, 1, V, D); // logits [V]
  }
}

/** y[t] = x[t] / rms(x[t]) ⊙ w for T rows of width D. */
function rmsnormRows(x: Float32Array, w: Float32Array, y: Float32Array, T: number, D: number, eps: number): void {
  for (let t = 0; t < T; t++) {
    const o = t * D;
    const r = 1 / Math.sqrt(dot(x, o, x, o, D) / D + eps);
    for (let j = 0; j < D; j++) y[o + j] = x[o + j] * r * w[j];
  }
}

/** In-place rotate-half RoPE on rows [T, nH·hd] at positions pos0.. (tables [maxSeqLen, hd/2]). */
function ropeRows(a: Float32Array, T: number, nH: number, hd: number, half: number, pos0: number, cos: Float32Array, sin: Float32Array): void {
  for (let t = 0; t < T; t++) {
    const tb = (pos0 + t) * half;
    for (let h = 0; h < nH; h++) {
      const o = (t * nH + h) * hd;
      for (let i = 0; i < half; i++) {
        const c = cos[tb + i], s = sin[tb + i];
        const x1 = a[o + i], x2 = a[o + i + half];
        a[o + i] = x1 * c - x2 * s;
        a[o + i + half] = x2 * c + x1 * s;
      }
    }
  }
}
