/**
 * Transformer ops for the autograd in `tensor.ts`: matmul/linear, RMSNorm, rotary embeddings
 * (rotate-half), causal multi-head attention with grouped-query heads, SiLU/SwiGLU, embedding
 * gather, cross-entropy and per-token log-probabilities. Each op is vectorised over the whole
 * batch and has a hand-written backward; `test/unit/tinylm/ops.test.ts` checks every one against
 * finite differences.
 */
import { Tensor, result } from './tensor';
import { matmulAB, matmulABt, matmulAtB, dot, axpy } from './kernels';

/** a[M,K] · b[K,N] → [M,N]. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const [M, K] = a.shape;
  const [K2, N] = b.shape;
  if (K !== K2 || a.shape.length !== 2 || b.shape.length !== 2) throw new Error(`matmul [${a.shape}]·[${b.shape}]`);
  const out = new Float32Array(M * N);
  matmulAB(a.data, b.data, out, M, N, K);
  return result(out, [M, N], [a, b], (o) => {
    const g = o.grad!; // [M,N]
    if (a.requiresGrad) matmulABt(g, b.data, a.ensureGrad(), M, K, N, true); // dA[M,K] += dC[M,N]·B[K,N]ᵀ
    if (b.requiresGrad) matmulAtB(a.data, g, b.ensureGrad(), K, N, M, true); // dB[K,N] += A[M,K]ᵀ·dC
  });
}

/** x[..., K] · W[N, K]ᵀ → [..., N]: a bias-free linear layer with Hugging Face [out, in] weights. */
export function linear(x: Tensor, W: Tensor): Tensor {
  const K = x.shape[x.shape.length - 1];
  const [N, K2] = W.shape;
  if (K !== K2) throw new Error(`linear: x [${x.shape}] vs W [${W.shape}]`);
  const M = x.size / K;
  const out = new Float32Array(M * N);
  matmulABt(x.data, W.data, out, M, N, K);
  return result(out, [...x.shape.slice(0, -1), N], [x, W], (o) => {
    const g = o.grad!; // [M,N]
    if (x.requiresGrad) matmulAB(g, W.data, x.ensureGrad(), M, K, N, true); // dX[M,K] += dY[M,N]·W[N,K]
    if (W.requiresGrad) matmulAtB(g, x.data, W.ensureGrad(), N, K, M, true); // dW[N,K] += dYᵀ·X
  });
}

/** RMSNorm over the last axis: y = x / sqrt(mean(x²) + eps) ⊙ w, x [..., D], w [D]. */
export function rmsnorm(x: Tensor, w: Tensor, eps: number): Tensor {
  const D = x.shape[x.shape.length - 1];
  const M = x.size / D;
  const out = new Float32Array(x.size);
  const rstd = new Float32Array(M); // 1/rms per row, kept for backward
  for (let i = 0; i < M; i++) {
    const o = i * D;
    const ms = dot(x.data, o, x.data, o, D) / D;
    const r = 1 / Math.sqrt(ms + eps);
    rstd[i] = r;
    for (let j = 0; j < D; j++) out[o + j] = x.data[o + j] * r * w.data[j];
  }
  return result(out, x.shape.slice(), [x, w], (res) => {
    const g = res.grad!;
    const gx = x.requiresGrad ? x.ensureGrad() : null;
    const gw = w.requiresGrad ? w.ensureGrad() : null;
    for (let i = 0; i < M; i++) {
      const o = i * D, r = rstd[i];
      // With x̂ = x·r and h = g ⊙ w:  dx = r · (h − x̂ · mean(h ⊙ x̂)).
      let m = 0;
      for (let j = 0; j < D; j++) m += g[o + j] * w.data[j] * x.data[o + j] * r;
      m /= D;
      for (let j = 0; j < D; j++) {
        const xh = x.data[o + j] * r;
        if (gx) gx[o + j] += r * (g[o + j] * w.data[j] - xh * m);
        if (gw) gw[j] += g[o + j] * xh;
      }
    }
  });
}

/** cos/sin tables [T, headDim/2] for positions pos0..pos0+T−1 (inv_freq_i = θ^(−2i/headDim)). */
export function ropeTables(T: number, headDim: number, theta: number, pos0 = 0): { cos: Float32Array; sin: Float32Array } {
  const half = headDim / 2;
  const cos = new Float32Array(T * half), sin = new Float32Array(T * half);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < half; i++) {
      const a = (pos0 + t) * Math.pow(theta, (-2 * i) / headDim);
      cos[t * half + i] = Math.cos(a);
      sin[t * half + i] = Math.sin(a);
    }
  }
  return { cos, sin };
}

/**
 * Rotary position embedding, Hugging Face rotate-half convention: within each head the pair is
 * (i, i + headDim/2):  y₁ = x₁·cos − x₂·sin,  y₂ = x₂·cos + x₁·sin.
 * x [B, T, H·headDim] → same shape. Positions start at `pos0`.
 */
export function rope(x: Tensor, nHeads: number, theta: number, pos0 = 0): Tensor {
  const [B, T, C] = x.shape;
  const hd = C / nHeads, half = hd / 2;
  const { cos, sin } = ropeTables(T, hd, theta, pos0);
  const apply = (src: Float32Array, dst: Float32Array, sign: number) => {
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++)
        for (let h = 0; h < nHeads; h++) {
          const o = (b * T + t) * C + h * hd;
          for (let i = 0; i < half; i++) {
            const c = cos[t * half + i], s = sign * sin[t * half + i];
            const x1 = src[o + i], x2 = src[o + i + half];
            dst[o + i] += x1 * c - x2 * s;
            dst[o + i + half] += x2 * c + x1 * s;
          }
        }
  };
  const out = new Float32Array(x.size);
  apply(x.data, out, 1);
  // The rotation is orthogonal, so its backward is the rotation by −angle.
  return result(out, x.shape.slice(), [x], (o) => apply(o.grad!, x.ensureGrad(), -1));
}

/** Options of the causal attention op. */
export interface AttentionOptions {
  nHeads: number;
  nKvHeads: number;
  /** Per-head multiplier on the head's output [nHeads] (0 ablates a head). */
  headMask?: ArrayLike<number>;
  /** Receives the attention probabilities [B, nHeads, T, T] (row t attends to columns ≤ t). */
  onProbs?: (probs: Float32Array) => void;
}

/**
 * Causal scaled dot-product attention with grouped-query heads.
 * q [B, T, H·hd], k and v [B, T, Hkv·hd] → [B, T, H·hd]; query head h reads kv head ⌊h·Hkv/H⌋.
 * Probabilities P [B, H, T, T] are kept for the backward pass.
 */
export function attention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions): Tensor {
  const { nHeads: H, nKvHeads: Hkv } = opts;
  const [B, T, C] = q.shape;
  const hd = C / H, Ckv = Hkv * hd, group = H / Hkv;
  const scl = 1 / Math.sqrt(hd);
  const P = new Float32Array(B * H * T * T);
  const out = new Float32Array(B * T * C);
  const mask = opts.headMask;
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++) {
      const kh = Math.floor(h / group);
      const pBase = (b * H + h) * T * T;
      for (let t = 0; t < T; t++) {
        const qo = (b * T + t) * C + h * hd;
        const row = pBase + t * T;
        let mx = -Infinity;
        for (let s = 0; s <= t; s++) {
          const sc = dot(q.data, qo, k.data, (b * T + s) * Ckv + kh * hd, hd) * scl;
          P[row + s] = sc;
          if (sc > mx) mx = sc;
        }
        let z = 0;
        for (let s = 0; s <= t; s++) {
          const e = Math.exp(P[row + s] - mx);
          P[row + s] = e;
          z += e;
        }
        const m = mask ? mask[h] : 1;
        for (let s = 0; s <= t; s++) {
          P[row + s] /= z;
          if (m !== 0) axpy(P[row + s] * m, v.data, (b * T + s) * Ckv + kh * hd, out, qo, hd);
        }
      }
    }
  opts.onProbs?.(P);
  return result(out, q.shape.slice(), [q, k, v], (o) => {
    const g = o.grad!; // dO [B,T,C]
    const gq = q.requiresGrad ? q.ensureGrad() : null;
    const gk = k.requiresGrad ? k.ensureGrad() : null;
    const gv = v.requiresGrad ? v.ensureGrad() : null;
    const dP = new Float32Array(T);
    for (let b = 0; b < B; b++)
      for (let h = 0; h < H; h++) {
        const m = mask ? mask[h] : 1;
        if (m === 0) continue;
        const kh = Math.floor(h / group);
        const pBase = (b * H + h) * T * T;
        for (let t = 0; t < T; t++) {
          const qo = (b * T + t) * C + h * hd;
          const row = pBase + t * T;
          // dP[s] = m·dO_t·v_s ;  dS = P ⊙ (dP − Σ P·dP)
          let acc = 0;
          for (let s = 0; s <= t; s++) {
            const vo = (b * T + s) * Ckv + kh * hd;
            const p = P[row + s];
            dP[s] = m * dot(g, qo, v.data, vo, hd);
            acc += p * dP[s];
            if (gv) axpy(p * m, g, qo, gv, vo, hd); // dv_s += P[t,s]·m·dO_t
          }
          for (let s = 0; s <= t; s++) {
            const ds = P[row + s] * (dP[s] - acc) * scl;
            if (ds === 0) continue;
            const ko = (b * T + s) * Ckv + kh * hd;
            if (gq) axpy(ds, k.data, ko, gq, qo, hd); // dq_t += dS·k_s/√hd
            if (gk) axpy(ds, q.data, qo, gk, ko, hd); // dk_s += dS·q_t/√hd
          }
        }
      }
  });
}

/** silu(x) = x·σ(x). */
export function silu(x: Tensor): Tensor {
  const out = new Float32Array(x.size);
  for (let i = 0; i < x.size; i++) out[i] = x.data[i] / (1 + Math.exp(-x.data[i]));
  return result(out, x.shape.slice(), [x], (o) => {
    const g = o.grad!, gx = x.ensureGrad();
    for (let i = 0; i < g.length; i++) {
      const s = 1 / (1 + Math.exp(-x.data[i]));
      gx[i] += g[i] * s * (1 + x.data[i] * (1 - s));
    }
  });
}

/** SwiGLU gate: silu(gate) ⊙ up, both [..., F] (fused, one pass and no intermediate tensor). */
export function swiglu(gate: Tensor, up: Tensor): Tensor {
  const n = gate.size;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = gate.data[i];
    out[i] = (a / (1 + Math.exp(-a))) * up.data[i];
  }
  return result(out, gate.shape.slice(), [gate, up], (o) => {
    const g = o.grad!;
    const gg = gate.requiresGrad ? gate.ensureGrad() : null;
    const gu = up.requiresGrad ? up.ensureGrad() : null;
    for (let i = 0; i < n; i++) {
      const a = gate.data[i];
      const s = 1 / (1 + Math.exp(-a));
      if (gu) gu[i] += g[i] * a * s;
      if (gg) gg[i] += g[i] * up.data[i] * s * (1 + a * (1 - s));
    }
  });
}

/** Embedding gather: W [V, D], ids (length N) → [...shape, D] where shape defaults to [N]. */
export function embedding(W: Tensor, ids: ArrayLike<number>, shape: number[] = [ids.length]): Tensor {
  const [V, D] = W.shape;
  const N = ids.length;
  const out = new Float32Array(N * D);
  for (let i = 0; i < N; i++) {
    const id = ids[i];
    if (id < 0 || id >= V) throw new Error(`token id ${id} outside vocabulary of ${V}`);
    out.set(W.data.subarray(id * D, id * D + D), i * D);
  }
  return result(out, [...shape, D], [W], (o) => {
    const g = o.grad!, gw = W.ensureGrad();
    for (let i = 0; i < N; i++) axpy(1, g, i * D, gw, ids[i] * D, D);
  });
}

/** Row-wise log-sum-exp of logits [N, V] → Float64-accurate values in a Float32Array [N]. */
function rowLogSumExp(x: Float32Array, N: number, V: number): Float32Array {
  const lse = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    const o = i * V;
    let mx = -Infinity;
    for (let j = 0; j < V; j++) if (x[o + j] > mx) mx = x[o + j];
    let z = 0;
    for (let j = 0; j < V; j++) z += Math.exp(x[o + j] - mx);
    lse[i] = mx + Math.log(z);
  }
  return lse;
}

/**
 * Mean cross-entropy of logits [..., V] against integer targets (length = rows); targets < 0 are
 * ignored (padding, prompt tokens). Returns a scalar [1]. Softmax is recomputed in backward.
 */
export function crossEntropy(logits: Tensor, targets: ArrayLike<number>): Tensor {
  const V = logits.shape[logits.shape.length - 1];
  const N = logits.size / V;
  if (targets.length !== N) throw new Error(`crossEntropy: ${targets.length} targets for ${N} rows`);
  const lse = rowLogSumExp(logits.data, N, V);
  let loss = 0, count = 0;
  for (let i = 0; i < N; i++) {
    const t = targets[i];
    if (t < 0) continue;
    loss += lse[i] - logits.data[i * V + t];
    count++;
  }
  const denom = Math.max(count, 1);
  return result(Float32Array.of(loss / denom), [1], [logits], (o) => {
    const g = o.grad![0] / denom;
    const gl = logits.ensureGrad();
    for (let i = 0; i < N; i++) {
      const t = targets[i];
      if (t < 0) continue;
      const off = i * V, l = lse[i];
      for (let j = 0; j < V; j++) gl[off + j] += g * Math.exp(logits.data[off + j] - l);
      gl[off + t] -= g;
    }
  });
}

/**
 * Log-probability of each target under log-softmax(logits): logits [..., V], targets (one per
 * row; < 0 gives 0 and no gradient) → [rows]. Used for DPO and sequence scoring.
 */
export function logProbsOf(logits: Tensor, targets: ArrayLike<number>): Tensor {
  const V = logits.shape[logits.shape.length - 1];
  const N = logits.size / V;
  const lse = rowLogSumExp(logits.data, N, V);
  const out = new Float32Array(N);
  for (let i = 0; i < N; i++) if (targets[i] >= 0) out[i] = logits.data[i * V + targets[i]] - lse[i];
  return result(out, [N], [logits], (o) => {
    const g = o.grad!, gl = logits.ensureGrad();
    for (let i = 0; i < N; i++) {
      const t = targets[i];
      if (t < 0 || g[i] === 0) continue;
      const off = i * V, l = lse[i];
      for (let j = 0; j < V; j++) gl[off + j] -= g[i] * Math.exp(logits.data[off + j] - l);
      gl[off + t] += g[i];
    }
  });
}

/** Softmax over the last axis (for small models and the playground). */
export function softmax(x: Tensor): Tensor {
  const V = x.shape[x.shape.length - 1];
  const N = x.size / V;
  const lse = rowLogSumExp(x.data, N, V);
  const out = new Float32Array(x.size);
  for (let i = 0; i < N; i++) for (let j = 0; j < V; j++) out[i * V + j] = Math.exp(x.data[i * V + j] - lse[i]);
  return result(out, x.shape.slice(), [x], (o) => {
    const g = o.grad!, gx = x.ensureGrad();
    for (let i = 0; i < N; i++) {
      const off = i * V;
      const d = dot(g, off, out, off, V);
      for (let j = 0; j < V; j++) gx[off + j] += out[off + j] * (g[off + j] - d);
    }
  });
}
