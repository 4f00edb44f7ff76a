import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { awqClip, awqScales, awqSearch, int4BitsPerWeight, rtnInt4, weightMeanNormalized } from '../../../src/lib/inference/awq';
import { quantTexts, quantizeWeights, variantSize } from '../../../src/lib/inference/quant-measure';
import { nf4BitsPerParam } from '../../../src/lib/tinylm/nf4';
import { loadModel } from '../../../src/lib/tinylm/checkpoint';
import { TinyLM } from '../../../src/lib/tinylm/model';
import { TinyLMSession } from '../../../src/lib/tinylm/session';
import { RNG } from '../../../src/lib/tinylm/rng';

describe('RTN int4 with groups', () => {
  it('hits every value on a 16-level grid per group, keeps min and max, 4.625 bits/weight at g = 32', () => {
    const w = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i) * (i < 32 ? 1 : 0.01));
    const q = rtnInt4(w, 1, 64, 32);
    for (const g of [0, 32]) {
      const vals = new Set(Array.from(q.subarray(g, g + 32)));
      expect(vals.size).toBeLessThanOrEqual(16);
      const part = Array.from(w.subarray(g, g + 32));
      const step = (Math.max(...part) - Math.min(...part)) / 15;
      for (let j = 0; j < 32; j++) expect(Math.abs(q[g + j] - w[g + j])).toBeLessThanOrEqual(step * 0.51 + 1e-6);
    }
    expect(int4BitsPerWeight(32)).toBe(4.625);
    expect(() => rtnInt4(w, 1, 60, 32)).toThrow(/multiple/);
  });

  it('AWQ scales are s_X^α normalised so that max · min = 1; α = 0 is all ones', () => {
    const s = awqScales(Float32Array.from([1, 4, 16]), 0.5);
    expect(s[0] * s[2]).toBeCloseTo(1, 6);
    expect(s[2] / s[0]).toBeCloseTo(4, 5);
    expect(Array.from(awqScales(Float32Array.from([1, 4, 16]), 0))).toEqual([1, 1, 1]);
  });

  it("duo scales (AutoAWQ's default) divide by the weights' relative size: s ∝ s_X^α / (s_W^(1−α) + 1e-4)", () => {
    // Two rows, one group of 4: |w| / max|w| per group, averaged over rows.
    const w = Float32Array.from([1, -2, 4, 0, 2, 2, -1, 1]);
    const sw = weightMeanNormalized([{ w, rows: 2 }], 4, 4);
    expect(Array.from(sw)).toEqual([(0.25 + 1) / 2, (0.5 + 1) / 2, (1 + 0.5) / 2, (0 + 0.5) / 2]);
    const sx = Float32Array.from([1, 2, 3, 4]);
    const s = awqScales(sx, 0.5, sw);
    const raw = Array.from(sx, (x, j) => Math.sqrt(x) / (Math.sqrt(sw[j]) + 1e-4));
    for (let j = 1; j < 4; j++) expect(s[j] / s[0]).toBeCloseTo(raw[j] / raw[0], 5);
    expect(Math.max(...s) * Math.min(...s)).toBeCloseTo(1, 5);
  });
});

describe('AWQ scale search on a synthetic outlier layer', () => {
  it('picks α in (0, 1) and cuts the output error well below plain int4 (RTN)', () => {
    // A 96 → 96 linear; 2 of 96 input channels carry 30× larger activations (as in LLMs).
    const rng = new RNG(3);
    const K = 96, N = 96, T = 256;
    const w = Float32Array.from({ length: N * K }, () => rng.normal() * 0.02);
    const X = new Float32Array(T * K);
    for (let t = 0; t < T; t++) for (let j = 0; j < K; j++) X[t * K + j] = rng.normal() * (j === 7 || j === 50 ? 30 : 1);
    for (const duo of [true, false]) { // AutoAWQ's duo scales, and llm-awq's s = s_X^α
      const r = awqSearch([{ w, rows: N }], X, T, K, 32, 20, duo);
      expect(r.alpha).not.toBeNull();
      expect(r.alpha!).toBeGreaterThan(0);
      expect(r.alpha!).toBeLessThan(1);
      expect(r.errors.length).toBe(20);
      expect(r.bestError).toBeLessThan(0.5 * r.rtnError); // "well below": at least halved
    }
  });

  it('the clipping search lowers the int4 output error of a Gaussian layer (it gave 9 % here)', () => {
    // The largest |w| of a group sets RTN's step for all 32; trading a little error on it for a
    // finer grid everywhere pays off on the layer's output.
    const rng = new RNG(5);
    const K = 64, N = 32, T = 200;
    const w = Float32Array.from({ length: N * K }, () => rng.normal());
    const X = Float32Array.from({ length: T * K }, () => rng.normal());
    const orig = w.slice();
    const err = (m: Float32Array) => {
      const q = rtnInt4(m, N, K, 32);
      let e = 0;
      for (let t = 0; t < T; t++) for (let r = 0; r < N; r++) {
        let y0 = 0, y1 = 0;
        for (let j = 0; j < K; j++) (y0 += X[t * K + j] * orig[r * K + j]), (y1 += X[t * K + j] * q[r * K + j]);
        e += (y1 - y0) ** 2;
      }
      return e / (T * N);
    };
    const before = err(orig);
    const r = awqClip(w, N, K, X, T, 32);
    expect(r.after).toBeLessThan(r.before);
    expect(err(w)).toBeLessThan(0.95 * before);
    let clipped = 0;
    for (let i = 0; i < w.length; i++) {
      expect(Math.abs(w[i])).toBeLessThanOrEqual(Math.abs(orig[i]) + 1e-7); // values only ever shrink towards 0
      if (w[i] !== orig[i]) clipped++;
    }
    expect(clipped).toBeGreaterThan(0);
  });

  it('without outliers AWQ is never worse than RTN on the calibration data (α = 0 is in the grid)', () => {
    const rng = new RNG(4);
    const w = Float32Array.from({ length: 32 * 64 }, () => rng.normal());
    const X = Float32Array.from({ length: 64 * 64 }, () => rng.normal());
    const r = awqSearch([{ w, rows: 32 }], X, 64, 64, 32);
    expect(r.bestError).toBeLessThanOrEqual(r.rtnError);
  });
});

describe('AWQ on the shipped tinylm-base', () => {
  const dir = 'public/models/tinylm-base';
  const { model, tokenizer } = loadModel({ config: readFileSync(`${dir}/config.json`, 'utf8'), safetensors: readFileSync(`${dir}/model.safetensors`), tokenizer: readFileSync(`${dir}/tokenizer.json`, 'utf8') });

  it('folding the scales into the norms and up_proj leaves the full-precision function unchanged', () => {
    const { calib } = quantTexts(tokenizer, { text: 'stories', evalItems: 1, calibItems: 8, prompts: 0 });
    const { weights, awq } = quantizeWeights(model, calib, 'int4-awq', { round: false });
    expect(awq!.length).toBe(3 * model.config.nLayers);
    expect(awq!.some((a) => a.alpha !== null)).toBe(true);
    for (const a of awq!) expect(a.awqError).toBeLessThanOrEqual(a.rtnError);
    const scaled = new TinyLM(model.config, weights);
    const ids = [0, ...tokenizer.encode('Once upon a time, there was a little fox.')];
    const a = new TinyLMSession(model).append(ids), b = new TinyLMSession(scaled).append(ids);
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    expect(maxDiff).toBeLessThan(1e-3);
    // and the weights really changed (the fold is not a no-op)
    expect(weights.get('model.layers.0.input_layernorm.weight')!.data).not.toEqual(model.weight('model.layers.0.input_layernorm.weight').data);
  });

  it('sizes: bits per weight of the format over its matrices, and of the whole file', () => {
    const n = model.parameterCount;
    const emb = model.config.vocabSize * model.config.dim;
    const norms = model.config.dim * (2 * model.config.nLayers + 1);
    const linear = n - emb - norms;
    expect(variantSize(model, 'f32')).toEqual({ bytes: 4 * n, bitsPerWeight: 32, fileBitsPerWeight: 32, formatParams: n - norms });
    // ggml types: every matrix (embedding included) in the type, norms F32.
    for (const [t, bits] of [['f16', 16], ['q8_0', 8.5], ['q4_0', 4.5], ['q4_0-awq', 4.5]] as const) {
      const s = variantSize(model, t);
      expect(s.bitsPerWeight).toBeCloseTo(bits, 10);
      expect(s.formatParams).toBe(n - norms);
      expect(s.bytes).toBeCloseTo(((n - norms) * bits) / 8 + 4 * norms, 6);
      expect(s.fileBitsPerWeight).toBeCloseTo((8 * s.bytes) / n, 10);
    }
    // NF4 with double quantization: 4 + 8/64 + 32/(64·256) = 4.127 bits on the linear layers
    // (4.5 without it), embedding F16 as bitsandbytes leaves it.
    expect(nf4BitsPerParam(1 << 20, true)).toBeCloseTo(4 + 8 / 64 + 32 / (64 * 256), 4); // + one f32 offset per tensor
    expect(nf4BitsPerParam(1 << 20, false)).toBeCloseTo(4.5, 10);
    const nf4 = variantSize(model, 'nf4');
    expect(nf4.formatParams).toBe(linear);
    expect(nf4.bitsPerWeight).toBeGreaterThan(4.127);
    expect(nf4.bitsPerWeight).toBeLessThan(4.2); // small tensors round their scale blocks up
    // int4 g32, f16 scale and 4-bit zero per group: 4 + 20/32 = 4.625 on the linear layers.
    for (const t of ['int4-rtn', 'int4-awq'] as const) {
      const s = variantSize(model, t);
      expect(s.bitsPerWeight).toBeCloseTo(4.625, 10);
      expect(s.formatParams).toBe(linear);
      expect(s.bytes).toBeCloseTo(2 * emb + 4 * norms + (linear * 4.625) / 8, 6);
      // The whole file is much more than 4.625 bits per parameter: the F16 embedding is a third of the model.
      expect(s.fileBitsPerWeight).toBeGreaterThan(6);
    }
    expect(nf4.bytes).toBeLessThan(variantSize(model, 'int4-rtn').bytes);
  });
});
