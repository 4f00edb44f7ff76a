/**
 * The app-side ChatEngine that runs a real engine in a Web Worker (any worker that serves
 * `EngineWorkerApi` from worker-protocol.ts through src/lib/rpc). Callers can't tell it from the
 * in-thread engine: same interface, same contract tests.
 *
 * - The worker is created lazily on the first call, never on import.
 * - If the worker dies (an `error` event, or its lifeline lock released), every pending call
 *   rejects with EngineError('worker-crashed'); the next call starts a fresh worker and reloads
 *   the model.
 * - `unload()` terminates the worker (freeing its memory).
 */
import { createWorkerClient, type WorkerClient, type WorkerLike } from '../rpc/client';
import { deserializeError } from './errors';
import type { EngineWorkerApi, WorkerRequest } from './worker-protocol';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChatEngine,
  EmbeddingRequest,
  EngineKind,
  LoadProgress,
  ModelInfo,
} from './types';

export type { WorkerLike } from '../rpc/client';

export interface WorkerEngineOptions {
  kind: EngineKind;
  /** Starts the worker (called lazily, again after a crash); pass `name` to `new Worker` (its lifeline). */
  createWorker: (name: string) => WorkerLike;
  /** Passed to the worker's `init` each time a worker starts. */
  initOptions?: Record<string, unknown>;
  /** Human name for error messages ("TinyLM"). */
  label?: string;
}

/** A ChatEngine proxy to an engine living in a worker. */
export class WorkerEngine implements ChatEngine {
  readonly kind: EngineKind;
  readonly chat: ChatEngine['chat'];
  readonly embeddings: ChatEngine['embeddings'];
  private readonly client: WorkerClient<EngineWorkerApi>;
  private modelId: string | null = null;

  constructor(options: WorkerEngineOptions) {
    this.kind = options.kind;
    this.client = createWorkerClient<EngineWorkerApi>({
      label: options.label ?? options.kind,
      start: options.createWorker,
      rebuildError: deserializeError,
      errorName: 'EngineError',
      // A fresh worker (the first, or one after a crash) gets its options and the model the last one had.
      onStart: async (call) => {
        await call('init', [options.initOptions ?? {}]);
        if (this.modelId) await call('load', [this.modelId]);
      },
    });
    this.chat = { completions: { create: this.create.bind(this) as ChatEngine['chat']['completions']['create'] } };
    this.embeddings = { create: (req: EmbeddingRequest) => this.client.call('embed', [req]) };
  }

  async load(modelId: string, onProgress?: (p: LoadProgress) => void): Promise<void> {
    await this.client.call('load', [modelId], { onProgress });
    this.modelId = modelId;
  }

  listModels(): Promise<ModelInfo[]> {
    return this.client.call('listModels', []);
  }

  tokenize(text: string): Promise<number[]> {
    return this.client.call('tokenize', [text]);
  }

  detokenize(ids: number[]): Promise<string> {
    return this.client.call('detokenize', [ids]);
  }

  async interrupt(): Promise<void> {
    // No worker, nothing to interrupt (and no reason to start one).
    if (this.client.started) await this.client.call('interrupt', []);
  }

  async unload(): Promise<void> {
    this.modelId = null;
    if (!this.client.started) return;
    try {
      await Promise.race([this.client.call('unload', []), new Promise((r) => setTimeout(r, 1000))]);
    } catch {
      // a crashed worker is being discarded anyway
    }
    this.client.dispose();
  }

  private async create(req: ChatCompletionRequest): Promise<ChatCompletion | AsyncIterable<ChatCompletionChunk>> {
    const { signal, ...rest } = req;
    const wreq: WorkerRequest = rest;
    if (req.model) this.modelId = req.model;
    // An aborted signal ends the reply (finish_reason 'abort'), it doesn't reject it.
    if (!req.stream) return (await this.client.call('create', [{ ...wreq, stream: false }], { signal, cancel: 'finish' })) as ChatCompletion;
    return this.stream(wreq, signal);
  }

  /** Streams a reply: chunks arrive as the call's progress; the worker waits until the reader took each one. */
  private async *stream(req: WorkerRequest, signal: AbortSignal | undefined): AsyncGenerator<ChatCompletionChunk> {
    const queue: ChatCompletionChunk[] = [];
    let wake: (() => void) | null = null;
    let taken: (() => void) | null = null;
    let done = false;
    let failure: unknown = null;
    // Stops the worker's generation when the reader leaves early (break, or an exception).
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) stop.abort();
    const running = this.client
      .call('create', [{ ...req, stream: true }], {
        signal: stop.signal,
        cancel: 'finish',
        onProgress: (chunk) => {
          queue.push(chunk);
          wake?.();
          return new Promise<void>((r) => (taken = r));
        },
      })
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
      if (!done) stop.abort();
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
    createWorker: (name) => new Worker(new URL('../../../workers/tinylm.worker.ts', import.meta.url), { type: 'module', name }),
    initOptions: { modelsBaseUrl: options.modelsBaseUrl ?? defaultModelsBaseUrl(), includeRandomModel: options.includeRandomModel ?? false },
  });
}
