import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { kvBytesPerToken, kvDecode, kvMemory, slope } from '../../../src/lib/inference/kv-measure';
import { loadModel } from '../../../src/lib/tinylm/checkpoint';
import { BASE_CONFIG } from '../../../src/lib/tinylm/presets';
import { MODEL_SHAPES } from '../../../src/lib/models/shapes';

describe('KV-cache memory formula', () => {
  it('TinyLM: 2 · 3 layers · 1 KV head · 32 · 4 B = 768 B per token, equal to the session buffers', () => {
    const m = kvMemory('gqa', BASE_CONFIG);
    expect(m.formulaBytesPerToken).toBe(768);
    expect(m.bufferBytesPerToken).toBe(768);
    expect(m.windowBytes).toBe(196_608);
    const mha = kvMemory('mha', { ...BASE_CONFIG, nKvHeads: 3 });
    expect(mha.bufferBytesPerToken).toBe(3 * 768);
  });

  it("web-llm shapes: Llama 2 7B f16 512 KiB per token, Llama 3.1 8B (GQA 8) 128 KiB", () => {
    const s = (id: string) => MODEL_SHAPES.find((x) => x.id === id)!;
    const l2 = s('Llama-2-7b-chat-hf'), l3 = s('Llama-3.1-8B-Instruct');
    expect(kvBytesPerToken(l2.layers, l2.kvHeads, l2.headDim, 2)).toBe(512 * 1024);
    expect(kvBytesPerToken(l3.layers, l3.kvHeads, l3.headDim, 2)).toBe(128 * 1024);
  });

  it('slope is the least-squares fit', () => {
    expect(slope([0, 1, 2, 3], [1, 3, 5, 7])).toBeCloseTo(2, 12);
  });
});

describe('decoding with and without the cache (shipped tinylm-base)', () => {
  const dir = 'public/models/tinylm-base';
  const { model, tokenizer } = loadModel({ config: readFileSync(`${dir}/config.json`, 'utf8'), safetensors: readFileSync(`${dir}/model.safetensors`), tokenizer: readFileSync(`${dir}/tokenizer.json`, 'utf8') });

  it('gives identical tokens, reports every step, and streams the points', () => {
    const prompt = [0, ...tokenizer.encode('Once upon a time, there was a cat')];
    const batches: number[] = [];
    const r = kvDecode(model, prompt, 40, (i) => String(i), (pts) => batches.push(pts.length), 1);
    expect(r.cachedIds).toHaveLength(40);
    expect(r.identical).toBe(true);
    expect(r.uncachedIds).toEqual(r.cachedIds);
    expect(r.points).toHaveLength(39);
    expect(r.points[0].pos).toBe(prompt.length);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(39);
  });

  it('stops at the window', () => {
    const prompt = Array(250).fill(5);
    expect(kvDecode(model, prompt, 40, String, undefined, 1).cachedIds).toHaveLength(6);
    expect(() => kvDecode(model, Array(256).fill(5), 4, String)).toThrow(/window/);
  });
});
