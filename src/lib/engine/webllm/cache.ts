/**
 * Reads web-llm's model cache (the Cache API, cache "webllm/model") without loading web-llm:
 * which models are fully or partly downloaded and how many bytes each holds. It mirrors
 * web-llm's own `hasModelInCache`: a model is complete when its `tensor-cache.json` and every
 * shard it lists are cached. Works wherever `caches` exists (page, workers); framework-free.
 */

export const WEBLLM_MODEL_CACHE = 'webllm/model';

/** The part of CacheStorage / Cache used here (so tests can pass a Map-backed fake). */
export interface CacheStorageLike {
  has(name: string): Promise<boolean>;
  open(name: string): Promise<{
    keys(): Promise<ReadonlyArray<{ url: string }>>;
    match(url: string): Promise<{ json(): Promise<unknown> } | undefined>;
    delete?(url: string): Promise<boolean>;
  }>;
}

export interface CachedModel {
  state: 'complete' | 'partial' | 'none';
  /** Bytes of the cached shards (from tensor-cache.json's `nbytes`). */
  bytes: number;
  shardsCached: number;
  shardsTotal: number;
}

/** web-llm's base URL for a model: "https://huggingface.co/mlc-ai/X" → ".../X/resolve/main/". */
export function cleanModelUrl(url: string): string {
  let u = url.endsWith('/') ? url : url + '/';
  if (!/.+\/resolve\/.+\//.test(u)) u += 'resolve/main/';
  return new URL(u).href;
}

interface TensorCacheJson {
  records?: Array<{ dataPath: string; nbytes?: number }>;
}

/** The cache state of each model ({id, url}) in one pass over the cache's keys. */
export async function inspectWebLLMCache(storage: CacheStorageLike | undefined, models: ReadonlyArray<{ id: string; url: string | null }>): Promise<Map<string, CachedModel>> {
  const out = new Map<string, CachedModel>();
  const none: CachedModel = { state: 'none', bytes: 0, shardsCached: 0, shardsTotal: 0 };
  if (!storage || !(await storage.has(WEBLLM_MODEL_CACHE).catch(() => false))) {
    for (const m of models) out.set(m.id, none);
    return out;
  }
  const cache = await storage.open(WEBLLM_MODEL_CACHE);
  const keys = new Set((await cache.keys()).map((r) => r.url));
  const byUrl = new Map<string, CachedModel>();
  for (const m of models) {
    if (!m.url) {
      out.set(m.id, none);
      continue;
    }
    const base = cleanModelUrl(m.url);
    let result = byUrl.get(base);
    if (!result) {
      const jsonUrl = new URL('tensor-cache.json', base).href;
      if (!keys.has(jsonUrl)) {
        // Shards can be cached before the manifest is read back: count them as partial.
        const shards = [...keys].filter((k) => k.startsWith(base) && /params_shard_\d+\.bin$/.test(k)).length;
        result = shards ? { state: 'partial', bytes: 0, shardsCached: shards, shardsTotal: 0 } : none;
      } else {
        const json = (await (await cache.match(jsonUrl))?.json().catch(() => null)) as TensorCacheJson | null;
        const records = json?.records ?? [];
        let bytes = 0;
        let cached = 0;
        for (const r of records) {
          if (keys.has(new URL(r.dataPath, base).href)) {
            cached++;
            bytes += r.nbytes ?? 0;
          }
        }
        result = { state: records.length > 0 && cached === records.length ? 'complete' : cached > 0 || records.length === 0 ? 'partial' : 'none', bytes, shardsCached: cached, shardsTotal: records.length };
      }
      byUrl.set(base, result);
    }
    out.set(m.id, result);
  }
  return out;
}

/**
 * Deletes a model from web-llm's caches without loading web-llm: everything under its weights
 * URL in "webllm/model" (shards, tensor-cache.json, tokenizer) and "webllm/config", and its wasm
 * library from "webllm/wasm" unless another model still cached uses the same library (web-llm's
 * own deleteModelAllInfoInCache would break that other model offline). Models sharing the same
 * weights URL (e.g. "-1k" variants) lose their weights too: they are one download.
 */
export async function deleteFromWebLLMCache(
  storage: CacheStorageLike,
  model: { id: string; url: string | null; modelLib: string | null },
  stillCached: ReadonlyArray<{ id: string; url: string | null; modelLib: string | null }> = [],
): Promise<void> {
  if (!model.url) return;
  const base = cleanModelUrl(model.url);
  for (const name of [WEBLLM_MODEL_CACHE, 'webllm/config']) {
    if (!(await storage.has(name).catch(() => false))) continue;
    const cache = await storage.open(name);
    for (const k of await cache.keys()) if (k.url.startsWith(base)) await cache.delete?.(k.url);
  }
  const libShared = stillCached.some((m) => m.id !== model.id && m.modelLib === model.modelLib && m.url !== model.url);
  if (model.modelLib && !libShared && (await storage.has('webllm/wasm').catch(() => false))) {
    await (await storage.open('webllm/wasm')).delete?.(model.modelLib);
  }
}
