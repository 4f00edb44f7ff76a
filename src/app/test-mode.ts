/**
 * Test mode's doubles (localStorage `llm-lab:test-engines` = "1", set by the e2e tests): web-llm
 * replaced by its deterministic double and a localStorage-backed "browser cache", so e2e tests
 * exercise download progress, cancel and the offline path without a GPU or network. Imported
 * only when the flag is set (src/app/models.svelte.ts), never by production paths.
 */
import type { LoadableEngine } from '../lib/engine/registry';
import type { CachedModel } from '../lib/engine/webllm/cache';
import type { WebLLMCacheBackend } from '../ui/models/webllm.svelte';

export const FAKE_CACHE_KEY = 'llm-lab:fake-webllm-cache';

/** The web-llm double's "cache": a set of model ids in localStorage. */
function fakeCache() {
  const read = () => new Set<string>(JSON.parse(localStorage.getItem(FAKE_CACHE_KEY) ?? '[]') as string[]);
  const write = (s: Set<string>) => localStorage.setItem(FAKE_CACHE_KEY, JSON.stringify([...s]));
  return {
    has: (id: string) => read().has(id),
    add: (id: string) => write(read().add(id)),
    delete: (id: string) => {
      const s = read();
      s.delete(id);
      write(s);
    },
  };
}

/** web-llm's deterministic double, downloading 8 fake shards of 40 MiB. */
export async function fakeWebLLM(): Promise<LoadableEngine> {
  const [{ createWebLLMEngine }, { fakeHostFactory }] = await Promise.all([import('../lib/engine/webllm/adapter'), import('../lib/engine/webllm/fake')]);
  // The "download" makes a real request to a URL the service worker does not cache, so it fails offline like web-llm.
  const probe = () => fetch(new URL(`webllm-double-download?${Date.now()}`, location.href), { cache: 'no-store' });
  return createWebLLMEngine({ factory: fakeHostFactory({ cache: fakeCache(), shards: 8, shardBytes: 40 * 1024 * 1024, delayMs: 150, probe }) });
}

/** The double's cache as the download manager sees it. */
export const fakeCacheBackend: WebLLMCacheBackend = {
  async inspect(entries) {
    const c = fakeCache();
    const out = new Map<string, CachedModel>();
    for (const e of entries) out.set(e.id, c.has(e.id) ? { state: 'complete', bytes: 320 * 1024 * 1024, shardsCached: 8, shardsTotal: 8 } : { state: 'none', bytes: 0, shardsCached: 0, shardsTotal: 0 });
    return out;
  },
  async delete(entry) {
    fakeCache().delete(entry.id);
  },
};
