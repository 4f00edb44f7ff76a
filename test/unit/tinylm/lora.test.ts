/** LoRA on TinyLM: PEFT's init and scaling, identity at step 0, merge, gradients, frozen base. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSafetensors } from '../../../src/lib/tinylm/checkpoint';
import type { TinyLMConfig, TinyLMWeights } from '../../../src/lib/tinylm/contract';
import { FineTuner } from '../../../src/lib/tinylm/finetune';
import { ALL_LINEAR, LoraAdapter, addScaledLinear, loraParameterCount, loraScaling } from '../../../src/lib/tinylm/lora';
import { TinyLM } from '../../../src/lib/tinylm/model';
import { dequantizeNF4 } from '../../../src/lib/tinylm/nf4';
import { linear } from '../../../src/lib/tinylm/ops';
import { BASE_CONFIG } from '../../../src/lib/tinylm/presets';
import { RNG } from '../../../src/lib/tinylm/rng';
import { Tensor, add, scale } from '../../../src/lib/tinylm/tensor';
import { gradcheck } from './gradcheck';

const tiny = JSON.parse(readFileSync('test/fixtures/tinylm/golden.json', 'utf8'));
const config = tiny.config as TinyLMConfig; // vocab 48, dim 32, 2 layers, 4 heads / 2 kv, ffn 64
const baseWeights = () => loadSafetensors(readFileSync('test/fixtures/tinylm/golden-weights.safetensors')).weights;
const golden = JSON.parse(readFileSync('test/fixtures/finetune/golden.json', 'utf8')).lora;
const ids = [5, 17, 3, 44, 0, 9, 21, 30, 2, 11, 47, 8];

function randomizeB(a: LoraAdapter, seed: number, std = 0.05) {
  const rng = new RNG(seed);
  for (const l of a.layers.values()) for (let i = 0; i < l.B.size; i++) l.B.data[i] = rng.normal() * std;
}
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i] - b[i]));
  return w;
};
const copyWeights = (w: TinyLMWeights) => new Map([...w].map(([k, t]) => [k, { shape: t.shape.slice(), data: t.data.slice() }]));

describe('LoRA', () => {
  it('counts PEFT’s trainable parameters: q,v r=8 → 7,680 and all-linear r=8 → 40,704 on the shipped shape', () => {
    expect(loraParameterCount(BASE_CONFIG, { r: 8, targets: ['q', 'v'] })).toBe(7680);
    expect(loraParameterCount(BASE_CONFIG, { r: 8, targets: ALL_LINEAR })).toBe(40704);
    expect(LoraAdapter.create(BASE_CONFIG, { r: 8, alpha: 16, dropout: 0, targets: ALL_LINEAR }).parameterCount).toBe(40704);
  });

  it('scales by alpha/r, or alpha/√r with rsLoRA', () => {
    expect(loraScaling({ r: 8, alpha: 16 })).toBe(2);
    expect(loraScaling({ r: 16, alpha: 16, rslora: true })).toBe(4);
  });

  it('initialises A Kaiming-uniform(a=√5) → U(±1/√in) like torch, and B to zero', () => {
    const a = LoraAdapter.create(config, { r: 4, alpha: 8, dropout: 0, targets: ALL_LINEAR, seed: 3 });
    // torch.nn.init.kaiming_uniform_(a=√5) on fan_in 1000 stays inside 1/√1000 (from the golden script)
    expect(golden.kaiming.torchMax).toBeLessThanOrEqual(golden.kaiming.bound);
    expect(golden.kaiming.torchMax).toBeGreaterThan(0.99 * golden.kaiming.bound);
    for (const l of a.layers.values()) {
      const bound = 1 / Math.sqrt(l.A.shape[1]);
      expect(Math.max(...l.A.data.map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...l.A.data)).toBeGreaterThan(0.8 * bound);
      expect(l.B.data.every((v) => v === 0)).toBe(true);
      expect(l.A.shape).toEqual([4, l.A.shape[1]]);
      expect(l.B.shape[1]).toBe(4);
    }
  });

  it('step 0: logits with the fresh adapter equal the base model’s bit for bit', () => {
    const m = new TinyLM(config, baseWeights());
    const base = m.forward(ids, 1, ids.length, { noGrad: true }).data;
    const a = LoraAdapter.create(config, { r: 4, alpha: 8, dropout: 0.1, targets: ALL_LINEAR });
    const withA = m.forward(ids, 1, ids.length, { noGrad: true, adapters: a.forwardAdapters(false) }).data;
    expect(new Uint32Array(withA.buffer)).toEqual(new Uint32Array(base.buffer));
  });

  it('one layer matches PyTorch: output, gradients of A, B and x, merged output', () => {
    const { M, in: K, out: N, r } = golden;
    const x = new Tensor(Float32Array.from(golden.x), [M, K], true);
    const W = new Tensor(Float32Array.from(golden.W), [N, K], false);
    const A = new Tensor(Float32Array.from(golden.A), [r, K], true);
    const B = new Tensor(Float32Array.from(golden.B), [N, r], true);
    const s = loraScaling({ r, alpha: golden.alpha });
    const y = add(linear(x, W), scale(linear(linear(x, A), B), s));
    expect(maxDiff(y.data, golden.y)).toBeLessThan(1e-5);
    y.backward(Float32Array.from(golden.R));
    expect(maxDiff(A.grad!, golden.gradA)).toBeLessThan(1e-5);
    expect(maxDiff(B.grad!, golden.gradB)).toBeLessThan(1e-5);
    expect(maxDiff(x.grad!, golden.gradX)).toBeLessThan(1e-5);
    expect(W.grad).toBeNull();
  });

  it('the fused adapter op equals y + s·(x·Aᵀ)·Bᵀ from separate ops, and its gradients match finite differences', () => {
    const rng = new RNG(11);
    const rnd = (shape: number[]) => new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape, true);
    const y = rnd([2, 3, 5]), xa = rnd([2, 3, 4]), B = rnd([5, 4]);
    const fused = addScaledLinear(y, xa, B, 0.7).data;
    const ref = add(y, scale(linear(xa, B), 0.7)).data;
    expect(maxDiff(fused, ref)).toBeLessThan(1e-6);
    expect(gradcheck((a, b, c) => addScaledLinear(a, b, c, 0.7), [y, xa, B], { eps: 1e-2 })).toBeLessThan(1);
  });

  it('merged weights W + s·B·A give the adapter path’s logits within 1e-5; unmerge restores W', () => {
    const m = new TinyLM(config, baseWeights());
    const a = LoraAdapter.create(config, { r: 4, alpha: 8, dropout: 0, targets: ALL_LINEAR, rslora: true });
    randomizeB(a, 9);
    const viaAdapter = m.forward(ids, 1, ids.length, { noGrad: true, adapters: a.forwardAdapters(false) }).data;
    const merged = new TinyLM(config, a.merged(m.weights)).forward(ids, 1, ids.length, { noGrad: true }).data;
    const base = m.forward(ids, 1, ids.length, { noGrad: true }).data;
    expect(maxDiff(viaAdapter, base)).toBeGreaterThan(1e-2); // the adapter does change the output
    expect(maxDiff(viaAdapter, merged)).toBeLessThan(1e-5);
    // the KV-cache session on the merged model agrees too
    const s = new TinyLM(config, a.merged(m.weights)).newSession();
    const last = s.append(ids);
    expect(maxDiff(last, viaAdapter.subarray((ids.length - 1) * config.vocabSize))).toBeLessThan(1e-5);
    const before = copyWeights(m.weights);
    a.mergeInto(m);
    expect(maxDiff(m.forward(ids, 1, ids.length, { noGrad: true }).data, viaAdapter)).toBeLessThan(1e-5);
    a.unmergeFrom(m);
    for (const [k, t] of before) expect(maxDiff(m.weight(k).data, t.data)).toBeLessThan(1e-6);
  });

  it('gradients of A and B through the whole model match finite differences', () => {
    const m = new TinyLM(config, baseWeights());
    const a = LoraAdapter.create(config, { r: 2, alpha: 4, dropout: 0, targets: ['q', 'v', 'down'] });
    randomizeB(a, 4, 0.1);
    const short = ids.slice(0, 6);
    const f = () => m.forward(short, 1, short.length, { noGrad: true, adapters: a.forwardAdapters(false) });
    const worst = gradcheck(f, a.parameters(), { eps: 1e-2, maxPerInput: 12 });
    expect(worst).toBeLessThan(1);
    for (const p of m.parameters()) expect(p.grad).toBeNull(); // nothing flowed into the base
  });

  it('training leaves the frozen base bit for bit unchanged, with no gradient or optimizer state for it', async () => {
    const m = new TinyLM(config, baseWeights());
    const before = copyWeights(m.weights);
    const rng = new RNG(2);
    const tokens = Int32Array.from({ length: 400 }, () => rng.int(config.vocabSize));
    for (const method of ['lora', 'qlora'] as const) {
      const ft = new FineTuner(m, { tokens }, {
        method, lora: { r: 4, alpha: 8, dropout: 0.1, targets: ALL_LINEAR },
        train: { steps: 5, batchSize: 2, seqLen: 16, maxLr: 1e-2, warmup: 1, weightDecay: 0, clip: 1, seed: 1 },
      });
      const l0 = ft.evaluate({ tokens }, 2);
      await ft.trainer.run();
      expect(ft.evaluate({ tokens }, 2)).not.toBe(l0); // it did train
      for (const [k, t] of before) expect(new Uint32Array(m.weight(k).data.buffer)).toEqual(new Uint32Array(t.data.buffer));
      for (const p of m.parameters()) expect(p.grad).toBeNull();
      expect(ft.trainer.optimizer.params.length).toBe(2 * ft.adapter!.layers.size);
      const mem = ft.memory();
      expect(mem.trainable).toBe(ft.adapter!.parameterCount);
      expect(mem.optimizerBytes).toBe(8 * mem.trainable);
    }
  });

  it('QLoRA reads the NF4 copy, never the f32 linear weights', () => {
    const m = new TinyLM(config, baseWeights());
    const ft = new FineTuner(m, { tokens: Int32Array.from(ids) }, {
      method: 'qlora', lora: { r: 2, alpha: 4, dropout: 0, targets: ['q'] },
      train: { steps: 1, batchSize: 1, seqLen: 8, maxLr: 1e-3, warmup: 1, weightDecay: 0, clip: 1, seed: 1 },
    });
    const ref = m.forward(ids, 1, ids.length, { noGrad: true }).data;
    const q = m.forward(ids, 1, ids.length, ft.forwardOptions(false)).data;
    for (const k of ft.nf4!.keys()) m.weight(k).data.fill(NaN);
    const q2 = m.forward(ids, 1, ids.length, ft.forwardOptions(false)).data;
    expect(q2.every(Number.isFinite)).toBe(true);
    expect(maxDiff(q, q2)).toBe(0);
    expect(maxDiff(q, ref)).toBeGreaterThan(0); // 4-bit weights do change the logits
    // …and are exactly those of a model holding the dequantized weights
    const deq = new Map(baseWeights());
    for (const [k, t] of ft.nf4!) deq.set(k, { shape: deq.get(k)!.shape, data: dequantizeNF4(t) });
    expect(maxDiff(q, new TinyLM(config, deq).forward(ids, 1, ids.length, { noGrad: true }).data)).toBe(0);
    expect(ft.memory().baseBytes).toBeLessThan(4 * m.parameterCount);
  });

  it('rejects a bad config', () => {
    expect(() => LoraAdapter.create(config, { r: 0, alpha: 8, dropout: 0, targets: ['q'] })).toThrow(RangeError);
    expect(() => LoraAdapter.create(config, { r: 4, alpha: 8, dropout: 0, targets: [] })).toThrow(RangeError);
    expect(() => LoraAdapter.create(config, { r: 4, alpha: 8, dropout: 1, targets: ['q'] })).toThrow(RangeError);
  });
});
