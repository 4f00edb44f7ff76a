import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { loadTinyShapes } from '../../../src/labs/context-window/tiny-shapes';
import { loadModel } from '../../../src/lib/tinylm/checkpoint';

afterEach(() => vi.unstubAllGlobals());

describe('TinyLM shapes for the calculator', () => {
  it('reads each shipped config.json; the parameter count equals the checkpoint’s', async () => {
    vi.stubGlobal('fetch', async (url: string) => {
      const path = 'public/' + url;
      return existsSync(path) ? new Response(readFileSync(path)) : new Response('', { status: 404 });
    });
    const shapes = await loadTinyShapes('');
    const base = shapes.find((s) => s.id === 'tinylm-base');
    expect(base).toBeDefined();
    const dir = 'public/models/tinylm-base/';
    const { model } = loadModel({
      config: JSON.parse(readFileSync(dir + 'config.json', 'utf8')),
      safetensors: new Uint8Array(readFileSync(dir + 'model.safetensors')),
      tokenizer: JSON.parse(readFileSync(dir + 'tokenizer.json', 'utf8')),
    });
    expect(base!.params).toBe(model.parameterCount);
    expect(base!.layers).toBe(model.config.nLayers);
    expect(base!.kvHeads).toBe(model.config.nKvHeads);
    expect(base!.maxContext).toBe(model.config.maxSeqLen);
  });
});
