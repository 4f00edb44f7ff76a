import { describe, expect, it } from 'vitest';
import * as ag from '../../../src/lib/tinylm/autograd';
import { RNG, Tensor } from '../../../src/lib/tinylm/autograd';
import { matmulAB, matmulABt, matmulAtB, matmulRef, matvec, matvec8 } from '../../../src/lib/tinylm/kernels';
import { gradcheck, rand } from './gradcheck';

const rng = new RNG(42);

describe('kernels', () => {
  it('fast matmuls equal the reference triple loop', () => {
    const M = 7, N = 9, K = 13;
    const a = rand([M, K], rng).data, b = rand([K, N], rng).data;
    const ref = new Float32Array(M * N);
    matmulRef(a, b, ref, M, N, K);
    const c = new Float32Array(M * N);
    matmulAB(a, b, c, M, N, K);
    for (let i = 0; i < c.length; i++) expect(c[i]).toBeCloseTo(ref[i], 4);
    // b as [N,K] transposed
    const bt = new Float32Array(N * K);
    for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) bt[j * K + k] = b[k * N + j];
    matmulABt(a, bt, c, M, N, K);
    for (let i = 0; i < c.length; i++) expect(c[i]).toBeCloseTo(ref[i], 4);
    const at = new Float32Array(K * M);
    for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) at[k * M + i] = a[i * K + k];
    matmulAtB(at, b, c, M, N, K);
    for (let i = 0; i < c.length; i++) expect(c[i]).toBeCloseTo(ref[i], 4);
    const y = new Float32Array(N);
    matvec(bt, a.subarray(0, K), y, N, K);
    for (let j = 0; j < N; j++) expect(y[j]).toBeCloseTo(ref[j], 4);
    const y8 = new Float32Array(N);
    matvec8(bt, a.subarray(0, K), y8, N, K); // N = 9: one block of eight and one leftover row
    for (let j = 0; j < N; j++) expect(y8[j]).toBeCloseTo(ref[j], 4);
  });
});

describe('gradients match finite differences', () => {
  const cases: [string, () => number][] = [
    ['add (broadcast)', () => gradcheck(ag.add, [rand([3, 4], rng), rand([4], rng)])],
    ['sub', () => gradcheck(ag.sub, [rand([3, 4], rng), rand([3, 4], rng)])],
    ['mul (broadcast)', () => gradcheck(ag.mul, [rand([3, 4], rng), rand([4], rng)])],
    ['scale / addScalar', () => gradcheck((x) => ag.addScalar(ag.scale(x, -1.5), 2), [rand([5], rng)])],
    ['relu', () => gradcheck(ag.relu, [rand([12], rng)], { eps: 1e-3 })],
    ['tanh', () => gradcheck(ag.tanh, [rand([12], rng)])],
    ['sigmoid', () => gradcheck(ag.sigmoid, [rand([12], rng)])],
    ['exp', () => gradcheck(ag.exp, [rand([12], rng, 0.5)])],
    ['log', () => gradcheck((x) => ag.log(ag.addScalar(ag.square(x), 1)), [rand([12], rng)])],
    ['softplus', () => gradcheck(ag.softplus, [rand([12], rng, 3)])],
    ['sum / mean', () => gradcheck((x) => ag.add(ag.sum(x), ag.mean(x)), [rand([3, 5], rng)])],
    ['sumLastAxis', () => gradcheck(ag.sumLastAxis, [rand([3, 5], rng)])],
    ['reshape / transpose', () => gradcheck((x) => ag.transpose(ag.reshape(x, [3, 4])), [rand([2, 6], rng)])],
    ['slice', () => gradcheck((x) => ag.slice(x, 1, 1, 3), [rand([2, 4, 3], rng)])],
    ['concat', () => gradcheck((a, b) => ag.concat([a, b], 1), [rand([2, 3, 2], rng), rand([2, 1, 2], rng)])],
    ['matmul', () => gradcheck(ag.matmul, [rand([3, 5], rng), rand([5, 4], rng)])],
    ['linear', () => gradcheck(ag.linear, [rand([2, 3, 6], rng), rand([5, 6], rng)])],
    ['rmsnorm', () => gradcheck((x, w) => ag.rmsnorm(x, w, 1e-5), [rand([3, 8], rng), rand([8], rng)])],
    ['rope', () => gradcheck((x) => ag.rope(x, 2, 10000, 3), [rand([2, 3, 8], rng)])],
    ['silu', () => gradcheck(ag.silu, [rand([10], rng, 2)])],
    ['swiglu', () => gradcheck(ag.swiglu, [rand([10], rng, 2), rand([10], rng)])],
    ['embedding', () => gradcheck((W) => ag.embedding(W, [2, 0, 2, 1], [2, 2]), [rand([3, 4], rng)])],
    ['crossEntropy (with ignored)', () => gradcheck((x) => ag.crossEntropy(x, [1, -1, 4, 0]), [rand([4, 5], rng)])],
    ['logProbsOf', () => gradcheck((x) => ag.logProbsOf(x, [1, 3, -1]), [rand([3, 5], rng)])],
    ['softmax', () => gradcheck(ag.softmax, [rand([2, 5], rng)])],
    [
      'attention (GQA, causal)',
      () => gradcheck((q, k, v) => ag.attention(q, k, v, { nHeads: 4, nKvHeads: 2 }), [rand([2, 5, 16], rng), rand([2, 5, 8], rng), rand([2, 5, 8], rng)], { maxPerInput: 40 }),
    ],
    [
      'attention with a masked head',
      () =>
        gradcheck((q, k, v) => ag.attention(q, k, v, { nHeads: 2, nKvHeads: 2, headMask: [1, 0] }), [rand([1, 4, 8], rng), rand([1, 4, 8], rng), rand([1, 4, 8], rng)]),
    ],
  ];
  for (const [name, run] of cases) it(name, () => expect(run()).toBeLessThan(1));
});

describe('op semantics', () => {
  it('attention is causal: position 0 only sees itself', () => {
    const q = rand([1, 3, 4], rng), k = rand([1, 3, 4], rng), v = rand([1, 3, 4], rng);
    let probs: Float32Array | null = null;
    const o = ag.attention(q, k, v, { nHeads: 1, nKvHeads: 1, onProbs: (p) => (probs = p) });
    for (let j = 0; j < 4; j++) expect(o.data[j]).toBeCloseTo(v.data[j], 6);
    expect(probs![1]).toBe(0);
    expect(probs![3] + probs![4]).toBeCloseTo(1, 6);
  });
  it('rope rotates pairs (i, i+hd/2) and keeps the norm', () => {
    const x = new Tensor(Float32Array.from([1, 0, 0, 0, 0, 0, 0, 0]), [1, 1, 8]);
    const y = ag.rope(x, 1, 10000, 1); // position 1, freq_0 = 1 rad
    expect(y.data[0]).toBeCloseTo(Math.cos(1), 6);
    expect(y.data[4]).toBeCloseTo(Math.sin(1), 6);
  });
  it('cross-entropy of uniform logits is ln V', () => {
    const l = ag.crossEntropy(ag.zeros([2, 8]), [3, 5]);
    expect(l.item()).toBeCloseTo(Math.log(8), 6);
  });
});

describe('a tiny MLP learns XOR with the public API', () => {
  it('reaches low loss', () => {
    const r = new RNG(3);
    const W1 = ag.randn([8, 2], r, 1), b1 = ag.zeros([8], true), W2 = ag.randn([2, 8], r, 1);
    const opt = new ag.AdamW([W1, b1, W2], { lr: 0.05, weightDecay: 0 });
    const x = ag.tensor([0, 0, 0, 1, 1, 0, 1, 1], [4, 2]);
    const y = [0, 1, 1, 0];
    let loss = 0;
    for (let s = 0; s < 300; s++) {
      const l = ag.crossEntropy(ag.linear(ag.tanh(ag.add(ag.linear(x, W1), b1)), W2), y);
      opt.zeroGrad();
      l.backward();
      opt.step();
      loss = l.item();
    }
    expect(loss).toBeLessThan(0.05);
  });
});
