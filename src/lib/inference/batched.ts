/**
 * Batched TinyLM forward over a paged KV cache: one pass runs new tokens of several sequences
 * (prefill chunks and single decode tokens mixed, a "ragged" batch) through every layer. The
 * matrix products see all N new tokens at once — each weight matrix is read once per step for the
 * whole batch, which is what makes batching pay — while attention stays per sequence, over that
 * sequence's blocks only.
 *
 * Shapes: N new tokens in the step, D = dim, H heads, Hkv KV heads, hd = D/H, C = H·hd,
 * Ckv = Hkv·hd, F = ffnDim, V = vocab. Matmuls use the plain JS kernel, which computes each output
 * element with the same summation order whatever N is, so a sequence's logits do not depend on what
 * else shares its batch (tested: every request's output equals running it alone).
 */
import type { TinyLM } from '../tinylm/model';
import { layerNames } from '../tinylm/names';
import { axpy, dot, matmulABtJS } from '../tinylm/kernels';
import { PagedKVCache } from './paged-cache';

/** New tokens of one sequence in a step. */
export interface BatchItem {
  seq: number;
  tokens: number[];
}

/** TinyLM's weights arranged for batched decoding over a paged cache. */
export class PagedTinyLM {
  readonly cache: PagedKVCache;
  private readonly c: TinyLM['config'];

  constructor(private readonly model: TinyLM, numBlocks: number) {
    this.c = model.config;
    const hd = this.c.dim / this.c.nHeads;
    this.cache = new PagedKVCache(this.c.nLayers, this.c.nKvHeads * hd, numBlocks);
  }

  /**
   * Appends each item's tokens to its sequence (slots are reserved here) and returns, per item, the
   * next-token logits after its last token [V].
   */
  forward(items: BatchItem[]): Float32Array[] {
    const c = this.c, m = this.model;
    const D = c.dim, H = c.nHeads, Hkv = c.nKvHeads, hd = D / H, half = hd / 2, C = H * hd, Ckv = Hkv * hd, F = c.ffnDim, V = c.vocabSize;
    const group = H / Hkv, scl = 1 / Math.sqrt(hd);
    // Flatten: row r is token r of the step, at position pos[r] of sequence seq[r], stored at slot[r].
    const seq: number[] = [], pos: number[] = [], slot: number[] = [], ids: number[] = [], lastRow: number[] = [];
    for (const it of items) {
      if (!it.tokens.length) throw new Error('a batch item needs at least one token');
      for (const id of it.tokens) {
        if (this.cache.length(it.seq) >= c.maxSeqLen) throw new Error(`sequence ${it.seq} is past the context window of ${c.maxSeqLen}`);
        pos.push(this.cache.length(it.seq));
        slot.push(this.cache.appendSlot(it.seq));
        seq.push(it.seq);
        ids.push(id);
      }
      lastRow.push(ids.length - 1);
    }
    const N = ids.length;
    const x = new Float32Array(N * D), xb = new Float32Array(N * D), q = new Float32Array(N * C);
    const kNew = new Float32Array(N * Ckv), vNew = new Float32Array(N * Ckv), att = new Float32Array(N * C);
    const o = new Float32Array(N * D), g = new Float32Array(N * F), u = new Float32Array(N * F);
    const emb = m.weight('model.embed_tokens.weight').data;
    for (let r = 0; r < N; r++) x.set(emb.subarray(ids[r] * D, ids[r] * D + D), r * D); // x [N, D]
    const scores = new Float32Array(c.maxSeqLen);
    for (let l = 0; l < c.nLayers; l++) {
      const n = layerNames(l), w = (name: string) => m.weight(name).data;
      const kc = this.cache.k[l], vc = this.cache.v[l];
      rmsnorm(x, w(n.inNorm), xb, N, D, c.normEps);
      matmulABtJS(xb, w(n.q), q, N, C, D); // q [N, C]
      matmulABtJS(xb, w(n.k), kNew, N, Ckv, D); // k [N, Ckv]
      matmulABtJS(xb, w(n.v), vNew, N, Ckv, D); // v [N, Ckv]
      for (let r = 0; r < N; r++) {
        rope(q, r * C, H, hd, half, pos[r], m.ropeCos, m.ropeSin);
        rope(kNew, r * Ckv, Hkv, hd, half, pos[r], m.ropeCos, m.ropeSin);
        kc.set(kNew.subarray(r * Ckv, (r + 1) * Ckv), slot[r] * Ckv); // into the paged cache
        vc.set(vNew.subarray(r * Ckv, (r + 1) * Ckv), slot[r] * Ckv);
      }
      // Causal attention per row over its own sequence's positions 0..pos[r], through the block table.
      att.fill(0);
      for (let r = 0; r < N; r++) {
        const p = pos[r], s = seq[r];
        const rows = Array.from({ length: p + 1 }, (_, j) => this.cache.slot(s, j) * Ckv);
        for (let h = 0; h < H; h++) {
          const qo = r * C + h * hd, ko = Math.floor(h / group) * hd;
          let mx = -Infinity;
          for (let j = 0; j <= p; j++) {
            const sc = dot(q, qo, kc, rows[j] + ko, hd) * scl;
            scores[j] = sc;
            if (sc > mx) mx = sc;
          }
          let z = 0;
          for (let j = 0; j <= p; j++) z += scores[j] = Math.exp(scores[j] - mx);
          for (let j = 0; j <= p; j++) axpy(scores[j] / z, vc, rows[j] + ko, att, qo, hd);
        }
      }
      matmulABtJS(att, w(n.o), o, N, D, C);
      for (let i = 0; i < N * D; i++) x[i] += o[i];
      rmsnorm(x, w(n.postNorm), xb, N, D, c.normEps);
      matmulABtJS(xb, w(n.gate), g, N, F, D);
      matmulABtJS(xb, w(n.up), u, N, F, D);
      for (let i = 0; i < N * F; i++) g[i] = (g[i] / (1 + Math.exp(-g[i]))) * u[i];
      matmulABtJS(g, w(n.down), o, N, D, F);
      for (let i = 0; i < N * D; i++) x[i] += o[i];
    }
    // Logits only for each item's last token.
    const head = c.tieEmbeddings ? emb : m.weight('lm_head.weight').data;
    const normW = m.weight('model.norm.weight').data;
    const last = new Float32Array(D);
    return lastRow.map((r) => {
      rmsnorm(x.subarray(r * D, (r + 1) * D), normW, last, 1, D, c.normEps);
      const logits = new Float32Array(V);
      matmulABtJS(last, head, logits, 1, V, D);
      return logits;
    });
  }
}

function rmsnorm(x: Float32Array, w: Float32Array, y: Float32Array, T: number, D: number, eps: number): void {
  for (let t = 0; t < T; t++) {
    const o = t * D;
    const r = 1 / Math.sqrt(dot(x, o, x, o, D) / D + eps);
    for (let j = 0; j < D; j++) y[o + j] = x[o + j] * r * w[j];
  }
}

/** Rotate-half RoPE of one row (nH heads of hd) at position `p`, in place. */
function rope(a: Float32Array, off: number, nH: number, hd: number, half: number, p: number, cos: Float32Array, sin: Float32Array): void {
  const tb = p * half;
  for (let h = 0; h < nH; h++) {
    const o = off + h * hd;
    for (let i = 0; i < half; i++) {
      const cs = cos[tb + i], sn = sin[tb + i];
      const x1 = a[o + i], x2 = a[o + i + half];
      a[o + i] = x1 * cs - x2 * sn;
      a[o + i + half] = x2 * cs + x1 * sn;
    }
  }
}
