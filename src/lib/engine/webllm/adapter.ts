/**
 * Our `ChatEngine` over web-llm's engine (normally `WebWorkerMLCEngine`, the app-side half of
 * `workers/llm.worker.ts`). The web-llm engine comes from an injected factory, so this file never
 * imports web-llm itself: unit tests pass a test double; the app passes `createWorkerHost`
 * (`./worker-host.ts`), which loads web-llm with a dynamic `import()`.
 *
 * What it adds on top of web-llm: typed errors with next steps (web-llm rejects with strings),
 * pre-flight checks (WebGPU, shader-f16) before downloading anything, download progress in bytes,
 * cancellable loads, `signal` on requests, usage in every stream, query prefixes for embeddings.
 */
import type { Capabilities } from '../../capabilities/detect';
import { EngineError } from '../errors';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChatEngine,
  EmbeddingRequest,
  EmbeddingResponse,
  ModelInfo,
  ResponseFormat,
} from '../types';
import { buildCatalogue, toModelInfo, type CatalogueEntry } from './catalogue';
import { WEBLLM_MODEL_RECORDS, WEBLLM_TOOL_MODEL_IDS } from './catalogue-data';
import { mapWebLLMError, type WebLLMErrorContext } from './errors';
import { parseInitProgress, type InitProgressReportLike, type WebLLMProgress } from './progress';

/** The part of web-llm's `MLCEngineInterface` this adapter uses. */
export interface MLCEngineLike {
  chat: { completions: { create(req: Record<string, unknown>): Promise<unknown> } };
  embeddings: { create(req: Record<string, unknown>): Promise<unknown> };
  reload(modelId: string | string[]): Promise<void>;
  interruptGenerate(): void;
  unload(): Promise<void>;
  runtimeStatsText(modelId?: string): Promise<string>;
}

/** A running web-llm engine and the means to stop it hard. */
export interface WebLLMHost {
  engine: MLCEngineLike;
  /** Stops everything at once (terminates the worker). Shards already downloaded stay cached. */
  terminate(): void;
  /** Rejects (with an EngineError) if the host dies, e.g. the worker crashes; never resolves. */
  crashed?: Promise<never>;
}

export type WebLLMHostFactory = (config: { initProgressCallback: (r: InitProgressReportLike) => void }) => Promise<WebLLMHost>;

export interface WebLLMEngineOptions {
  /** Creates the web-llm engine; default: a worker running `workers/llm.worker.ts`. */
  factory?: WebLLMHostFactory;
  /**
   * When given, loads fail fast (before any download) on missing WebGPU / shader-f16. A function
   * is read at each load (return undefined while detection is still running).
   */
  capabilities?: Capabilities | (() => Capabilities | undefined);
  /** Online state and user agent for error advice; defaults to `navigator`. */
  env?: () => { online?: boolean; userAgent?: string };
  /** The catalogue (defaults to web-llm's prebuilt list). */
  catalogue?: CatalogueEntry[];
}

export interface LoadOptions {
  signal?: AbortSignal;
}

/** snowflake-arctic-embed's instruction for queries (documents are embedded as they are). */
export const ARCTIC_QUERY_PREFIX = 'Represent this sentence for searching relevant passages: ';

const defaultEnv = () => {
  const nav = (globalThis as { navigator?: { onLine?: boolean; userAgent?: string } }).navigator;
  return { online: nav?.onLine, userAgent: nav?.userAgent };
};

/** Translates our request to web-llm's (it takes the JSON schema as a string, knows no top_k/min_p/signal). */
export function toWebLLMRequest(req: ChatCompletionRequest): Record<string, unknown> {
  const { signal: _signal, top_k: _topK, min_p: _minP, response_format, ...rest } = req;
  const out: Record<string, unknown> = { ...rest };
  const rf = response_format ? toWebLLMResponseFormat(response_format) : undefined;
  if (rf) out.response_format = rf;
  if (req.stream) out.stream_options = { include_usage: true };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

function toWebLLMResponseFormat(rf: ResponseFormat): Record<string, unknown> | undefined {
  switch (rf.type) {
    case 'text':
      return undefined;
    case 'json_object':
      return rf.schema ? { type: 'json_object', schema: JSON.stringify(rf.schema) } : { type: 'json_object' };
    case 'json_schema':
      return { type: 'json_object', schema: JSON.stringify(rf.json_schema.schema) };
    case 'grammar':
      return { type: 'grammar', grammar: rf.grammar };
  }
}

/**
 * web-llm (like OpenAI) sends usage in a separate last chunk with no choices; our interface
 * carries it on the chunk with the finish_reason, so the finish chunk is held back and merged.
 */
export async function* attachUsageToFinish(source: AsyncIterable<ChatCompletionChunk>): AsyncGenerator<ChatCompletionChunk> {
  let held: ChatCompletionChunk | null = null;
  for await (const chunk of source) {
    if (chunk.choices.length === 0 && chunk.usage) {
      if (held) yield { ...held, usage: chunk.usage };
      else yield chunk;
      held = null;
      continue;
    }
    if (held) yield held;
    held = null;
    if (chunk.choices.some((c) => c.finish_reason !== null)) held = chunk;
    else yield chunk;
  }
  if (held) yield held;
}

/** WebLLM behind the lab-wide `ChatEngine` interface. */
export class WebLLMChatEngine implements ChatEngine {
  readonly kind = 'webllm' as const;
  readonly catalogue: CatalogueEntry[];
  #factory: WebLLMHostFactory;
  #caps: () => Capabilities | undefined;
  #env: () => { online?: boolean; userAgent?: string };
  #host: WebLLMHost | null = null;
  #hostPromise: Promise<WebLLMHost> | null = null;
  #loaded: string[] = [];
  #onProgress: ((p: WebLLMProgress) => void) | null = null;
  #cancelLoad: (() => void) | null = null;

  constructor(opts: WebLLMEngineOptions = {}) {
    this.#factory = opts.factory ?? (async (cfg) => (await import('./worker-host')).createWorkerHost(cfg));
    const caps = opts.capabilities;
    this.#caps = typeof caps === 'function' ? caps : () => caps;
    this.#env = opts.env ?? defaultEnv;
    this.catalogue = opts.catalogue ?? buildCatalogue(WEBLLM_MODEL_RECORDS, WEBLLM_TOOL_MODEL_IDS);
  }

  /** Model ids currently loaded (several can be: e.g. a chat model and an embedding model). */
  get loadedModels(): readonly string[] {
    return this.#loaded;
  }

  #ctx(modelId?: string): WebLLMErrorContext {
    const env = this.#env();
    return { modelId, online: env.online, userAgent: env.userAgent, knownModelIds: this.catalogue.map((e) => e.id) };
  }

  #ensureHost(): Promise<WebLLMHost> {
    this.#hostPromise ??= this.#factory({
      initProgressCallback: (r) => this.#onProgress?.(parseInitProgress(r)),
    }).then(
      (h) => {
        // A worker that died is dropped, so the next load starts a fresh one (not a dead one).
        h.crashed?.catch(() => {
          if (this.#host === h) this.#dropHost();
        });
        return (this.#host = h);
      },
      (e) => {
        this.#hostPromise = null;
        throw mapWebLLMError(e, this.#ctx());
      },
    );
    return this.#hostPromise;
  }

  #dropHost(): void {
    this.#host?.terminate();
    this.#host = null;
    this.#hostPromise = null;
    this.#loaded = [];
  }

  /** Fails fast, before downloading gigabytes, when the device can't run the model. */
  #preflight(ids: string[]): void {
    const caps = this.#caps();
    if (!caps) return;
    const ctx = this.#ctx(ids[0]);
    if (!caps.webgpu) throw mapWebLLMError('WebGPUNotAvailableError: ' + (caps.webgpuProblem ?? ''), ctx);
    for (const id of ids) {
      const entry = this.catalogue.find((e) => e.id === id);
      if (!entry) throw mapWebLLMError(`ModelNotFoundError: Cannot find model record in appConfig for ${id}`, this.#ctx(id));
      if (entry.needsShaderF16 && !caps.webgpu.shaderF16) throw mapWebLLMError('ShaderF16SupportError', this.#ctx(id));
      const limit = caps.webgpu.limits.maxStorageBufferBindingSize;
      if (entry.bufferBytesRequired && entry.bufferBytesRequired > limit) {
        throw mapWebLLMError(`Cannot initialize runtime because of requested maxStorageBufferBindingSize exceeds limit. requested=${entry.bufferBytesRequired}, limit=${limit}`, this.#ctx(id));
      }
    }
  }

  /** Downloads (or reads from the cache) and loads one model, or several at once (comma-separated or an array). */
  async load(modelId: string | string[], onProgress?: (p: WebLLMProgress) => void, opts: LoadOptions = {}): Promise<void> {
    const ids = Array.isArray(modelId) ? modelId : modelId.split(',').map((s) => s.trim()).filter(Boolean);
    if (ids.length === 0) throw new EngineError('invalid-request', 'No model id given.');
    this.#preflight(ids);
    // A newer load replaces an older one: cancel it and let it finish tearing down first.
    const previous = this.#loading;
    if (previous) {
      this.#cancelLoad?.();
      await previous.catch(() => {});
    }
    const run = this.#load(ids, onProgress, opts);
    this.#loading = run;
    try {
      await run;
    } finally {
      if (this.#loading === run) this.#loading = null;
    }
  }

  #loading: Promise<void> | null = null;

  async #load(ids: string[], onProgress: ((p: WebLLMProgress) => void) | undefined, opts: LoadOptions): Promise<void> {
    let cancelled = false;
    let cancel!: () => void;
    const cancelled$ = new Promise<never>((_, reject) => {
      cancel = () => {
        cancelled = true;
        reject(new EngineError('aborted', 'The download was cancelled.', 'Parts already downloaded are kept; start again to resume.'));
      };
    });
    cancelled$.catch(() => {});
    this.#cancelLoad = cancel;
    const onAbort = () => cancel();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
    const report = onProgress ?? null;
    this.#onProgress = report;
    try {
      const host = await Promise.race([this.#ensureHost(), cancelled$]);
      const race: Array<Promise<unknown>> = [host.engine.reload(ids.length === 1 ? ids[0]! : ids), cancelled$];
      if (host.crashed) race.push(host.crashed);
      await Promise.race(race);
      this.#loaded = ids;
      onProgress?.({ progress: 1, text: 'Ready', phase: 'other' });
    } catch (e) {
      // A cancelled or crashed load leaves web-llm mid-download: stop the worker outright.
      if (cancelled || (e instanceof EngineError && e.code === 'worker-crashed')) this.#dropHost();
      else this.#loaded = [];
      throw mapWebLLMError(e, this.#ctx(ids[0]));
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      if (this.#cancelLoad === cancel) this.#cancelLoad = null;
      if (this.#onProgress === report) this.#onProgress = null;
    }
  }

  /** Cancels the load in flight, if any (terminates the worker; cached shards are kept). */
  cancelLoad(): void {
    this.#cancelLoad?.();
  }

  #requireLoaded(model: string | undefined, need: 'chat' | 'embedding'): { host: WebLLMHost; modelId: string } {
    if (!this.#host || this.#loaded.length === 0) {
      throw new EngineError('invalid-request', 'No WebLLM model is loaded yet.', 'Choose a model and wait for it to load.');
    }
    if (model && !this.#loaded.includes(model)) {
      throw new EngineError('model-not-found', `“${model}” is not loaded in this engine.`, `Loaded: ${this.#loaded.join(', ')}. Load it first.`);
    }
    const kindOf = (id: string) => this.catalogue.find((e) => e.id === id)?.kind;
    const modelId = model ?? this.#loaded.find((id) => (need === 'embedding' ? kindOf(id) === 'embedding' : kindOf(id) !== 'embedding')) ?? this.#loaded[0]!;
    return { host: this.#host, modelId };
  }

  readonly chat = {
    completions: {
      create: ((req: ChatCompletionRequest) => this.#create(req)) as ChatEngine['chat']['completions']['create'],
    },
  };

  readonly embeddings = {
    create: (req: EmbeddingRequest) => this.#embed(req),
  };

  async #create(req: ChatCompletionRequest): Promise<ChatCompletion | AsyncIterable<ChatCompletionChunk>> {
    if (!Array.isArray(req.messages) || req.messages.length === 0) throw new EngineError('invalid-request', 'messages must be a non-empty array.');
    const { host, modelId } = this.#requireLoaded(req.model, 'chat');
    if (req.tools?.length && !WEBLLM_TOOL_MODEL_IDS.includes(modelId)) {
      throw mapWebLLMError(`UnsupportedModelIdError: ${modelId} is not supported for ChatCompletionRequest.tools.`, this.#ctx(modelId));
    }
    if (req.signal?.aborted) throw new EngineError('aborted', 'The request was stopped.');
    const wreq = toWebLLMRequest(this.#loaded.length > 1 ? { ...req, model: modelId } : req);
    const onAbort = () => host.engine.interruptGenerate();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    let result: unknown;
    try {
      result = await host.engine.chat.completions.create(wreq);
    } catch (e) {
      req.signal?.removeEventListener('abort', onAbort);
      throw mapWebLLMError(e, this.#ctx(modelId));
    }
    if (!req.stream) {
      req.signal?.removeEventListener('abort', onAbort);
      return result as ChatCompletion;
    }
    const ctx = () => this.#ctx(modelId);
    const source = result as AsyncIterable<ChatCompletionChunk>;
    return (async function* () {
      try {
        yield* attachUsageToFinish(source);
      } catch (e) {
        throw mapWebLLMError(e, ctx());
      } finally {
        req.signal?.removeEventListener('abort', onAbort);
      }
    })();
  }

  async #embed(req: EmbeddingRequest): Promise<EmbeddingResponse> {
    const { host, modelId } = this.#requireLoaded(req.model, 'embedding');
    const inputs = Array.isArray(req.input) ? req.input : [req.input];
    const prefixed = req.input_type === 'query' && /arctic-embed/.test(modelId) ? inputs.map((s) => ARCTIC_QUERY_PREFIX + s) : inputs;
    try {
      const res = (await host.engine.embeddings.create({ input: prefixed, model: this.#loaded.length > 1 ? modelId : undefined })) as EmbeddingResponse;
      return { object: 'list', model: res.model ?? modelId, data: res.data, usage: { prompt_tokens: res.usage?.prompt_tokens ?? 0, total_tokens: res.usage?.total_tokens ?? 0 } };
    } catch (e) {
      throw mapWebLLMError(e, this.#ctx(modelId));
    }
  }

  /** Stops the generation in flight; its stream ends with finish_reason 'abort'. */
  async interrupt(): Promise<void> {
    this.#host?.engine.interruptGenerate();
  }

  /** Frees GPU memory and stops the worker. */
  async unload(): Promise<void> {
    this.#cancelLoad?.();
    const host = this.#host;
    if (!host) return;
    try {
      await host.engine.unload();
    } catch {
      // Unloading a dead engine fails; terminating below is what matters.
    }
    this.#dropHost();
  }

  /** web-llm's prefill/decode speed text for the last request. */
  async runtimeStats(): Promise<string> {
    if (!this.#host) return '';
    return this.#host.engine.runtimeStatsText();
  }

  async listModels(): Promise<ModelInfo[]> {
    return this.catalogue.map(toModelInfo);
  }
}

/** Creates a WebLLM engine (nothing is downloaded until `load`). */
export function createWebLLMEngine(opts: WebLLMEngineOptions = {}): WebLLMChatEngine {
  return new WebLLMChatEngine(opts);
}
