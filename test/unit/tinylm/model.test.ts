import { describe, expect, it } from 'vitest';
import type { TinyLMConfig } from '../../../src/lib/tinylm/contract';
import { TinyLM, initWeights } from '../../../src/lib/tinylm/model';
import { RNG } from '../../../src/lib/tinylm/rng';

const config: TinyLMConfig = {
  vocabSize: 40, dim: 16, nLayers: 2, nHeads: 4, nKvHeads: 2, ffnDim: 24,
  maxSeqLen: 32, ropeTheta: 10000, normEps: 1e-5, tieEmbeddings: false,
};

/** Weights larger than the init scale so attention is far from uniform. */
function model(cfg = config, seed = 5): TinyLM {
  const w = initWeights(cfg, seed);
  const rng = new RNG(seed + 1);
  for (const t of w.values()) if (t.shape.length === 2) for (let i = 0; i < t.data.length; i++) t.data[i] = rng.normal() * 0.4;
  return new TinyLM(cfg, w);
}

describe('TinyLM', () => {
  it('KV-cache decoding equals full recomputation within 1e-5', () => {
    for (const tie of [false, true]) {
      const m = model({ ...config, tieEmbeddings: tie });
      const ids = [3, 17, 5, 39, 0, 12, 8, 8, 21, 1, 30, 2];
      const full = m.forward(ids, 1, ids.length, { noGrad: true }).data; // [T, V]
      const V = config.vocabSize;
      const s = m.newSession();
      // prefill 5, then one token at a time
      const chunks = [ids.slice(0, 5), ...ids.slice(5).map((i) => [i])];
      let pos = 0;
      let maxDiff = 0;
      for (const ch of chunks) {
        const logits = s.append(ch);
        pos += ch.length;
        for (let v = 0; v < V; v++) maxDiff = Math.max(maxDiff, Math.abs(logits[v] - full[(pos - 1) * V + v]));
      }
      expect(s.length).toBe(ids.length);
      expect(maxDiff).toBeLessThan(1e-5);
      // truncate and re-append gives the same logits again (rollback)
      s.truncate(7);
      const again = s.append(ids.slice(7, 9));
      for (let v = 0; v < V; v++) expect(Math.abs(again[v] - full[8 * V + v])).toBeLessThan(1e-5);
    }
  });

  it('batched forward equals per-sequence forward', () => {
    const m = model();
    const a = [1, 2, 3, 4, 5], b = [9, 8, 7, 6, 5];
    const both = m.forward([...a, ...b], 2, 5, { noGrad: true }).data;
    const one = m.forward(b, 1, 5, { noGrad: true }).data;
    const off = 5 * config.vocabSize;
    for (let i = 0; i < one.length; i++) expect(both[off + i]).toBeCloseTo(one[i], 5);
  });

  it('full-model gradient matches finite differences', () => {
    const m = model({ ...config, nLayers: 1 }, 9);
    const block = [3, 7, 1, 22, 5, 9, 11, 4]; // B=2, T=3 (+1 target)
    const loss = () => m.loss(block, 2, 3).item();
    for (const p of m.parameters()) p.grad = null;
    m.loss(block, 2, 3).backward();
    const rng = new RNG(2);
    let worst = 0;
    for (const p of m.parameters()) {
      for (let r = 0; r < 6; r++) {
        const i = rng.int(p.size);
        const old = p.data[i];
        p.data[i] = old + 1e-2;
        const lp = loss();
        p.data[i] = old - 1e-2;
        const lm = loss();
        p.data[i] = old;
        const num = (lp - lm) / 2e-2;
        worst = Math.max(worst, Math.abs(num - p.grad![i]) / (1e-3 + 1e-2 * Math.abs(num)));
      }
    }
    expect(worst).toBeLessThan(1);
  });

  it('inspect returns attention maps and residual norms, and ablations change the output', () => {
    const m = model();
    const ids = [1, 5, 9, 13];
    const base = m.inspect(ids);
    expect(base.trace.attention).toHaveLength(2);
    const att = base.trace.attention[0]; // [H, T, T]
    expect(att.length).toBe(4 * 4 * 4);
    for (let h = 0; h < 4; h++)
      for (let t = 0; t < 4; t++) {
        let s = 0;
        for (let u = 0; u < 4; u++) s += att[(h * 4 + t) * 4 + u];
        expect(s).toBeCloseTo(1, 5);
        if (t < 3) expect(att[(h * 4 + t) * 4 + 3]).toBe(0);
      }
    expect(base.trace.residual.map((r) => r.label)).toEqual(['embed', 'L0 attn', 'L0 ffn', 'L1 attn', 'L1 ffn']);
    const diff = (a: Float32Array, b: Float32Array) => a.reduce((mx, v, i) => Math.max(mx, Math.abs(v - b[i])), 0);
    for (const ab of [{ heads: [[0, 1]] as [number, number][] }, { ffn: [1] }, { attention: [0] }, { norms: [0] }, { residual: [1] }, { finalNorm: true }])
      expect(diff(m.inspect(ids, ab).logits, base.logits)).toBeGreaterThan(1e-4);
    // ablating every head of layer 0 equals dropping its attention block
    const allHeads = m.inspect(ids, { heads: [0, 1, 2, 3].map((h) => [0, h] as [number, number]) }).logits;
    expect(diff(allHeads, m.inspect(ids, { attention: [0] }).logits)).toBeLessThan(1e-5);
  });

  it('embed is L2-normalised', () => {
    const e = model().embed([4, 5, 6]);
    expect(Math.hypot(...e)).toBeCloseTo(1, 5);
  });
});
