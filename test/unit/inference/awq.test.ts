import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { awqScales, awqSearch, int4BitsPerWeight, rtnInt4 } from '../../../src/lib/inference/awq';
import { quantizeWeights, variantSize } from '../../../src/lib/inference/quant-measure';
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
});

describe('AWQ scale search on a synthetic outlier layer', () => {
  it('picks α in (0, 1) and cuts the output error well below plain int4 (RTN)', () => {
    // A 96 → 96 linear; 2 of 96 input channels carry 30× larger activations (as in LLMs).
    const rng = new RNG(3);
    const K = 96, N = 96, T = 256;
    const w = Float32Array.from({ length: N * K }, () => rng.normal() * 0.02);
    const X = new Float32Array(T * K);
    for (let t = 0; t < T; t++) for (let j = 0; j < K; j++) X[t * K + j] = rng.normal() * (j === 7 || j === 50 ? 30 : 1);
    const r = awqSearch([{ w, rows: N }], X, T, K, 32);
    expect(r.alpha).toBeGreaterThan(0);
    expect(r.alpha).toBeLessThan(1);
    expect(r.errors[0]).toBe(r.rtnError);
    expect(r.bestError).toBeLessThan(0.5 * r.rtnError); // "well below": at least halved
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
    const { weights, awq } = quantizeWeights(model, tokenizer, 'int4-awq', 4, { round: false });
    expect(awq!.length).toBe(3 * model.config.nLayers);
    expect(awq!.some((a) => a.alpha > 0)).toBe(true);
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

  it('sizes: F32 4 B/weight, Q8_0 8.5 and Q4_0 4.5 bits; int4 keeps the tied embedding in F16', () => {
    const n = model.parameterCount;
    expect(variantSize(model, 'f32').bytes).toBe(4 * n);
    expect(variantSize(model, 'q8_0').bitsPerWeight).toBeCloseTo(8.5, 10);
    expect(variantSize(model, 'q4_0').bitsPerWeight).toBeCloseTo(4.5, 10);
    const emb = model.config.vocabSize * model.config.dim;
    const norms = model.config.dim * (2 * model.config.nLayers + 1);
    expect(variantSize(model, 'nf4').bitsPerWeight).toBeGreaterThan(4.127); // 4.127 on the linear layers, F16 embedding
    expect(variantSize(model, 'nf4').bytes).toBeLessThan(variantSize(model, 'int4-rtn').bytes);
    expect(variantSize(model, 'int4-rtn').bytes).toBeCloseTo(2 * emb + 4 * norms + (n - emb - norms) * 4.625 / 8, 6);
  });
});
