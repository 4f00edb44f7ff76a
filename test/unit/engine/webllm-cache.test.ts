import { describe, expect, it } from 'vitest';
import { cleanModelUrl, deleteFromWebLLMCache, inspectWebLLMCache, WEBLLM_MODEL_CACHE, type CacheStorageLike } from '../../../src/lib/engine/webllm/cache';

/** A Map-backed stand-in for the Cache API holding web-llm's layout. */
function fakeCaches(entries: Record<string, unknown>): CacheStorageLike {
  return {
    has: async (name) => name === WEBLLM_MODEL_CACHE,
    open: async () => ({
      keys: async () => Object.keys(entries).map((url) => ({ url })),
      match: async (url) => (url in entries ? { json: async () => entries[url] } : undefined),
    }),
  };
}

const A = 'https://huggingface.co/mlc-ai/SmolLM2-360M-Instruct-q4f32_1-MLC';
const B = 'https://huggingface.co/mlc-ai/Qwen3-0.6B-q4f32_1-MLC';
const C = 'https://huggingface.co/mlc-ai/gemma3-1b-it-q4f16_1-MLC';
const base = (u: string) => `${u}/resolve/main/`;
const manifest = { records: [{ dataPath: 'params_shard_0.bin', nbytes: 100 }, { dataPath: 'params_shard_1.bin', nbytes: 50 }] };

describe('inspectWebLLMCache', () => {
  it('tells complete, partial and missing models apart, with bytes', async () => {
    const caches = fakeCaches({
      [base(A) + 'tensor-cache.json']: manifest,
      [base(A) + 'params_shard_0.bin']: 1,
      [base(A) + 'params_shard_1.bin']: 1,
      [base(B) + 'tensor-cache.json']: manifest,
      [base(B) + 'params_shard_1.bin']: 1,
      [base(C) + 'params_shard_3.bin']: 1,
    });
    const r = await inspectWebLLMCache(caches, [
      { id: 'a', url: A },
      { id: 'a-1k', url: A },
      { id: 'b', url: B },
      { id: 'c', url: C },
      { id: 'd', url: 'https://huggingface.co/mlc-ai/Other' },
      { id: 'e', url: null },
    ]);
    expect(r.get('a')).toEqual({ state: 'complete', bytes: 150, shardsCached: 2, shardsTotal: 2 });
    expect(r.get('a-1k')!.state).toBe('complete');
    expect(r.get('b')).toEqual({ state: 'partial', bytes: 50, shardsCached: 1, shardsTotal: 2 });
    expect(r.get('c')!.state).toBe('partial');
    expect(r.get('d')!.state).toBe('none');
    expect(r.get('e')!.state).toBe('none');
  });

  it('reports nothing cached without the Cache API or the cache', async () => {
    expect((await inspectWebLLMCache(undefined, [{ id: 'a', url: A }])).get('a')!.state).toBe('none');
    const empty: CacheStorageLike = { has: async () => false, open: async () => { throw new Error('unused'); } };
    expect((await inspectWebLLMCache(empty, [{ id: 'a', url: A }])).get('a')!.state).toBe('none');
  });

  it('builds web-llm base URLs', () => {
    expect(cleanModelUrl(A)).toBe(base(A));
    expect(cleanModelUrl(base(A))).toBe(base(A));
    expect(cleanModelUrl('https://h.co/u/m/resolve/v2/')).toBe('https://h.co/u/m/resolve/v2/');
  });
});

describe('deleteFromWebLLMCache', () => {
  function deletable(stores: Record<string, Set<string>>): CacheStorageLike {
    return {
      has: async (name) => name in stores,
      open: async (name) => ({
        keys: async () => [...stores[name]!].map((url) => ({ url })),
        match: async () => undefined,
        delete: async (url) => stores[name]!.delete(url),
      }),
    };
  }
  const LIB_A = 'https://raw.githubusercontent.com/x/A-webgpu.wasm';
  const LIB_B = 'https://raw.githubusercontent.com/x/B-webgpu.wasm';

  it('removes weights, tokenizer and config under the model URL, and its unshared wasm', async () => {
    const stores = {
      [WEBLLM_MODEL_CACHE]: new Set([base(A) + 'tensor-cache.json', base(A) + 'params_shard_0.bin', base(A) + 'tokenizer.json', base(B) + 'params_shard_0.bin']),
      'webllm/config': new Set([base(A) + 'mlc-chat-config.json', base(B) + 'mlc-chat-config.json']),
      'webllm/wasm': new Set([LIB_A, LIB_B]),
    };
    await deleteFromWebLLMCache(deletable(stores), { id: 'a', url: A, modelLib: LIB_A }, [{ id: 'b', url: B, modelLib: LIB_B }]);
    expect([...stores[WEBLLM_MODEL_CACHE]]).toEqual([base(B) + 'params_shard_0.bin']);
    expect([...stores['webllm/config']]).toEqual([base(B) + 'mlc-chat-config.json']);
    expect([...stores['webllm/wasm']]).toEqual([LIB_B]);
  });

  it('keeps a wasm library another cached model still uses', async () => {
    const stores = { [WEBLLM_MODEL_CACHE]: new Set<string>(), 'webllm/config': new Set<string>(), 'webllm/wasm': new Set([LIB_A]) };
    await deleteFromWebLLMCache(deletable(stores), { id: 'a', url: A, modelLib: LIB_A }, [{ id: 'b', url: B, modelLib: LIB_A }]);
    expect([...stores['webllm/wasm']]).toEqual([LIB_A]);
  });
});
