import { describe, expect, it } from 'vitest';
import { shapeForModelId } from '../../../src/lib/models/shapes';
import {
  contextSteps,
  deviceBudget,
  formatBytes,
  formatParams,
  gqaSaving,
  kvBytesPerToken,
  kvCacheBytes,
  maxContextForBudget,
  memoryTable,
  weightBytes,
} from '../../../src/lib/memory/memory';

const llama8b = shapeForModelId('Llama-3.1-8B-Instruct')!;
const llama2 = shapeForModelId('Llama-2-7b-chat-hf')!;

describe('memory maths', () => {
  it('KV cache: Llama 3.1 8B holds 128 KiB per token in f16, 16 GiB at its full 128k window', () => {
    // 2 (K,V) × 32 layers × 8 kv heads × 128 dims × 2 bytes = 131,072 bytes
    expect(kvBytesPerToken(llama8b, 'f16')).toBe(131072);
    expect(kvCacheBytes(llama8b, 131072, 'f16')).toBe(16 * 1024 ** 3);
    expect(kvCacheBytes(llama8b, 1000, 'f32', 2)).toBe(2 * 131072 * 1000 * 2);
  });

  it('GQA: Llama 2 7B (no GQA) needs 4× the KV of Llama 3 8B per token', () => {
    expect(kvBytesPerToken(llama2) / kvBytesPerToken(llama8b)).toBe(4);
    expect(gqaSaving(llama8b)).toBe(4);
    expect(gqaSaving(llama2)).toBe(1);
  });

  it('weights: 8.03B params is 16.06 GB in f16 and about 4.5 GB at 4.5 bits', () => {
    expect(weightBytes(8.03e9, 16)).toBeCloseTo(16.06e9, -6);
    expect(weightBytes(8.03e9, 4.5)).toBeCloseTo(4.517e9, -7);
  });

  it('the largest context for a budget leaves room for exactly that many tokens', () => {
    const budget = 8 * 1024 ** 3;
    const n = maxContextForBudget(llama8b, budget, 4.5, 'f16');
    const used = weightBytes(llama8b.params, 4.5) + kvCacheBytes(llama8b, n, 'f16');
    expect(used).toBeLessThanOrEqual(budget);
    expect(used + kvBytesPerToken(llama8b)).toBeGreaterThan(budget);
    expect(maxContextForBudget(llama8b, 1e9, 16)).toBe(0);
  });

  it('memory table marks what fits', () => {
    const rows = memoryTable(llama8b, [4096, 131072], 4.5, 'f16', 8 * 1024 ** 3);
    expect(rows.map((r) => r.fits)).toEqual([true, false]);
    expect(rows[1]!.total).toBe(rows[1]!.weights + rows[1]!.kv);
    expect(memoryTable(llama8b, [1], 16, 'f16', null)[0]!.fits).toBeNull();
  });

  it('context steps and formatting', () => {
    expect(contextSteps(4096)).toEqual([512, 1024, 2048, 4096]);
    expect(contextSteps(3000)).toEqual([512, 1024, 2048, 3000]);
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(16 * 1024 ** 3)).toBe('16.0 GiB');
    expect(formatParams(494e6)).toBe('494M');
    expect(formatParams(8.03e9)).toBe('8.03B');
  });

  it('device budget uses the RAM hint, then the GPU buffer limit, then asks', () => {
    expect(deviceBudget(8, null).bytes).toBe(4 * 1024 ** 3);
    expect(deviceBudget(null, 1024).bytes).toBe(2048);
    expect(deviceBudget(null, null).bytes).toBeNull();
  });
});

import { WEBLLM_MODEL_RECORDS } from '../../../src/lib/engine/webllm/catalogue-data';

describe('against web-llm’s own VRAM figures', () => {
  it('weights + KV cache at the build’s context is below web-llm’s vram_required_MB and close to it for most builds (f16 builds; the rest is runtime overhead)', () => {
    let checked = 0;
    const ratios: number[] = [];
    for (const r of WEBLLM_MODEL_RECORDS) {
      const s = shapeForModelId(r.model_id);
      const q = /-(q4f16_1|q0f16)-MLC/.exec(r.model_id)?.[1];
      if (!s || !q || !r.vram_required_MB) continue;
      const ctx = (r.overrides as { context_window_size?: number } | undefined)?.context_window_size ?? 4096;
      const ours = weightBytes(s.params, q === 'q0f16' ? 16 : 4.5) + kvCacheBytes(s, ctx, 'f16');
      const theirs = r.vram_required_MB * 1024 * 1024;
      expect(ours / theirs, r.model_id).toBeLessThanOrEqual(1);
      ratios.push(ours / theirs);
      checked++;
    }
    expect(checked).toBeGreaterThan(40);
    ratios.sort((a, b) => a - b);
    expect(ratios[Math.floor(ratios.length / 2)]!).toBeGreaterThan(0.9); // median
  });
});
