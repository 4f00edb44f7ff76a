/**
 * A Bradley–Terry reward model on TinyLM (the classic RLHF route, InstructGPT §3.5):
 *
 *   r(x, y) = w · h(x ⊕ y)[last]          h: the chat model's final normed hidden state [D]
 *   P(y_w ≻ y_l | x) = σ(r(x, y_w) − r(x, y_l))
 *   loss = −log σ(r_w − r_l)              mean over pairs (TRL's RewardTrainer, no margin term)
 *
 * The head reads the hidden state at the completion's last token (its <|im_end|>), like Hugging
 * Face's `*ForSequenceClassification` reads the last non-padding token; it has no bias, because a
 * bias cancels in r_w − r_l and the pairs cannot identify it.
 *
 * The trunk is the shipped chat model, frozen. Why: (1) then each sequence's feature vector is
 * computed once and training the head is logistic regression on h_w − h_l, which takes well under a
 * second in the page instead of a LoRA run of its own; (2) with a few hundred pairs a trainable
 * trunk mostly memorises the pairs; (3) it keeps the reward model and the policy's base identical,
 * which is the setting where reward hacking is easiest to see: the policy can move exactly the
 * features the head reads. The price is a weaker judge than a fine-tuned trunk (the lesson says so).
 */
import type { TinyLM } from '../tinylm/model';
import { AdamW } from '../tinylm/optim';
import { RNG } from '../tinylm/rng';
import { Tensor, parameter, result } from '../tinylm/tensor';
import { linear } from '../tinylm/ops';
import { negLogSigmoid, sigmoid, type TokenizedPair } from './dpo';

/**
 * The Bradley–Terry loss of rewards r_w, r_l [N] as an autograd scalar:
 * mean −log σ(r_w − r_l); dL/dr_w = −σ(r_l − r_w)/N, dL/dr_l = +σ(r_l − r_w)/N.
 */
export function btLoss(rw: Tensor, rl: Tensor): Tensor {
  const n = rw.size;
  if (rl.size !== n) throw new Error('btLoss: chosen and rejected batches differ in size');
  let loss = 0;
  for (let i = 0; i < n; i++) loss += negLogSigmoid(rw.data[i] - rl.data[i]);
  return result(Float32Array.of(loss / Math.max(1, n)), [1], [rw, rl], (o) => {
    const g = o.grad![0] / Math.max(1, n);
    const gw = rw.requiresGrad ? rw.ensureGrad() : null, gl = rl.requiresGrad ? rl.ensureGrad() : null;
    for (let i = 0; i < n; i++) {
      const w = sigmoid(rl.data[i] - rw.data[i]) * g;
      if (gw) gw[i] -= w;
      if (gl) gl[i] += w;
    }
  });
}

/** Fraction of pairs whose chosen reward is strictly higher (0 when all rewards tie). */
export function pairAccuracy(rw: ArrayLike<number>, rl: ArrayLike<number>): number {
  let a = 0;
  for (let i = 0; i < rw.length; i++) a += rw[i] > rl[i] ? 1 : 0;
  return rw.length ? a / rw.length : 0;
}

/**
 * Final normed hidden states at each sequence's last token: seqs (full id lists) → [N, D].
 * Rows are right-padded in batches; the causal mask keeps padding out of earlier positions.
 */
export function lastHidden(model: TinyLM, seqs: number[][], batch = 16): Float32Array {
  const D = model.config.dim;
  const out = new Float32Array(seqs.length * D);
  for (let s = 0; s < seqs.length; s += batch) {
    const rows = seqs.slice(s, s + batch);
    const T = Math.max(...rows.map((r) => r.length));
    const ids = new Int32Array(rows.length * T);
    rows.forEach((r, b) => ids.set(r, b * T));
    const h = model.forward(ids, rows.length, T, { noGrad: true, hidden: true }).data; // [B, T, D]
    rows.forEach((r, b) => out.set(h.subarray((b * T + r.length - 1) * D, (b * T + r.length) * D), (s + b) * D));
  }
  return out;
}

/** Settings of reward-model training. */
export interface RewardConfig {
  steps: number;
  /** Pairs per step. */
  batchSize: number;
  lr: number;
  weightDecay: number;
  seed: number;
}

/** One reward-model step's report. */
export interface RewardStep {
  step: number;
  totalSteps: number;
  loss: number;
  /** Training-batch pair accuracy (strict >). */
  accuracy: number;
  /** Mean r_w − r_l on the batch. */
  margin: number;
}

/** Held-out report of a reward model. */
export interface RewardEval {
  loss: number;
  accuracy: number;
  margin: number;
  n: number;
}

/** Tokens the reward model reads for a completion: prompt ⊕ completion (ending with <|im_end|>). */
export function rewardInput(prompt: number[], completion: number[], imEnd = 2): number[] {
  return completion[completion.length - 1] === imEnd ? [...prompt, ...completion] : [...prompt, ...completion, imEnd];
}

/** The reward model: the frozen chat model as trunk and a linear head w [1, D]. */
export class RewardModel {
  readonly head: Tensor;

  constructor(
    readonly trunk: TinyLM,
    head?: Float32Array,
  ) {
    this.head = parameter(head ?? new Float32Array(trunk.config.dim), [1, trunk.config.dim], 'score.weight');
  }

  /** Rewards of hidden-state rows [N, D] (plain numbers). */
  scoreFeatures(h: Float32Array): Float32Array {
    const D = this.trunk.config.dim, n = h.length / D, w = this.head.data, out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < D; j++) s += w[j] * h[i * D + j];
      out[i] = s;
    }
    return out;
  }

  /** Rewards of full sequences (prompt ⊕ completion ids). */
  score(seqs: number[][]): Float32Array {
    return this.scoreFeatures(lastHidden(this.trunk, seqs));
  }

  /** Rewards as an autograd vector over the head: h [N, D] constant → [N]. */
  scoreTensor(h: Float32Array): Tensor {
    const n = h.length / this.trunk.config.dim;
    const y = linear(new Tensor(h, [n, this.trunk.config.dim], false), this.head); // [N, 1]
    return result(y.data, [n], [y], (o) => {
      const g = y.ensureGrad();
      for (let i = 0; i < n; i++) g[i] += o.grad![i];
    });
  }
}

/** Hidden features of pairs: chosen rows [N, D] and rejected rows [N, D]. */
export function pairFeatures(model: TinyLM, pairs: TokenizedPair[]): { chosen: Float32Array; rejected: Float32Array } {
  return {
    chosen: lastHidden(model, pairs.map((p) => rewardInput(p.prompt, p.chosen))),
    rejected: lastHidden(model, pairs.map((p) => rewardInput(p.prompt, p.rejected))),
  };
}

/** Loss, accuracy and margin of a reward model on pair features. */
export function evaluateReward(rm: RewardModel, f: { chosen: Float32Array; rejected: Float32Array }): RewardEval {
  const rw = rm.scoreFeatures(f.chosen), rl = rm.scoreFeatures(f.rejected);
  let loss = 0, margin = 0;
  for (let i = 0; i < rw.length; i++) loss += negLogSigmoid(rw[i] - rl[i]), (margin += rw[i] - rl[i]);
  const n = rw.length;
  return { loss: n ? loss / n : 0, accuracy: pairAccuracy(rw, rl), margin: n ? margin / n : 0, n };
}

/**
 * Trains the head by AdamW on minibatches of pair features; `onStep` gets each step's report.
 * Returns the trained model. `shouldStop` is polled between steps (cancel).
 */
export async function trainRewardModel(
  trunk: TinyLM,
  f: { chosen: Float32Array; rejected: Float32Array },
  cfg: RewardConfig,
  onStep?: (s: RewardStep) => void,
  shouldStop?: () => boolean,
): Promise<RewardModel> {
  const D = trunk.config.dim, n = f.chosen.length / D;
  if (!n) throw new Error('The reward model needs at least one preference pair');
  const rm = new RewardModel(trunk);
  const opt = new AdamW([rm.head], { lr: cfg.lr, beta1: 0.9, beta2: 0.999, weightDecay: cfg.weightDecay });
  const rng = new RNG(cfg.seed);
  let order: number[] = [];
  for (let step = 0; step < cfg.steps; step++) {
    if (shouldStop?.()) break;
    const idx: number[] = [];
    while (idx.length < Math.min(cfg.batchSize, n)) {
      if (!order.length) order = rng.shuffle([...Array(n).keys()]);
      idx.push(order.pop()!);
    }
    const hw = new Float32Array(idx.length * D), hl = new Float32Array(idx.length * D);
    idx.forEach((k, b) => (hw.set(f.chosen.subarray(k * D, (k + 1) * D), b * D), hl.set(f.rejected.subarray(k * D, (k + 1) * D), b * D)));
    const rw = rm.scoreTensor(hw), rl = rm.scoreTensor(hl);
    const loss = btLoss(rw, rl);
    opt.zeroGrad();
    loss.backward();
    opt.step(cfg.lr);
    let margin = 0;
    for (let i = 0; i < idx.length; i++) margin += rw.data[i] - rl.data[i];
    onStep?.({ step: step + 1, totalSteps: cfg.steps, loss: loss.item(), accuracy: pairAccuracy(rw.data, rl.data), margin: margin / idx.length });
    if (step % 25 === 24) await new Promise((r) => setTimeout(r, 0)); // let cancel messages in
  }
  return rm;
}

/**
 * Mean reward-model reward of a model's greedy replies to prompts (given as prompt ids): the one
 * "reward" that compares any two policies (shipped, DPO, GRPO) on the same footing.
 */
export function greedyReward(rm: RewardModel, policy: TinyLM, prompts: number[][], maxTokens = 16): number {
  const seqs = prompts.map((p) => {
    const s = policy.newSession();
    let logits = s.append(p);
    const out: number[] = [];
    for (let i = 0; i < Math.min(maxTokens, policy.config.maxSeqLen - p.length); i++) {
      let b = 0;
      for (let j = 1; j < logits.length; j++) if (logits[j] > logits[b]) b = j;
      if (b === 2 || b === 0) break;
      out.push(b);
      logits = s.append([b]);
    }
    return rewardInput(p, out);
  });
  const r = rm.score(seqs);
  return seqs.length ? r.reduce((a, b) => a + b, 0) / seqs.length : 0;
}
