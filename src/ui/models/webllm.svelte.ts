/**
 * The web-llm download and cache manager: which catalogue models are (partly) in the browser's
 * Cache Storage, downloads with progress and cancel, deletes, and reading a downloaded model's
 * tokenizer and chat template (lesson 1.1). Where the cache lives is a `WebLLMCacheBackend`:
 * Cache Storage in the app, a test double chosen by the app in test mode.
 */
import { SvelteMap } from 'svelte/reactivity';
import { asLabError, type LabError } from '../../lib/errors';
import type { EngineRegistry } from '../../lib/engine/registry';
import type { LoadProgress } from '../../lib/engine/types';
import type { CatalogueEntry } from '../../lib/engine/webllm/catalogue';
import type { CachedModel, CacheStorageLike } from '../../lib/engine/webllm/cache';
import type { CacheReader, MLCChatConfigLike, ModelTokenizer } from '../../lib/engine/webllm/model-files';
import { loadWebLLMCatalogue } from './catalogue';

export interface DownloadState {
  progress: LoadProgress | null;
  error: LabError | null;
  controller: AbortController;
}

/** Where downloaded web-llm models are looked up and deleted. */
export interface WebLLMCacheBackend {
  inspect(entries: ReadonlyArray<{ id: string; url: string | null }>): Promise<Map<string, CachedModel>>;
  delete(entry: CatalogueEntry, stillCached: CatalogueEntry[]): Promise<void>;
}

/** The browser's Cache Storage, where web-llm keeps its shards. */
export const cacheStorageBackend: WebLLMCacheBackend = {
  async inspect(entries) {
    const { inspectWebLLMCache } = await import('../../lib/engine/webllm/cache');
    return inspectWebLLMCache((globalThis as { caches?: CacheStorageLike }).caches, entries);
  },
  async delete(entry, stillCached) {
    const storage = (globalThis as { caches?: CacheStorageLike }).caches;
    if (!storage) return;
    const { deleteFromWebLLMCache } = await import('../../lib/engine/webllm/cache');
    await deleteFromWebLLMCache(storage, entry, stillCached);
  },
};

const NONE: CachedModel = { state: 'none', bytes: 0, shardsCached: 0, shardsTotal: 0 };

export class WebLLMModels {
  /** web-llm model id → what of it is in the browser's cache. */
  readonly cached = new SvelteMap<string, CachedModel>();
  /** Downloads in flight or failed, by model id. */
  readonly downloads = new SvelteMap<string, DownloadState>();

  constructor(
    private readonly registry: EngineRegistry,
    private readonly backend: WebLLMCacheBackend,
    private readonly onStorageChanged: () => void,
  ) {}

  /** Downloads a model (it is loaded on the GPU as a side effect), with progress and cancel. */
  async download(id: string): Promise<void> {
    const state: DownloadState = { progress: null, error: null, controller: new AbortController() };
    this.downloads.set(id, state);
    try {
      await this.registry.engineFor(id, (p) => this.downloads.set(id, { ...state, progress: p }), { signal: state.controller.signal });
      this.downloads.delete(id);
      this.markCached(id);
    } catch (e) {
      const err = asLabError(e);
      if (err.code === 'aborted') this.downloads.delete(id);
      else this.downloads.set(id, { ...state, error: err });
    } finally {
      this.onStorageChanged();
    }
  }

  /** Cancels a download in flight (shards already fetched stay cached). */
  cancelDownload(id: string): void {
    this.downloads.get(id)?.controller.abort();
  }

  /** Records that a model was fully loaded (so it is in the cache now). */
  markCached(id: string): void {
    const prev = this.cached.get(id);
    this.cached.set(id, { state: 'complete', bytes: prev?.bytes ?? 0, shardsCached: prev?.shardsTotal ?? 0, shardsTotal: prev?.shardsTotal ?? 0 });
  }

  /** Re-reads which models are (partly) in the cache; `entries` default to the whole catalogue. */
  async refreshCached(entries?: ReadonlyArray<{ id: string; url: string | null }>): Promise<void> {
    const list = entries ?? (await loadWebLLMCatalogue()).entries;
    const result = await this.backend.inspect(list).catch(() => new Map<string, CachedModel>());
    for (const [id, c] of result) this.cached.set(id, c);
  }

  /** Deletes a model from the cache (unloading it first if loaded). */
  async remove(id: string): Promise<void> {
    if ((await this.registry.loadedModel('webllm')) === id) await this.registry.unload('webllm');
    const { entries } = await loadWebLLMCatalogue();
    const entry = entries.find((e) => e.id === id);
    if (entry) {
      const stillCached = entries.filter((e) => (this.cached.get(e.id)?.state ?? 'none') !== 'none');
      await this.backend.delete(entry, stillCached);
    }
    this.cached.set(id, NONE);
    await this.refreshCached(entries); // variants sharing the weights changed too
    this.onStorageChanged();
  }

  /**
   * The tokenizer and chat template of a downloaded model (lesson 1.1's hook; see
   * src/lib/engine/webllm/model-files.ts). Null parts when the model is not (fully) cached.
   */
  async inspectDownloaded(id: string): Promise<{ tokenizer: ModelTokenizer | null; chatConfig: MLCChatConfigLike | null }> {
    const [files, { entries }] = await Promise.all([import('../../lib/engine/webllm/model-files'), loadWebLLMCatalogue()]);
    const entry = entries.find((e) => e.id === id);
    if (!entry?.url) return { tokenizer: null, chatConfig: null };
    const { tokenizerJson, chatConfig } = await files.readModelFiles((globalThis as { caches?: CacheReader }).caches, entry.url);
    return { tokenizer: tokenizerJson ? await files.loadModelTokenizer(tokenizerJson) : null, chatConfig };
  }
}
