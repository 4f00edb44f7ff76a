/** A saved adapter appears as a model (base + adapter) in the TinyLM catalog and loads merged. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adapterModelId, tinyLMCatalog } from '../../../src/lib/engine/tinylm-models';
import { exportPeftAdapter } from '../../../src/lib/finetune/peft';
import { adapterRow } from '../../../src/lib/finetune/storage';
import { loadModel } from '../../../src/lib/tinylm/checkpoint';
import { LoraAdapter } from '../../../src/lib/tinylm/lora';
import { RNG } from '../../../src/lib/tinylm/rng';
import type { ModelBlobRow } from '../../../src/lib/storage/db';

const root = new URL('../../../public/models/', import.meta.url);
const diskFetch = (async (input: string | URL | Request) => {
  const url = new URL(String(input));
  if (!existsSync(url)) return new Response('not found', { status: 404 });
  return new Response(readFileSync(url));
}) as typeof fetch;
const read = (f: string) => readFileSync(new URL(`tinylm-chat/${f}`, root));
const chat = loadModel({ config: read('config.json').toString(), safetensors: read('model.safetensors'), tokenizer: read('tokenizer.json').toString() });

describe('adapters in the model catalog', () => {
  const a = LoraAdapter.create(chat.model.config, { r: 4, alpha: 8, dropout: 0, targets: ['q', 'v'] });
  const rng = new RNG(2);
  for (const l of a.layers.values()) l.B.data.forEach((_, i) => (l.B.data[i] = rng.normal() * 0.05));
  let rows: ModelBlobRow[] = [adapterRow('finetune-lab:lora', 'TinyLM chat + LoRA adapter', 'tinylm-chat', exportPeftAdapter(a, 'tinylm-chat'))];
  const { models, loader } = tinyLMCatalog(root.href, { fetchFn: diskFetch, adapters: async () => rows });

  it('lists base + adapter after the shipped models, and loads it with the adapter merged', async () => {
    const list = await models();
    const id = adapterModelId('tinylm-chat', 'finetune-lab:lora');
    const m = list.find((x) => x.id === id)!;
    expect(m.displayName).toBe('TinyLM chat + LoRA adapter');
    expect(m.capabilities).toContain('chat');
    const loaded = await loader(id);
    const ids = chat.tokenizer.encode('Hello there');
    const want = chat.model.forward(ids, 1, ids.length, { noGrad: true, adapters: a.forwardAdapters() }).data;
    const got = loaded.model.newSession().append(ids); // last position's logits, KV-cache path
    const V = chat.model.config.vocabSize, last = want.subarray((ids.length - 1) * V);
    let worst = 0;
    for (let i = 0; i < V; i++) worst = Math.max(worst, Math.abs(last[i] - got[i]));
    expect(worst).toBeLessThan(1e-5);
  });

  it('a deleted adapter disappears from the list and its id fails with model-not-found', async () => {
    rows = [];
    expect((await models()).some((x) => x.id.includes('+'))).toBe(false);
    await expect(loader(adapterModelId('tinylm-chat', 'finetune-lab:lora'))).rejects.toMatchObject({ code: 'model-not-found' });
  });
});
