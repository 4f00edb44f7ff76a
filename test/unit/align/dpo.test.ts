/** DPO: hand values, step 0 (policy = reference), a PyTorch golden batch, and a short run that learns. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { completionBatch, dpoLoss, dpoValues, DpoTrainer, negLogSigmoid, sequenceLogps, tokenKL, type TokenizedPair } from '../../../src/lib/align/dpo';
import { TinyLM } from '../../../src/lib/tinylm/model';
import { RNG } from '../../../src/lib/tinylm/rng';
import { Tensor, result } from '../../../src/lib/tinylm/tensor';
import type { TinyLMConfig } from '../../../src/lib/tinylm/contract';
import { DEFAULT_DPO } from '../../../src/lib/align/recipe';

const golden = JSON.parse(readFileSync('test/fixtures/align/golden.json', 'utf8'));
const tiny: TinyLMConfig = { vocabSize: 24, dim: 16, nLayers: 1, nHeads: 2, nKvHeads: 1, ffnDim: 32, maxSeqLen: 32, normEps: 1e-5, ropeTheta: 10000, tieEmbeddings: true };

/** Pairs over the tiny vocabulary: the chosen reply repeats the prompt's first token, the rejected one does not. */
function toyPairs(n: number, seed: number): TokenizedPair[] {
  const rng = new RNG(seed);
  return Array.from({ length: n }, () => {
    const a = 3 + rng.int(10), b = 13 + rng.int(10);
    return { prompt: [1, a, 4, 5], chosen: [a, 2], rejected: [b, 2] };
  });
}

describe('DPO loss', () => {
  it('matches the hand case: log π(yw) −5 (ref −6), log π(yl) −7 (ref −6), β 0.1 → 0.598139', () => {
    const m = dpoValues([-5], [-7], [-6], [-6], 0.1);
    expect(m.loss).toBeCloseTo(0.598139, 6);
    expect(m['rewards/chosen']).toBeCloseTo(0.1, 12);
    expect(m['rewards/rejected']).toBeCloseTo(-0.1, 12);
    expect(m['rewards/margins']).toBeCloseTo(0.2, 12);
    expect(m['rewards/accuracies']).toBe(1);
    expect(negLogSigmoid(0)).toBeCloseTo(Math.LN2, 12);
    expect(negLogSigmoid(-800)).toBeCloseTo(800, 6); // stable far out
  });

  it('is ln 2 with zero rewards and accuracy 0 (strict >) when policy = reference', () => {
    const m = dpoValues([-3, -9], [-4, -2], [-3, -9], [-4, -2], 0.1);
    expect(m.loss).toBeCloseTo(0.693147, 6);
    expect(m['rewards/chosen']).toBe(0);
    expect(m['rewards/margins']).toBe(0);
    expect(m['rewards/accuracies']).toBe(0);
  });

  it('gives the loss, TRL metrics and logit gradients of an independent PyTorch computation', () => {
    const { N, T, V, beta } = golden;
    const logits = new Tensor(Float32Array.from(golden.policy), [2 * N, T, V], true);
    const targets = Int32Array.from(golden.targets);
    const pol = sequenceLogps(logits, targets); // [2N]
    const ref = sequenceLogps(new Tensor(Float32Array.from(golden.ref), [2 * N, T, V]), targets).data;
    const half = (k: number) => result(pol.data.slice(k * N, (k + 1) * N), [N], [pol], (o) => {
      const g = pol.ensureGrad();
      for (let i = 0; i < N; i++) g[k * N + i] += o.grad![i];
    });
    const { loss, metrics } = dpoLoss(half(0), half(1), ref.slice(0, N), ref.slice(N), beta);
    loss.backward();
    expect(loss.item()).toBeCloseTo(golden.loss, 5);
    for (const k of ['rewards/chosen', 'rewards/rejected', 'rewards/accuracies', 'rewards/margins', 'logps/chosen', 'logps/rejected'] as const)
      expect(metrics[k]).toBeCloseTo(golden[k], 4);
    const g = logits.grad!;
    let maxErr = 0;
    golden.grad.forEach((x: number, i: number) => (maxErr = Math.max(maxErr, Math.abs(x - g[i]))));
    expect(maxErr).toBeLessThan(1e-6);
    expect(Math.max(...golden.grad.map(Math.abs))).toBeGreaterThan(1e-3); // the check compares real gradients
  });

  it('builds completion targets only on the reply tokens and KL is 0 for equal logits, > 0 otherwise', () => {
    const b = completionBatch([{ prompt: [1, 2, 3], completion: [4, 5] }, { prompt: [1], completion: [6] }]);
    expect(b.T).toBe(4);
    expect([...b.targets]).toEqual([-1, -1, 4, 5, 6, -1, -1, -1]);
    const a = Float32Array.from({ length: 8 * 3 }, (_, i) => Math.sin(i));
    expect(tokenKL(a, a, b.targets, 3)).toBeCloseTo(0, 9);
    expect(tokenKL(a, a.map((x) => x * 2), b.targets, 3)).toBeGreaterThan(0.01);
  });
});

describe('DpoTrainer', () => {
  it('step 0 has loss ln 2, zero rewards, accuracy 0 and KL 0 (fresh LoRA: policy = reference)', () => {
    const tr = new DpoTrainer(TinyLM.init(tiny, 3), toyPairs(8, 1), { ...DEFAULT_DPO, batchSize: 4, rpoAlpha: 0 });
    const s = tr.trainStep();
    expect(s.loss).toBeCloseTo(0.693147, 6);
    expect(s['rewards/chosen']).toBe(0);
    expect(s['rewards/rejected']).toBe(0);
    expect(s['rewards/accuracies']).toBe(0);
    expect(s.kl).toBe(0);
    expect(s.gradNorm).toBeGreaterThan(0);
  });

  it('learns to prefer the chosen replies on held-out toy pairs, and the base weights stay frozen', async () => {
    const model = TinyLM.init(tiny, 3);
    const before = model.weight('model.layers.0.self_attn.q_proj.weight').data.slice();
    const tr = new DpoTrainer(model, toyPairs(64, 1), { ...DEFAULT_DPO, steps: 40, batchSize: 8, maxLr: 1e-2, rpoAlpha: 0 });
    const held = toyPairs(32, 99);
    expect(tr.evaluate(held)['rewards/accuracies']).toBe(0);
    await tr.run();
    const m = tr.evaluate(held);
    expect(m['rewards/accuracies']).toBeGreaterThan(0.8);
    expect(m['rewards/margins']).toBeGreaterThan(0);
    expect(m.loss).toBeLessThan(Math.LN2);
    expect(m.kl).toBeGreaterThan(0);
    expect(model.weight('model.layers.0.self_attn.q_proj.weight').data).toEqual(before);
  });

  it('pause holds the run and cancel stops it after the current step', async () => {
    const tr = new DpoTrainer(TinyLM.init(tiny, 3), toyPairs(8, 1), { ...DEFAULT_DPO, steps: 50, batchSize: 2 });
    let steps = 0;
    const p = tr.run(() => {
      steps++;
      if (steps === 2) tr.pause();
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(tr.step).toBe(2);
    tr.cancel();
    await p;
    expect(tr.step).toBe(2);
  });
});
