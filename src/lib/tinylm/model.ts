/**
 * TinyLM: a llama-style decoder (token embedding → N × [RMSNorm → causal GQA attention with
 * rotate-half RoPE → residual → RMSNorm → SwiGLU FFN → residual] → RMSNorm → LM head).
 *
 * Two paths over the same weights (the Float32Arrays are shared, so training updates inference):
 *  - `forward()`: batched autograd forward for training [B, T] → logits [B, T, V]; it also serves
 *    the inspection hook (`inspect()`: attention maps, residual-stream norms, ablations).
 *  - `newSession()`: the fast inference path with a KV cache (`session.ts`), implementing the
 *    contract's `InferenceSession`.
 * Shapes: B batch, T sequence, D = dim, H heads, Hkv kv heads, hd = D/H, F = ffnDim, V = vocab.
 */
import type { InferenceSession, LogitsModel, TinyLMConfig, TinyLMTensor, TinyLMWeights } from './contract';
import { Tensor, add } from './tensor';
import { attention, crossEntropy, embedding, linear, rmsnorm, rope, swiglu } from './ops';
import { RNG } from './rng';
import { TinyLMSession } from './session';
import { layerNames } from './names';

export { layerNames };

/** Which parts of the network to switch off (for the attention/architecture lesson). */
export interface Ablation {
  /** [layer, head] pairs whose attention output is zeroed. */
  heads?: Array<[number, number]>;
  /** Layers whose whole attention block adds nothing to the residual stream. */
  attention?: number[];
  /** Layers whose feed-forward block adds nothing to the residual stream. */
  ffn?: number[];
  /** Layers whose two pre-norms are replaced by the identity. */
  norms?: number[];
  /** Layers where the residual connection is cut: x ← block(x) instead of x + block(x). */
  residual?: number[];
  /** Replace the final norm by the identity. */
  finalNorm?: boolean;
}

/** What `forward` records when a trace object is passed (batch element 0 only). */
export interface ForwardTrace {
  /** Attention probabilities per layer, each [H, T, T] (row = query position). */
  attention: Float32Array[];
  /** Residual-stream L2 norm per position [T] after each step, labelled e.g. "L0 attn". */
  residual: { label: string; norms: Float32Array }[];
}

/** Options of the training/inspection forward. */
export interface ForwardOptions {
  /** Position of the first token (default 0). */
  pos0?: number;
  /** Use detached weights: no graph is built (inspection, evaluation). */
  noGrad?: boolean;
  ablation?: Ablation;
  /** Fills attention maps and residual norms. */
  trace?: ForwardTrace;
  /** Per weight name, a function adding to the linear output y = x·Wᵀ (e.g. LoRA: y + s·B(A x)). */
  adapters?: Record<string, (x: Tensor, y: Tensor) => Tensor>;
  /** Return the final normed hidden states [B, T, D] instead of logits. */
  hidden?: boolean;
  /**
   * Supplies a weight's values at the moment it is used, as a constant (QLoRA: the frozen base kept
   * in NF4 and dequantized on the fly); null falls back to the model's own weight.
   */
  weightSource?: (name: string) => Float32Array | null;
}

/** Every expected weight name with its shape, in a stable order. */
export function weightShapes(c: TinyLMConfig): [string, number[]][] {
  const hd = c.dim / c.nHeads;
  const out: [string, number[]][] = [['model.embed_tokens.weight', [c.vocabSize, c.dim]]];
  for (let i = 0; i < c.nLayers; i++) {
    const n = layerNames(i);
    out.push(
      [n.inNorm, [c.dim]],
      [n.q, [c.nHeads * hd, c.dim]],
      [n.k, [c.nKvHeads * hd, c.dim]],
      [n.v, [c.nKvHeads * hd, c.dim]],
      [n.o, [c.dim, c.nHeads * hd]],
      [n.postNorm, [c.dim]],
      [n.gate, [c.ffnDim, c.dim]],
      [n.up, [c.ffnDim, c.dim]],
      [n.down, [c.dim, c.ffnDim]],
    );
  }
  out.push(['model.norm.weight', [c.dim]]);
  if (!c.tieEmbeddings) out.push(['lm_head.weight', [c.vocabSize, c.dim]]);
  return out;
}

/** Checks that a config is consistent (head counts divide, even head dim). */
export function validateConfig(c: TinyLMConfig): void {
  if (c.dim % c.nHeads !== 0) throw new Error(`dim ${c.dim} is not divisible by nHeads ${c.nHeads}`);
  if (c.nHeads % c.nKvHeads !== 0) throw new Error(`nHeads ${c.nHeads} is not a multiple of nKvHeads ${c.nKvHeads}`);
  if ((c.dim / c.nHeads) % 2 !== 0) throw new Error('head dimension must be even for rotary embeddings');
}

/** Fresh weights: N(0, 0.02²), output projections scaled by 1/√(2·layers) (GPT-2 style), norms 1. */
export function initWeights(c: TinyLMConfig, seed = 1): TinyLMWeights {
  validateConfig(c);
  const rng = new RNG(seed);
  const w: TinyLMWeights = new Map();
  for (const [name, shape] of weightShapes(c)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (shape.length === 1) data.fill(1);
    else {
      const std = /o_proj|down_proj/.test(name) ? 0.02 / Math.sqrt(2 * c.nLayers) : 0.02;
      for (let i = 0; i < n; i++) data[i] = rng.normal() * std;
    }
    w.set(name, { shape, data });
  }
  return w;
}

/** The model: weights, a training forward and an inference factory. */
export class TinyLM implements LogitsModel {
  /** Autograd views on the weights (same Float32Arrays), by Hugging Face name. */
  readonly params: Map<string, Tensor>;
  /** cos/sin tables [maxSeqLen, hd/2] for the inference path. */
  readonly ropeCos: Float32Array;
  readonly ropeSin: Float32Array;

  constructor(
    readonly config: TinyLMConfig,
    readonly weights: TinyLMWeights,
  ) {
    validateConfig(config);
    for (const [name, shape] of weightShapes(config)) {
      const t = weights.get(name);
      if (!t) throw new Error(`missing weight ${name}`);
      if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i]))
        throw new Error(`weight ${name} has shape [${t.shape}], expected [${shape}]`);
    }
    this.params = new Map();
    for (const [name, t] of weights) {
      const p = new Tensor(t.data, t.shape, true);
      p.name = name;
      this.params.set(name, p);
    }
    const hd = config.dim / config.nHeads, half = hd / 2;
    this.ropeCos = new Float32Array(config.maxSeqLen * half);
    this.ropeSin = new Float32Array(config.maxSeqLen * half);
    for (let t = 0; t < config.maxSeqLen; t++)
      for (let i = 0; i < half; i++) {
        const a = t * Math.pow(config.ropeTheta, (-2 * i) / hd);
        this.ropeCos[t * half + i] = Math.cos(a);
        this.ropeSin[t * half + i] = Math.sin(a);
      }
  }

  /** A model with freshly initialised weights. */
  static init(config: TinyLMConfig, seed = 1): TinyLM {
    return new TinyLM(config, initWeights(config, seed));
  }

  /** Number of scalar parameters. */
  get parameterCount(): number {
    let n = 0;
    for (const t of this.weights.values()) n += t.data.length;
    return n;
  }

  /** Trainable tensors in a stable order. */
  parameters(): Tensor[] {
    return weightShapes(this.config).map(([n]) => this.params.get(n)!);
  }

  /** The weight tensor of `name`. */
  weight(name: string): TinyLMTensor {
    const t = this.weights.get(name);
    if (!t) throw new Error(`missing weight ${name}`);
    return t;
  }

  /**
   * Batched forward. ids: B·T token ids (row-major [B, T]) → logits [B, T, V]
   * (or final hidden states [B, T, D] with `hidden`).
   */
  forward(ids: ArrayLike<number>, B: number, T: number, opts: ForwardOptions = {}): Tensor {
    const c = this.config;
    if (ids.length !== B * T) throw new Error(`forward: ${ids.length} ids for [${B}, ${T}]`);
    if ((opts.pos0 ?? 0) + T > c.maxSeqLen) throw new Error(`sequence of ${T} exceeds maxSeqLen ${c.maxSeqLen}`);
    const P = (name: string): Tensor => {
      const p = this.params.get(name)!;
      const src = opts.weightSource?.(name);
      if (src) return new Tensor(src, p.shape, false);
      return opts.noGrad ? new Tensor(p.data, p.shape, false) : p;
    };
    const ab = opts.ablation ?? {};
    const has = (list: number[] | undefined, l: number) => !!list && list.includes(l);
    const lin = (name: string, x: Tensor) => {
      const y = linear(x, P(name));
      const ad = opts.adapters?.[name];
      return ad ? ad(x, y) : y;
    };
    const trace = opts.trace;
    const record = (label: string, x: Tensor) => {
      if (!trace) return;
      const D = c.dim, norms = new Float32Array(T);
      for (let t = 0; t < T; t++) {
        let s = 0;
        for (let j = 0; j < D; j++) s += x.data[t * D + j] ** 2;
        norms[t] = Math.sqrt(s);
      }
      trace.residual.push({ label, norms });
    };
    const pos0 = opts.pos0 ?? 0;

    let x = embedding(P('model.embed_tokens.weight'), ids, [B, T]); // [B, T, D]
    record('embed', x);
    for (let l = 0; l < c.nLayers; l++) {
      const n = layerNames(l);
      const norm = (t: Tensor, w: string) => (has(ab.norms, l) ? t : rmsnorm(t, P(w), c.normEps));
      // --- attention block
      const h = norm(x, n.inNorm); // [B, T, D]
      const q = rope(lin(n.q, h), c.nHeads, c.ropeTheta, pos0); // [B, T, H·hd]
      const k = rope(lin(n.k, h), c.nKvHeads, c.ropeTheta, pos0); // [B, T, Hkv·hd]
      const v = lin(n.v, h); // [B, T, Hkv·hd]
      let headMask: number[] | undefined;
      const heads = ab.heads?.filter(([hl]) => hl === l);
      if (heads?.length) {
        headMask = new Array(c.nHeads).fill(1);
        for (const [, hh] of heads) headMask[hh] = 0;
      }
      const a = attention(q, k, v, {
        nHeads: c.nHeads,
        nKvHeads: c.nKvHeads,
        headMask,
        onProbs: trace ? (p) => trace.attention.push(p.slice(0, c.nHeads * T * T)) : undefined, // [H, T, T] of batch 0
      }); // [B, T, H·hd]
      const o = lin(n.o, a); // [B, T, D]
      if (!has(ab.attention, l)) x = has(ab.residual, l) ? o : add(x, o);
      record(`L${l} attn`, x);
      // --- feed-forward block (SwiGLU)
      const h2 = norm(x, n.postNorm); // [B, T, D]
      const f = lin(n.down, swiglu(lin(n.gate, h2), lin(n.up, h2))); // [B, T, F] → [B, T, D]
      if (!has(ab.ffn, l)) x = has(ab.residual, l) ? f : add(x, f);
      record(`L${l} ffn`, x);
    }
    if (!ab.finalNorm) x = rmsnorm(x, P('model.norm.weight'), c.normEps); // [B, T, D]
    if (opts.hidden) return x;
    const head = c.tieEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
    return lin(head, x); // [B, T, V]
  }

  /** Mean next-token cross-entropy of a [B, T+1] id block (inputs ids[:, :-1], targets ids[:, 1:]). */
  loss(block: ArrayLike<number>, B: number, T: number, opts: ForwardOptions = {}, targets?: ArrayLike<number>): Tensor {
    const inputs = new Int32Array(B * T);
    const tg = new Int32Array(B * T);
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++) {
        inputs[b * T + t] = block[b * (T + 1) + t];
        tg[b * T + t] = targets ? targets[b * (T + 1) + t + 1] : block[b * (T + 1) + t + 1];
      }
    return crossEntropy(this.forward(inputs, B, T, opts), tg);
  }

  /**
   * Inspection hook for the architecture lesson: one sequence, no gradient. Returns logits [T, V],
   * attention probabilities per layer [H, T, T] and residual-stream norms after every step.
   */
  inspect(ids: number[], ablation: Ablation = {}): { logits: Float32Array; trace: ForwardTrace } {
    const trace: ForwardTrace = { attention: [], residual: [] };
    const logits = this.forward(ids, 1, ids.length, { noGrad: true, ablation, trace });
    return { logits: logits.data, trace };
  }

  /** A KV-cached inference session (see `session.ts`). */
  newSession(): InferenceSession {
    return new TinyLMSession(this);
  }

  /** Mean-pooled final hidden states of `ids` [D], L2-normalised. */
  embed(ids: number[]): Float32Array {
    if (!ids.length) return new Float32Array(this.config.dim);
    const T = Math.min(ids.length, this.config.maxSeqLen);
    const h = this.forward(ids.slice(0, T), 1, T, { noGrad: true, hidden: true }); // [1, T, D]
    const D = this.config.dim, out = new Float32Array(D);
    for (let t = 0; t < T; t++) for (let j = 0; j < D; j++) out[j] += h.data[t * D + j];
    let s = 0;
    for (let j = 0; j < D; j++) s += out[j] * out[j];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < D; j++) out[j] *= inv;
    return out;
  }
}
