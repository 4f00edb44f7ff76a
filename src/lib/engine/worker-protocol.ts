/**
 * The one declaration of what an engine worker exposes over comlink, and the worker-side helper
 * that exposes any ChatEngine through it. Both sides import this file.
 *
 * - Every request has its own id; `cancel(id)` stops just that one, `interrupt()` all of them.
 * - Streamed chunks go to a proxied callback; the worker awaits each delivery, so the worker
 *   never runs ahead of the reader (an interrupt between two reads takes effect at once).
 * - Errors cross as data (`{ ok: false, error }`) so typed `EngineError` codes survive.
 */
import { deserializeError, serializeError, type SerializedError } from './errors';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChatEngine,
  EmbeddingRequest,
  EmbeddingResponse,
  LoadProgress,
  ModelInfo,
} from './types';

/** Receives streamed chunks; the worker waits for the returned promise before generating more. */
export type ChunkSink = (id: number, chunk: ChatCompletionChunk) => Promise<void> | void;

export type Result<T> = { ok: true; value: T } | { ok: false; error: SerializedError };

/** A request as it crosses to the worker (an AbortSignal can't be cloned: use `cancel`). */
export type WorkerRequest = Omit<ChatCompletionRequest, 'signal'>;

/** The API of an engine worker (all methods async across the boundary). */
export interface EngineWorkerApi {
  /** Configures the worker's engine (e.g. where the model files are). Call first. */
  init(options: Record<string, unknown>): Promise<Result<void>>;
  load(modelId: string, onProgress?: (p: LoadProgress) => void): Promise<Result<void>>;
  listModels(): Promise<Result<ModelInfo[]>>;
  /** Where streamed chunks go (one proxied callback per worker, chunks tagged with the request id). */
  setSink(sink: ChunkSink): Promise<void>;
  /** Non-streaming: resolves with the completion. Streaming: sends each chunk to the sink, resolves with null at the end. */
  create(id: number, req: WorkerRequest): Promise<Result<ChatCompletion | null>>;
  cancel(id: number): Promise<void>;
  interrupt(): Promise<void>;
  embed(req: EmbeddingRequest): Promise<Result<EmbeddingResponse>>;
  tokenize(text: string): Promise<Result<number[]>>;
  detokenize(ids: number[]): Promise<Result<string>>;
  unload(): Promise<Result<void>>;
}

async function wrap<T>(f: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await f() };
  } catch (e) {
    return { ok: false, error: serializeError(e) };
  }
}

/** Unwraps a Result on the app side, rebuilding typed errors. */
export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw deserializeError(r.error);
}

/**
 * Builds the worker-side API around an engine created by `make(options)` on `init`.
 * The worker file then does `Comlink.expose(hostEngine(make))`.
 */
export function hostEngine(make: (options: Record<string, unknown>) => ChatEngine | Promise<ChatEngine>): EngineWorkerApi {
  let engine: ChatEngine | null = null;
  let initOptions: Record<string, unknown> = {};
  const controllers = new Map<number, AbortController>();
  let sink: ChunkSink | null = null;
  const get = async () => (engine ??= await make(initOptions));

  return {
    init: (options) =>
      wrap(async () => {
        initOptions = options ?? {};
        engine = await make(initOptions);
      }),
    load: (modelId, onProgress) =>
      wrap(async () => {
        const e = await get();
        if (!e.load) throw new Error('This engine has no load()');
        await e.load(modelId, onProgress ? (p) => void onProgress(p) : undefined);
      }),
    listModels: () => wrap(async () => ((await get()).listModels ? (await get()).listModels!() : [])),
    setSink: async (s) => {
      sink = s;
    },
    create: (id, req) =>
      wrap(async () => {
        const e = await get();
        const ctl = new AbortController();
        controllers.set(id, ctl);
        try {
          if (!req.stream) return await e.chat.completions.create({ ...req, stream: false, signal: ctl.signal });
          const stream = await e.chat.completions.create({ ...req, stream: true, signal: ctl.signal });
          for await (const chunk of stream) await sink?.(id, chunk);
          return null;
        } finally {
          controllers.delete(id);
        }
      }),
    cancel: async (id) => controllers.get(id)?.abort(),
    interrupt: async () => {
      for (const c of controllers.values()) c.abort();
      await engine?.interrupt();
    },
    embed: (req) => wrap(async () => (await get()).embeddings.create(req)),
    tokenize: (text) =>
      wrap(async () => {
        const e = await get();
        if (!e.tokenize) throw new Error('This engine has no tokenizer');
        return e.tokenize(text);
      }),
    detokenize: (ids) =>
      wrap(async () => {
        const e = await get();
        if (!e.detokenize) throw new Error('This engine has no tokenizer');
        return e.detokenize(ids);
      }),
    unload: () => wrap(async () => engine?.unload()),
  };
}
