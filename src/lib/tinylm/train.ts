/**
 * Training: batches from token streams, a seeded deterministic loop with AdamW, cosine schedule
 * with linear warm-up and global-norm clipping, progress events, pause/resume/cancel, and
 * resumable state. The same `Trainer` runs in Node (`scripts/train-tinylm.ts`) and in the
 * training worker (`workers/tinylm-train.worker.ts`).
 */
import type { TinyLM } from './model';
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

/** Mean cross-entropy over the given batches, without gradients. */
export function evaluateLoss(model: TinyLM, batches: Iterable<Batch>): number {
  let sum = 0, count = 0;
  for (const b of batches) {
    let n = 0;
    for (let i = 0; i < b.targets.length; i++) if (b.targets[i] >= 0) n++;
    if (!n) continue;
    const l = crossEntropy(model.forward(b.inputs, b.B, b.T, { noGrad: true }), b.targets).item();
    sum += l * n;
    count += n;
  }
  return count ? sum / count : NaN;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

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

  constructor(
    readonly model: TinyLM,
    readonly data: TokenData,
    readonly cfg: TrainConfig,
  ) {
    this.rng = new RNG(cfg.seed);
    this.optimizer = new AdamW(model.parameters(), {
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
    const logits = this.model.forward(batch.inputs, B, T); // [B, T, V]
    const loss = crossEntropy(logits, batch.targets);
    this.optimizer.zeroGrad();
    loss.backward();
    const gradNorm = clipGradNorm(this.optimizer.params, this.cfg.clip);
    const lr = this.lrAt(this.step);
    this.optimizer.step(lr);
    this.step++;
    this.elapsedMs += now() - t0;
    this.tokens += B * T;
    return {
      step: this.step, totalSteps: this.cfg.steps, loss: loss.item(), lr, gradNorm,
      tokensPerSec: this.tokens / Math.max(1e-9, this.elapsedMs / 1000), elapsedMs: this.elapsedMs,
    };
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
      last = this.trainStep();
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
