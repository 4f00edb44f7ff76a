/**
 * Training: batches from token streams, a seeded deterministic loop with AdamW, cosine schedule
 * with linear warm-up and global-norm clipping, progress events, pause/resume/cancel, and
 * resumable state. The same `Trainer` runs in Node (`scripts/train-tinylm.ts`) and in the
 * training worker (`workers/tinylm-train.worker.ts`).
 */
import type { ForwardOptions, TinyLM } from './model';
import type { Tensor } from './tensor';
import { crossEntropy } from './ops';
import { AdamW, clipGradNorm, cosineLr } from './optim';
import { RNG } from './rng';

export { AdamW, clipGradNorm, cosineLr } from './optim';
export { RNG } from './rng';

/**
 * Training tokens: one long stream (documents joined by <|endoftext|>). `mask[i] = 0` means
 * "don't learn to predict token i" (prompt tokens in instruction data); `starts` lists the
 * positions a window may start at (example boundaries); without it any position may.
 */
export interface TokenData {
  tokens: Int32Array;
  mask?: Uint8Array;
  starts?: Int32Array;
}

/** One batch: inputs [B, T] and next-token targets [B, T] (−1 = ignored). */
export interface Batch {
  inputs: Int32Array;
  targets: Int32Array;
  B: number;
  T: number;
}

/** Samples B windows of T+1 tokens (seeded) and shifts them into inputs/targets. */
export function sampleBatch(data: TokenData, B: number, T: number, rng: RNG): Batch {
  const n = data.tokens.length;
  if (n < 2) throw new Error('not enough training tokens');
  const inputs = new Int32Array(B * T);
  const targets = new Int32Array(B * T).fill(-1);
  for (let b = 0; b < B; b++) {
    let start: number;
    if (data.starts && data.starts.length) start = data.starts[rng.int(data.starts.length)];
    else start = rng.int(Math.max(1, n - T - 1));
    for (let t = 0; t < T; t++) {
      const i = start + t;
      // Past the end of the stream: pad with token 0 (<|endoftext|>) and ignore.
      inputs[b * T + t] = i < n ? data.tokens[i] : 0;
      if (i + 1 < n && (!data.mask || data.mask[i + 1])) targets[b * T + t] = data.tokens[i + 1];
    }
  }
  return { inputs, targets, B, T };
}

/** Every non-overlapping window of the stream as batches (deterministic evaluation). */
export function* sequentialBatches(data: TokenData, B: number, T: number, maxBatches = Infinity): Generator<Batch> {
  const n = data.tokens.length;
  let pos = 0, made = 0;
  while (pos + 1 < n && made < maxBatches) {
    const inputs = new Int32Array(B * T);
    const targets = new Int32Array(B * T).fill(-1);
    for (let b = 0; b < B; b++, pos += T)
      for (let t = 0; t < T; t++) {
        const i = pos + t;
        inputs[b * T + t] = i < n ? data.tokens[i] : 0;
        if (i + 1 < n && (!data.mask || data.mask[i + 1])) targets[b * T + t] = data.tokens[i + 1];
      }
    made++;
    yield { inputs, targets, B, T };
  }
}

/** Number of positions in a batch that have a target (not −1). */
export function countTargets(targets: Int32Array): number {
  let n = 0;
  for (let i = 0; i < targets.length; i++) if (targets[i] >= 0) n++;
  return n;
}

/** Rows [r0, r1) of a batch as a batch of their own (copies). */
export function batchRows(b: Batch, r0: number, r1: number): Batch {
  return { inputs: b.inputs.slice(r0 * b.T, r1 * b.T), targets: b.targets.slice(r0 * b.T, r1 * b.T), B: r1 - r0, T: b.T };
}

/**
 * What a shard computes: loads `weights` into `model`, then the mean loss over the batch's targets,
 * their count and the gradients (copies, in `model.parameters()` order; zeros when no targets).
 */
export function sliceGradient(model: TinyLM, weights: Float32Array[], batch: Batch): { loss: number; count: number; grads: Float32Array[] } {
  const params = model.parameters();
  params.forEach((p, k) => p.data.set(weights[k]));
  for (const p of params) p.zeroGrad();
  const { loss, count } = backwardSlice(model, batch);
  return { loss, count, grads: params.map((p) => (p.grad ? p.grad.slice() : new Float32Array(p.data.length))) };
}

/** Mean loss over the batch's targets and their count; its gradients are added to the parameters'. */
function backwardSlice(model: TinyLM, batch: Batch): { loss: number; count: number } {
  const count = countTargets(batch.targets);
  if (count === 0) return { loss: 0, count };
  const l = crossEntropy(model.forward(batch.inputs, batch.B, batch.T), batch.targets);
  l.backward();
  return { loss: l.item(), count };
}

/**
 * A replica of the model that computes, on another thread, the gradient of the mean loss over a
 * slice of a batch (data parallelism). `weights` are the current parameter values in
 * `model.parameters()` order (live arrays: copy or send them before returning); the reply's
 * `grads` follow the same order. See `sliceGradient`.
 */
export interface GradShard {
  grad(weights: Float32Array[], batch: Batch): Promise<{ loss: number; count: number; grads: Float32Array[] }>;
}

/** Hyper-parameters of a run. */
export interface TrainConfig {
  steps: number;
  batchSize: number;
  seqLen: number;
  maxLr: number;
  minLr?: number;
  warmup: number;
  weightDecay: number;
  /** Global gradient-norm clip (0 = off). */
  clip: number;
  seed: number;
  beta1?: number;
  beta2?: number;
}

/** Sensible defaults for the shipped models. */
export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  steps: 1000, batchSize: 8, seqLen: 128, maxLr: 3e-3, minLr: 3e-4, warmup: 50,
  weightDecay: 0.1, clip: 1, seed: 1, beta1: 0.9, beta2: 0.95,
};

/** A progress event (one per step). */
export interface StepInfo {
  step: number; // steps done
  totalSteps: number;
  loss: number;
  lr: number;
  gradNorm: number;
  tokensPerSec: number; // input tokens per second, averaged over the run so far
  elapsedMs: number;
}

/** Resumable state (with the model's weights, restores a run bit for bit). */
export interface TrainerState {
  step: number;
  rng: [number, number, number, number];
  adamT: number;
  m: Float32Array[];
  v: Float32Array[];
  elapsedMs: number;
  tokens: number;
}

/** Mean cross-entropy over the given batches, without gradients (`opts`: e.g. LoRA adapters). */
export function evaluateLoss(model: TinyLM, batches: Iterable<Batch>, opts: ForwardOptions = {}): number {
  let sum = 0, count = 0;
  for (const b of batches) {
    let n = 0;
    for (let i = 0; i < b.targets.length; i++) if (b.targets[i] >= 0) n++;
    if (!n) continue;
    const l = crossEntropy(model.forward(b.inputs, b.B, b.T, { ...opts, noGrad: true }), b.targets).item();
    sum += l * n;
    count += n;
  }
  return count ? sum / count : NaN;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * What a step trains when it is not the whole model (LoRA/QLoRA): the trainable tensors and the
 * forward options (frozen base, adapters, on-the-fly weights) for training or evaluation.
 */
export interface TrainTarget {
  params: Tensor[];
  forward(train: boolean): ForwardOptions;
}

/** Runs training steps over a model and a token stream. */
export class Trainer {
  readonly optimizer: AdamW;
  readonly rng: RNG;
  step = 0;
  private elapsedMs = 0;
  private tokens = 0;
  private paused = false;
  private cancelled = false;
  private resumeWaiters: (() => void)[] = [];

  /**
   * With `shards`, each step splits its batch by rows between this thread and the shards and
   * combines the gradients weighted by target counts, which is the gradient of the whole batch's
   * mean loss (up to float summation order: results are reproducible for a given shard count).
   */
  constructor(
    readonly model: TinyLM,
    readonly data: TokenData,
    readonly cfg: TrainConfig,
    readonly shards: GradShard[] = [],
    /** Train only these tensors through these forward options (LoRA); default: every weight. */
    readonly target?: TrainTarget,
  ) {
    if (target && shards.length) throw new Error('a trainer with a custom target runs on one thread');
    this.rng = new RNG(cfg.seed);
    this.optimizer = new AdamW(target?.params ?? model.parameters(), {
      lr: cfg.maxLr, beta1: cfg.beta1 ?? 0.9, beta2: cfg.beta2 ?? 0.95, weightDecay: cfg.weightDecay,
    });
  }

  /** Learning rate at a step (cosine with linear warm-up). */
  lrAt(step: number): number {
    const { maxLr, minLr, warmup, steps } = this.cfg;
    return cosineLr(step, { maxLr, minLr: minLr ?? maxLr * 0.1, warmup, total: steps });
  }

  /** One optimisation step: sample, forward, backward, clip, AdamW. */
  trainStep(): StepInfo {
    const t0 = now();
    const { batchSize: B, seqLen: T } = this.cfg;
    const batch = sampleBatch(this.data, B, T, this.rng);
    const logits = this.model.forward(batch.inputs, B, T, this.target?.forward(true)); // [B, T, V]
    const loss = crossEntropy(logits, batch.targets);
    this.optimizer.zeroGrad();
    loss.backward();
    return this.#update(t0, loss.item());
  }

  /** Clips the accumulated gradients, takes the AdamW step at this step's rate, and reports it. */
  #update(t0: number, loss: number): StepInfo {
    const gradNorm = clipGradNorm(this.optimizer.params, this.cfg.clip);
    const lr = this.lrAt(this.step);
    this.optimizer.step(lr);
    this.step++;
    this.elapsedMs += now() - t0;
    this.tokens += this.cfg.batchSize * this.cfg.seqLen;
    return {
      step: this.step, totalSteps: this.cfg.steps, loss, lr, gradNorm,
      tokensPerSec: this.tokens / Math.max(1e-9, this.elapsedMs / 1000), elapsedMs: this.elapsedMs,
    };
  }

  /** One optimisation step with the batch split between this thread and the shards. */
  async trainStepSharded(): Promise<StepInfo> {
    const t0 = now();
    const { batchSize: B, seqLen: T } = this.cfg;
    const batch = sampleBatch(this.data, B, T, this.rng);
    const parts = this.shards.length + 1;
    const bounds = Array.from({ length: parts + 1 }, (_, i) => Math.round((i * B) / parts));
    const params = this.optimizer.params;
    const weights = params.map((p) => p.data);
    // Shards get their slices first (postMessage copies the weights now), then this thread works.
    const remote = this.shards.map((s, i) => s.grad(weights, batchRows(batch, bounds[i + 1], bounds[i + 2])));
    this.optimizer.zeroGrad();
    const { loss: loss0, count: count0 } = backwardSlice(this.model, batchRows(batch, bounds[0], bounds[1]));
    const results = await Promise.all(remote);
    const total = count0 + results.reduce((a, r) => a + r.count, 0);
    const scale0 = total ? count0 / total : 0;
    params.forEach((p, k) => {
      const g = p.ensureGrad();
      for (let i = 0; i < g.length; i++) g[i] *= scale0;
      for (const r of results) {
        if (!r.count) continue;
        const w = r.count / total, rg = r.grads[k];
        for (let i = 0; i < g.length; i++) g[i] += w * rg[i];
      }
    });
    const lossValue = total ? (loss0 * count0 + results.reduce((a, r) => a + r.loss * r.count, 0)) / total : 0;
    return this.#update(t0, lossValue);
  }

  /**
   * Trains until `cfg.steps` (or cancel), yielding to the event loop between steps so pause,
   * resume and cancel messages get through. Resolves with the last step's info.
   */
  async run(onProgress?: (info: StepInfo) => void): Promise<StepInfo | null> {
    this.cancelled = false;
    let last: StepInfo | null = null;
    while (this.step < this.cfg.steps && !this.cancelled) {
      if (this.paused) await new Promise<void>((r) => this.resumeWaiters.push(r));
      if (this.cancelled) break;
      last = this.shards.length ? await this.trainStepSharded() : this.trainStep();
      onProgress?.(last);
      await new Promise((r) => setTimeout(r, 0));
    }
    return last;
  }

  /** Pauses before the next step. */
  pause(): void {
    this.paused = true;
  }

  /** Resumes a paused run. */
  resume(): void {
    this.paused = false;
    for (const w of this.resumeWaiters.splice(0)) w();
  }

  /** Stops the run after the current step (weights keep their values). */
  cancel(): void {
    this.cancelled = true;
    this.resume();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Snapshot of optimizer, RNG and counters (copies). */
  getState(): TrainerState {
    return {
      step: this.step, rng: this.rng.getState(), adamT: this.optimizer.t,
      m: this.optimizer.m.map((a) => a.slice()), v: this.optimizer.v.map((a) => a.slice()),
      elapsedMs: this.elapsedMs, tokens: this.tokens,
    };
  }

  /** Restores a snapshot taken by `getState` (model weights are restored separately). */
  setState(s: TrainerState): void {
    this.step = s.step;
    this.rng.setState(s.rng);
    this.optimizer.t = s.adamT;
    s.m.forEach((a, i) => this.optimizer.m[i].set(a));
    s.v.forEach((a, i) => this.optimizer.v[i].set(a));
    this.elapsedMs = s.elapsedMs;
    this.tokens = s.tokens;
  }
}
