/**
 * Group Relative Policy Optimization (Shao et al. 2024, DeepSeekMath §4.1) on TinyLM, with TRL's
 * GRPOTrainer conventions:
 *
 *   for each prompt x, sample G completions y_1..y_G from π_old (the policy before this update)
 *   A_i      = (r_i − mean(r)) / (std(r) + 1e-4)          group-relative, std unbiased (torch .std)
 *   ρ_{i,t}  = π(y_{i,t} | …) / π_old(y_{i,t} | …)         per token
 *   k3_{i,t} = exp(ref − logp) − (ref − logp) − 1           Schulman's estimator of KL(π ‖ π_ref)
 *   l_{i,t}  = −min(ρ·A_i, clip(ρ, 1−ε, 1+ε)·A_i) + β·k3
 *   loss     = "grpo": mean_i (Σ_t l_{i,t} / |y_i|)         (the paper: per-sequence mean)
 *              "dapo": Σ_{i,t} l_{i,t} / Σ_i |y_i|          (TRL's current default: per token)
 *
 * No value network: the group mean is the baseline PPO would learn with a critic. On a model of
 * TinyLM's size a critic is as big as the policy and learns from a handful of rollouts per step,
 * so its estimates would be noise; G samples of one prompt give a baseline for free.
 *
 * Policy = the chat model + a LoRA adapter. Because the shipped model never writes the abstention
 * (its log-prob is near −90 nats, so no sample would ever contain it), the run starts like RLHF
 * does: a short supervised warm-start on the chosen replies (InstructGPT's SFT stage), after which
 * the reference π_ref is frozen as a merged copy. Rewards come from the Bradley–Terry reward model
 * (`reward.ts`), or, with `reward: 'program'`, from the program's verdict itself (a verifiable
 * reward). The verdict on each sample (`judgeReply`) is logged either way, so a reward that rises
 * while the verdict falls (reward hacking) shows up in the curves.
 */
import type { Tokenizer } from '../tokenizer';
import { TinyLM } from '../tinylm/model';
import { LoraAdapter, type LoraConfig } from '../tinylm/lora';
import { logProbsOf } from '../tinylm/ops';
import { AdamW, clipGradNorm, cosineLr } from '../tinylm/optim';
import { RNG } from '../tinylm/rng';
import { Tensor, result, scale, sum } from '../tinylm/tensor';
import { softmax } from '../sampling/transforms';
import { completionBatch, sequenceLogps, tokenKL, type TokenizedPair } from './dpo';
import { judgeReply, type PreferencePair } from './pairs';
import { rewardInput, type RewardModel } from './reward';

/**
 * Group-relative advantages: rewards [P·G] in groups of G → (r − mean) / (std + eps), std with
 * Bessel's correction like torch's `.std()`. A group whose rewards are all equal gets zeros (and a
 * group of one, where the unbiased std is undefined, too).
 */
export function groupAdvantages(rewards: ArrayLike<number>, G: number, eps = 1e-4): Float32Array {
  if (G < 1 || rewards.length % G) throw new Error(`groupAdvantages: ${rewards.length} rewards do not split into groups of ${G}`);
  const out = new Float32Array(rewards.length);
  for (let g = 0; g < rewards.length; g += G) {
    let m = 0;
    for (let i = 0; i < G; i++) m += rewards[g + i];
    m /= G;
    let v = 0;
    for (let i = 0; i < G; i++) v += (rewards[g + i] - m) ** 2;
    const std = G > 1 ? Math.sqrt(v / (G - 1)) : 0;
    for (let i = 0; i < G; i++) out[g + i] = std > 0 ? (rewards[g + i] - m) / (std + eps) : 0;
  }
  return out;
}

/** Schulman's k3 estimator of KL(π ‖ π_ref) at one sampled token: exp(ref − logp) − (ref − logp) − 1 (≥ 0). */
export function k3(logp: number, ref: number): number {
  const d = ref - logp;
  return Math.exp(d) - d - 1;
}

/**
 * PPO's clipped surrogate at one token: min(ρ·A, clip(ρ, 1−ε, 1+ε)·A) (to maximise), and whether
 * the clipped branch is the active one with ρ outside the range (then the gradient is zero).
 */
export function clippedObjective(ratio: number, adv: number, eps: number): { value: number; clipped: boolean } {
  const c = Math.min(Math.max(ratio, 1 - eps), 1 + eps);
  const a = ratio * adv, b = c * adv;
  return { value: Math.min(a, b), clipped: b < a };
}

/** How the per-token losses are averaged (see the header). */
export type GrpoLossType = 'grpo' | 'dapo';

/** Metrics of one GRPO loss evaluation. */
export interface GrpoLossMetrics {
  loss: number;
  /** Mean k3 per completion token (TRL's `kl`). */
  kl: number;
  /** Fraction of completion tokens whose gradient the clip removed (TRL's `clip_ratio`). */
  clipRatio: number;
}

/**
 * The GRPO loss as an autograd scalar over the policy's per-token log-probs logp [R·T] (rows of T
 * positions; mask 1 at completion tokens). old, ref [R·T] and adv [R] are constants.
 */
export function grpoLoss(
  logp: Tensor, old: ArrayLike<number>, ref: ArrayLike<number>, adv: ArrayLike<number>, mask: ArrayLike<number>,
  R: number, T: number, opts: { beta: number; epsilon: number; lossType: GrpoLossType },
): { loss: Tensor; metrics: GrpoLossMetrics } {
  if (logp.size !== R * T || old.length !== R * T || ref.length !== R * T || mask.length !== R * T || adv.length !== R) throw new Error('grpoLoss: shapes differ');
  const { beta, epsilon, lossType } = opts;
  // Per-token weight of the aggregation: 1/|y_i|/R ("grpo") or 1/Σ|y| ("dapo").
  const weight = new Float32Array(R * T);
  let total = 0;
  const lens = new Float32Array(R);
  for (let r = 0; r < R; r++) for (let t = 0; t < T; t++) lens[r] += mask[r * T + t], (total += mask[r * T + t]);
  for (let r = 0; r < R; r++) for (let t = 0; t < T; t++) {
    const i = r * T + t;
    if (!mask[i]) continue;
    weight[i] = lossType === 'grpo' ? 1 / lens[r] / R : 1 / total;
  }
  const grad = new Float32Array(R * T); // dL/dlogp
  let loss = 0, kl = 0, clipped = 0;
  for (let r = 0; r < R; r++) for (let t = 0; t < T; t++) {
    const i = r * T + t;
    if (!mask[i]) continue;
    const ratio = Math.exp(logp.data[i] - old[i]);
    const obj = clippedObjective(ratio, adv[r], epsilon);
    const kk = k3(logp.data[i], ref[i]);
    loss += weight[i] * (-obj.value + beta * kk);
    kl += kk, (clipped += obj.clipped ? 1 : 0);
    // d(−ρA)/dlogp = −ρA where the unclipped branch is active; d k3/dlogp = 1 − exp(ref − logp).
    grad[i] = weight[i] * ((obj.clipped ? 0 : -ratio * adv[r]) + beta * (1 - Math.exp(ref[i] - logp.data[i])));
  }
  const out = result(Float32Array.of(loss), [1], [logp], (o) => {
    if (!logp.requiresGrad) return;
    const g = logp.ensureGrad(), s = o.grad![0];
    for (let i = 0; i < R * T; i++) g[i] += s * grad[i];
  });
  return { loss: out, metrics: { loss, kl: total ? kl / total : 0, clipRatio: total ? clipped / total : 0 } };
}

/** Settings of a GRPO run. */
export interface GrpoConfig {
  steps: number;
  /** Prompts per step (each gets a group of `groupSize` completions). */
  promptsPerStep: number;
  groupSize: number;
  maxNewTokens: number;
  temperature: number;
  /** KL coefficient (TRL's `beta`; the paper used 0.04). */
  beta: number;
  /** Clip range ε of the ratio. */
  epsilon: number;
  /** Updates per batch of samples (TRL's `num_iterations`, μ); with 1 the ratio is 1 and the clip never acts. */
  iterations: number;
  lossType: GrpoLossType;
  maxLr: number;
  warmup: number;
  clip: number;
  seed: number;
  /** Supervised warm-start steps on the chosen replies before RL (RLHF's SFT stage). */
  sftSteps: number;
  sftBatch: number;
  /** Learning rate of the warm-start (constant). */
  sftLr: number;
  /**
   * Where rewards come from: 'model' = the Bradley–Terry reward model (RLHF); 'program' = the
   * program's verdict, 1 or 0 (a verifiable reward, as DeepSeekMath/R1 use for maths answers).
   */
  reward: 'model' | 'program';
  lora: LoraConfig;
}

/** One GRPO step's report. */
export interface GrpoStep extends GrpoLossMetrics {
  step: number;
  totalSteps: number;
  phase: 'sft' | 'rl';
  /** Mean reward of the step's samples (RL steps): the reward model's, or the program's 0/1. */
  reward: number;
  rewardStd: number;
  /** Fraction of the step's samples the program judges right (the behaviour, on training prompts). */
  judged: number;
  /** Mean completion length in tokens. */
  length: number;
  /** One sample of the step, decoded (for the lab's log). */
  sample: string;
  lr: number;
  gradNorm: number;
  elapsedMs: number;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Samples an id from logits / temperature (temperature 0 = greedy). */
function sampleId(logits: Float32Array, temperature: number, rng: RNG): number {
  if (temperature <= 0) {
    let b = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[b]) b = i;
    return b;
  }
  const scaled = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i++) scaled[i] = logits[i] / temperature;
  const p = softmax(scaled);
  let u = rng.next(), i = 0;
  for (; i < p.length - 1; i++) if ((u -= p[i]) < 0) break;
  return i;
}

/**
 * Samples G completions after `prompt` with one KV cache: the prompt is prefilled once and the
 * cache truncated back to it for each sample. The stop id that ends a completion (<|im_end|> or
 * <|endoftext|>) is kept as its last token, since the policy chose it too.
 */
export function sampleGroup(model: TinyLM, prompt: number[], G: number, maxNew: number, temperature: number, rng: RNG, stopIds = [2, 0]): number[][] {
  const s = model.newSession();
  const room = Math.min(maxNew, model.config.maxSeqLen - prompt.length);
  if (room <= 0) throw new Error(`prompt of ${prompt.length} tokens leaves no room in the ${model.config.maxSeqLen}-token window`);
  const first = s.append(prompt).slice();
  const group: number[][] = [];
  for (let g = 0; g < G; g++) {
    s.truncate(prompt.length);
    let logits: Float32Array = first;
    const out: number[] = [];
    for (let i = 0; i < room; i++) {
      const id = sampleId(logits, temperature, rng);
      out.push(id);
      if (stopIds.includes(id)) break;
      if (i + 1 < room) logits = s.append([id]);
    }
    group.push(out);
  }
  return group;
}

/** A prompt the RL loop samples from: its pair (for the program's verdict) and its token ids. */
export interface RlPrompt {
  pair: PreferencePair;
  tokens: TokenizedPair;
}

/** A GRPO run: policy = model + adapter; rewards from `rm` (or the program); reference = the policy after the SFT warm-start. */
export class GrpoTrainer {
  readonly adapter: LoraAdapter;
  readonly optimizer: AdamW;
  readonly rng: RNG;
  /** Steps done (SFT then RL). */
  step = 0;
  /** The frozen reference (set when RL starts). */
  reference: TinyLM | null = null;
  private order: number[] = [];
  private elapsedMs = 0;
  private cancelled = false;

  constructor(
    readonly model: TinyLM,
    readonly tok: Tokenizer,
    readonly rm: RewardModel | null,
    readonly prompts: RlPrompt[],
    readonly cfg: GrpoConfig,
  ) {
    if (!prompts.length) throw new Error('GRPO needs at least one prompt');
    if (cfg.reward === 'model' && !rm) throw new Error('GRPO with reward "model" needs a reward model');
    this.adapter = LoraAdapter.create(model.config, cfg.lora);
    this.optimizer = new AdamW(this.adapter.parameters(), { lr: cfg.maxLr, beta1: 0.9, beta2: 0.999, weightDecay: 0 });
    this.rng = new RNG(cfg.seed);
  }

  get totalSteps(): number {
    return this.cfg.sftSteps + this.cfg.steps;
  }

  #next(n: number): RlPrompt[] {
    const out: RlPrompt[] = [];
    while (out.length < Math.min(n, this.prompts.length)) {
      if (!this.order.length) this.order = this.rng.shuffle(this.prompts.map((_, i) => i));
      out.push(this.prompts[this.order.pop()!]);
    }
    return out;
  }

  /** The policy as a plain model (adapter merged into a copy of the weights). */
  policyModel(): TinyLM {
    return new TinyLM(this.model.config, this.adapter.merged(this.model.weights));
  }

  #update(loss: Tensor, step: number): { lr: number; gradNorm: number } {
    this.optimizer.zeroGrad();
    loss.backward();
    const gradNorm = clipGradNorm(this.optimizer.params, this.cfg.clip);
    // SFT at a constant rate; RL with warm-up and cosine decay over its own steps.
    const lr = step < this.cfg.sftSteps ? this.cfg.sftLr : cosineLr(step - this.cfg.sftSteps, { maxLr: this.cfg.maxLr, warmup: this.cfg.warmup, total: this.cfg.steps });
    this.optimizer.step(lr);
    return { lr, gradNorm };
  }

  /** One supervised step: mean NLL per token of the chosen replies. */
  sftStep(): GrpoStep {
    const t0 = now();
    const batch = this.#next(this.cfg.sftBatch);
    const b = completionBatch(batch.map((p) => ({ prompt: p.tokens.prompt, completion: p.tokens.chosen })));
    const logits = this.model.forward(b.inputs, b.R, b.T, { noGrad: true, adapters: this.adapter.forwardAdapters(true) });
    const n = batch.reduce((a, p) => a + p.tokens.chosen.length, 0);
    const loss = scale(sum(sequenceLogps(logits, b.targets)), -1 / Math.max(1, n));
    const { lr, gradNorm } = this.#update(loss, this.step);
    this.step++;
    this.elapsedMs += now() - t0;
    return { step: this.step, totalSteps: this.totalSteps, phase: 'sft', loss: loss.item(), kl: 0, clipRatio: 0, reward: NaN, rewardStd: NaN, judged: NaN, length: n / batch.length, sample: '', lr, gradNorm, elapsedMs: this.elapsedMs };
  }

  /** One RL step: sample groups, score them, compute advantages, `iterations` clipped updates. */
  rlStep(): GrpoStep {
    const t0 = now();
    const { groupSize: G, promptsPerStep: P } = this.cfg;
    this.reference ??= this.policyModel();
    const policy = this.policyModel();
    const batch = this.#next(P);
    const rows: { prompt: number[]; completion: number[] }[] = [];
    const judged: boolean[] = [];
    for (const p of batch) for (const c of sampleGroup(policy, p.tokens.prompt, G, this.cfg.maxNewTokens, this.cfg.temperature, this.rng)) {
      rows.push({ prompt: p.tokens.prompt, completion: c });
      judged.push(judgeReply(p.pair, this.tok.decode(c.filter((id) => id > 2)).trim()));
    }
    const rewards = this.cfg.reward === 'program' ? Float32Array.from(judged, (ok) => (ok ? 1 : 0)) : this.rm!.score(rows.map((r) => rewardInput(r.prompt, r.completion)));
    const adv = groupAdvantages(rewards, G);
    const b = completionBatch(rows); // inputs [R, T], targets: completion tokens
    const mask = new Float32Array(b.targets.length);
    for (let i = 0; i < mask.length; i++) mask[i] = b.targets[i] >= 0 ? 1 : 0;
    const ref = logProbsOf(this.reference.forward(b.inputs, b.R, b.T, { noGrad: true }), b.targets).data; // [R·T]
    let old: Float32Array | null = null;
    let m: GrpoLossMetrics = { loss: 0, kl: 0, clipRatio: 0 };
    let upd = { lr: 0, gradNorm: 0 };
    const iterations = Math.max(1, this.cfg.iterations);
    for (let it = 0; it < iterations; it++) {
      const logits = this.model.forward(b.inputs, b.R, b.T, { noGrad: true, adapters: this.adapter.forwardAdapters(true) });
      const logp = logProbsOf(logits, b.targets); // [R·T]
      old ??= logp.data.slice(); // π_old = the policy that sampled (identical on the first pass)
      const { loss, metrics } = grpoLoss(logp, old, ref, adv, mask, b.R, b.T, this.cfg);
      // Loss and KL as the batch was sampled; the clip ratio averaged over the passes (as TRL logs
      // it): on the first pass ρ = 1, so only later passes can clip.
      if (it === 0) m = { ...metrics, clipRatio: 0 };
      m.clipRatio += metrics.clipRatio / iterations;
      upd = this.#update(loss, this.step);
    }
    this.step++;
    this.elapsedMs += now() - t0;
    let mean = 0, v = 0;
    for (const r of rewards) mean += r / rewards.length;
    for (const r of rewards) v += (r - mean) ** 2 / rewards.length;
    const len = rows.reduce((a, r) => a + r.completion.length, 0) / rows.length;
    return {
      step: this.step, totalSteps: this.totalSteps, phase: 'rl', ...m, reward: mean, rewardStd: Math.sqrt(v),
      judged: judged.filter(Boolean).length / judged.length, length: len,
      sample: this.tok.decode(rows[0].completion.filter((id) => id > 2)).trim(), ...upd, elapsedMs: this.elapsedMs,
    };
  }

  /** Runs SFT then RL to the end (or cancel), yielding between steps. */
  async run(onStep?: (s: GrpoStep) => void): Promise<GrpoStep | null> {
    let last: GrpoStep | null = null;
    while (this.step < this.totalSteps && !this.cancelled) {
      last = this.step < this.cfg.sftSteps ? this.sftStep() : this.rlStep();
      onStep?.(last);
      await new Promise((r) => setTimeout(r, 0));
    }
    return last;
  }

  /** Stops after the current step. */
  cancel(): void {
    this.cancelled = true;
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }
}

/**
 * Exact mean per-token KL(π ‖ π_base) on the completions of pairs (both replies), the same measure
 * DPO's `evaluate` reports, so the two methods' drift from the shipped model compares directly.
 */
export function pairsKL(policy: TinyLM, base: TinyLM, pairs: TokenizedPair[], batch = 8): number {
  let kl = 0, n = 0;
  for (let i = 0; i < pairs.length; i += batch) {
    const chunk = pairs.slice(i, i + batch);
    const rows = [...chunk.map((p) => ({ prompt: p.prompt, completion: p.chosen })), ...chunk.map((p) => ({ prompt: p.prompt, completion: p.rejected }))];
    const b = completionBatch(rows);
    const V = base.config.vocabSize;
    kl += tokenKL(policy.forward(b.inputs, b.R, b.T, { noGrad: true }).data, base.forward(b.inputs, b.R, b.T, { noGrad: true }).data, b.targets, V) * chunk.length;
    n += chunk.length;
  }
  return n ? kl / n : 0;
}
