import { describe, expect, it } from 'vitest';
import {
  DEFAULT_NEURON, PlaygroundSession, localRule, makeDataset, neuronGraph, splitDataset, type PlaygroundConfig,
} from '../../../src/lib/nn-playground';

const cfg = (over: Partial<PlaygroundConfig> = {}): PlaygroundConfig => ({
  dataset: 'circle', noise: 0.05, points: 200, hidden: [6, 6], activation: 'tanh', learningRate: 0.3, batchSize: 10, seed: 7, ...over,
});

describe('datasets', () => {
  it('are seeded, balanced, inside the box', () => {
    for (const id of ['circle', 'xor', 'gauss', 'spiral'] as const) {
      const a = makeDataset(id, 100, 0.1, 3);
      const b = makeDataset(id, 100, 0.1, 3);
      expect(a.x).toEqual(b.x);
      const ones = a.y.reduce((s, v) => s + v, 0);
      expect(ones, id).toBeGreaterThan(30);
      expect(ones, id).toBeLessThan(70);
      expect(Math.max(...a.x.map(Math.abs))).toBeLessThanOrEqual(1);
    }
    const { train, test } = splitDataset(makeDataset('xor', 100, 0, 1), 0.25);
    expect(train.n + test.n).toBe(100);
    expect(test.n).toBeGreaterThanOrEqual(24);
    expect(test.n).toBeLessThanOrEqual(26);
  });

  it('every split has both classes, in about the dataset\'s proportions (circle, blobs, spiral label i % 2)', () => {
    for (const id of ['circle', 'xor', 'gauss', 'spiral'] as const)
      for (const n of [40, 100, 200])
        for (const seed of [1, 2, 3]) {
          const all = makeDataset(id, n, 0.1, seed);
          const { train, test } = splitDataset(all, 0.25);
          const share = (d: { y: Int32Array; n: number }) => d.y.reduce((s, v) => s + v, 0) / d.n;
          for (const [name, d] of [['train', train], ['test', test]] as const) {
            const ones = d.y.reduce((s, v) => s + v, 0);
            expect(ones, `${id} n=${n} seed=${seed} ${name}: class 1`).toBeGreaterThan(0);
            expect(d.n - ones, `${id} n=${n} seed=${seed} ${name}: class 0`).toBeGreaterThan(0);
          }
          expect(Math.abs(share(test) - share(all)), `${id} n=${n}`).toBeLessThan(0.1);
        }
  });
});

describe('MLP training on our autograd', () => {
  it('learns the circle: test accuracy > 90 % after 600 steps, loss falls', () => {
    const s = new PlaygroundSession(cfg());
    const before = s.snapshot(8);
    s.run(600);
    const after = s.snapshot(8);
    expect(after.trainLoss).toBeLessThan(before.trainLoss * 0.5);
    expect(after.testAccuracy).toBeGreaterThan(0.9);
    expect(after.grid.length).toBe(64);
    expect(after.step).toBe(600);
  });

  it('a linear network cannot learn XOR (accuracy stays near chance), a tanh one can', () => {
    const lin = new PlaygroundSession(cfg({ dataset: 'xor', activation: 'linear', learningRate: 0.1 }));
    lin.run(400);
    expect(lin.snapshot(4).trainAccuracy).toBeLessThan(0.75);
    const nl = new PlaygroundSession(cfg({ dataset: 'xor', activation: 'tanh', hidden: [8] }));
    nl.run(800);
    expect(nl.snapshot(4).trainAccuracy).toBeGreaterThan(0.9);
  });

  it('is deterministic for a seed', () => {
    const a = new PlaygroundSession(cfg());
    const b = new PlaygroundSession(cfg());
    expect(a.run(20)).toBe(b.run(20));
  });

  it('inspect: one example’s gradients match finite differences of its loss', () => {
    const s = new PlaygroundSession(cfg({ hidden: [3] }));
    s.run(5);
    const tr = s.inspect([0.3, -0.4], 1);
    const W = s.mlp.W[0]!;
    const h = 1e-2;
    for (const [r, c] of [[0, 0], [2, 1]] as const) {
      const i = r * 2 + c;
      const orig = W.data[i]!;
      W.data[i] = orig + h;
      const up = s.inspect([0.3, -0.4], 1).loss;
      W.data[i] = orig - h;
      const dn = s.inspect([0.3, -0.4], 1).loss;
      W.data[i] = orig;
      expect(tr.weights[0]!.dW[r]![c]!).toBeCloseTo((up - dn) / (2 * h), 3);
    }
    // ∂L/∂z = ∂L/∂a · tanh'(z) on the hidden layer
    const L0 = tr.layers[0]!;
    L0.z.forEach((z, j) => expect(L0.dz[j]!).toBeCloseTo(L0.da[j]! * (1 - Math.tanh(z) ** 2), 5));
    // softmax output: ∂L/∂logits = p − onehot, sums to 0
    const out = tr.layers[1]!.dz;
    expect(out[0]! + out[1]!).toBeCloseTo(0, 6);
  });
});

describe('micrograd neuron graph', () => {
  it('reproduces micrograd’s published numbers (o = 0.7071; ∂o/∂x1 = −1.5, ∂o/∂w1 = 1, ∂o/∂x2 = 0.5, ∂o/∂w2 = 0)', () => {
    const nodes = neuronGraph(DEFAULT_NEURON);
    const by = new Map(nodes.map((n) => [n.id, n]));
    const o = by.get('o')!;
    expect(o.value).toBeCloseTo(Math.SQRT1_2, 4);
    // Our graph ends in L = (o − y)², so every gradient is micrograd's ∂o/∂· times ∂L/∂o = 2(o − y).
    const dLdo = 2 * (o.value - 1);
    expect(o.grad).toBeCloseTo(dLdo, 5);
    expect(by.get('x1')!.grad).toBeCloseTo(-1.5 * dLdo, 4);
    expect(by.get('w1')!.grad).toBeCloseTo(1.0 * dLdo, 4);
    expect(by.get('x2')!.grad).toBeCloseTo(0.5 * dLdo, 4);
    expect(by.get('w2')!.grad).toBeCloseTo(0, 6);
    expect(by.get('L')!.grad).toBe(1);
  });

  it('each parent gradient equals the sum of local rule × child gradient', () => {
    const nodes = neuronGraph({ x1: 0.5, x2: -1.2, w1: 0.8, w2: 0.3, b: 0.1, y: -1 });
    const by = new Map(nodes.map((n) => [n.id, n]));
    for (const p of nodes) {
      if (p.id === 'L') continue;
      const children = nodes.filter((c) => c.parents.includes(p.id));
      const sum = children.reduce((s, c) => s + localRule(c, p.id, by).local * c.grad, 0);
      expect(p.grad, p.id).toBeCloseTo(sum, 5);
    }
  });
});
