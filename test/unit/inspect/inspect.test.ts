import { describe, expect, it } from 'vitest';
import { TinyLM } from '../../../src/lib/tinylm/model';
import type { TinyLMConfig } from '../../../src/lib/tinylm/contract';
import { traceForward } from '../../../src/lib/inspect/trace';
import { drawSamples, runAblation, trainVariants } from '../../../src/lib/inspect/experiments';
import { lossByContext, tokenSurprise, windowedLoss } from '../../../src/lib/inspect/held-out';
import { argmax, softmax as softmaxRow } from '../../../src/lib/sampling';

const config: TinyLMConfig = {
  vocabSize: 64, dim: 32, nLayers: 2, nHeads: 4, nKvHeads: 2, ffnDim: 48, maxSeqLen: 48, ropeTheta: 10000, normEps: 1e-5, tieEmbeddings: true,
};
const model = TinyLM.init(config, 3);
const ids = [5, 9, 12, 40, 7, 7, 33, 2, 18, 61, 4];

describe('step-by-step trace', () => {
  it('ends in exactly the logits of the model’s own forward pass', () => {
    const tr = traceForward(model, ids, { pos: ids.length - 1, layer: 1, head: 2 });
    const ref = model.forward(ids, 1, ids.length, { noGrad: true }).data;
    const V = config.vocabSize, last = ids.length - 1;
    for (let j = 0; j < V; j++) expect(tr.logits[j]!).toBeCloseTo(ref[last * V + j]!, 4);
    // embed + per layer (norm, q, k, v, rope, attn, proj, residual, norm, swiglu, down, residual) + final norm + logits
    expect(tr.steps.length).toBe(1 + config.nLayers * 12 + 2);
    expect(tr.steps[0]!.shape).toEqual([ids.length, config.dim]);
    expect(tr.steps.at(-1)!.shape).toEqual([ids.length, config.vocabSize]);
    expect(tr.attention.length).toBe(config.nLayers);
  });

  it('the written-out head arithmetic matches the model’s attention probabilities', () => {
    const pos = 6, layer = 1, head = 3;
    const tr = traceForward(model, ids, { pos, layer, head });
    const h = tr.head!;
    expect(h.kvHead).toBe(1); // 4 query heads share 2 kv heads
    const T = ids.length;
    const P = tr.attention[layer]!; // [H, T, T]
    for (let j = 0; j < T; j++) expect(h.weights[j]!).toBeCloseTo(P[head * T * T + pos * T + j]!, 5);
    expect(h.masked.filter(Boolean).length).toBe(T - 1 - pos);
    expect(h.weights.slice(pos + 1).every((w) => w === 0)).toBe(true);
    h.dots.forEach((d, j) => expect(h.scaled[j]!).toBeCloseTo(d / Math.sqrt(h.headDim), 6));
  });

  it('refuses a sequence longer than the window', () => {
    expect(() => traceForward(model, new Array(60).fill(1))).toThrow(/window of 48/);
  });
});

describe('experiments', () => {
  it('sampling is reproducible for a seed; greedy follows the argmax', () => {
    const a = drawSamples(model, ids, { temperature: 1 }, 3, 42, 6);
    const b = drawSamples(model, ids, { temperature: 1 }, 3, 42, 6);
    expect(a).toEqual(b);
    const s = model.newSession();
    let logits = s.append(ids);
    const want: number[] = [];
    for (let i = 0; i < a.greedy.ids.length; i++) {
      const id = argmax(logits);
      want.push(id);
      logits = s.append([id]);
    }
    expect(a.greedy.ids).toEqual(want);
    expect(a.samples.every((d) => d.ids.length <= 6)).toBe(true);
  });

  it('ablations change predictions and the held-out loss; no ablation equals the plain model', () => {
    const held = [3, 8, 12, 40, 7, 19, 33, 2, 18, 5, 4, 9];
    const base = runAblation(model, ids, held, {});
    const plain = model.loss(held, 1, held.length - 1, { noGrad: true }).item();
    expect(base.heldOutLoss).toBeCloseTo(plain, 5);
    const cut = runAblation(model, ids, held, { ffn: [0, 1], residual: [0] });
    expect(cut.heldOutLoss).not.toBeCloseTo(base.heldOutLoss, 3);
    const headOff = runAblation(model, ids, held, { heads: [[0, 1]] });
    const T = ids.length;
    // The ablated head's probabilities are still computed; its output is what is removed.
    expect(headOff.attention[0]!.length).toBe(config.nHeads * T * T);
    expect(Math.abs(headOff.probs.reduce((s, p) => s + p, 0) - 1)).toBeLessThan(1e-4);
  });

  it('the held-out loss is read in 128-token windows; a short text is one window', () => {
    const long = Array.from({ length: 300 }, (_, i) => (i * 7 + (i >> 3)) % 64);
    const small = TinyLM.init({ ...config, maxSeqLen: 256 }, 3);
    // windows [0,128), [128,256), [256,300): the mean over every scored position
    const parts = [long.slice(0, 129), long.slice(128, 257), long.slice(256)];
    let sum = 0, n = 0;
    for (const p of parts) {
      sum += small.loss(p, 1, p.length - 1, { noGrad: true }).item() * (p.length - 1);
      n += p.length - 1;
    }
    expect(windowedLoss(small, long)).toBeCloseTo(sum / n, 4);
    expect(windowedLoss(model, ids)).toBeCloseTo(model.loss(ids, 1, ids.length - 1, { noGrad: true }).item(), 5);
  });

  it('token surprise is −ln p of each next token, averaging to the loss', () => {
    const s = tokenSurprise(model, ids);
    expect(s.tokens).toBe(ids.length - 1);
    expect(s.perToken.map((t) => t.id)).toEqual(ids.slice(1));
    expect(s.loss).toBeCloseTo(model.loss(ids, 1, ids.length - 1, { noGrad: true }).item(), 4);
    const probs = softmaxRow(model.forward(ids.slice(0, 3), 1, 3, { noGrad: true }).data.slice(2 * 64, 3 * 64));
    expect(s.perToken[2]!.loss).toBeCloseTo(-Math.log(probs[ids[3]!]!), 4);
  });

  it('loss by context scores the same targets with exactly w tokens before each', () => {
    const stream = Array.from({ length: 200 }, (_, i) => (i * 11 + 3) % 64);
    const starts = [0, 50, 100, 150];
    const r = lossByContext(model, { ids: stream, starts }, [1, 4, 16], { targets: 5, minOffset: 20 });
    expect(r.map((x) => x.window)).toEqual([1, 4, 16]);
    // targets start at the first story whose start + minOffset ≥ the longest window: p = 20, 23, 26, …
    const want = [20, 23, 26, 29, 32].map((p) => tokenSurprise(model, stream.slice(p - 4, p + 1)).perToken.at(-1)!.loss);
    expect(r[1]!.loss).toBeCloseTo(want.reduce((a, b) => a + b) / want.length, 4);
  });

  it('trains tiny variants on the same batches; the baseline loss falls', () => {
    const tokens = Array.from({ length: 400 }, (_, i) => [1, 2, 3, 4, 5, 6][i % 6]! + ((i >> 5) % 2) * 10);
    const pts = [...trainVariants(tokens, 64, ['baseline', 'no-residual'], { steps: 30, seqLen: 16, batch: 2, layers: 2 })];
    expect(pts.length).toBe(60);
    const base = pts.filter((p) => p.variant === 'baseline');
    expect(base.at(-1)!.loss).toBeLessThan(base[0]!.loss * 0.7);
  });
});

import { summarizeHeads } from '../../../src/lib/inspect/heads';
import { headMath } from '../../../src/lib/inspect/trace';

describe('head summaries', () => {
  it('recognises a previous-token head and a first-token head', () => {
    const T = 5, H = 2;
    const P = new Float32Array(H * T * T);
    for (let t = 0; t < T; t++) {
      P[0 * T * T + t * T + Math.max(0, t - 1)] = 1; // head 0: previous token
      P[1 * T * T + t * T + 0] = 1; // head 1: first token
    }
    const s = summarizeHeads(P, H, T);
    expect(s[0]!.kind).toBe('previous-token head');
    expect(s[0]!.previous).toBe(1);
    expect(s[1]!.first).toBe(1);
    expect(s[1]!.kind).toContain('start');
  });

  it('headMath on the page equals the traced head math', () => {
    const tr = traceForward(model, ids, { pos: 4, layer: 0, head: 1 });
    const c = model.config;
    const h = headMath(tr.qk[0]!.q, tr.qk[0]!.k, ids.length, c.nHeads, c.nKvHeads, c.dim / c.nHeads, 0, 1, 4);
    expect(h).toEqual(tr.head);
  });
});
