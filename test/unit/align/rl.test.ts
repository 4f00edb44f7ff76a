/** Reward model and GRPO: hand cases, PyTorch goldens, and short toy runs. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { btLoss, evaluateReward, pairAccuracy, pairFeatures, RewardModel, rewardInput, trainRewardModel } from '../../../src/lib/align/reward';
import { clippedObjective, groupAdvantages, grpoLoss, GrpoTrainer, k3, sampleGroup, type RlPrompt } from '../../../src/lib/align/grpo';
import { DEFAULT_GRPO, DEFAULT_REWARD } from '../../../src/lib/align/recipe';
import type { TokenizedPair } from '../../../src/lib/align/dpo';
import type { Tokenizer } from '../../../src/lib/tokenizer';
import { TinyLM } from '../../../src/lib/tinylm/model';
import { logProbsOf } from '../../../src/lib/tinylm/ops';
import { RNG } from '../../../src/lib/tinylm/rng';
import { Tensor } from '../../../src/lib/tinylm/tensor';
import type { TinyLMConfig } from '../../../src/lib/tinylm/contract';

const golden = JSON.parse(readFileSync('test/fixtures/align/golden-rl.json', 'utf8'));
const tiny: TinyLMConfig = { vocabSize: 24, dim: 16, nLayers: 1, nHeads: 2, nKvHeads: 1, ffnDim: 32, maxSeqLen: 32, normEps: 1e-5, ropeTheta: 10000, tieEmbeddings: true };
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

/** Toy pairs: the chosen reply repeats the prompt's second token, the rejected one does not. */
function toyPairs(n: number, seed: number): TokenizedPair[] {
  const rng = new RNG(seed);
  return Array.from({ length: n }, () => {
    const a = 3 + rng.int(10), b = 13 + rng.int(10);
    return { prompt: [1, a, 4, 5], chosen: [a, 2], rejected: [b, 2] };
  });
}

describe('Bradley–Terry reward loss', () => {
  it('matches hand values: r_w 1, r_l 0 → log(1 + e^−1) = 0.313262, dL/dr_w = −σ(−1); ties give ln 2', () => {
    const rw = new Tensor(Float32Array.of(1), [1], true), rl = new Tensor(Float32Array.of(0), [1], true);
    const loss = btLoss(rw, rl);
    loss.backward();
    expect(loss.item()).toBeCloseTo(0.313262, 6);
    expect(rw.grad![0]).toBeCloseTo(-0.268941, 6);
    expect(rl.grad![0]).toBeCloseTo(0.268941, 6);
    expect(btLoss(new Tensor(Float32Array.of(3, -2), [2]), new Tensor(Float32Array.of(3, -2), [2])).item()).toBeCloseTo(Math.LN2, 6);
    expect(pairAccuracy([1, 2], [1, 1])).toBe(0.5); // strict >: the tie does not count
    expect(() => btLoss(new Tensor(Float32Array.of(1), [1]), new Tensor(Float32Array.of(1, 2), [2]))).toThrow();
  });

  it('gives the loss and head gradient of an independent PyTorch computation', () => {
    const { N, D } = golden.rm;
    const rm = new RewardModel({ config: { ...tiny, dim: D } } as TinyLM, Float32Array.from(golden.rm.w)); // only the head is used
    const loss = btLoss(rm.scoreTensor(Float32Array.from(golden.rm.hw)), rm.scoreTensor(Float32Array.from(golden.rm.hl)));
    loss.backward();
    expect(N).toBe(4);
    expect(loss.item()).toBeCloseTo(golden.rm.loss, 5);
    expect(maxAbsDiff(rm.head.grad!, golden.rm.grad)).toBeLessThan(1e-6);
    expect(Math.max(...golden.rm.grad.map(Math.abs))).toBeGreaterThan(1e-3);
  });

  it('reads the hidden state at the completion end and learns toy preferences (held-out accuracy > 0.8)', async () => {
    expect(rewardInput([1, 5], [7, 2])).toEqual([1, 5, 7, 2]);
    expect(rewardInput([1, 5], [7])).toEqual([1, 5, 7, 2]); // a truncated sample is read as finished
    const model = TinyLM.init(tiny, 3);
    const train = pairFeatures(model, toyPairs(128, 1)), held = pairFeatures(model, toyPairs(64, 2));
    const losses: number[] = [];
    const rm = await trainRewardModel(model, train, { ...DEFAULT_REWARD, steps: 300, lr: 0.05 }, (s) => losses.push(s.loss));
    expect(losses[0]).toBeCloseTo(Math.LN2, 5); // the head starts at zero: every pair ties
    const ev = evaluateReward(rm, held);
    expect(ev.accuracy).toBeGreaterThan(0.8);
    expect(ev.margin).toBeGreaterThan(0);
  });
});

describe('GRPO terms', () => {
  it('normalises rewards within each group (unbiased std + 1e-4); equal rewards give zeros, never NaN', () => {
    const a = groupAdvantages([1, 2, 3, 4, 5, 5, 5, 5], 4);
    const std = Math.sqrt(5 / 3);
    expect(Array.from(a.slice(0, 4))).toEqual([-1.5, -0.5, 0.5, 1.5].map((x) => Math.fround(x / (std + 1e-4))));
    expect(Array.from(a.slice(4))).toEqual([0, 0, 0, 0]);
    expect(Array.from(groupAdvantages([3], 1))).toEqual([0]);
    expect(() => groupAdvantages([1, 2, 3], 2)).toThrow();
  });

  it('clips the ratio only where it would push further in the advantage direction', () => {
    expect(clippedObjective(1.5, 1, 0.2)).toEqual({ value: 1.2, clipped: true }); // above 1+ε, A > 0: clipped
    expect(clippedObjective(1.5, -1, 0.2)).toEqual({ value: -1.5, clipped: false }); // A < 0: the pessimistic branch
    expect(clippedObjective(0.5, 1, 0.2)).toEqual({ value: 0.5, clipped: false });
    expect(clippedObjective(0.5, -1, 0.2).value).toBeCloseTo(-0.8, 12);
    expect(clippedObjective(0.5, -1, 0.2).clipped).toBe(true); // below 1−ε, A < 0: clipped
    expect(clippedObjective(1.1, 2, 0.2)).toEqual({ value: 2.2, clipped: false }); // inside the range
  });

  it('k3 is exp(ref − logp) − (ref − logp) − 1: 0 when equal, e^−1 for logp −1 and ref −2, never negative', () => {
    expect(k3(-3, -3)).toBe(0);
    expect(k3(-1, -2)).toBeCloseTo(Math.exp(-1), 12);
    expect(k3(-2, -1)).toBeCloseTo(Math.E - 2, 12);
    for (const [a, b] of [[-5, -0.1], [-0.1, -5], [-1, -1.0001]]) expect(k3(a, b)).toBeGreaterThanOrEqual(0);
  });

  it('a clipped token gets no policy gradient; an unclipped one gets −ρA (β = 0)', () => {
    const logp = new Tensor(Float32Array.of(Math.log(1.5), Math.log(1.1)), [2], true);
    const { loss, metrics } = grpoLoss(logp, [0, 0], [0, 0], [1, 1], [1, 1], 2, 1, { beta: 0, epsilon: 0.2, lossType: 'dapo' });
    loss.backward();
    expect(loss.item()).toBeCloseTo(-(1.2 + 1.1) / 2, 6);
    expect(logp.grad![0]).toBe(0);
    expect(logp.grad![1]).toBeCloseTo(-1.1 / 2, 6);
    expect(metrics.clipRatio).toBe(0.5);
  });

  for (const lossType of ['grpo', 'dapo'] as const)
    it(`gives the ${lossType} loss, KL, clip ratio and logit gradients of an independent PyTorch computation`, () => {
      const g = golden.grpo;
      const R = g.P * g.G;
      const targets = Int32Array.from(g.targets);
      const logits = new Tensor(Float32Array.from(g.policy), [R, g.T, g.V], true);
      const logp = logProbsOf(logits, targets);
      const old = logProbsOf(new Tensor(Float32Array.from(g.old), [R, g.T, g.V]), targets).data;
      const ref = logProbsOf(new Tensor(Float32Array.from(g.ref), [R, g.T, g.V]), targets).data;
      const adv = groupAdvantages(g.rewards, g.G);
      expect(maxAbsDiff(adv, g.advantages)).toBeLessThan(1e-5);
      const mask = Array.from(targets, (t) => (t >= 0 ? 1 : 0));
      const { loss, metrics } = grpoLoss(logp, old, ref, adv, mask, R, g.T, { beta: g.beta, epsilon: g.epsilon, lossType });
      loss.backward();
      const want = g[lossType];
      expect(loss.item()).toBeCloseTo(want.loss, 5);
      expect(metrics.kl).toBeCloseTo(want.kl, 5);
      expect(metrics.clipRatio).toBeCloseTo(want.clipRatio, 9);
      expect(want.clipRatio).toBeGreaterThan(0); // the batch exercises the clip
      expect(maxAbsDiff(logits.grad!, want.grad)).toBeLessThan(1e-5);
      expect(Math.max(...want.grad.map(Math.abs))).toBeGreaterThan(1e-3);
    });
});

describe('GrpoTrainer', () => {
  const tok = { decode: (ids: number[]) => ids.join(' ') } as unknown as Tokenizer;
  const prompts = (n: number): RlPrompt[] => toyPairs(n, 5).map((tokens) => ({ tokens, pair: { system: '', user: '', chosen: String(tokens.chosen[0]), rejected: 'x', answerable: true } }));

  it('samples groups that end at a stop id or the token limit', () => {
    const model = TinyLM.init(tiny, 3);
    const group = sampleGroup(model, [1, 5, 4], 8, 4, 1, new RNG(1));
    expect(group).toHaveLength(8);
    for (const c of group) expect(c.length === 4 || [0, 2].includes(c[c.length - 1])).toBe(true);
    expect(() => sampleGroup(model, Array(32).fill(1), 2, 4, 1, new RNG(1))).toThrow(/window/);
  });

  it('raises the reward model’s reward on its own samples, starting with KL 0, and cancel stops it', async () => {
    const model = TinyLM.init(tiny, 3);
    const before = model.weight('model.layers.0.mlp.up_proj.weight').data.slice();
    const rm = await trainRewardModel(model, pairFeatures(model, toyPairs(128, 1)), { ...DEFAULT_REWARD, steps: 300, lr: 0.05 });
    const tr = new GrpoTrainer(model, tok, rm, prompts(32), { ...DEFAULT_GRPO, sftSteps: 2, steps: 30, promptsPerStep: 4, maxNewTokens: 3, maxLr: 1e-2 });
    const steps: number[] = [];
    let firstKl = NaN;
    await tr.run((s) => {
      expect(Number.isFinite(s.loss)).toBe(true);
      if (s.phase === 'rl') {
        if (Number.isNaN(firstKl)) firstKl = s.kl;
        steps.push(s.reward);
      }
    });
    expect(firstKl).toBeLessThan(1e-6); // the first RL step samples from the reference itself (merged weights vs adapter path: rounding only)
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(steps.slice(-8))).toBeGreaterThan(mean(steps.slice(0, 8)));
    expect(model.weight('model.layers.0.mlp.up_proj.weight').data).toEqual(before); // LoRA only
    // With two updates per batch the second pass has ρ ≠ 1 and, at a high rate, clips some tokens.
    const tr3 = new GrpoTrainer(model, tok, rm, prompts(8), { ...DEFAULT_GRPO, sftSteps: 0, steps: 3, iterations: 2, maxLr: 0.2, warmup: 0, maxNewTokens: 3 });
    const clips: number[] = [];
    await tr3.run((s) => void clips.push(s.clipRatio));
    expect(Math.max(...clips)).toBeGreaterThan(0);
    const tr2 = new GrpoTrainer(model, tok, rm, prompts(8), { ...DEFAULT_GRPO, sftSteps: 0, steps: 50, maxNewTokens: 2 });
    const p = tr2.run((s) => s.step === 2 && tr2.cancel());
    await p;
    expect(tr2.step).toBe(2);
  });
});

describe('RLHF lab defaults', () => {
  it('are the recipe the measuring script and the bench run (so the lesson’s figures describe the lab)', async () => {
    const meta = (await import('../../../src/labs/align-rl/meta')).default;
    const d = meta.defaults();
    expect({ rmSteps: d.rmSteps, sftSteps: d.sftSteps, rlSteps: d.rlSteps, beta: d.beta, lr: d.lr, iterations: d.iterations, temperature: d.temperature, reward: d.reward })
      .toEqual({ rmSteps: DEFAULT_REWARD.steps, sftSteps: DEFAULT_GRPO.sftSteps, rlSteps: DEFAULT_GRPO.steps, beta: DEFAULT_GRPO.beta, lr: DEFAULT_GRPO.maxLr, iterations: DEFAULT_GRPO.iterations, temperature: DEFAULT_GRPO.temperature, reward: DEFAULT_GRPO.reward });
    expect(meta.tasks).toEqual(['2.3.b']);
  });
});
