/**
 * LoRA (Hu et al. 2021) on TinyLM with Hugging Face PEFT's conventions, so an adapter trained here
 * means the same thing in PEFT and llama.cpp:
 *
 *   y = x·Wᵀ + s · (dropout(x)·Aᵀ)·Bᵀ      x [M, in], W [out, in] frozen,
 *                                           A [r, in] (lora_A), B [out, r] (lora_B)
 *   s = alpha / r   (rsLoRA: alpha / √r)
 *
 * Initialisation as PEFT's `reset_lora_parameters`: A ~ kaiming_uniform_(a=√5), which for a
 * [r, in] matrix is U(−1/√in, 1/√in); B = 0. So at step 0 the adapter adds exactly 0 and the
 * logits equal the base model's bit for bit.
 *
 * The base is frozen: the forward runs with `noGrad` (detached base weights: no gradient buffers
 * and no optimizer state for them); only A and B require gradients. Merging folds s·B·A into W.
 */
import type { TinyLMConfig, TinyLMWeights } from './contract';
import type { TinyLM } from './model';
import { layerNames } from './names';
import { linear } from './ops';
import { RNG } from './rng';
import { Tensor, result } from './tensor';
import { matmulAB, matmulABt, matmulAtB } from './kernels';

/** The projections an adapter can wrap (PEFT's module names without "_proj"). */
export type LoraTarget = 'q' | 'k' | 'v' | 'o' | 'gate' | 'up' | 'down';
/** Every linear layer of a block ("all-linear" in PEFT; the tied LM head is not a target). */
export const ALL_LINEAR: LoraTarget[] = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'];
/** PEFT's module name of each target. */
export const PEFT_MODULE: Record<LoraTarget, string> = {
  q: 'q_proj', k: 'k_proj', v: 'v_proj', o: 'o_proj', gate: 'gate_proj', up: 'up_proj', down: 'down_proj',
};

/** Hyper-parameters of an adapter (PEFT's LoraConfig fields that matter here). */
export interface LoraConfig {
  r: number;
  alpha: number;
  /** Dropout on the adapter's input during training (0 = none, PEFT's default). */
  dropout: number;
  targets: LoraTarget[];
  /** Scale alpha/√r instead of alpha/r (Kalajdzievski 2023). */
  rslora?: boolean;
  /** Seed of A's initialisation and of the dropout masks. */
  seed?: number;
}

/** PEFT's LoraConfig defaults (r 8, alpha 8, no dropout) on the attention q and v projections. */
export const DEFAULT_LORA: LoraConfig = { r: 8, alpha: 8, dropout: 0, targets: ['q', 'v'], seed: 1 };

/** One adapted linear layer. */
export interface LoraLayer {
  /** Hugging Face name of the wrapped weight, e.g. model.layers.0.self_attn.q_proj.weight. */
  weight: string;
  target: LoraTarget;
  layer: number;
  A: Tensor; // [r, in]
  B: Tensor; // [out, r]
}

/** Scaling factor s of the low-rank update. */
export function loraScaling(c: Pick<LoraConfig, 'r' | 'alpha' | 'rslora'>): number {
  return c.rslora ? c.alpha / Math.sqrt(c.r) : c.alpha / c.r;
}

/** The Hugging Face weight name of a target in a layer. */
export function targetWeight(layer: number, t: LoraTarget): string {
  return layerNames(layer)[t];
}

/** Checks a LoRA config against a model config; throws RangeError with the reason. */
export function validateLoraConfig(c: LoraConfig, model: TinyLMConfig): void {
  if (!Number.isInteger(c.r) || c.r < 1) throw new RangeError(`LoRA rank must be a positive integer, got ${c.r}`);
  if (c.r > Math.min(model.dim, model.ffnDim)) throw new RangeError(`LoRA rank ${c.r} exceeds the layer width ${model.dim}`);
  if (!(c.alpha > 0)) throw new RangeError(`LoRA alpha must be positive, got ${c.alpha}`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new RangeError(`LoRA dropout must be in [0, 1), got ${c.dropout}`);
  if (!c.targets.length) throw new RangeError('LoRA needs at least one target module');
  for (const t of c.targets) if (!ALL_LINEAR.includes(t)) throw new RangeError(`unknown LoRA target ${t}`);
}

/** Inverted dropout: zero each value with probability p, scale the rest by 1/(1−p). */
export function dropout(x: Tensor, p: number, rng: RNG): Tensor {
  if (p <= 0) return x;
  const keep = new Float32Array(x.size);
  const k = 1 / (1 - p);
  for (let i = 0; i < keep.length; i++) keep[i] = rng.next() < p ? 0 : k;
  const out = new Float32Array(x.size);
  for (let i = 0; i < out.length; i++) out[i] = x.data[i] * keep[i];
  return result(out, x.shape.slice(), [x], (o) => {
    const g = o.grad!, gx = x.ensureGrad();
    for (let i = 0; i < g.length; i++) gx[i] += g[i] * keep[i];
  });
}

/**
 * y + s·(xa·Bᵀ) in one op (one output buffer instead of three): y [.., N], xa [.., r], B [N, r].
 * Backward: dy = g, d(xa) = s·g·B, dB = s·gᵀ·xa.
 */
export function addScaledLinear(y: Tensor, xa: Tensor, B: Tensor, s: number): Tensor {
  const [N, r] = B.shape;
  const M = xa.size / r;
  const out = y.data.slice();
  const tmp = new Float32Array(M * N);
  matmulABt(xa.data, B.data, tmp, M, N, r); // [M, N]
  for (let i = 0; i < out.length; i++) out[i] += s * tmp[i];
  return result(out, y.shape.slice(), [y, xa, B], (o) => {
    const g = o.grad!;
    if (y.requiresGrad) {
      const gy = y.ensureGrad();
      for (let i = 0; i < g.length; i++) gy[i] += g[i];
    }
    const gs = new Float32Array(g.length);
    for (let i = 0; i < g.length; i++) gs[i] = s * g[i];
    if (xa.requiresGrad) matmulAB(gs, B.data, xa.ensureGrad(), M, r, N, true); // [M, N]·[N, r]
    if (B.requiresGrad) matmulAtB(gs, xa.data, B.ensureGrad(), N, r, M, true); // [N, M]·[M, r]
  });
}

/** A set of LoRA layers over a TinyLM configuration. */
export class LoraAdapter {
  readonly scaling: number;
  /** Adapted layers by wrapped weight name, in layer-then-target order. */
  readonly layers: Map<string, LoraLayer>;
  private readonly dropRng: RNG;

  constructor(
    readonly model: TinyLMConfig,
    readonly config: LoraConfig,
    layers: LoraLayer[],
  ) {
    validateLoraConfig(config, model);
    this.scaling = loraScaling(config);
    this.layers = new Map(layers.map((l) => [l.weight, l]));
    this.dropRng = new RNG((config.seed ?? 1) + 7919);
  }

  /** A fresh adapter: A Kaiming-uniform (a = √5, as PEFT), B zero. */
  static create(model: TinyLMConfig, config: LoraConfig): LoraAdapter {
    validateLoraConfig(config, model);
    const rng = new RNG(config.seed ?? 1);
    const layers: LoraLayer[] = [];
    for (const [layer, t, out, inn] of adaptedShapes(model, config.targets)) {
      // kaiming_uniform_(a=√5): gain = √(2/(1+5)), bound = gain·√(3/fan_in) = 1/√fan_in.
      const bound = 1 / Math.sqrt(inn);
      const a = new Float32Array(config.r * inn);
      for (let i = 0; i < a.length; i++) a[i] = (2 * rng.next() - 1) * bound;
      const A = new Tensor(a, [config.r, inn], true);
      const B = new Tensor(new Float32Array(out * config.r), [out, config.r], true);
      const weight = targetWeight(layer, t);
      A.name = `${weight}.lora_A`;
      B.name = `${weight}.lora_B`;
      layers.push({ weight, target: t, layer, A, B });
    }
    return new LoraAdapter(model, config, layers);
  }

  /** Trainable tensors (A then B of each layer). */
  parameters(): Tensor[] {
    return [...this.layers.values()].flatMap((l) => [l.A, l.B]);
  }

  /** Number of trainable scalars: Σ r·(in + out). */
  get parameterCount(): number {
    let n = 0;
    for (const l of this.layers.values()) n += l.A.size + l.B.size;
    return n;
  }

  /**
   * The `adapters` option of `TinyLM.forward`: y ↦ y + s·B(A·dropout(x)). Dropout only when
   * `train` (PEFT applies it in training mode only).
   */
  forwardAdapters(train = false): Record<string, (x: Tensor, y: Tensor) => Tensor> {
    const out: Record<string, (x: Tensor, y: Tensor) => Tensor> = {};
    const p = train ? this.config.dropout : 0;
    for (const l of this.layers.values()) {
      out[l.weight] = (x, y) => {
        const xa = linear(dropout(x, p, this.dropRng), l.A); // [.., r]
        return addScaledLinear(y, xa, l.B, this.scaling); // [.., out]
      };
    }
    return out;
  }

  /** ΔW = s·B·A for one adapted weight, [out, in]. */
  delta(weight: string): Float32Array {
    const l = this.layers.get(weight);
    if (!l) throw new Error(`no LoRA layer on ${weight}`);
    const [out, r] = l.B.shape, inn = l.A.shape[1];
    const d = new Float32Array(out * inn);
    matmulAB(l.B.data, l.A.data, d, out, inn, r); // [out, r]·[r, in]
    for (let i = 0; i < d.length; i++) d[i] *= this.scaling;
    return d;
  }

  /** A copy of `weights` with every adapted weight replaced by W + s·B·A (the merged model). */
  merged(weights: TinyLMWeights): TinyLMWeights {
    const out: TinyLMWeights = new Map();
    for (const [k, t] of weights) {
      if (!this.layers.has(k)) {
        out.set(k, t);
        continue;
      }
      const d = this.delta(k);
      const w = t.data.slice();
      for (let i = 0; i < w.length; i++) w[i] += d[i];
      out.set(k, { shape: t.shape.slice(), data: w });
    }
    return out;
  }

  /** Folds the adapter into the model's weights in place (W += s·B·A). */
  mergeInto(model: TinyLM): void {
    this.#apply(model, 1);
  }

  /** Takes a merged adapter back out (W −= s·B·A; equal to the original up to float rounding). */
  unmergeFrom(model: TinyLM): void {
    this.#apply(model, -1);
  }

  #apply(model: TinyLM, sign: 1 | -1): void {
    for (const k of this.layers.keys()) {
      const d = this.delta(k), w = model.weight(k).data;
      for (let i = 0; i < w.length; i++) w[i] += sign * d[i];
    }
  }

  /** Copies of A and B per layer (for saving and for sending to another thread). */
  toRecord(): Record<string, { A: Float32Array; B: Float32Array; shapeA: number[]; shapeB: number[] }> {
    const out: Record<string, { A: Float32Array; B: Float32Array; shapeA: number[]; shapeB: number[] }> = {};
    for (const l of this.layers.values()) out[l.weight] = { A: l.A.data.slice(), B: l.B.data.slice(), shapeA: l.A.shape.slice(), shapeB: l.B.shape.slice() };
    return out;
  }

  /** Rebuilds an adapter from `toRecord()` output (shapes checked against the model config). */
  static fromRecord(model: TinyLMConfig, config: LoraConfig, rec: ReturnType<LoraAdapter['toRecord']>): LoraAdapter {
    const fresh = LoraAdapter.create(model, config);
    for (const l of fresh.layers.values()) {
      const r = rec[l.weight];
      if (!r) throw new RangeError(`adapter has no weights for ${l.weight}`);
      if (r.A.length !== l.A.size || r.B.length !== l.B.size) throw new RangeError(`adapter weights for ${l.weight} have the wrong size`);
      l.A.data.set(r.A);
      l.B.data.set(r.B);
    }
    return fresh;
  }
}

/** [layer, target, out, in] of every adapted projection, layer-major. */
export function adaptedShapes(c: TinyLMConfig, targets: LoraTarget[]): [number, LoraTarget, number, number][] {
  const hd = c.dim / c.nHeads;
  const shape: Record<LoraTarget, [number, number]> = {
    q: [c.nHeads * hd, c.dim], k: [c.nKvHeads * hd, c.dim], v: [c.nKvHeads * hd, c.dim], o: [c.dim, c.nHeads * hd],
    gate: [c.ffnDim, c.dim], up: [c.ffnDim, c.dim], down: [c.dim, c.ffnDim],
  };
  const out: [number, LoraTarget, number, number][] = [];
  for (let l = 0; l < c.nLayers; l++) for (const t of ALL_LINEAR) if (targets.includes(t)) out.push([l, t, ...shape[t]]);
  return out;
}

/** Trainable parameters of a LoRA config on a model config: Σ r·(in + out). */
export function loraParameterCount(c: TinyLMConfig, cfg: Pick<LoraConfig, 'r' | 'targets'>): number {
  return adaptedShapes(c, cfg.targets).reduce((n, [, , out, inn]) => n + cfg.r * (out + inn), 0);
}
