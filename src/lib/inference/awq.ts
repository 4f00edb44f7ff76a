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
 *   s = s_X^α / s_W^(1−α)  (AutoAWQ's default "duo" scaling; llm-awq's original is s = s_X^α)
 *     s_X[j] = mean_tokens |x_j| over calibration text, s_W[j] = mean_rows |w_rj| / max|w| of its group,
 *     s ← s / √(max s · min s)
 *   α* = argmin over α ∈ {0, 1/20, …, 19/20} of the block's output error
 *        ‖ f(X·diag(s)⁻¹; Q(W·diag(s))) − f(X; W) ‖²   (f: the attention or feed-forward block, or the layer)
 * Plain RTN (s = 1) is measured as well and kept when no α beats it on the calibration data.
 * Then AWQ's clipping search (`awqClip`) shrinks each group's range where that lowers the output error.
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

/** One group of `group` values from w[o…] quantized RTN int4 (asymmetric) and dequantized into out[o…]. */
function rtnGroup(w: ArrayLike<number>, o: number, group: number, out: Float32Array, oo = o): void {
  let mn = Infinity, mx = -Infinity;
  for (let j = 0; j < group; j++) {
    const v = w[o + j];
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  const scale = f16((mx - mn) / 15);
  if (!(scale > 0)) {
    for (let j = 0; j < group; j++) out[oo + j] = f16(w[o + j]);
    return;
  }
  const zero = Math.min(15, Math.max(0, Math.round(-mn / scale)));
  for (let j = 0; j < group; j++) {
    const q = Math.min(15, Math.max(0, Math.round(w[o + j] / scale) + zero));
    out[oo + j] = (q - zero) * scale;
  }
}

/** RTN int4 (asymmetric, groups along each row) — returns the dequantized matrix ŵ [N, K]. */
export function rtnInt4(w: Float32Array, N: number, K: number, group = 32): Float32Array {
  if (K % group !== 0) throw new Error(`rows of ${K} values are not a multiple of the group size ${group}`);
  const out = new Float32Array(N * K);
  for (let r = 0; r < N; r++) for (let g0 = 0; g0 < K; g0 += group) rtnGroup(w, r * K + g0, group, out);
  return out;
}

/**
 * AWQ's weight-clipping search (llm-awq / AutoAWQ `auto_clip`), in place on W [N, K]: for each row
 * and group, try clamping the group to [−m, m] with m = max|w| · (1 − i/grid), i < maxShrink · grid,
 * and keep the m whose int4-rounded group gives the smallest error of the group's partial output
 * Σ_j x_tj w_j over the calibration inputs X [T, K] (at most `sampleTokens` rows, evenly spaced).
 * i = 0 (no clipping) is tried first, so the chosen clip never raises that error. Returns the mean
 * partial-output error before and after. `quant`: the format's round trip for one group (RTN int4
 * by default; a Q4_0 block for an AWQ Q4_0 file).
 */
export function awqClip(w: Float32Array, N: number, K: number, X: Float32Array, T: number, group = 32, grid = 20, maxShrink = 0.5, sampleTokens = 512, quant?: WeightQuantizer): { before: number; after: number } {
  const step = Math.max(1, Math.ceil(T / sampleTokens));
  const rows: number[] = [];
  for (let t = 0; t < T; t += step) rows.push(t);
  const org = new Float64Array(rows.length), cur = new Float32Array(group), q = new Float32Array(group);
  let before = 0, after = 0;
  for (let r = 0; r < N; r++) {
    for (let g0 = 0; g0 < K; g0 += group) {
      const o = r * K + g0;
      let amax = 0;
      for (let j = 0; j < group; j++) amax = Math.max(amax, Math.abs(w[o + j]));
      rows.forEach((t, i) => {
        let y = 0;
        for (let j = 0; j < group; j++) y += X[t * K + g0 + j] * w[o + j];
        org[i] = y;
      });
      let bestErr = Infinity, bestM = amax;
      for (let i = 0; i < Math.round(maxShrink * grid); i++) {
        const m = amax * (1 - i / grid);
        for (let j = 0; j < group; j++) cur[j] = Math.min(m, Math.max(-m, w[o + j]));
        if (quant) q.set(quant(cur, 1, group));
        else rtnGroup(cur, 0, group, q);
        let err = 0;
        rows.forEach((t, k) => {
          let y = 0;
          for (let j = 0; j < group; j++) y += X[t * K + g0 + j] * q[j];
          err += (y - org[k]) ** 2;
        });
        err /= rows.length;
        if (i === 0) before += err;
        if (err < bestErr) (bestErr = err), (bestM = m);
      }
      after += bestErr;
      for (let j = 0; j < group; j++) w[o + j] = Math.min(bestM, Math.max(-bestM, w[o + j]));
    }
  }
  const groups = (N * K) / group;
  return { before: before / groups, after: after / groups };
}

/** s_X: mean |x_j| over the T rows of X [T, K]. */
export function channelMeanAbs(X: Float32Array, T: number, K: number): Float32Array {
  const s = new Float32Array(K);
  for (let t = 0; t < T; t++) for (let j = 0; j < K; j++) s[j] += Math.abs(X[t * K + j]);
  for (let j = 0; j < K; j++) s[j] /= T;
  return s;
}

/**
 * Per-channel scales for one α, normalised by √(max · min) (as AutoAWQ does):
 *   x only (llm-awq):          s = s_X^α
 *   duo (AutoAWQ's default):   s = s_X^α / (s_W^(1−α) + 1e-4), s_W from `weightMeanNormalized`
 */
export function awqScales(sx: Float32Array, alpha: number, wMean?: Float32Array): Float32Array {
  const K = sx.length, s = new Float32Array(K);
  let mx = -Infinity, mn = Infinity;
  for (let j = 0; j < K; j++) {
    s[j] = wMean ? Math.max(sx[j] ** alpha / (wMean[j] ** (1 - alpha) + 1e-4), 1e-4) : Math.max(sx[j], 1e-4) ** alpha;
    if (s[j] > mx) mx = s[j];
    if (s[j] < mn) mn = s[j];
  }
  const norm = Math.sqrt(mx * mn);
  for (let j = 0; j < K; j++) s[j] /= norm;
  return s;
}

/**
 * s_W, AutoAWQ's weight statistic for duo scaling: each weight's |w| relative to the largest |w|
 * of its group, averaged over the rows of all the matrices that share the input → [K].
 */
export function weightMeanNormalized(mats: AwqLayer[], K: number, group: number): Float32Array {
  const m = new Float32Array(K);
  let n = 0;
  for (const { w, rows } of mats) {
    for (let r = 0; r < rows; r++, n++) {
      for (let g0 = 0; g0 < K; g0 += group) {
        let mx = 0;
        for (let j = 0; j < group; j++) mx = Math.max(mx, Math.abs(w[r * K + g0 + j]));
        for (let j = 0; j < group; j++) m[g0 + j] += mx > 0 ? Math.abs(w[r * K + g0 + j]) / mx : 0;
      }
    }
  }
  for (let j = 0; j < K; j++) m[j] /= n;
  return m;
}

/** A weight format as a function: W [N, K] → its dequantized values (round trip through the format). */
export type WeightQuantizer = (w: Float32Array, N: number, K: number) => Float32Array;

/** Q(W·diag(s)) dequantized, still in the scaled space (the inverse is folded into the input); Q is RTN int4 unless `quant` is given. */
export function quantizeScaled(w: Float32Array, N: number, K: number, s: Float32Array, group: number, quant?: WeightQuantizer): Float32Array {
  const ws = new Float32Array(N * K);
  for (let r = 0; r < N; r++) for (let j = 0; j < K; j++) ws[r * K + j] = w[r * K + j] * s[j];
  return quant ? quant(ws, N, K) : rtnInt4(ws, N, K, group);
}

export interface AwqLayer {
  w: Float32Array;
  /** output features N (rows); the input features K are shared by every layer of a group */
  rows: number;
}

export interface AwqSearch {
  /** The α chosen, or null when no scaling beat plain RTN (s = 1 is kept). */
  alpha: number | null;
  scales: Float32Array;
  /** Mean squared output error for each α of the grid (index i ↔ α = i / grid). */
  errors: number[];
  /** The same error without scaling (plain RTN), and the best one kept. */
  rtnError: number;
  bestError: number;
}

/**
 * AWQ's grid search over α ∈ {0, 1/grid, …, (grid−1)/grid}: `errorOf(s)` is the mean squared
 * output error when the weights are quantized as Q(W·diag(s)) and fed X·diag(s)⁻¹. Plain RTN
 * (s = 1) is measured too and kept if no α beats it, so the search never does worse than RTN on
 * the calibration data (with duo scaling, α = 0 is not s = 1).
 */
function searchAlpha(sx: Float32Array, errorOf: (s: Float32Array) => number, grid: number, wMean?: Float32Array): AwqSearch {
  const ones = new Float32Array(sx.length).fill(1);
  const rtnError = errorOf(ones);
  let best: { alpha: number | null; err: number; scales: Float32Array } = { alpha: null, err: rtnError, scales: ones };
  const errors: number[] = [];
  for (let i = 0; i < grid; i++) {
    const alpha = i / grid;
    const s = awqScales(sx, alpha, wMean);
    const err = errorOf(s);
    errors.push(err);
    if (err < best.err) best = { alpha, err, scales: s };
  }
  return { alpha: best.alpha, scales: best.scales, errors, rtnError, bestError: best.err };
}

/**
 * The α search for layers that read the same input X [T, K], with the error on their own outputs
 * (down_proj, whose block is itself). `duo`: AutoAWQ's weight-aware scales (its default);
 * `quant`: the format the weights will be stored in (RTN int4 with groups of `group` by default).
 */
export function awqSearch(layers: AwqLayer[], X: Float32Array, T: number, K: number, group = 32, grid = 20, duo = true, quant?: WeightQuantizer): AwqSearch {
  const refs = layers.map((l) => {
    const y = new Float32Array(T * l.rows);
    matmulABt(X, l.w, y, T, l.rows, K);
    return y;
  });
  const outCount = layers.reduce((a, l) => a + T * l.rows, 0);
  const xs = new Float32Array(T * K); // X·diag(s)⁻¹: the input the scaled layer will see
  return searchAlpha(channelMeanAbs(X, T, K), (s) => {
    for (let t = 0; t < T; t++) for (let j = 0; j < K; j++) xs[t * K + j] = X[t * K + j] / s[j];
    let err = 0;
    layers.forEach((l, li) => {
      const q = quantizeScaled(l.w, l.rows, K, s, group, quant);
      const y = new Float32Array(T * l.rows);
      matmulABt(xs, q, y, T, l.rows, K);
      const ref = refs[li];
      for (let k = 0; k < y.length; k++) err += (y[k] - ref[k]) ** 2;
    });
    return err / outCount;
  }, grid, duo ? weightMeanNormalized(layers, K, group) : undefined);
}

/**
 * The same α search with the error measured on a whole block's output, as AutoAWQ does (the
 * attention block for q/k/v, the feed-forward block for gate/up): `run(s)` quantizes the block's
 * scaled weights Q(W·diag(s)), feeds it X·diag(s)⁻¹ and returns the block output, compared with
 * `ref`, the full-precision block's output. `wMean`: s_W of the scaled layers, for duo scaling.
 */
export function awqSearchBlock(sx: Float32Array, run: (s: Float32Array) => Float32Array, ref: Float32Array, grid = 20, wMean?: Float32Array): AwqSearch {
  return searchAlpha(sx, (s) => {
    const y = run(s);
    let err = 0;
    for (let k = 0; k < y.length; k++) err += (y[k] - ref[k]) ** 2;
    return err / y.length;
  }, grid, wMean);
}
