/**
 * TinyLM under several weight formats, measured: stored bytes, bits per weight, held-out
 * perplexity (stories from the generator's validation seed, never trained on), top-1 and greedy
 * agreement with F32, and decode tokens/s. Every 2-D tensor (the tied embedding / LM head and
 * the seven projections per layer) is quantized; the RMSNorm weights stay F32.
 *
 *  - f32, f16, q8_0, q4_0: ggml's formats, by the same quantizers the GGUF exporter writes
 *    (`tinylm/quant.ts`, bit-exact with ggml's reference code);
 *  - NF4: QLoRA's 4-bit NormalFloat (bitsandbytes' layout, blocks of 64, double quantization), `tinylm/nf4.ts`;
 *  - int4 (RTN): round-to-nearest int4, groups of 32, f16 scale + 4-bit zero point;
 *  - int4 (AWQ): the same format after AWQ's activation-aware per-channel scaling, searched on
 *    calibration stories (the generator's training seed) and folded into the RMSNorm weights
 *    (q/k/v, gate/up) and into up_proj's rows (down_proj). o_proj stays plain RTN: with grouped-
 *    query attention its input channels come from a shared V head, so no exact fold exists.
 *
 * The model runs the dequantized weights in float32 (fake quantization): sizes and accuracy are
 * those of the format, but decode speed is the F32 engine's — our kernels do not read packed
 * 4-bit blocks (llama.cpp's do, which is where its memory-bandwidth speedup comes from).
 */
import type { TinyLMWeights } from '../tinylm/contract';
import { TinyLM, weightShapes, layerNames } from '../tinylm/model';
import type { Tokenizer } from '../tokenizer';
import { TinyLMSession } from '../tinylm/session';
import { CORPUS_SEEDS, makeStories, storiesToTokens } from '../tinylm/corpus';
import { fakeQuantize, quantizedSize, type QuantType } from '../tinylm/quant';
import { tensorStorageType } from '../tinylm/gguf';
import { dequantizeNF4, nf4BitsPerParam, quantizeNF4 } from '../tinylm/nf4';
import { generateIds } from '../tinylm/eval';
import { awqSearch, awqSearchBlock, channelMeanAbs, int4Bytes, int4BitsPerWeight, quantizeScaled, rtnInt4 } from './awq';
import { Tensor } from '../tinylm/tensor';
import { attention, linear, rope, swiglu } from '../tinylm/ops';
import { argmaxOf } from './speculative';

export type QuantVariant = QuantType | 'nf4' | 'int4-rtn' | 'int4-awq';
export const QUANT_VARIANTS: QuantVariant[] = ['f32', 'f16', 'q8_0', 'q4_0', 'nf4', 'int4-rtn', 'int4-awq'];
export const VARIANT_LABEL: Record<QuantVariant, string> = {
  f32: 'F32', f16: 'F16', q8_0: 'Q8_0', q4_0: 'Q4_0', nf4: 'NF4 (QLoRA)', 'int4-rtn': 'int4 RTN g32', 'int4-awq': 'int4 AWQ g32',
};
const GROUP = 32;
const EMBED = 'model.embed_tokens.weight';
/** Calibration: sequences of CALIB_T tokens, CALIB_ROWS tokens in all (enough for stable channel statistics, cheap to search). */
const CALIB_T = 128;
const CALIB_ROWS = 3 * CALIB_T;

/** x · diag(s)⁻¹ for rows of width K. */
function divCols(x: Float32Array, K: number, s: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] / s[i % K];
  return out;
}

export interface QuantRequest {
  variants: QuantVariant[];
  /** Held-out stories for perplexity (validation seed). */
  evalStories: number;
  /** Calibration stories for AWQ (training seed). */
  calibStories: number;
  /** Prompts for greedy agreement (first sentences of held-out stories) and tokens per prompt. */
  prompts: number;
  greedyTokens: number;
}

export const DEFAULT_QUANT_REQUEST: QuantRequest = { variants: QUANT_VARIANTS, evalStories: 40, calibStories: 8, prompts: 8, greedyTokens: 32 };

export interface QuantRow {
  variant: QuantVariant;
  label: string;
  /** Bytes of every tensor as stored (norms F32). */
  bytes: number;
  /** Bits per weight over the quantized (2-D) tensors. */
  bitsPerWeight: number;
  perplexity: number;
  /** Relative change of perplexity against F32 (0.01 = +1 %). */
  pplIncrease: number;
  /** Mean KL divergence (nats) from F32's next-token distribution over the held-out positions. */
  klToF32: number;
  /** Share of held-out positions whose argmax equals F32's. */
  top1Agreement: number;
  /** Prompts whose greedy continuation is identical to F32's, and their count. */
  greedySame: number;
  greedyTotal: number;
  /** Share of greedy tokens equal to F32's at the same position (up to the first difference and beyond). */
  greedyTokenAgreement: number;
  decodeTokensPerSecond: number;
  /** AWQ only: the α chosen for each scaled group, and the calibration output error vs RTN. */
  awq?: Array<{ layer: number; group: string; alpha: number; rtnError: number; awqError: number }>;
}

interface EvalResult {
  nll: number;
  argmax: Int32Array;
  /** Mean KL(p_ref ‖ p_model) over positions, when reference log-probs were given. */
  kl: number;
  /** Log-probabilities per position [positions, V] (kept for the F32 reference only). */
  logp?: Float32Array;
}

/**
 * Held-out NLL, argmax and (against `ref`) KL divergence per position, in windows of `win` tokens
 * through the KV-cached session (`appendAll` gives every position's logits in one pass).
 */
function evalTokens(model: TinyLM, tokens: Int32Array, ref?: Float32Array, keep = false, win = 128): EvalResult {
  const V = model.config.vocabSize;
  const s = new TinyLMSession(model);
  const top1 = new Int32Array(tokens.length).fill(-1);
  const logp = keep ? new Float32Array(tokens.length * V) : undefined;
  let nll = 0, n = 0, kl = 0;
  for (let start = 0; start + 1 < tokens.length; start += win) {
    const ids = Array.from(tokens.subarray(start, Math.min(tokens.length, start + win + 1)));
    s.truncate(0);
    const logits = s.appendAll(ids.slice(0, -1)); // [T, V]
    for (let t = 0; t + 1 < ids.length; t++) {
      const row = logits.subarray(t * V, (t + 1) * V);
      let mx = -Infinity;
      for (let i = 0; i < V; i++) if (row[i] > mx) mx = row[i];
      let z = 0;
      for (let i = 0; i < V; i++) z += Math.exp(row[i] - mx);
      const lz = Math.log(z) + mx, p = start + t;
      nll += lz - row[ids[t + 1]];
      top1[p] = argmaxOf(row);
      if (logp) for (let i = 0; i < V; i++) logp[p * V + i] = row[i] - lz;
      if (ref) for (let i = 0; i < V; i++) {
        const lr = ref[p * V + i];
        kl += Math.exp(lr) * (lr - (row[i] - lz));
      }
      n++;
    }
  }
  return { nll: nll / n, argmax: top1, kl: ref ? kl / n : 0, logp };
}

/** Inputs of each linear layer on calibration tokens, captured through the forward's adapter hook. */
function captureInputs(model: TinyLM, tokens: Int32Array, T: number): Map<string, { x: Float32Array; rows: number }> {
  const B = Math.floor(tokens.length / T);
  const ids = tokens.subarray(0, B * T);
  const names = weightShapes(model.config).filter(([, s]) => s.length === 2).map(([n]) => n);
  const inputs = new Map<string, { x: Float32Array; rows: number }>();
  const adapters = Object.fromEntries(names.map((n) => [n, (x: Tensor, y: Tensor) => {
    const rows = Math.min(B * T, CALIB_ROWS);
    inputs.set(n, { x: x.data.slice(0, rows * x.shape[x.shape.length - 1]), rows }); // x [B·T, K], first rows
    return y;
  }]));
  model.forward(ids, B, T, { noGrad: true, adapters });
  return inputs;
}

/** Weights of `model` quantized as `variant` (dequantized to float32), plus AWQ's search log. */
export function quantizeWeights(model: TinyLM, tok: Tokenizer, variant: QuantVariant, calibStories: number, opts: { round?: boolean } = {}): { weights: TinyLMWeights; awq?: QuantRow['awq'] } {
  const c = model.config;
  const out: TinyLMWeights = new Map();
  for (const [name, t] of model.weights) out.set(name, { shape: [...t.shape], data: t.data.slice() });
  if (variant === 'f32') return { weights: out };
  const twoD = [...out].filter(([, t]) => t.shape.length === 2);
  if (variant === 'nf4') {
    // QLoRA's storage: NF4 blocks of 64 with double-quantized scales; embedding / LM head in F16 as bitsandbytes leaves it.
    for (const [name, t] of twoD) t.data = name === EMBED ? fakeQuantize('f16', t.data) : dequantizeNF4(quantizeNF4(t.data, { doubleQuant: true }));
    return { weights: out };
  }
  if (variant !== 'int4-rtn' && variant !== 'int4-awq') {
    for (const [, t] of twoD) t.data = fakeQuantize(tensorStorageType(t.shape, variant as QuantType), t.data);
    return { weights: out };
  }
  const log: NonNullable<QuantRow['awq']> = [];
  if (variant === 'int4-awq') {
    const calib = storiesToTokens(tok, makeStories(calibStories, CORPUS_SEEDS.trainStories)).tokens;
    const X = captureInputs(model, calib, CALIB_T);
    const D = c.dim, F = c.ffnDim;
    const w = (n: string) => out.get(n)!.data;
    const scaleCols = (m: Float32Array, K: number, s: Float32Array) => { for (let i = 0; i < m.length; i++) m[i] *= s[i % K]; };
    for (let l = 0; l < c.nLayers; l++) {
      const n = layerNames(l);
      // down_proj: input = silu(gate)·up; scale its columns, divide up_proj's rows (exact: up enters linearly).
      const xd = X.get(n.down)!;
      const sd = awqSearch([{ w: w(n.down), rows: D }], xd.x, xd.rows, F, GROUP);
      scaleCols(w(n.down), F, sd.scales);
      const up = w(n.up);
      for (let r = 0; r < F; r++) for (let j = 0; j < D; j++) up[r * D + j] /= sd.scales[r];
      log.push({ layer: l, group: 'down', alpha: sd.alpha, rtnError: sd.rtnError, awqError: sd.bestError });
      // gate/up share the post-attention RMSNorm output; α minimises the error of the whole
      // feed-forward block's output (down_proj in full precision); 1/s folds into that norm's weight.
      const h2 = X.get(n.gate)!;
      const ffn = (hIn: Float32Array, gate: Float32Array, upW: Float32Array) => {
        const x = new Tensor(hIn, [h2.rows, D]);
        return linear(swiglu(linear(x, new Tensor(gate, [F, D])), linear(x, new Tensor(upW, [F, D]))), new Tensor(w(n.down), [D, F])).data;
      };
      const sm = awqSearchBlock(channelMeanAbs(h2.x, h2.rows, D),
        (s) => ffn(divCols(h2.x, D, s), quantizeScaled(w(n.gate), F, D, s, GROUP), quantizeScaled(up, F, D, s, GROUP)),
        ffn(h2.x, w(n.gate), up));
      scaleCols(w(n.gate), D, sm.scales);
      scaleCols(up, D, sm.scales);
      const post = w(n.postNorm);
      for (let j = 0; j < D; j++) post[j] /= sm.scales[j];
      log.push({ layer: l, group: 'gate/up', alpha: sm.alpha, rtnError: sm.rtnError, awqError: sm.bestError });
      // q/k/v share the input RMSNorm output; α minimises the error of the attention block's output
      // (rotary embeddings, causal attention over each calibration sequence, o_proj in full precision).
      const h = X.get(n.q)!;
      const Ckv = c.nKvHeads * (D / c.nHeads);
      const attn = (hIn: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array) => {
        const x = new Tensor(hIn, [h.rows / CALIB_T, CALIB_T, D]);
        const qq = rope(linear(x, new Tensor(q, [D, D])), c.nHeads, c.ropeTheta);
        const kk = rope(linear(x, new Tensor(k, [Ckv, D])), c.nKvHeads, c.ropeTheta);
        const a = attention(qq, kk, linear(x, new Tensor(v, [Ckv, D])), { nHeads: c.nHeads, nKvHeads: c.nKvHeads });
        return linear(a, new Tensor(w(n.o), [D, D])).data;
      };
      const sa = awqSearchBlock(channelMeanAbs(h.x, h.rows, D),
        (s) => attn(divCols(h.x, D, s), quantizeScaled(w(n.q), D, D, s, GROUP), quantizeScaled(w(n.k), Ckv, D, s, GROUP), quantizeScaled(w(n.v), Ckv, D, s, GROUP)),
        attn(h.x, w(n.q), w(n.k), w(n.v)));
      for (const m of [n.q, n.k, n.v]) scaleCols(w(m), D, sa.scales);
      const inn = w(n.inNorm);
      for (let j = 0; j < D; j++) inn[j] /= sa.scales[j];
      log.push({ layer: l, group: 'q/k/v', alpha: sa.alpha, rtnError: sa.rtnError, awqError: sa.bestError });
    }
  }
  // Like AutoAWQ and GPTQ, the int4 formats quantize the linear layers and keep the (tied)
  // embedding / LM head in F16; 4-bit rounding of the LM head alone costs more than all the rest.
  // (`round: false` keeps the scaled weights unrounded: the folded model must compute the same function.)
  if (opts.round === false) return { weights: out, awq: log };
  for (const [name, t] of twoD) t.data = name === EMBED ? fakeQuantize('f16', t.data) : rtnInt4(t.data, t.shape[0], t.shape[1], GROUP);
  return { weights: out, awq: variant === 'int4-awq' ? log : undefined };
}

/** Stored bytes of `variant` and its bits per quantized weight. */
export function variantSize(model: TinyLM, variant: QuantVariant): { bytes: number; bitsPerWeight: number } {
  let bytes = 0, qBytes = 0, qCount = 0;
  for (const [name, t] of model.weights) {
    const n = t.data.length;
    if (t.shape.length < 2) {
      bytes += 4 * n;
      continue;
    }
    const int4 = variant === 'int4-rtn' || variant === 'int4-awq' || variant === 'nf4';
    const b = !int4 ? quantizedSize(tensorStorageType(t.shape, variant as QuantType), n)
      : name === EMBED ? 2 * n
      : variant === 'nf4' ? (n * nf4BitsPerParam(n, true)) / 8
      : int4Bytes(n, GROUP);
    bytes += b;
    qBytes += b;
    qCount += n;
  }
  return { bytes, bitsPerWeight: (8 * qBytes) / qCount };
}

/** Greedy decode tokens/s after `prompt` (best of 3 runs: the machine may be busy). */
function decodeSpeed(model: TinyLM, prompt: number[], n: number): number {
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const s = new TinyLMSession(model);
    let logits = s.append(prompt);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) logits = s.append([argmaxOf(logits)]);
    best = Math.min(best, performance.now() - t0);
  }
  return n / (best / 1000);
}

/** Measures every requested variant; `onRow` receives each row as soon as it is done. */
export function quantizeModelVariants(model: TinyLM, tok: Tokenizer, req: QuantRequest, onRow?: (row: QuantRow) => void): QuantRow[] {
  const stories = makeStories(req.evalStories, CORPUS_SEEDS.valStories);
  const tokens = storiesToTokens(tok, stories).tokens;
  const prompts = stories.slice(0, req.prompts).map((s) => [0, ...tok.encode(s.split('. ')[0] + '.', { allowedSpecial: [] })]);
  const ref = evalTokens(model, tokens, undefined, true);
  const refGreedy = prompts.map((p) => generateIds(model, p, { maxTokens: req.greedyTokens }));
  const refPpl = Math.exp(ref.nll);
  const rows: QuantRow[] = [];
  for (const variant of req.variants) {
    const { weights, awq } = quantizeWeights(model, tok, variant, req.calibStories);
    const qm = new TinyLM(model.config, weights);
    const e = variant === 'f32' ? ref : evalTokens(qm, tokens, ref.logp);
    let agree = 0, total = 0;
    for (let i = 0; i < e.argmax.length; i++) if (ref.argmax[i] >= 0) {
      total++;
      if (e.argmax[i] === ref.argmax[i]) agree++;
    }
    let same = 0, tokSame = 0, tokTotal = 0;
    prompts.forEach((p, i) => {
      const g = variant === 'f32' ? refGreedy[i] : generateIds(qm, p, { maxTokens: req.greedyTokens });
      if (g.length === refGreedy[i].length && g.every((x, k) => x === refGreedy[i][k])) same++;
      for (let k = 0; k < refGreedy[i].length; k++, tokTotal++) if (g[k] === refGreedy[i][k]) tokSame++;
    });
    const ppl = Math.exp(e.nll);
    const row: QuantRow = {
      variant, label: VARIANT_LABEL[variant], ...variantSize(model, variant),
      perplexity: ppl, pplIncrease: ppl / refPpl - 1, klToF32: e.kl, top1Agreement: agree / total,
      greedySame: same, greedyTotal: prompts.length, greedyTokenAgreement: tokTotal ? tokSame / tokTotal : NaN,
      decodeTokensPerSecond: decodeSpeed(qm, prompts[0] ?? [0], 64), awq,
    };
    rows.push(row);
    onRow?.(row);
  }
  return rows;
}

export { int4BitsPerWeight };
