/** TinyLM vs an independent PyTorch implementation (test/fixtures/tinylm/make_golden.py). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSafetensors } from '../../../src/lib/tinylm/checkpoint';
import type { TinyLMConfig } from '../../../src/lib/tinylm/contract';
import { TinyLM } from '../../../src/lib/tinylm/model';
import { crossEntropy } from '../../../src/lib/tinylm/ops';
import { AdamW } from '../../../src/lib/tinylm/optim';
import { Tensor } from '../../../src/lib/tinylm/tensor';

const dir = 'test/fixtures/tinylm/';
const golden = JSON.parse(readFileSync(dir + 'golden.json', 'utf8'));
const { weights } = loadSafetensors(readFileSync(dir + 'golden-weights.safetensors'));
const config = golden.config as TinyLMConfig;

describe('TinyLM matches PyTorch', () => {
  it('logits of the training forward and of the KV-cache session (1e-4)', () => {
    const m = new TinyLM(config, weights);
    const ids: number[] = golden.ids;
    const logits = m.forward(ids, 1, ids.length, { noGrad: true }).data;
    let worst = 0;
    for (let i = 0; i < logits.length; i++) worst = Math.max(worst, Math.abs(logits[i] - golden.logits[i]));
    expect(worst).toBeLessThan(1e-4);
    const s = m.newSession();
    const V = config.vocabSize;
    ids.forEach((id, t) => {
      const l = s.append([id]);
      for (let v = 0; v < V; v++) worst = Math.max(worst, Math.abs(l[v] - golden.logits[t * V + v]));
    });
    expect(worst).toBeLessThan(1e-4);
  });

  it('cross-entropy loss and gradients', () => {
    const m = new TinyLM(config, weights);
    const block: number[] = golden.lossBlock; // [2, 10]
    const B = 2, T = 9;
    const inputs: number[] = [], targets: number[] = [];
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++) {
        inputs.push(block[b * 10 + t]);
        targets.push(block[b * 10 + t + 1]);
      }
    for (const [b, t] of golden.ignored as [number, number][]) targets[b * T + t] = -1;
    const loss = crossEntropy(m.forward(inputs, B, T), targets);
    expect(Math.abs(loss.item() - golden.loss)).toBeLessThan(1e-4);
    loss.backward();
    for (const [name, g] of Object.entries(golden.grads as Record<string, number[]>)) {
      const ours = m.params.get(name)!.grad!;
      g.forEach((v, i) => expect(Math.abs(ours[i] - v)).toBeLessThan(1e-4));
    }
  });

  it('AdamW follows torch.optim.AdamW for three steps', () => {
    const a = golden.adamw;
    const p = new Tensor(Float32Array.from(a.p0), [2, 5], true);
    const opt = new AdamW([p], { lr: a.lr, beta1: a.beta1, beta2: a.beta2, eps: a.eps, weightDecay: a.weightDecay });
    a.grads.forEach((g: number[], k: number) => {
      p.grad = Float32Array.from(g);
      opt.step();
      a.trajectory[k].forEach((v: number, i: number) => expect(Math.abs(p.data[i] - v)).toBeLessThan(1e-6));
    });
  });
});
