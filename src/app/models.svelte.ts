/**
 * The app-wide model state, provided through Svelte context: which model is current (persisted
 * in the `settings` table), its engine, load/download progress, the remote endpoint (URL and key
 * kept in IndexedDB — never in share links), and which web-llm models are cached.
 *
 *   const models = createModels(app);   // once, in App.svelte
 *   const models = useModels();         // anywhere below it
 *   const { engine, modelId } = await models.get();
 *
 * Engines come from the framework-free registry (src/lib/engine/registry.ts); web-llm is only
 * imported when a web-llm model is used. With the test flag (localStorage `llm-lab:test-engines`
 * = "1") the test double is offered and web-llm is replaced by its deterministic double, so e2e
 * tests exercise download progress, cancel and the offline path without a GPU or network.
 */
import { getContext, setContext } from 'svelte';
import { SvelteMap } from 'svelte/reactivity';
import { EngineError } from '../lib/engine/errors';
import { createEngineRegistry, REMOTE_PREFIX, backendFor, remoteModelId, TEST_DOUBLE_ID, type EngineRegistry, type LoadableEngine } from '../lib/engine/registry';
import type { RemoteConfig } from '../lib/engine/remote';
import type { ChatEngine, LoadProgress, ModelInfo } from '../lib/engine/types';
import { inspectWebLLMCache, type CacheStorageLike, type CachedModel } from '../lib/engine/webllm/cache';
import type { AppState } from './app.svelte';
import { readRemoteSettings } from '../lib/storage/settings';

export const SETTING_CURRENT = 'models.current';
export const SETTING_REMOTE = 'models.remote';
export const TEST_FLAG = 'llm-lab:test-engines';
const FAKE_CACHE_KEY = 'llm-lab:fake-webllm-cache';

export interface RemoteSettings {
  baseUrl: string;
  apiKey: string;
  /** The server's model name chosen last. */
  model: string;
}

export interface DownloadState {
  progress: LoadProgress | null;
  error: EngineError | null;
  controller: AbortController;
}

// TinyLM's worker engine, globbed (lazy): it stays out of the main chunk until a TinyLM model is used.
const tinylmModules = import.meta.glob<{ createTinyLMWorkerEngine: (o?: { includeRandomModel?: boolean }) => LoadableEngine; TINYLM_MODELS?: ModelInfo[] }>('../lib/engine/worker-engine.ts');

function testMode(): boolean {
  try {
    return globalThis.localStorage?.getItem(TEST_FLAG) === '1';
  } catch {
    return false;
  }
}

/** A localStorage-backed cache for the web-llm double (test mode only). */
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

export class Models {
  readonly registry: EngineRegistry;
  readonly testMode: boolean;
  readonly tinylmAvailable: boolean;
  #app: AppState;

  /** The model labs use by default. */
  currentId = $state<string>('');
  /** 'loading' while the current model loads (download included). */
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state.raw<EngineError | null>(null);
  /** Progress of the current model's load. */
  progress = $state.raw<LoadProgress | null>(null);
  builtins = $state.raw<ModelInfo[]>([]);
  remote = $state.raw<RemoteSettings | null>(null);
  remoteModels = $state.raw<ModelInfo[]>([]);
  /** web-llm model id → what of it is in the browser's cache. */
  readonly cached = new SvelteMap<string, CachedModel>();
  /** Downloads in flight or failed, by model id. */
  readonly downloads = new SvelteMap<string, DownloadState>();
  ready = $state(false);

  constructor(app: AppState) {
    this.#app = app;
    this.testMode = testMode();
    const tinyLoader = tinylmModules['../lib/engine/worker-engine.ts'];
    this.tinylmAvailable = Boolean(tinyLoader);
    this.registry = createEngineRegistry({
      builtinModels: [],
      testDouble: this.testMode || !tinyLoader,
      createTinyLM: async () => {
        if (!tinyLoader) throw new EngineError('model-not-found', 'The built-in TinyLM models are not available yet.', 'Use another model.');
        // The untrained random model keeps TinyLM usable even where no checkpoint ships.
        return (await tinyLoader()).createTinyLMWorkerEngine({ includeRandomModel: true });
      },
      createWebLLM: this.testMode ? () => this.#fakeWebLLM() : undefined,
      remote: () => (this.remote?.baseUrl ? { baseUrl: this.remote.baseUrl, apiKey: this.remote.apiKey || undefined } : null),
      capabilities: () => (app.capabilitiesReady ? app.capabilities : undefined),
    });
  }

  async #fakeWebLLM(): Promise<LoadableEngine> {
    const [{ createWebLLMEngine }, { fakeHostFactory }] = await Promise.all([import('../lib/engine/webllm/adapter'), import('../lib/engine/webllm/fake')]);
    // The "download" makes a real request to a URL the service worker does not cache, so it fails offline like web-llm.
    const probe = () => fetch(new URL(`webllm-double-download?${Date.now()}`, location.href), { cache: 'no-store' });
    return createWebLLMEngine({ factory: fakeHostFactory({ cache: fakeCache(), shards: 8, shardBytes: 40 * 1024 * 1024, delayMs: 150, probe }) });
  }

  #initDone: Promise<void> | null = null;

  /** Reads the saved model choice and remote endpoint; call once at start-up (creates no engine). */
  init(): Promise<void> {
    this.#initDone ??= this.#init();
    return this.#initDone;
  }

  async #init(): Promise<void> {
    const db = this.#app.db;
    const [current, remote] = await Promise.all([
      db.settings.get(SETTING_CURRENT).catch(() => undefined),
      db.settings.get(SETTING_REMOTE).catch(() => undefined),
    ]);
    // parsed, not cast: a malformed stored value (old build, hand-edited backup) must not break the pages that read it
    this.remote = readRemoteSettings(remote?.value);
    const saved = typeof current?.value === 'string' ? current.value : '';
    if (saved && this.#known(saved)) this.currentId = saved;
    this.builtins = this.registry.listBuiltins();
    this.ready = true;
  }

  #builtinsLoaded: Promise<void> | null = null;

  /** Lists the built-in TinyLM models (asks the TinyLM module once; no model is loaded). */
  ensureBuiltins(): Promise<void> {
    this.#builtinsLoaded ??= (async () => {
      const loader = tinylmModules['../lib/engine/worker-engine.ts'];
      let list: ModelInfo[] = [];
      if (loader) {
        try {
          const mod = await loader();
          list = mod.TINYLM_MODELS ?? (await (await this.registry.backend('tinylm')).listModels?.()) ?? [];
        } catch {
          list = [];
        }
      }
      this.registry.setBuiltins(list);
      // Without any TinyLM model (worker failed to start), offer the labelled test double instead.
      if (list.length === 0) this.registry.setTestDouble(true);
      this.builtins = this.registry.listBuiltins();
      // Default: the first built-in chat model (the base model only continues text).
      const chat = this.builtins.find((m) => m.capabilities.includes('chat')) ?? this.builtins[0];
      if (!this.currentId || !this.#known(this.currentId)) this.currentId = chat?.id ?? TEST_DOUBLE_ID;
    })();
    return this.#builtinsLoaded;
  }

  #known(id: string): boolean {
    try {
      this.registry.kindOf(id);
      return true;
    } catch {
      return false;
    }
  }

  /** Info for any model id we know (built-ins and remote; web-llm entries come from the catalogue). */
  info(id: string): ModelInfo | undefined {
    return this.builtins.find((m) => m.id === id) ?? this.remoteModels.find((m) => m.id === id) ?? this.#webllmInfo.find((m) => m.id === id);
  }

  /** A short label of the current model. */
  get label(): string {
    const id = this.currentId;
    const info = this.info(id);
    if (info) return info.displayName;
    if (id.startsWith(REMOTE_PREFIX)) return `${id.slice(REMOTE_PREFIX.length)} (remote)`;
    return id || 'no model';
  }

  /** Whether the current model is a tiny one (TinyLM or the test double). */
  get tiny(): boolean {
    const kind = backendFor(this.currentId, this.builtins.map((m) => m.id));
    return kind === 'tinylm' || kind === 'test-double';
  }

  /** Whether the current backend does constrained decoding for response_format json_schema. */
  get constrained(): boolean {
    return !this.currentId.startsWith(REMOTE_PREFIX); // remote servers vary; TinyLM and web-llm constrain
  }

  /** Makes `id` the current model (persisted) and loads it. */
  async select(id: string): Promise<void> {
    this.registry.kindOf(id); // throws for unknown ids
    this.currentId = id;
    await this.#app.db.settings.put({ key: SETTING_CURRENT, value: id }).catch((e) => this.#app.reportStorageError(e));
    await this.get().catch(() => {});
  }

  /** The current model's engine, loading it first when needed (progress in `progress`). */
  async get(): Promise<{ engine: ChatEngine; modelId: string }> {
    // A lab asking right at start-up must get the saved choice, not the default.
    await this.init().catch(() => {});
    if (!this.currentId) await this.ensureBuiltins();
    const id = this.currentId || TEST_DOUBLE_ID;
    // Callers asking for the model being loaded share that load; a different model replaces it.
    if (this.#inflight?.id === id) return this.#inflight.promise;
    this.#inflight?.ac.abort();
    const ac = new AbortController();
    const promise = this.#load(id, ac);
    this.#inflight = { id, ac, promise };
    return promise;
  }

  #inflight: { id: string; ac: AbortController; promise: Promise<{ engine: ChatEngine; modelId: string }> } | null = null;

  async #load(id: string, ac: AbortController): Promise<{ engine: ChatEngine; modelId: string }> {
    const mine = () => this.#inflight?.ac === ac;
    this.status = 'loading';
    this.error = null;
    try {
      if (backendFor(id) === 'webllm') void this.#registerCatalogue();
      const engine = await this.registry.engineFor(id, (p) => mine() && (this.progress = p), { signal: ac.signal });
      if (mine()) this.status = 'ready';
      if (backendFor(id) === 'webllm') this.#markCached(id);
      return { engine, modelId: id };
    } catch (e) {
      const err = e instanceof EngineError ? e : new EngineError('unknown', (e as Error)?.message ?? String(e));
      if (mine()) {
        this.status = err.code === 'aborted' ? 'idle' : 'error';
        this.error = err.code === 'aborted' ? null : err;
      }
      throw err;
    } finally {
      if (mine()) {
        this.#inflight = null;
        this.progress = null;
      }
    }
  }

  #webllmInfo = $state.raw<ModelInfo[]>([]);

  /** Loads the web-llm catalogue (lazily: it stays out of the main chunk) so `info()` knows those models. */
  async #registerCatalogue(): Promise<void> {
    if (this.#webllmInfo.length) return;
    const [{ buildCatalogue, toModelInfo }, data] = await Promise.all([import('../lib/engine/webllm/catalogue'), import('../lib/engine/webllm/catalogue-data')]);
    this.#webllmInfo = buildCatalogue(data.WEBLLM_MODEL_RECORDS, data.WEBLLM_TOOL_MODEL_IDS).map(toModelInfo);
  }

  /** Cancels the current model's load. */
  cancel(): void {
    this.#inflight?.ac.abort();
  }

  /** Downloads a web-llm model (it is loaded on the GPU as a side effect), with progress and cancel. */
  async download(id: string): Promise<void> {
    const state: DownloadState = { progress: null, error: null, controller: new AbortController() };
    this.downloads.set(id, state);
    try {
      await this.registry.engineFor(id, (p) => this.downloads.set(id, { ...state, progress: p }), { signal: state.controller.signal });
      this.downloads.delete(id);
      this.#markCached(id);
    } catch (e) {
      const err = e instanceof EngineError ? e : new EngineError('unknown', String(e));
      if (err.code === 'aborted') this.downloads.delete(id);
      else this.downloads.set(id, { ...state, error: err });
    } finally {
      void this.#app.refreshStorage().catch(() => {});
    }
  }

  /** Cancels a download in flight (shards already fetched stay cached). */
  cancelDownload(id: string): void {
    this.downloads.get(id)?.controller.abort();
  }

  #markCached(id: string): void {
    const prev = this.cached.get(id);
    this.cached.set(id, { state: 'complete', bytes: prev?.bytes ?? 0, shardsCached: prev?.shardsTotal ?? 0, shardsTotal: prev?.shardsTotal ?? 0 });
  }

  /** Re-reads which web-llm models are (partly) in the browser cache; `entries` come from the catalogue. */
  async refreshCached(entries: ReadonlyArray<{ id: string; url: string | null }>): Promise<void> {
    if (this.testMode) {
      const c = fakeCache();
      for (const e of entries) this.cached.set(e.id, c.has(e.id) ? { state: 'complete', bytes: 320 * 1024 * 1024, shardsCached: 8, shardsTotal: 8 } : { state: 'none', bytes: 0, shardsCached: 0, shardsTotal: 0 });
      return;
    }
    const storage = (globalThis as { caches?: CacheStorageLike }).caches;
    const result = await inspectWebLLMCache(storage, entries).catch(() => new Map<string, CachedModel>());
    for (const [id, c] of result) this.cached.set(id, c);
  }

  /** Deletes a web-llm model from the browser cache (unloading it first if loaded). */
  async remove(id: string): Promise<void> {
    if ((await this.registry.loadedModel('webllm')) === id) await this.registry.unload('webllm');
    if (this.testMode) fakeCache().delete(id);
    else {
      const [{ buildCatalogue }, data, { deleteFromWebLLMCache }] = await Promise.all([
        import('../lib/engine/webllm/catalogue'),
        import('../lib/engine/webllm/catalogue-data'),
        import('../lib/engine/webllm/cache'),
      ]);
      const all = buildCatalogue(data.WEBLLM_MODEL_RECORDS);
      const entry = all.find((e) => e.id === id);
      const storage = (globalThis as { caches?: CacheStorageLike }).caches;
      if (entry && storage) {
        const stillCached = all.filter((e) => (this.cached.get(e.id)?.state ?? 'none') !== 'none');
        await deleteFromWebLLMCache(storage, entry, stillCached);
      }
    }
    this.cached.set(id, { state: 'none', bytes: 0, shardsCached: 0, shardsTotal: 0 });
    if (!this.testMode) {
      const [{ buildCatalogue }, data] = await Promise.all([import('../lib/engine/webllm/catalogue'), import('../lib/engine/webllm/catalogue-data')]);
      await this.refreshCached(buildCatalogue(data.WEBLLM_MODEL_RECORDS)); // variants sharing the weights changed too
    }
    await this.#app.refreshStorage().catch(() => {});
  }

  /**
   * The tokenizer and chat template of a downloaded web-llm model (lesson 1.1's hook; see
   * src/lib/engine/webllm/model-files.ts). Null parts when the model is not (fully) cached.
   */
  async inspectDownloaded(id: string): Promise<{ tokenizer: import('../lib/engine/webllm/model-files').ModelTokenizer | null; chatConfig: import('../lib/engine/webllm/model-files').MLCChatConfigLike | null }> {
    const [files, { buildCatalogue }, data] = await Promise.all([
      import('../lib/engine/webllm/model-files'),
      import('../lib/engine/webllm/catalogue'),
      import('../lib/engine/webllm/catalogue-data'),
    ]);
    const entry = buildCatalogue(data.WEBLLM_MODEL_RECORDS).find((e) => e.id === id);
    if (!entry?.url) return { tokenizer: null, chatConfig: null };
    const { tokenizerJson, chatConfig } = await files.readModelFiles((globalThis as { caches?: import('../lib/engine/webllm/model-files').CacheReader }).caches, entry.url);
    return { tokenizer: tokenizerJson ? await files.loadModelTokenizer(tokenizerJson) : null, chatConfig };
  }

  /** Saves the remote endpoint (URL, key, model) in IndexedDB settings. */
  async saveRemote(s: RemoteSettings | null): Promise<void> {
    this.remote = s;
    this.remoteModels = [];
    if (s) await this.#app.db.settings.put({ key: SETTING_REMOTE, value: { ...s } });
    else await this.#app.db.settings.delete(SETTING_REMOTE);
  }

  /** Lists the remote server's models (throws a typed error: cors, unreachable, auth, …). */
  async listRemote(s: RemoteSettings = this.remote ?? { baseUrl: '', apiKey: '', model: '' }): Promise<ModelInfo[]> {
    const { createRemoteEngine } = await import('../lib/engine/remote');
    const cfg: RemoteConfig = { baseUrl: s.baseUrl, apiKey: s.apiKey || undefined };
    const models = await createRemoteEngine(cfg).listModels();
    this.remoteModels = models.map((m) => ({ ...m, id: remoteModelId(m.id), displayName: `${m.id} (remote)` }));
    return this.remoteModels;
  }
}

const KEY = Symbol('models');

/** Creates the model state and provides it to the component tree (call once, in App.svelte). */
export function createModels(app: AppState): Models {
  const models = new Models(app);
  void models.init().catch((e) => app.notify('error', `Could not read model settings: ${(e as Error)?.message ?? e}`));
  return setContext(KEY, models);
}

/** The model state provided by App.svelte (null outside the app, e.g. in isolated component tests). */
export function useModels(): Models {
  const m = getContext<Models | undefined>(KEY);
  if (!m) throw new Error('useModels() called outside the app (createModels() was not called)');
  return m;
}

/** Like useModels(), but returns null instead of throwing (for components also used standalone). */
export function maybeModels(): Models | null {
  return getContext<Models | undefined>(KEY) ?? null;
}
