/**
 * Direct Preference Optimization (Rafailov et al. 2023) on TinyLM, with TRL's DPOTrainer
 * conventions (loss_type "sigmoid", metric names):
 *
 *   logratio(y) = Σ_completion log π(y_t | x, y_<t) − Σ_completion log π_ref(y_t | x, y_<t)
 *   loss        = −log σ(β · (logratio(chosen) − logratio(rejected)))        mean over pairs
 *   rewards/chosen = β·logratio(chosen), rewards/rejected = β·logratio(rejected),
 *   rewards/accuracies = mean(rewards/chosen > rewards/rejected)  (strict: 0 when π = π_ref),
 *   rewards/margins = mean(chosen − rejected), logps/* = mean summed log-probs under π.
 *
 * Policy = the chat model + a LoRA adapter (frozen base); reference = the same model with the
 * adapter switched off. LoRA's B starts at zero, so at step 0 policy and reference agree bit for
 * bit and the loss is ln 2. We also report the exact per-token KL(π ‖ π_ref) over the vocabulary at
 * the completion positions, which TRL does not log but which says how far the policy has moved.
 */
import type { Tokenizer } from '../tokenizer';
import { TinyLM, type ForwardOptions } from '../tinylm/model';
import { LoraAdapter, type LoraConfig } from '../tinylm/lora';
import { logProbsOf } from '../tinylm/ops';
import { AdamW, clipGradNorm, cosineLr } from '../tinylm/optim';
import { RNG } from '../tinylm/rng';
import { Tensor, add, result, reshape, scale, sum, sumLastAxis } from '../tinylm/tensor';
import { promptIds, replyIds } from '../tinylm/corpus';
import { pairExample, type PreferencePair } from './pairs';

/** −log σ(z), stable for large |z|. */
export function negLogSigmoid(z: number): number {
  return z > 0 ? Math.log1p(Math.exp(-z)) : -z + Math.log1p(Math.exp(z));
}

/** σ(z). */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** TRL's per-step DPO metrics (means over the batch's pairs). */
export interface DpoMetrics {
  loss: number;
  'rewards/chosen': number;
  'rewards/rejected': number;
  'rewards/accuracies': number;
  'rewards/margins': number;
  'logps/chosen': number;
  'logps/rejected': number;
}

/** The DPO loss and metrics of summed completion log-probs (plain numbers; one entry per pair). */
export function dpoValues(pc: ArrayLike<number>, pr: ArrayLike<number>, rc: ArrayLike<number>, rr: ArrayLike<number>, beta: number): DpoMetrics {
  const n = pc.length;
  let loss = 0, ch = 0, rej = 0, acc = 0, lc = 0, lr = 0;
  for (let i = 0; i < n; i++) {
    const c = beta * (pc[i] - rc[i]), r = beta * (pr[i] - rr[i]);
    loss += negLogSigmoid(c - r);
    ch += c, rej += r, acc += c > r ? 1 : 0, lc += pc[i], lr += pr[i];
  }
  const d = Math.max(1, n);
  return {
    loss: loss / d, 'rewards/chosen': ch / d, 'rewards/rejected': rej / d, 'rewards/accuracies': acc / d,
    'rewards/margins': (ch - rej) / d, 'logps/chosen': lc / d, 'logps/rejected': lr / d,
  };
}

/**
 * The DPO loss as an autograd scalar over the policy's summed log-probs pc, pr [N] (the reference's
 * rc, rr are constants). dL/dpc_i = −β·σ(−z_i)/N, dL/dpr_i = +β·σ(−z_i)/N with z_i = β(Δc − Δr).
 */
export function dpoLoss(pc: Tensor, pr: Tensor, rc: ArrayLike<number>, rr: ArrayLike<number>, beta: number): { loss: Tensor; metrics: DpoMetrics } {
  const n = pc.size;
  if (pr.size !== n || rc.length !== n || rr.length !== n) throw new Error('dpoLoss: chosen and rejected batches differ in size');
  const metrics = dpoValues(pc.data, pr.data, rc, rr, beta);
  // pc and pr may be views of one [2N] tensor; the loss is a function of both.
  const both = new Float32Array(2 * n);
  both.set(pc.data, 0), both.set(pr.data, n);
  const out = result(Float32Array.of(metrics.loss), [1], [pc, pr], (o) => {
    const g = o.grad![0] / n;
    const gc = pc.requiresGrad ? pc.ensureGrad() : null, gr = pr.requiresGrad ? pr.ensureGrad() : null;
    for (let i = 0; i < n; i++) {
      const z = beta * (pc.data[i] - rc[i] - (pr.data[i] - rr[i]));
      const w = beta * sigmoid(-z) * g;
      if (gc) gc[i] -= w;
      if (gr) gr[i] += w;
    }
  });
  return { loss: out, metrics };
}

/** A pair tokenized: prompt ids and the two completions (reply ids ending with <|im_end|>). */
export interface TokenizedPair {
  prompt: number[];
  chosen: number[];
  rejected: number[];
}

/** Tokenizes a pair in the chat template, exactly as the chat model reads a reply. */
export function tokenizePair(tok: Tokenizer, p: PreferencePair): TokenizedPair {
  const ex = pairExample(p, p.chosen);
  return { prompt: promptIds(tok, ex), chosen: replyIds(tok, ex), rejected: replyIds(tok, pairExample(p, p.rejected)) };
}

/**
 * Rows [R, T] of prompt ⊕ completion, right-padded with 0 (the causal mask keeps padding from
 * affecting earlier positions), and targets [R·T]: the next id at completion positions, else −1.
 */
export function completionBatch(rows: { prompt: number[]; completion: number[] }[]): { inputs: Int32Array; targets: Int32Array; R: number; T: number } {
  const R = rows.length;
  const T = Math.max(1, ...rows.map((r) => r.prompt.length + r.completion.length - 1));
  const inputs = new Int32Array(R * T), targets = new Int32Array(R * T).fill(-1);
  rows.forEach((r, b) => {
    const seq = [...r.prompt, ...r.completion];
    for (let t = 0; t < seq.length - 1; t++) {
      inputs[b * T + t] = seq[t];
      if (t + 1 >= r.prompt.length) targets[b * T + t] = seq[t + 1];
    }
  });
  return { inputs, targets, R, T };
}

/** Summed log-probs of the targets per row: logits [R, T, V], targets [R·T] (−1 = skip) → [R]. */
export function sequenceLogps(logits: Tensor, targets: Int32Array): Tensor {
  const [R, T] = logits.shape;
  return sumLastAxis(reshape(logProbsOf(logits, targets), [R, T]));
}

/**
 * Exact mean per-token KL(π ‖ π_ref) over the vocabulary at the target positions: logits of both
 * [R, T, V] (plain arrays; no gradient).
 */
export function tokenKL(policy: Float32Array, ref: Float32Array, targets: Int32Array, V: number): number {
  let kl = 0, n = 0;
  for (let i = 0; i < targets.length; i++) {
    if (targets[i] < 0) continue;
    const o = i * V;
    let mp = -Infinity, mr = -Infinity;
    for (let j = 0; j < V; j++) mp = Math.max(mp, policy[o + j]), (mr = Math.max(mr, ref[o + j]));
    let sp = 0, sr = 0;
    for (let j = 0; j < V; j++) sp += Math.exp(policy[o + j] - mp), (sr += Math.exp(ref[o + j] - mr));
    const lp = mp + Math.log(sp), lr = mr + Math.log(sr);
    let k = 0;
    for (let j = 0; j < V; j++) {
      const a = policy[o + j] - lp, b = ref[o + j] - lr;
      k += Math.exp(a) * (a - b);
    }
    kl += k, n++;
  }
  return n ? kl / n : 0;
}

/** Settings of a DPO run. */
export interface DpoConfig {
  beta: number;
  steps: number;
  /** Pairs per step. */
  batchSize: number;
  maxLr: number;
  warmup: number;
  clip: number;
  seed: number;
  /**
   * TRL's `rpo_alpha` (Pang et al. 2024): adds α × the mean NLL of the chosen completions' tokens
   * to the objective. 0 = pure DPO. Needed when the chosen replies are ones the model almost never
   * writes (our abstention starts near −90 nats): DPO alone then mostly pushes the rejected ones down and the model degrades (see the pure run of align:measure).
   */
  rpoAlpha: number;
  lora: LoraConfig;
}

/** One step's report: TRL's metrics, KL to the reference, learning rate, timing. */
export interface DpoStep extends DpoMetrics {
  /** Mean NLL per chosen token (the RPO term, logged even when its weight is 0). */
  nll_loss: number;
  step: number;
  totalSteps: number;
  kl: number;
  lr: number;
  gradNorm: number;
  elapsedMs: number;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** A DPO run over tokenized pairs: policy = model + adapter, reference = model alone. */
export class DpoTrainer {
  readonly adapter: LoraAdapter;
  readonly optimizer: AdamW;
  readonly rng: RNG;
  step = 0;
  private order: number[] = [];
  private elapsedMs = 0;
  private paused = false;
  private cancelled = false;
  private waiters: (() => void)[] = [];

  constructor(
    readonly model: TinyLM,
    readonly pairs: TokenizedPair[],
    readonly cfg: DpoConfig,
  ) {
    if (!pairs.length) throw new Error('DPO needs at least one preference pair');
    this.adapter = LoraAdapter.create(model.config, cfg.lora);
    this.optimizer = new AdamW(this.adapter.parameters(), { lr: cfg.maxLr, beta1: 0.9, beta2: 0.999, weightDecay: 0 });
    this.rng = new RNG(cfg.seed);
  }

  /** Forward options of the policy (frozen base + adapter). */
  policyOptions(train = false): ForwardOptions {
    return { noGrad: true, adapters: this.adapter.forwardAdapters(train) };
  }

  /** The next batch of pair indices (shuffled epochs). */
  #nextBatch(): number[] {
    const out: number[] = [];
    while (out.length < Math.min(this.cfg.batchSize, this.pairs.length)) {
      if (!this.order.length) this.order = this.rng.shuffle(this.pairs.map((_, i) => i));
      out.push(this.order.pop()!);
    }
    return out;
  }

  /**
   * Policy and reference log-probs of some pairs, chosen rows then rejected rows in one batch
   * [2N, T]. With `grad`, the policy's log-probs carry the autograd graph.
   */
  score(ps: TokenizedPair[], grad: boolean): { pc: Tensor; pr: Tensor; rc: Float32Array; rr: Float32Array; kl: number; chosenTokens: number } {
    const rows = [...ps.map((p) => ({ prompt: p.prompt, completion: p.chosen })), ...ps.map((p) => ({ prompt: p.prompt, completion: p.rejected }))];
    const b = completionBatch(rows);
    const n = ps.length, V = this.model.config.vocabSize;
    const refLogits = this.model.forward(b.inputs, b.R, b.T, { noGrad: true }); // [2N, T, V], adapter off
    const ref = sequenceLogps(refLogits, b.targets).data;
    const polLogits = this.model.forward(b.inputs, b.R, b.T, grad ? this.policyOptions(true) : this.policyOptions(false));
    const pol = sequenceLogps(polLogits, b.targets); // [2N]
    const kl = tokenKL(polLogits.data, refLogits.data, b.targets, V);
    // Views of the chosen and rejected halves that route gradients back into `pol`.
    const half = (k: number) => result(pol.data.slice(k * n, (k + 1) * n), [n], [pol], (o) => {
      const g = pol.ensureGrad();
      for (let i = 0; i < n; i++) g[k * n + i] += o.grad![i];
    });
    return { pc: half(0), pr: half(1), rc: ref.slice(0, n), rr: ref.slice(n), kl, chosenTokens: ps.reduce((a, p) => a + p.chosen.length, 0) };
  }

  /** Learning rate at a step (cosine with linear warm-up, floor 10 %). */
  lrAt(step: number): number {
    return cosineLr(step, { maxLr: this.cfg.maxLr, warmup: this.cfg.warmup, total: this.cfg.steps });
  }

  /** One optimisation step on the next batch of pairs. */
  trainStep(): DpoStep {
    const t0 = now();
    const s = this.score(this.#nextBatch().map((i) => this.pairs[i]), true);
    const { loss, metrics } = dpoLoss(s.pc, s.pr, s.rc, s.rr, this.cfg.beta);
    const nll = scale(sum(s.pc), -1 / Math.max(1, s.chosenTokens)); // mean NLL per chosen token
    this.optimizer.zeroGrad();
    (this.cfg.rpoAlpha > 0 ? add(loss, scale(nll, this.cfg.rpoAlpha)) : loss).backward();
    const gradNorm = clipGradNorm(this.optimizer.params, this.cfg.clip);
    const lr = this.lrAt(this.step);
    this.optimizer.step(lr);
    this.step++;
    this.elapsedMs += now() - t0;
    return { ...metrics, nll_loss: nll.item(), step: this.step, totalSteps: this.cfg.steps, kl: s.kl, lr, gradNorm, elapsedMs: this.elapsedMs };
  }

  /** Metrics of other pairs (held out) under the current policy, no gradient. */
  evaluate(pairs: TokenizedPair[], batch = 8): DpoMetrics & { kl: number } {
    const pc: number[] = [], pr: number[] = [], rc: number[] = [], rr: number[] = [];
    let kl = 0;
    for (let i = 0; i < pairs.length; i += batch) {
      const chunk = pairs.slice(i, i + batch);
      const s = this.score(chunk, false);
      pc.push(...s.pc.data), pr.push(...s.pr.data), rc.push(...s.rc), rr.push(...s.rr);
      kl += s.kl * chunk.length;
    }
    return { ...dpoValues(pc, pr, rc, rr, this.cfg.beta), kl: pairs.length ? kl / pairs.length : 0 };
  }

  /** Trains to `cfg.steps` (or cancel), yielding between steps so pause/cancel messages get through. */
  async run(onStep?: (s: DpoStep) => void): Promise<DpoStep | null> {
    this.cancelled = false;
    let last: DpoStep | null = null;
    while (this.step < this.cfg.steps && !this.cancelled) {
      if (this.paused) await new Promise<void>((r) => this.waiters.push(r));
      if (this.cancelled) break;
      last = this.trainStep();
      onStep?.(last);
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
    for (const w of this.waiters.splice(0)) w();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Stops after the current step (the adapter keeps its values). */
  cancel(): void {
    this.cancelled = true;
    this.resume();
  }

  /** The policy as a plain model (adapter merged into a copy of the weights) for generation. */
  policyModel(): TinyLM {
    return new TinyLM(this.model.config, this.adapter.merged(this.model.weights));
  }
}
