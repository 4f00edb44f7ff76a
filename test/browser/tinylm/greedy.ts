/**
 * Greedy decoding helpers for comparing TinyLM with llama.cpp (pure: no wllama, runs in Node too).
 */
import type { InferenceSession, TinyLMWeights } from '../../../src/lib/tinylm/contract';
import type { TinyLM } from '../../../src/lib/tinylm/model';
import { tensorStorageType } from '../../../src/lib/tinylm/gguf';
import {
  fakeQuantize, quantize, quantizeActivationQ8_0, quantizedMatVec, unpackBlocks, type QuantType,
} from '../../../src/lib/tinylm/quant';

export interface TokenizerLike {
  vocab: Map<number, Uint8Array>;
  specialTokens: readonly string[];
}

/** Ids the comparison never lets either side pick: specials and tokens that are not whole UTF-8. */
export function bannedIds(tok: TokenizerLike, vocabSize: number): number[] {
  const dec = new TextDecoder('utf-8', { fatal: true });
  const specials = new Set(tok.specialTokens);
  const out: number[] = [];
  for (let id = 0; id < vocabSize; id++) {
    const b = tok.vocab.get(id);
    let ok = !!b;
    if (b) {
      try {
        ok = !specials.has(dec.decode(b));
      } catch {
        ok = false;
      }
    }
    if (!ok) out.push(id);
  }
  return out;
}

function argmaxMasked(logits: Float32Array, banned: Uint8Array): number {
  let best = -1;
  for (let j = 0; j < logits.length; j++) if (!banned[j] && (best < 0 || logits[j] > logits[best])) best = j;
  return best;
}

function mask(vocab: number, banned: number[]): Uint8Array {
  const m = new Uint8Array(vocab);
  for (const id of banned) m[id] = 1;
  return m;
}

/** Our greedy continuation (KV-cached session) of `promptIds`. */
export function oursGreedy(model: TinyLM, promptIds: number[], n: number, banned: number[]): number[] {
  const m = mask(model.config.vocabSize, banned);
  const s: InferenceSession = model.newSession();
  let logits = s.append(promptIds);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = argmaxMasked(logits, m);
    out.push(id);
    if (i < n - 1) logits = s.append([id]);
  }
  return out;
}

/** Teacher forcing along `seq`: the fraction of positions where our argmax is `seq`'s token. */
export function top1Agreement(model: TinyLM, promptIds: number[], seq: number[], banned: number[]): number {
  const m = mask(model.config.vocabSize, banned);
  const s = model.newSession();
  let logits = s.append(promptIds);
  let agree = 0;
  for (let i = 0; i < seq.length; i++) {
    if (argmaxMasked(logits, m) === seq[i]) agree++;
    if (i < seq.length - 1) logits = s.append([seq[i]]);
  }
  return agree / seq.length;
}

/** Length of the common prefix of two id lists. */
export function commonPrefix(a: number[], b: number[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** The weights a GGUF of `type` holds, decoded back to float32 (what llama.cpp computes with). */
export function quantizedWeights(weights: TinyLMWeights, type: QuantType): TinyLMWeights {
  const out: TinyLMWeights = new Map();
  for (const [name, t] of weights) out.set(name, { shape: t.shape, data: fakeQuantize(tensorStorageType(t.shape, type), t.data) });
  return out;
}

/** Our log-softmax over the full vocabulary at each step of `seq` after `promptIds` [len(seq)][V]. */
export function oursLogprobs(model: TinyLM, promptIds: number[], seq: number[]): Float32Array[] {
  const s = model.newSession();
  let logits = s.append(promptIds);
  const out: Float32Array[] = [];
  for (let i = 0; i < seq.length; i++) {
    let m = -Infinity;
    for (const v of logits) m = Math.max(m, v);
    let z = 0;
    for (const v of logits) z += Math.exp(v - m);
    const lz = m + Math.log(z);
    out.push(logits.map((v) => v - lz));
    if (i < seq.length - 1) logits = s.append([seq[i]]);
  }
  return out;
}

/**
 * A slow, plain decoder that computes the way llama.cpp's CPU backend does with a GGUF of `type`:
 * weights as stored, and activations rounded to F16 (F16 weights) or quantized to Q8_0 blocks
 * (Q8_0 / Q4_0 weights, ggml's reference rounding) before each matmul, with integer block dot
 * products. Attention and the KV cache stay in F32, as in the agreement runs. One token per call.
 */
export class GgmlLikeSession {
  private readonly mats = new Map<string, (x: Float32Array) => Float32Array>();
  private readonly k: Float32Array[][] = [];
  private readonly v: Float32Array[][] = [];
  private readonly embed: Float32Array;
  length = 0;

  constructor(private readonly model: TinyLM, type: QuantType) {
    const c = model.config;
    for (const [name, t] of model.weights) {
      if (t.shape.length !== 2) continue;
      const [N, K] = t.shape;
      const st = tensorStorageType(t.shape, type);
      if (st === 'q8_0' || st === 'q4_0') {
        const w = unpackBlocks(st, quantize(st, t.data), t.data.length);
        this.mats.set(name, (x) => {
          const y = new Float32Array(N);
          quantizedMatVec(w, quantizeActivationQ8_0(x), N, K, y);
          return y;
        });
      } else {
        const w = fakeQuantize(st, t.data);
        this.mats.set(name, (x) => {
          const xr = st === 'f16' ? fakeQuantize('f16', x) : x;
          const y = new Float32Array(N);
          for (let n = 0; n < N; n++) {
            let s = 0;
            for (let j = 0; j < K; j++) s += w[n * K + j] * xr[j];
            y[n] = s;
          }
          return y;
        });
      }
    }
    const e = model.weights.get('model.embed_tokens.weight')!;
    this.embed = fakeQuantize(tensorStorageType(e.shape, type), e.data);
    for (let l = 0; l < c.nLayers; l++) (this.k.push([]), this.v.push([]));
  }

  private rms(x: Float32Array, w: Float32Array): Float32Array {
    let ss = 0;
    for (const v of x) ss += v * v;
    const r = 1 / Math.sqrt(ss / x.length + this.model.config.normEps);
    return x.map((v, i) => v * r * w[i]);
  }

  private rope(x: Float32Array, heads: number, hd: number, pos: number): void {
    const half = hd / 2;
    for (let h = 0; h < heads; h++)
      for (let i = 0; i < half; i++) {
        const a = pos * Math.pow(this.model.config.ropeTheta, (-2 * i) / hd);
        const x0 = x[h * hd + i], x1 = x[h * hd + i + half];
        x[h * hd + i] = x0 * Math.cos(a) - x1 * Math.sin(a);
        x[h * hd + i + half] = x1 * Math.cos(a) + x0 * Math.sin(a);
      }
  }

  /** Appends one token; returns its logits [V]. */
  step(id: number): Float32Array {
    const c = this.model.config, D = c.dim, hd = D / c.nHeads, rep = c.nHeads / c.nKvHeads;
    const W = (n: string) => this.model.weights.get(n)!.data;
    const pos = this.length++;
    let x = this.embed.slice(id * D, id * D + D);
    for (let l = 0; l < c.nLayers; l++) {
      const p = `model.layers.${l}`;
      const h = this.rms(x, W(`${p}.input_layernorm.weight`));
      const q = this.mats.get(`${p}.self_attn.q_proj.weight`)!(h);
      const k = this.mats.get(`${p}.self_attn.k_proj.weight`)!(h);
      const v = this.mats.get(`${p}.self_attn.v_proj.weight`)!(h);
      this.rope(q, c.nHeads, hd, pos);
      this.rope(k, c.nKvHeads, hd, pos);
      this.k[l].push(k);
      this.v[l].push(v);
      const att = new Float32Array(D);
      for (let hh = 0; hh < c.nHeads; hh++) {
        const kv = Math.floor(hh / rep);
        const s = this.k[l].map((kt) => {
          let d = 0;
          for (let j = 0; j < hd; j++) d += q[hh * hd + j] * kt[kv * hd + j];
          return d / Math.sqrt(hd);
        });
        const m = Math.max(...s);
        const e = s.map((v) => Math.exp(v - m));
        const z = e.reduce((a, b) => a + b, 0);
        e.forEach((pt, t) => {
          for (let j = 0; j < hd; j++) att[hh * hd + j] += (pt / z) * this.v[l][t][kv * hd + j];
        });
      }
      const o = this.mats.get(`${p}.self_attn.o_proj.weight`)!(att);
      x = x.map((v, i) => v + o[i]);
      const h2 = this.rms(x, W(`${p}.post_attention_layernorm.weight`));
      const g = this.mats.get(`${p}.mlp.gate_proj.weight`)!(h2);
      const u = this.mats.get(`${p}.mlp.up_proj.weight`)!(h2);
      const a = g.map((gv, i) => (gv / (1 + Math.exp(-gv))) * u[i]);
      const down = this.mats.get(`${p}.mlp.down_proj.weight`)!(a);
      x = x.map((v, i) => v + down[i]);
    }
    const xf = this.rms(x, W('model.norm.weight'));
    return this.mats.get(c.tieEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight')!(xf);
  }
}

/** Teacher forcing with the llama.cpp-like decoder: fraction of positions whose argmax is `seq`'s. */
export function ggmlLikeAgreement(model: TinyLM, type: QuantType, promptIds: number[], seq: number[], banned: number[]): { top1: number; prefix: number } {
  const m = mask(model.config.vocabSize, banned);
  const s = new GgmlLikeSession(model, type);
  let logits: Float32Array = new Float32Array(0);
  for (const id of promptIds) logits = s.step(id);
  let agree = 0, prefix = -1;
  for (let i = 0; i < seq.length; i++) {
    if (argmaxMasked(logits, m) === seq[i]) agree++;
    else if (prefix < 0) prefix = i;
    if (i < seq.length - 1) logits = s.step(seq[i]);
  }
  return { top1: agree / seq.length, prefix: prefix < 0 ? seq.length : prefix };
}
