/**
 * Optimizers over autograd parameters: plain SGD (with momentum) and AdamW with decoupled weight
 * decay (Loshchilov & Hutter), matching `torch.optim.AdamW`'s update order. Also global-norm
 * gradient clipping and the cosine learning-rate schedule with linear warm-up.
 */
import type { Tensor } from './tensor';

/** Anything that updates parameters from their gradients. */
export interface Optimizer {
  readonly params: Tensor[];
  /** One update; `lr` overrides the configured learning rate (schedules). */
  step(lr?: number): void;
  /** Clears every parameter's gradient. */
  zeroGrad(): void;
}

/** Stochastic gradient descent, optionally with momentum. */
export class SGD implements Optimizer {
  private velocity: Float32Array[];
  constructor(
    readonly params: Tensor[],
    public lr = 0.1,
    readonly momentum = 0,
  ) {
    this.velocity = params.map((p) => new Float32Array(p.size));
  }
  step(lr = this.lr): void {
    this.params.forEach((p, k) => {
      if (!p.grad) return;
      const v = this.velocity[k];
      for (let i = 0; i < p.size; i++) {
        v[i] = this.momentum * v[i] + p.grad[i];
        p.data[i] -= lr * v[i];
      }
    });
  }
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }
}

/** AdamW settings (PyTorch defaults except weight decay). */
export interface AdamWOptions {
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** Which parameters get weight decay (default: those with ≥ 2 dims, i.e. not norms). */
  decay?: (p: Tensor) => boolean;
}

/** AdamW: p ← p·(1 − lr·wd), then p ← p − lr·m̂/(√v̂ + eps). */
export class AdamW implements Optimizer {
  readonly m: Float32Array[];
  readonly v: Float32Array[];
  t = 0;
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly decayMask: boolean[];

  constructor(
    readonly params: Tensor[],
    opts: AdamWOptions = {},
  ) {
    this.lr = opts.lr ?? 1e-3;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0.01;
    const decay = opts.decay ?? ((p: Tensor) => p.shape.length >= 2);
    this.decayMask = params.map(decay);
    this.m = params.map((p) => new Float32Array(p.size));
    this.v = params.map((p) => new Float32Array(p.size));
  }

  step(lr = this.lr): void {
    this.t++;
    const { beta1: b1, beta2: b2, eps } = this;
    const bc1 = 1 - Math.pow(b1, this.t);
    const bc2 = 1 - Math.pow(b2, this.t);
    const stepSize = lr / bc1;
    const bc2sqrt = Math.sqrt(bc2);
    this.params.forEach((p, k) => {
      const g = p.grad;
      if (!g) return;
      const m = this.m[k], v = this.v[k], d = p.data;
      const wdFactor = this.decayMask[k] ? 1 - lr * this.weightDecay : 1;
      for (let i = 0; i < d.length; i++) {
        const gi = g[i];
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        d[i] = d[i] * wdFactor - (stepSize * m[i]) / (Math.sqrt(v[i]) / bc2sqrt + eps);
      }
    });
  }

  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }
}

/** Scales all gradients so their global L2 norm is at most `maxNorm`; returns the norm before. */
export function clipGradNorm(params: Tensor[], maxNorm: number): number {
  let sq = 0;
  for (const p of params) if (p.grad) for (let i = 0; i < p.grad.length; i++) sq += p.grad[i] * p.grad[i];
  const norm = Math.sqrt(sq);
  if (maxNorm > 0 && norm > maxNorm) {
    const s = maxNorm / (norm + 1e-6);
    for (const p of params) if (p.grad) for (let i = 0; i < p.grad.length; i++) p.grad[i] *= s;
  }
  return norm;
}

/**
 * Cosine schedule with linear warm-up: lr rises linearly to `maxLr` over `warmup` steps, then
 * follows a half cosine down to `minLr` at `total` steps (and stays there). `step` counts from 0.
 */
export function cosineLr(step: number, opts: { maxLr: number; minLr?: number; warmup: number; total: number }): number {
  const { maxLr, warmup, total } = opts;
  const minLr = opts.minLr ?? maxLr * 0.1;
  if (step < warmup) return (maxLr * (step + 1)) / warmup;
  if (step >= total) return minLr;
  const progress = (step - warmup) / Math.max(1, total - warmup);
  return minLr + 0.5 * (maxLr - minLr) * (1 + Math.cos(Math.PI * progress));
}
