/**
 * TinyLM under several weight formats, measured: stored bytes, bits per weight (of the format,
 * and of the whole file), held-out perplexity, KL and top-1/greedy agreement with F32, and decode
 * tokens/s. Each model is measured and calibrated on text in the format it was trained on
 * (`QuantText`): tinylm-base on generated stories, tinylm-chat on ChatML conversations scored on
 * the assistant's reply — validation seeds for the measurement, training seeds for calibration.
 * Every 2-D tensor (the tied embedding / LM head and the seven projections per layer) is
 * quantized; the RMSNorm weights stay F32.
 *
 *  - f32, f16, q8_0, q4_0: ggml's formats, by the same quantizers the GGUF exporter writes
 *    (`tinylm/quant.ts`, bit-exact with ggml's reference code);
 *  - Q4_0 AWQ: AWQ's scales and clips searched with Q4_0 as the format, folded in, then Q4_0 —
 *    exactly the AWQ GGUF file `quantGguf` writes (the tied embedding / LM head has no fold);
 *  - NF4: QLoRA's 4-bit NormalFloat (bitsandbytes' layout, blocks of 64, double quantization), `tinylm/nf4.ts`;
 *  - int4 (RTN): round-to-nearest int4, groups of 32, f16 scale + 4-bit zero point;
 *  - int4 (AWQ): the same format after AWQ's activation-aware per-channel scaling, searched on
 *    calibration text (α per layer group, AutoAWQ's duo scales, loss on the block's output) and folded into the RMSNorm
 *    weights (q/k/v, gate/up) and into up_proj's rows (down_proj), then AWQ's weight-clipping
 *    search (v, o, gate, up, down). o_proj gets no scales: with grouped-query attention its input
 *    channels come from a shared V head, so no exact fold exists (AutoAWQ skips it too).
 *
 * The model runs the dequantized weights in float32 (fake quantization): sizes and accuracy are
 * those of the format, but decode speed is the F32 engine's — our kernels do not read packed
 * 4-bit blocks (llama.cpp's do, which is where its memory-bandwidth speedup comes from).
 */
import type { TinyLMWeights } from '../tinylm/contract';
import { TinyLM, weightShapes, layerNames } from '../tinylm/model';
import type { Tokenizer } from '../tokenizer';
import { TinyLMSession } from '../tinylm/session';
import { CORPUS_SEEDS, chatToTokens, makeInstruct, makeStories, promptIds, replyIds, storiesToTokens } from '../tinylm/corpus';
import { fakeQuantize, quantizedSize, type QuantType } from '../tinylm/quant';
import { exportGGUF, readsTextAfterEndOfText, tensorStorageType } from '../tinylm/gguf';
import { dequantizeNF4, nf4BitsPerParam, quantizeNF4 } from '../tinylm/nf4';
import { generateIds } from '../tinylm/eval';
import { awqClip, awqSearch, awqSearchBlock, weightMeanNormalized, channelMeanAbs, int4Bytes, int4BitsPerWeight, quantizeScaled, rtnInt4, type WeightQuantizer } from './awq';
import { Tensor } from '../tinylm/tensor';
import { attention, linear, rope, swiglu } from '../tinylm/ops';
import { argmaxOf } from './speculative';

export type QuantVariant = QuantType | 'q4_0-awq' | 'nf4' | 'int4-rtn' | 'int4-awq';
export const QUANT_VARIANTS: QuantVariant[] = ['f32', 'f16', 'q8_0', 'q4_0', 'q4_0-awq', 'nf4', 'int4-rtn', 'int4-awq'];
export const VARIANT_LABEL: Record<QuantVariant, string> = {
  f32: 'F32', f16: 'F16', q8_0: 'Q8_0', q4_0: 'Q4_0', 'q4_0-awq': 'Q4_0 AWQ', nf4: 'NF4 (QLoRA)', 'int4-rtn': 'int4 RTN g32', 'int4-awq': 'int4 AWQ g32',
};
const GROUP = 32;
const EMBED = 'model.embed_tokens.weight';
/** Calibration: sequences of CALIB_T tokens, CALIB_ROWS tokens in all (enough for stable channel statistics, cheap to search). */
const CALIB_T = 128;
const CALIB_ROWS = 6 * CALIB_T;

/** x · diag(s)⁻¹ for rows of width K. */
function divCols(x: Float32Array, K: number, s: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] / s[i % K];
  return out;
}

/**
 * The text a model is measured and calibrated on, in the format it was trained on: stories for
 * tinylm-base; ChatML conversations (context QA, JSON, tool calls, chat) for tinylm-chat, scored on
 * the assistant's reply tokens only (the tokens it was trained to produce).
 */
export type QuantText = 'stories' | 'chat';

/** The text format a shipped model was trained on. */
export function textFor(modelId: string): QuantText {
  return modelId.includes('chat') ? 'chat' : 'stories';
}

export interface QuantRequest {
  variants: QuantVariant[];
  text: QuantText;
  /** Held-out items (stories or chat examples, validation seeds) for perplexity. */
  evalItems: number;
  /** Calibration items for AWQ (training seeds: stories, or chat examples). */
  calibItems: number;
  /** Prompts for greedy agreement (story openings or chat prompts) and tokens per prompt. */
  prompts: number;
  greedyTokens: number;
}

export const DEFAULT_QUANT_REQUEST: QuantRequest = { variants: QUANT_VARIANTS, text: 'stories', evalItems: 100, calibItems: 16, prompts: 8, greedyTokens: 32 };

export interface QuantRow {
  variant: QuantVariant;
  label: string;
  /** Bytes of every tensor as stored (norms F32; the int4/NF4 formats keep the embedding in F16). */
  bytes: number;
  /** Bits per weight of the format itself, over the matrices stored in it (4.5 for Q4_0). */
  bitsPerWeight: number;
  /** Whole model: 8 · bytes / all parameters (embedding and norms included). */
  fileBitsPerWeight: number;
  /** Parameters stored in the format (`bitsPerWeight`), out of all. */
  formatParams: number;
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
  /** AWQ only: the same model after the scale search alone (before the clipping search). */
  awqScalesOnly?: { perplexity: number; pplIncrease: number; klToF32: number };
  /** AWQ only: the α chosen for each scaled group, and the calibration output error vs RTN. */
  awq?: Array<{ layer: number; group: string; alpha: number | null; rtnError: number; awqError: number }>;
}

interface EvalResult {
  nll: number;
  argmax: Int32Array;
  /** Mean KL(p_ref ‖ p_model) over positions, when reference log-probs were given. */
  kl: number;
  /** Log-probabilities per position [positions, V] (kept for the F32 reference only). */
  logp?: Float32Array;
}

/** One scored sequence: positions t ≥ `from` predict ids[t + 1]. */
interface EvalSeq {
  ids: number[];
  from: number;
}

/** Held-out sequences, greedy prompts and calibration tokens for a text format. */
export function quantTexts(tok: Tokenizer, req: Pick<QuantRequest, 'text' | 'evalItems' | 'calibItems' | 'prompts'>, win = 128, maxLen = 256): { seqs: EvalSeq[]; prompts: number[][]; calib: Int32Array } {
  if (req.text === 'chat') {
    // Whole conversations (prompt + reply), scored on the reply; prompts are the held-out prompts.
    // (A conversation longer than the context window would not fit a session: left out.)
    const held = makeInstruct(req.evalItems, CORPUS_SEEDS.valInstruct);
    const seqs = held.map((ex) => {
      const p = promptIds(tok, ex);
      return { ids: [...p, ...replyIds(tok, ex)], from: p.length - 1 };
    }).filter((q) => q.ids.length <= maxLen);
    const calib = chatToTokens(tok, makeInstruct(req.calibItems, CORPUS_SEEDS.trainInstruct)).tokens;
    return { seqs, prompts: held.slice(0, req.prompts).map((ex) => promptIds(tok, ex)), calib };
  }
  const stories = makeStories(req.evalItems, CORPUS_SEEDS.valStories);
  const tokens = Array.from(storiesToTokens(tok, stories).tokens);
  const seqs: EvalSeq[] = [];
  for (let start = 0; start + 1 < tokens.length; start += win) seqs.push({ ids: tokens.slice(start, start + win + 1), from: 0 });
  const prompts = stories.slice(0, req.prompts).map((s) => [0, ...tok.encode(s.split('. ')[0] + '.', { allowedSpecial: [] })]);
  const calib = storiesToTokens(tok, makeStories(req.calibItems, CORPUS_SEEDS.trainStories)).tokens;
  return { seqs, prompts, calib };
}

/**
 * Held-out NLL, argmax and (against `ref`) KL divergence per scored position, one sequence at a
 * time through the KV-cached session (`appendAll` gives every position's logits in one pass).
 */
function evalTokens(model: TinyLM, seqs: EvalSeq[], ref?: Float32Array, keep = false): EvalResult {
  const V = model.config.vocabSize;
  const s = new TinyLMSession(model);
  const scored = seqs.reduce((a, q) => a + q.ids.length - 1 - q.from, 0);
  const top1 = new Int32Array(scored).fill(-1);
  const logp = keep ? new Float32Array(scored * V) : undefined;
  let nll = 0, n = 0, kl = 0;
  for (const { ids, from } of seqs) {
    s.truncate(0);
    const logits = s.appendAll(ids.slice(0, -1)); // [T, V]
    for (let t = from; t + 1 < ids.length; t++) {
      const row = logits.subarray(t * V, (t + 1) * V);
      let mx = -Infinity;
      for (let i = 0; i < V; i++) if (row[i] > mx) mx = row[i];
      let z = 0;
      for (let i = 0; i < V; i++) z += Math.exp(row[i] - mx);
      const lz = Math.log(z) + mx, p = n;
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
export function quantizeWeights(model: TinyLM, calib: Int32Array, variant: QuantVariant, opts: { round?: boolean; clip?: boolean; target?: 'int4' | 'q4_0' } = {}): { weights: TinyLMWeights; awq?: QuantRow['awq']; scalesOnly?: TinyLMWeights } {
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
  if (variant === 'q4_0-awq') {
    // The AWQ GGUF file: scales and clips searched with Q4_0 itself, then every matrix in Q4_0 as the file stores it.
    const r = quantizeWeights(model, calib, 'int4-awq', { round: false, clip: opts.clip ?? true, target: 'q4_0' });
    if (opts.round === false) return r;
    for (const t of r.weights.values()) if (t.shape.length === 2) t.data = fakeQuantize(tensorStorageType(t.shape, 'q4_0'), t.data);
    return { weights: r.weights, awq: r.awq };
  }
  if (variant !== 'int4-rtn' && variant !== 'int4-awq') {
    for (const [, t] of twoD) t.data = fakeQuantize(tensorStorageType(t.shape, variant as QuantType), t.data);
    return { weights: out };
  }
  const log: NonNullable<QuantRow['awq']> = [];
  const clips: Array<Array<[string, number, number, Float32Array]>> = [];
  let scalesOnly: TinyLMWeights | undefined;
  if (variant === 'int4-awq') {
    if (calib.length < CALIB_ROWS) throw new Error(`AWQ needs ${CALIB_ROWS} calibration tokens, got ${calib.length}: give more calibration items`);
    const X = captureInputs(model, calib, CALIB_T);
    const D = c.dim, F = c.ffnDim;
    const w = (n: string) => out.get(n)!.data;
    // The format the search rounds with: int4 g32 (this variant), or ggml's Q4_0 for an AWQ GGUF file.
    const qz: WeightQuantizer | undefined = opts.target === 'q4_0' ? (m) => fakeQuantize('q4_0', m) : undefined;
    const scaleCols = (m: Float32Array, K: number, s: Float32Array) => { for (let i = 0; i < m.length; i++) m[i] *= s[i % K]; };
    for (let l = 0; l < c.nLayers; l++) {
      const n = layerNames(l);
      // down_proj: input = silu(gate)·up; scale its columns, divide up_proj's rows (exact: up enters linearly).
      const xd = X.get(n.down)!;
      const sd = awqSearch([{ w: w(n.down), rows: D }], xd.x, xd.rows, F, GROUP, 20, true, qz);
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
        (s) => ffn(divCols(h2.x, D, s), quantizeScaled(w(n.gate), F, D, s, GROUP, qz), quantizeScaled(up, F, D, s, GROUP, qz)),
        ffn(h2.x, w(n.gate), up), 20, weightMeanNormalized([{ w: w(n.gate), rows: F }, { w: up, rows: F }], D, GROUP));
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
        (s) => attn(divCols(h.x, D, s), quantizeScaled(w(n.q), D, D, s, GROUP, qz), quantizeScaled(w(n.k), Ckv, D, s, GROUP, qz), quantizeScaled(w(n.v), Ckv, D, s, GROUP, qz)),
        attn(h.x, w(n.q), w(n.k), w(n.v)), 20, weightMeanNormalized([{ w: w(n.q), rows: D }, { w: w(n.k), rows: Ckv }, { w: w(n.v), rows: Ckv }], D, GROUP));
      for (const m of [n.q, n.k, n.v]) scaleCols(w(m), D, sa.scales);
      const inn = w(n.inNorm);
      for (let j = 0; j < D; j++) inn[j] /= sa.scales[j];
      log.push({ layer: l, group: 'q/k/v', alpha: sa.alpha, rtnError: sa.rtnError, awqError: sa.bestError });
      // AWQ's second step (auto_clip): per output row and group, shrink the range [−m, m] the
      // group's weights may span (m = max|w| · (1 − i/20), i < 10) when that lowers the group's
      // partial output error on the calibration inputs (of the scaled layer: X·diag(s)⁻¹).
      // q/k are not clipped (as in llm-awq and AutoAWQ: their errors are amplified by the softmax).
      // (Run after every layer is scaled, so that the scales-only weights can be kept for comparison.)
      const hs = divCols(h.x, D, sa.scales), h2s = divCols(h2.x, D, sm.scales);
      clips.push([[n.v, Ckv, D, hs], [n.o, D, D, X.get(n.o)!.x], [n.gate, F, D, h2s], [n.up, F, D, h2s], [n.down, D, F, divCols(xd.x, F, sd.scales)]]);
    }
    // Clipping changes the function, so `round: false` (the exact-fold check) skips it unless asked.
    if (opts.clip ?? opts.round !== false) {
      if (opts.round !== false) scalesOnly = new Map([...out].map(([name, t]) => [name, { shape: t.shape, data: t.data.slice() }]));
      for (const layer of clips) for (const [m, rows, K, x] of layer) awqClip(w(m), rows, K, x, x.length / K, GROUP, 20, 0.5, 512, qz);
    }
  }
  // Like AutoAWQ and GPTQ, the int4 formats quantize the linear layers and keep the (tied)
  // embedding / LM head in F16; 4-bit rounding of the LM head alone costs more than all the rest.
  // (`round: false` keeps the scaled weights unrounded: the folded model must compute the same function.)
  if (opts.round === false) return { weights: out, awq: log };
  const round = (ws: TinyLMWeights) => {
    for (const [name, t] of ws) if (t.shape.length === 2) t.data = name === EMBED ? fakeQuantize('f16', t.data) : rtnInt4(t.data, t.shape[0], t.shape[1], GROUP);
    return ws;
  };
  return { weights: round(out), awq: variant === 'int4-awq' ? log : undefined, scalesOnly: scalesOnly && round(scalesOnly) };
}

/**
 * Stored bytes of `variant` (whole model), the bits per weight of the format over the matrices
 * stored in it, and the whole-model bits per parameter. The two differ because the norms stay F32
 * and the 4-bit formats (NF4, int4 RTN/AWQ) keep the tied embedding / LM head in F16.
 */
export function variantSize(model: TinyLM, variant: QuantVariant): { bytes: number; bitsPerWeight: number; fileBitsPerWeight: number; formatParams: number } {
  let bytes = 0, qBytes = 0, qCount = 0, all = 0;
  for (const [name, t] of model.weights) {
    const n = t.data.length;
    all += n;
    if (t.shape.length < 2) {
      bytes += 4 * n;
      continue;
    }
    const int4 = variant === 'int4-rtn' || variant === 'int4-awq' || variant === 'nf4';
    if (int4 && name === EMBED) {
      bytes += 2 * n;
      continue;
    }
    const ggml: QuantType = variant === 'q4_0-awq' ? 'q4_0' : (variant as QuantType);
    const b = !int4 ? quantizedSize(tensorStorageType(t.shape, ggml), n)
      : variant === 'nf4' ? (n * nf4BitsPerParam(n, true)) / 8
      : int4Bytes(n, GROUP);
    bytes += b;
    qBytes += b;
    qCount += n;
  }
  return { bytes, bitsPerWeight: (8 * qBytes) / qCount, fileBitsPerWeight: (8 * bytes) / all, formatParams: qCount };
}

/**
 * The formats a GGUF file holds, and the nearest GGUF type for those it does not: int4 with a
 * zero point per group of 32 is Q4_1's layout (f16 scale + f16 minimum, 5.0 bits; ours stores a
 * 4-bit zero instead, 4.625); NF4's 16-value code book is IQ4_NL's idea (a fixed non-uniform
 * 4-bit grid, blocks of 32 with an f16 scale, 4.5 bits).
 */
export type GgufVariant = 'f32' | 'f16' | 'q8_0' | 'q4_0' | 'q4_0-awq';
export const GGUF_VARIANTS: GgufVariant[] = ['f32', 'f16', 'q8_0', 'q4_0', 'q4_0-awq'];
export const NEAREST_GGUF: Partial<Record<QuantVariant, string>> = { nf4: 'IQ4_NL', 'int4-rtn': 'Q4_1' };

/**
 * `model` as a GGUF file of `variant`. For AWQ ('q4_0-awq') the scales and clips are searched with
 * Q4_0 as the format (calibrated on the model's own text format), folded into the weights, and the
 * result is written as ordinary Q4_0 — how llama.cpp uses AWQ. Its row in the table measures this file.
 */
export function quantGguf(model: TinyLM, tok: Tokenizer, modelId: string, variant: GgufVariant): Uint8Array {
  const name = modelId;
  const addBos = readsTextAfterEndOfText(modelId);
  if (variant !== 'q4_0-awq') return exportGGUF(model.config, model.weights, tok, variant, name, addBos);
  const { calib } = quantTexts(tok, { ...DEFAULT_QUANT_REQUEST, text: textFor(modelId) });
  const { weights } = quantizeWeights(model, calib, 'q4_0-awq', { round: false });
  return exportGGUF(model.config, weights, tok, 'q4_0', `${name}-awq`, addBos);
}

/** Greedy decode tokens/s after `prompt` (best of 5 runs: the machine may be busy). */
function decodeSpeed(model: TinyLM, prompt: number[], want: number): number {
  const n = Math.max(1, Math.min(want, model.config.maxSeqLen - prompt.length - 1)); // stay inside the window
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
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
  const { seqs, prompts, calib } = quantTexts(tok, req, 128, model.config.maxSeqLen);
  const ref = evalTokens(model, seqs, undefined, true);
  const stop = req.text === 'chat' ? [0, 2] : [0];
  const refGreedy = prompts.map((p) => generateIds(model, p, { maxTokens: req.greedyTokens, stopIds: stop }));
  const refPpl = Math.exp(ref.nll);
  const rows: QuantRow[] = [];
  for (const variant of req.variants) {
    const { weights, awq, scalesOnly } = quantizeWeights(model, calib, variant);
    const qm = new TinyLM(model.config, weights);
    const e = variant === 'f32' ? ref : evalTokens(qm, seqs, ref.logp);
    let agree = 0, total = 0;
    for (let i = 0; i < e.argmax.length; i++) if (ref.argmax[i] >= 0) {
      total++;
      if (e.argmax[i] === ref.argmax[i]) agree++;
    }
    let same = 0, tokSame = 0, tokTotal = 0;
    prompts.forEach((p, i) => {
      const g = variant === 'f32' ? refGreedy[i] : generateIds(qm, p, { maxTokens: req.greedyTokens, stopIds: stop });
      if (g.length === refGreedy[i].length && g.every((x, k) => x === refGreedy[i][k])) same++;
      const len = Math.max(g.length, refGreedy[i].length); // a reply that stops early or runs on differs there
      for (let k = 0; k < len; k++, tokTotal++) if (g[k] === refGreedy[i][k]) tokSame++;
    });
    const ppl = Math.exp(e.nll);
    const row: QuantRow = {
      variant, label: VARIANT_LABEL[variant], ...variantSize(model, variant),
      perplexity: ppl, pplIncrease: ppl / refPpl - 1, klToF32: e.kl, top1Agreement: agree / total,
      greedySame: same, greedyTotal: prompts.length, greedyTokenAgreement: tokTotal ? tokSame / tokTotal : NaN,
      decodeTokensPerSecond: decodeSpeed(qm, prompts[0] ?? [0], 128), awq,
    };
    if (scalesOnly) {
      const so = evalTokens(new TinyLM(model.config, scalesOnly), seqs, ref.logp);
      row.awqScalesOnly = { perplexity: Math.exp(so.nll), pplIncrease: Math.exp(so.nll) / refPpl - 1, klToF32: so.kl };
    }
    rows.push(row);
    onRow?.(row);
  }
  return rows;
}

export { int4BitsPerWeight };
