/**
 * The app-side ChatEngine that runs a real engine in a Web Worker (any worker that exposes
 * `EngineWorkerApi` from worker-protocol.ts through comlink). Callers can't tell it from the
 * in-thread engine: same interface, same contract tests.
 *
 * - The worker is created lazily on the first call, never on import.
 * - If the worker dies (an `error` event), every pending call rejects with
 *   EngineError('worker-crashed'); the next call starts a fresh worker and reloads the model.
 * - `unload()` terminates the worker (freeing its memory).
 */
import * as Comlink from 'comlink';
import { EngineError } from './errors';
import { unwrap, type EngineWorkerApi, type Result, type WorkerRequest } from './worker-protocol';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChatEngine,
  EmbeddingRequest,
  EmbeddingResponse,
  EngineKind,
  LoadProgress,
  ModelInfo,
} from './types';

/** The minimal Worker surface we use (so tests can pass fakes). */
export interface WorkerLike {
  addEventListener(type: 'error' | 'messageerror', listener: (ev: Event) => void): void;
  terminate(): void;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}

export interface WorkerEngineOptions {
  kind: EngineKind;
  /** Starts the worker (called lazily, again after a crash). */
  createWorker: () => WorkerLike;
  /** Passed to the worker's `init` each time a worker starts. */
  initOptions?: Record<string, unknown>;
  /** Human name for error messages ("TinyLM"). */
  label?: string;
}

interface Live {
  worker: WorkerLike;
  /** request id → receiver of its chunks */
  receivers: Map<number, (chunk: ChatCompletionChunk) => Promise<void>>;
  api: Comlink.Remote<EngineWorkerApi>;
  crashed: Promise<never>;
  ready: Promise<void>;
}

/** A ChatEngine proxy to an engine living in a worker. */
export class WorkerEngine implements ChatEngine {
  readonly kind: EngineKind;
  readonly chat: ChatEngine['chat'];
  readonly embeddings: ChatEngine['embeddings'];
  private live: Live | null = null;
  private nextId = 1;
  private modelId: string | null = null;
  private readonly label: string;

  constructor(private readonly options: WorkerEngineOptions) {
    this.kind = options.kind;
    this.label = options.label ?? options.kind;
    this.chat = { completions: { create: this.create.bind(this) as ChatEngine['chat']['completions']['create'] } };
    this.embeddings = { create: (req: EmbeddingRequest) => this.call<EmbeddingResponse>((api) => api.embed(req)) };
  }

  /** Starts the worker if needed; `reload` loads the model the previous worker had. */
  private start(): Live {
    if (this.live) return this.live;
    const worker = this.options.createWorker();
    let fail!: (e: EngineError) => void;
    const crashed = new Promise<never>((_, reject) => (fail = reject));
    crashed.catch(() => {});
    const onCrash = (ev: Event) => {
      const msg = (ev as ErrorEvent).message;
      if (this.live?.worker === worker) this.live = null;
      worker.terminate();
      fail(
        new EngineError(
          'worker-crashed',
          `The ${this.label} worker stopped${msg ? `: ${msg}` : ''}.`,
          'Try again: a fresh worker starts automatically. If it keeps happening, reload the page.',
        ),
      );
    };
    worker.addEventListener('error', onCrash);
    worker.addEventListener('messageerror', onCrash);
    const api = Comlink.wrap<EngineWorkerApi>(worker as unknown as Comlink.Endpoint);
    const previousModel = this.modelId;
    const receivers: Live['receivers'] = new Map();
    const ready = (async () => {
      await Promise.race([api.setSink(Comlink.proxy((id: number, chunk: ChatCompletionChunk) => receivers.get(id)?.(chunk))), crashed]);
      unwrap(await Promise.race([api.init(this.options.initOptions ?? {}), crashed]));
      if (previousModel) unwrap(await Promise.race([api.load(previousModel), crashed]));
    })();
    // A worker that fails to initialise is discarded, so the next call tries a fresh one.
    ready.catch(() => {
      if (this.live?.worker === worker) this.live = null;
      worker.terminate();
    });
    this.live = { worker, receivers, api, crashed, ready };
    return this.live;
  }

  /** Runs `f` against the worker, rejecting with 'worker-crashed' if the worker dies meanwhile. */
  private async call<T>(f: (api: Comlink.Remote<EngineWorkerApi>) => Promise<Result<T>>): Promise<T> {
    const live = this.start();
    await Promise.race([live.ready, live.crashed]);
    return unwrap(await Promise.race([f(live.api), live.crashed]));
  }

  async load(modelId: string, onProgress?: (p: LoadProgress) => void): Promise<void> {
    await this.call((api) => api.load(modelId, onProgress ? Comlink.proxy(onProgress) : undefined));
    this.modelId = modelId;
  }

  listModels(): Promise<ModelInfo[]> {
    return this.call((api) => api.listModels());
  }

  tokenize(text: string): Promise<number[]> {
    return this.call((api) => api.tokenize(text));
  }

  detokenize(ids: number[]): Promise<string> {
    return this.call((api) => api.detokenize(ids));
  }

  async interrupt(): Promise<void> {
    await this.live?.api.interrupt();
  }

  async unload(): Promise<void> {
    const live = this.live;
    this.live = null;
    this.modelId = null;
    if (!live) return;
    try {
      await Promise.race([live.api.unload(), live.crashed, new Promise((r) => setTimeout(r, 1000))]);
    } catch {
      // a crashed worker is being discarded anyway
    }
    live.api[Comlink.releaseProxy]();
    live.worker.terminate();
  }

  private async create(req: ChatCompletionRequest): Promise<ChatCompletion | AsyncIterable<ChatCompletionChunk>> {
    const { signal, ...rest } = req;
    const wreq: WorkerRequest = rest;
    const id = this.nextId++;
    if (req.model) this.modelId = req.model;
    const onAbort = () => void this.live?.api.cancel(id);
    if (!req.stream) {
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        if (signal?.aborted) onAbort();
        return (await this.call((api) => api.create(id, { ...wreq, stream: false }))) as ChatCompletion;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    }
    // Streaming: chunks arrive through a proxied callback that resolves once the reader took them.
    const live = this.start();
    await Promise.race([live.ready, live.crashed]);
    return this.stream(live, id, wreq, signal, onAbort);
  }

  private async *stream(
    live: Live,
    id: number,
    req: WorkerRequest,
    signal: AbortSignal | undefined,
    onAbort: () => void,
  ): AsyncGenerator<ChatCompletionChunk> {
    const queue: ChatCompletionChunk[] = [];
    let wake: (() => void) | null = null;
    let taken: (() => void) | null = null;
    let done = false;
    let failure: unknown = null;
    live.receivers.set(id, (chunk: ChatCompletionChunk) => {
      queue.push(chunk);
      wake?.();
      return new Promise<void>((r) => (taken = r));
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    const running = Promise.race([live.api.create(id, { ...req, stream: true }), live.crashed])
      .then((r) => void unwrap(r))
      .catch((e) => (failure = e))
      .finally(() => {
        done = true;
        wake?.();
      });
    try {
      for (;;) {
        if (queue.length) {
          yield queue.shift()!;
          const t = taken as (() => void) | null;
          taken = null;
          t?.();
          continue;
        }
        if (done) break;
        await new Promise<void>((r) => (wake = r));
        wake = null;
      }
      await running;
      if (failure) throw failure;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!done) void live.api.cancel(id);
      live.receivers.delete(id);
      const t = taken as (() => void) | null;
      t?.();
    }
  }
}

/** A ChatEngine proxying to an engine worker. */
export function createWorkerEngine(options: WorkerEngineOptions): WorkerEngine {
  return new WorkerEngine(options);
}

/** Where shipped models live, relative to the page (`<base>/models/`). */
export function defaultModelsBaseUrl(): string {
  const here = (globalThis as { document?: { baseURI: string } }).document?.baseURI ?? globalThis.location?.href ?? '/';
  return new URL('models/', here).href;
}

/** TinyLM in its worker (`workers/tinylm.worker.ts`), behind the ChatEngine interface. */
export function createTinyLMWorkerEngine(options: { modelsBaseUrl?: string; includeRandomModel?: boolean } = {}): WorkerEngine {
  return new WorkerEngine({
    kind: 'tinylm',
    label: 'TinyLM',
    createWorker: () => new Worker(new URL('../../../workers/tinylm.worker.ts', import.meta.url), { type: 'module', name: 'tinylm' }),
    initOptions: { modelsBaseUrl: options.modelsBaseUrl ?? defaultModelsBaseUrl(), includeRandomModel: options.includeRandomModel ?? false },
  });
}
