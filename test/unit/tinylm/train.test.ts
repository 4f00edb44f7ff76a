import { describe, expect, it } from 'vitest';
import type { TinyLMConfig } from '../../../src/lib/tinylm/contract';
import { TinyLM, initWeights } from '../../../src/lib/tinylm/model';
import { Trainer, clipGradNorm, cosineLr, sampleBatch, sliceGradient, RNG, type GradShard } from '../../../src/lib/tinylm/train';
import { Tensor } from '../../../src/lib/tinylm/tensor';
import { createTrainService } from '../../../src/lib/tinylm/train-service';

const config: TinyLMConfig = {
  vocabSize: 16, dim: 16, nLayers: 1, nHeads: 2, nKvHeads: 1, ffnDim: 32,
  maxSeqLen: 16, ropeTheta: 10000, normEps: 1e-5, tieEmbeddings: true,
};
const tokens = Int32Array.from({ length: 500 }, (_, i) => 1 + (i % 15));
const cfg = { steps: 6, batchSize: 2, seqLen: 8, maxLr: 1e-2, minLr: 1e-3, warmup: 2, weightDecay: 0.1, clip: 1, seed: 5 };

describe('schedule, clipping, batching', () => {
  it('cosine schedule with linear warm-up', () => {
    const o = { maxLr: 1, minLr: 0.1, warmup: 10, total: 110 };
    expect(cosineLr(0, o)).toBeCloseTo(0.1);
    expect(cosineLr(9, o)).toBeCloseTo(1);
    expect(cosineLr(10, o)).toBeCloseTo(1);
    expect(cosineLr(60, o)).toBeCloseTo(0.55);
    expect(cosineLr(110, o)).toBeCloseTo(0.1);
    expect(cosineLr(500, o)).toBeCloseTo(0.1);
  });

  it('global-norm clipping scales every gradient by the same factor', () => {
    const a = new Tensor(new Float32Array(2), [2], true), b = new Tensor(new Float32Array(1), [1], true);
    a.grad = Float32Array.of(3, 0);
    b.grad = Float32Array.of(4);
    expect(clipGradNorm([a, b], 1)).toBeCloseTo(5);
    expect(a.grad[0]).toBeCloseTo(0.6, 5);
    expect(b.grad[0]).toBeCloseTo(0.8, 5);
    expect(clipGradNorm([a, b], 10)).toBeCloseTo(1, 5); // under the limit: unchanged
  });

  it('batches are seeded, shifted by one, masked and start at allowed positions', () => {
    const data = { tokens, mask: Uint8Array.from(tokens, (t) => (t % 2 ? 1 : 0)), starts: Int32Array.of(0, 30) };
    const b1 = sampleBatch(data, 3, 5, new RNG(1));
    const b2 = sampleBatch(data, 3, 5, new RNG(1));
    expect(b1).toEqual(b2);
    for (let r = 0; r < 3; r++) {
      expect([tokens[0], tokens[30]]).toContain(b1.inputs[r * 5]);
      for (let t = 0; t < 5; t++) {
        const next = b1.inputs[r * 5 + t] === 15 ? 1 : b1.inputs[r * 5 + t] + 1;
        expect(b1.targets[r * 5 + t]).toBe(next % 2 ? next : -1);
      }
    }
  });
});

describe('Trainer', () => {
  it('is deterministic and resumes bit for bit from its state', async () => {
    const a = new Trainer(new TinyLM(config, initWeights(config, 1)), { tokens }, cfg);
    await a.run();
    const b = new Trainer(new TinyLM(config, initWeights(config, 1)), { tokens }, cfg);
    for (let i = 0; i < 3; i++) b.trainStep();
    const state = b.getState();
    const weights = new Map([...b.model.weights].map(([k, t]) => [k, { shape: t.shape, data: t.data.slice() }]));
    const c = new Trainer(new TinyLM(config, weights), { tokens }, cfg);
    c.setState(state);
    await c.run();
    for (const [k, t] of a.model.weights) expect(c.model.weights.get(k)!.data).toEqual(t.data);
  });

  it('data-parallel steps (batch split over shards, weighted by target counts) equal serial steps', async () => {
    // A mask leaves the slices with different numbers of targets, so plain averaging would differ.
    const mask = Uint8Array.from({ length: tokens.length }, (_, i) => (i % 7 < 3 ? 0 : 1));
    const data = { tokens, mask };
    const dp = { ...cfg, batchSize: 5 };
    const serial = new Trainer(new TinyLM(config, initWeights(config, 3)), data, dp);
    const serialLosses: number[] = [];
    await serial.run((s) => serialLosses.push(s.loss));
    // In-process shards, each with its own replica (as the worker threads have).
    const shard = (): GradShard => {
      const replica = TinyLM.init(config, 99);
      return { grad: async (w, b) => sliceGradient(replica, w.map((x) => x.slice()), b) };
    };
    const parallel = new Trainer(new TinyLM(config, initWeights(config, 3)), data, dp, [shard(), shard()]);
    const parallelLosses: number[] = [];
    await parallel.run((s) => parallelLosses.push(s.loss));
    expect(parallelLosses).toHaveLength(serialLosses.length);
    parallelLosses.forEach((l, i) => expect(l).toBeCloseTo(serialLosses[i], 5));
    for (const [k, t] of serial.model.weights) {
      const p = parallel.model.weights.get(k)!.data;
      for (let i = 0; i < p.length; i++) expect(Math.abs(p[i] - t.data[i])).toBeLessThan(1e-5);
    }
  });

  it('lowers the loss on a learnable sequence and reports progress', async () => {
    const t = new Trainer(new TinyLM(config, initWeights(config, 2)), { tokens }, { ...cfg, steps: 40, weightDecay: 0 });
    const losses: number[] = [];
    await t.run((s) => losses.push(s.loss));
    expect(losses).toHaveLength(40);
    expect(losses.at(-1)!).toBeLessThan(losses[0] * 0.5);
  });

  it('train service: cancel stops a run and keeps the weights', async () => {
    const svc = createTrainService();
    let n = 0;
    const p = svc.train({ requestId: 4, config, train: { ...cfg, steps: 1000 }, data: { tokens } }, {
      signal: new AbortController().signal,
      progress: async (e) => {
        n = e.step;
        if (e.step === 3) await svc.cancel();
      },
    });
    const r = await p;
    expect(r.ok && r.cancelled).toBe(true);
    expect(n).toBe(3);
    expect(r.ok && r.weights['model.norm.weight'].shape).toEqual([16]);
  });
});
