/**
 * The model state labs and pages share: which model is current (persisted in the `settings`
 * table), loading it (progress, cancel, errors), the built-in TinyLM models, and what is known
 * of each model. Its two neighbours have their own files: `webllm.svelte.ts` (downloads and the
 * browser cache) and `remote.svelte.ts` (the remote endpoint's settings).
 *
 *   const models = new Models(host, options);   // once, by the app (src/app/models.svelte.ts)
 *   const models = useModels();                 // below it (src/ui/models/context.ts)
 *   const { engine, modelId } = await models.get();
 *
 * Labs do not use this class: they get `ctx.engine` (an EngineSource, src/ui/chat/engine-access.ts).
 * Engines come from the framework-free registry (src/lib/engine/registry.ts); web-llm is only
 * imported when a web-llm model is used. Test doubles are chosen by the creator (`options`).
 */
import { EngineError } from '../../lib/engine/errors';
import { asLabError, type LabError } from '../../lib/errors';
import { createEngineRegistry, REMOTE_PREFIX, backendFor, TEST_DOUBLE_ID, type EngineRegistry, type LoadableEngine } from '../../lib/engine/registry';
import type { ChatEngine, LoadProgress, ModelInfo } from '../../lib/engine/types';
import { SETTING_CURRENT_MODEL } from '../../lib/storage/settings';
import { loadWebLLMCatalogue } from './catalogue';
import type { ModelsHost } from './host';
import { RemoteEndpoint } from './remote.svelte';
import { cacheStorageBackend, WebLLMModels, type WebLLMCacheBackend } from './webllm.svelte';

/** The settings key of the model chosen last. */
export const SETTING_CURRENT = SETTING_CURRENT_MODEL;

export interface ModelsOptions {
  /** Offer the deterministic test double as a model (test mode, or no TinyLM). */
  testDouble?: boolean;
  /** Replaces web-llm (test mode: its deterministic double). */
  createWebLLM?: () => Promise<LoadableEngine>;
  /** Where downloaded web-llm models live (default: the browser's Cache Storage). */
  webllmCache?: WebLLMCacheBackend;
}

// TinyLM's worker engine, globbed (lazy): it stays out of the main chunk until a TinyLM model is used.
const tinylmModules = import.meta.glob<{ createTinyLMWorkerEngine: (o?: { includeRandomModel?: boolean }) => LoadableEngine; TINYLM_MODELS?: ModelInfo[] }>('../../lib/engine/worker-engine.ts');
const tinyLoader = tinylmModules['../../lib/engine/worker-engine.ts'];

export class Models {
  readonly registry: EngineRegistry;
  /** Whether the test double is offered (the app's test mode). */
  readonly testMode: boolean;
  readonly tinylmAvailable: boolean;
  /** The remote endpoint's settings and models. */
  readonly endpoint: RemoteEndpoint;
  /** web-llm downloads and the browser cache. */
  readonly webllm: WebLLMModels;
  #host: ModelsHost;

  /** The model labs use by default. */
  currentId = $state<string>('');
  /** 'loading' while the current model loads (download included). */
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state.raw<LabError | null>(null);
  /** Progress of the current model's load. */
  progress = $state.raw<LoadProgress | null>(null);
  builtins = $state.raw<ModelInfo[]>([]);
  ready = $state(false);

  constructor(host: ModelsHost, options: ModelsOptions = {}) {
    this.#host = host;
    this.testMode = Boolean(options.testDouble);
    this.tinylmAvailable = Boolean(tinyLoader);
    this.endpoint = new RemoteEndpoint(host.settings);
    this.registry = createEngineRegistry({
      builtinModels: [],
      testDouble: this.testMode || !tinyLoader,
      createTinyLM: async () => {
        if (!tinyLoader) throw new EngineError('model-not-found', 'The built-in TinyLM models are not available yet.', 'Use another model.');
        // The untrained random model keeps TinyLM usable even where no checkpoint ships.
        return (await tinyLoader()).createTinyLMWorkerEngine({ includeRandomModel: true });
      },
      createWebLLM: options.createWebLLM,
      remote: () => this.endpoint.config(),
      capabilities: () => host.capabilities(),
    });
    this.webllm = new WebLLMModels(this.registry, options.webllmCache ?? cacheStorageBackend, () => host.onStorageChanged());
  }

  #initDone: Promise<void> | null = null;

  /** Reads the saved model choice and remote endpoint; call once at start-up (creates no engine). */
  init(): Promise<void> {
    this.#initDone ??= this.#init();
    return this.#initDone;
  }

  async #init(): Promise<void> {
    const [current] = await Promise.all([this.#host.settings.get(SETTING_CURRENT).catch(() => undefined), this.endpoint.load()]);
    const saved = typeof current?.value === 'string' ? current.value : '';
    if (saved && this.#known(saved)) this.currentId = saved;
    this.builtins = this.registry.listBuiltins();
    this.ready = true;
  }

  #builtinsLoaded: Promise<void> | null = null;

  /** Lists the built-in TinyLM models (asks the TinyLM module once; no model is loaded). */
  ensureBuiltins(): Promise<void> {
    this.#builtinsLoaded ??= (async () => {
      let list: ModelInfo[] = [];
      if (tinyLoader) {
        try {
          const mod = await tinyLoader();
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

  #webllmInfo = $state.raw<ModelInfo[]>([]);

  /** Info for any model id we know (built-ins, remote, and web-llm once its catalogue is loaded). */
  info(id: string): ModelInfo | undefined {
    return this.builtins.find((m) => m.id === id) ?? this.endpoint.models.find((m) => m.id === id) ?? this.#webllmInfo.find((m) => m.id === id);
  }

  /** A short label of any model id (the current one by default). */
  labelOf(id: string): string {
    const info = this.info(id);
    if (info) return info.displayName;
    if (id.startsWith(REMOTE_PREFIX)) return `${id.slice(REMOTE_PREFIX.length)} (remote)`;
    return id || 'no model';
  }

  /** A short label of the current model. */
  get label(): string {
    return this.labelOf(this.currentId);
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
    await this.#host.settings.put({ key: SETTING_CURRENT, value: id }).catch((e) => this.#host.onSaveError(e));
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

  /** The engine of any model, without changing the current choice (embedders, comparisons). */
  async engineFor(id: string, onProgress?: (p: LoadProgress) => void, opts: { signal?: AbortSignal } = {}): Promise<ChatEngine> {
    const engine = await this.registry.engineFor(id, onProgress, opts);
    if (backendFor(id) === 'webllm') this.webllm.markCached(id);
    return engine;
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
      if (backendFor(id) === 'webllm') this.webllm.markCached(id);
      return { engine, modelId: id };
    } catch (e) {
      const err = asLabError(e);
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

  /** Lets `info()` know the web-llm models (the catalogue loads lazily, outside the main chunk). */
  async #registerCatalogue(): Promise<void> {
    if (this.#webllmInfo.length) return;
    this.#webllmInfo = (await loadWebLLMCatalogue()).info;
  }

  /** Cancels the current model's load. */
  cancel(): void {
    this.#inflight?.ac.abort();
  }
}
