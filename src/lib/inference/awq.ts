/**
 * 4-bit weight quantization beyond ggml's Q4_0: plain round-to-nearest (RTN) int4 with groups and
 * a zero point, and activation-aware weight quantization (AWQ; Lin et al. 2024, "AWQ: Activation-aware
 * Weight Quantization for LLM Compression and Acceleration").
 *
 * RTN int4, group g along the input dimension (asymmetric, like AutoAWQ's default):
 *   per group: scale = (max − min) / 15 (stored f16), zero = round(−min / scale) ∈ [0, 15] (4 bits)
 *   q = clamp(round(w / scale) + zero, 0, 15),  ŵ = (q − zero) · scale
 *   → 4 + (16 + 4) / g bits per weight (4.625 at g = 32).
 *
 * AWQ: a few input channels carry much larger activations than the rest, and the weights that
 * multiply them matter most. Scaling those weight columns up before quantizing (W·diag(s)) gives
 * them finer steps relative to their size; the inverse scale is folded into the operation that
 * produces the input (an RMSNorm weight, or the rows of the previous linear layer), so the
 * network computes the same function in full precision and stores no extra numbers:
 *   s = s_X^α with s_X[j] = mean_tokens |x_j| over calibration text,   s ← s / √(max s · min s)
 *   α* = argmin over α ∈ {0, 1/20, …, 19/20} of Σ_layers ‖ X (Q(W·diag(s))·diag(s)⁻¹)ᵀ − X Wᵀ ‖²
 * α = 0 is plain RTN, so the search can never do worse than RTN on the calibration activations.
 * (The paper's later weight-clipping search is not done here.)
 * Shapes: W [N, K] row-major ([out, in]); X [T, K] calibration inputs.
 */
import { f16ToF32, f32ToF16 } from '../tinylm/quant';
import { matmulABt } from '../tinylm/kernels';

/** Bits per weight of RTN/AWQ int4 with an f16 scale and a 4-bit zero point per group. */
export function int4BitsPerWeight(group: number): number {
  return 4 + 20 / group;
}

/** Stored bytes of an [N, K] matrix in int4 with groups of `group` along K. */
export function int4Bytes(n: number, group: number): number {
  return (n * int4BitsPerWeight(group)) / 8;
}

const f16 = (x: number) => f16ToF32(f32ToF16(x));

/** RTN int4 (asymmetric, groups along each row) — returns the dequantized matrix ŵ [N, K]. */
export function rtnInt4(w: Float32Array, N: number, K: number, group = 32): Float32Array {
  if (K % group !== 0) throw new Error(`rows of ${K} values are not a multiple of the group size ${group}`);
  const out = new Float32Array(N * K);
  for (let r = 0; r < N; r++) {
    for (let g0 = 0; g0 < K; g0 += group) {
      const o = r * K + g0;
      let mn = Infinity, mx = -Infinity;
      for (let j = 0; j < group; j++) {
        const v = w[o + j];
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
      const scale = f16((mx - mn) / 15);
      if (!(scale > 0)) {
        for (let j = 0; j < group; j++) out[o + j] = f16(w[o + j]);
        continue;
      }
      const zero = Math.min(15, Math.max(0, Math.round(-mn / scale)));
      for (let j = 0; j < group; j++) {
        const q = Math.min(15, Math.max(0, Math.round(w[o + j] / scale) + zero));
        out[o + j] = (q - zero) * scale;
      }
    }
  }
  return out;
}

/** s_X: mean |x_j| over the T rows of X [T, K]. */
export function channelMeanAbs(X: Float32Array, T: number, K: number): Float32Array {
  const s = new Float32Array(K);
  for (let t = 0; t < T; t++) for (let j = 0; j < K; j++) s[j] += Math.abs(X[t * K + j]);
  for (let j = 0; j < K; j++) s[j] /= T;
  return s;
}

/** Per-channel scales s = s_X^α normalised by √(max · min) (as AutoAWQ does). */
export function awqScales(sx: Float32Array, alpha: number): Float32Array {
  const K = sx.length, s = new Float32Array(K);
  let mx = -Infinity, mn = Infinity;
  for (let j = 0; j < K; j++) {
    s[j] = Math.max(sx[j], 1e-4) ** alpha;
    if (s[j] > mx) mx = s[j];
    if (s[j] < mn) mn = s[j];
  }
  const norm = Math.sqrt(mx * mn);
  for (let j = 0; j < K; j++) s[j] /= norm;
  return s;
}

/** Q(W·diag(s)) dequantized, still in the scaled space (the inverse is folded into the input). */
export function quantizeScaled(w: Float32Array, N: number, K: number, s: Float32Array, group: number): Float32Array {
  const ws = new Float32Array(N * K);
  for (let r = 0; r < N; r++) for (let j = 0; j < K; j++) ws[r * K + j] = w[r * K + j] * s[j];
  return rtnInt4(ws, N, K, group);
}

export interface AwqLayer {
  w: Float32Array;
  /** output features N (rows); the input features K are shared by every layer of a group */
  rows: number;
}

export interface AwqSearch {
  alpha: number;
  scales: Float32Array;
  /** Mean squared output error for each α of the grid (index i ↔ α = i / grid); errors[0] is RTN. */
  errors: number[];
  rtnError: number;
  bestError: number;
}

/**
 * Grid search of α for layers that read the same input X [T, K] (e.g. q/k/v after one RMSNorm).
 * Returns the scales to apply (W ← W·diag(s), previous op ← previous op / s) and the errors.
 */
export function awqSearch(layers: AwqLayer[], X: Float32Array, T: number, K: number, group = 32, grid = 20): AwqSearch {
  const sx = channelMeanAbs(X, T, K);
  const refs = layers.map((l) => {
    const y = new Float32Array(T * l.rows);
    matmulABt(X, l.w, y, T, l.rows, K);
    return y;
  });
  const outCount = layers.reduce((a, l) => a + T * l.rows, 0);
  const xs = new Float32Array(T * K); // X·diag(s)⁻¹: the input the scaled layer will see
  const errors: number[] = [];
  let best: { alpha: number; err: number; scales: Float32Array } = { alpha: 0, err: Infinity, scales: new Float32Array(K).fill(1) };
  for (let i = 0; i < grid; i++) {
    const alpha = i / grid;
    const s = awqScales(sx, alpha);
    for (let t = 0; t < T; t++) for (let j = 0; j < K; j++) xs[t * K + j] = X[t * K + j] / s[j];
    let err = 0;
    layers.forEach((l, li) => {
      const q = quantizeScaled(l.w, l.rows, K, s, group);
      const y = new Float32Array(T * l.rows);
      matmulABt(xs, q, y, T, l.rows, K);
      const ref = refs[li];
      for (let k = 0; k < y.length; k++) err += (y[k] - ref[k]) ** 2;
    });
    err /= outCount;
    errors.push(err);
    if (err < best.err) best = { alpha, err, scales: s };
  }
  return { alpha: best.alpha, scales: best.scales, errors, rtnError: errors[0], bestError: best.err };
}

/**
 * The same α grid search with the error measured on a whole block's output, as AutoAWQ does
 * (the attention block for q/k/v, the feed-forward block for gate/up): `run(s)` quantizes the
 * block's scaled weights Q(W·diag(s)), feeds it X·diag(s)⁻¹ and returns the block output, which
 * is compared with `ref`, the full-precision block's output.
 */
export function awqSearchBlock(sx: Float32Array, run: (s: Float32Array) => Float32Array, ref: Float32Array, grid = 20): AwqSearch {
  const errors: number[] = [];
  let best: { alpha: number; err: number; scales: Float32Array } = { alpha: 0, err: Infinity, scales: new Float32Array(sx.length).fill(1) };
  for (let i = 0; i < grid; i++) {
    const alpha = i / grid;
    const s = awqScales(sx, alpha);
    const y = run(s);
    let err = 0;
    for (let k = 0; k < y.length; k++) err += (y[k] - ref[k]) ** 2;
    err /= y.length;
    errors.push(err);
    if (err < best.err) best = { alpha, err, scales: s };
  }
  return { alpha: best.alpha, scales: best.scales, errors, rtnError: errors[0], bestError: best.err };
}
