import { describe, expect, it } from 'vitest';
import { MODEL_SHAPES, countLlamaParams, shapeForModelId, shapeFromLlamaConfig } from '../../../src/lib/models/shapes';

describe('model shapes', () => {
  it('every row is self-consistent: heads divide into kv groups, parameter count matches the shapes', () => {
    for (const s of MODEL_SHAPES) {
      expect(s.heads % s.kvHeads, s.id).toBe(0);
      // The published count and the count from the shapes agree within 3 % (biases, extra norms).
      const counted = countLlamaParams(s);
      expect(Math.abs(counted - s.params) / s.params, `${s.id}: ${counted} vs ${s.params}`).toBeLessThan(0.03);
    }
  });

  it('ids are unique', () => {
    expect(new Set(MODEL_SHAPES.map((s) => s.id)).size).toBe(MODEL_SHAPES.length);
  });

  it('finds a web-llm id by its longest base-name prefix', () => {
    expect(shapeForModelId('Qwen2.5-0.5B-Instruct-q4f16_1-MLC')?.id).toBe('Qwen2.5-0.5B-Instruct');
    expect(shapeForModelId('Phi-3.5-mini-instruct-q4f16_1-MLC-1k')?.id).toBe('Phi-3.5-mini-instruct');
    expect(shapeForModelId('Llama-3.2-1B-Instruct-q0f32-MLC')?.layers).toBe(16);
    expect(shapeForModelId('snowflake-arctic-embed-m-q0f32-MLC-b32')).toBeUndefined();
  });

  it('covers the main web-llm families', async () => {
    const { prebuiltAppConfig } = await import('@mlc-ai/web-llm');
    const ids = prebuiltAppConfig.model_list.map((m) => m.model_id);
    const covered = ids.filter((id) => shapeForModelId(id));
    // At least half of the prebuilt ids (every SmolLM2, Qwen2.5, Qwen3, Llama 3.x, Phi-3.x, Gemma 2 build).
    expect(covered.length).toBeGreaterThan(ids.length / 2);
  });

  it('counts a llama config exactly: Llama 3.2 1B from its config.json fields', () => {
    const s = shapeFromLlamaConfig('x', 'x', { vocabSize: 128256, dim: 2048, nLayers: 16, nHeads: 32, nKvHeads: 8, ffnDim: 8192, maxSeqLen: 131072, tieEmbeddings: true });
    // 1,235,814,400 is the parameter count `transformers` reports for meta-llama/Llama-3.2-1B.
    expect(s.params).toBe(1_235_814_400);
    expect(s.headDim).toBe(64);
  });
});
