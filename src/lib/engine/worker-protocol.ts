/**
 * The one declaration of what an engine worker serves (through the lab's worker protocol,
 * src/lib/rpc), and the worker-side helper that serves any ChatEngine through it. Both sides
 * import this file; the worker file is `serve(hostEngine(make))`.
 *
 * - Every request is its own call; cancelling its signal aborts just that one (the reply ends
 *   with finish_reason 'abort'), `interrupt()` all of them.
 * - Streamed chunks are the call's progress; the worker awaits each delivery, so it never runs
 *   ahead of the reader (an interrupt between two reads takes effect at once).
 * - Errors cross as data, so typed `EngineError` codes survive.
 */
import type { CallContext } from '../rpc/protocol';
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

/** A request as it crosses to the worker (an AbortSignal can't be cloned: the call's own signal replaces it). */
export type WorkerRequest = Omit<ChatCompletionRequest, 'signal'>;

/** The API of an engine worker. */
export interface EngineWorkerApi {
  /** Configures the worker's engine (e.g. where the model files are). Called first on every fresh worker. */
  init(options: Record<string, unknown>): Promise<void>;
  load(modelId: string, ctx: CallContext<LoadProgress>): Promise<void>;
  listModels(): Promise<ModelInfo[]>;
  /** Non-streaming: resolves with the completion. Streaming: each chunk is progress; resolves with null at the end. */
  create(req: WorkerRequest, ctx: CallContext<ChatCompletionChunk>): Promise<ChatCompletion | null>;
  interrupt(): Promise<void>;
  embed(req: EmbeddingRequest): Promise<EmbeddingResponse>;
  tokenize(text: string): Promise<number[]>;
  detokenize(ids: number[]): Promise<string>;
  unload(): Promise<void>;
}

/**
 * Builds the worker-side API around an engine created by `make(options)` on `init`.
 * The worker file then does `serve(hostEngine(make))`.
 */
export function hostEngine(make: (options: Record<string, unknown>) => ChatEngine | Promise<ChatEngine>): EngineWorkerApi {
  let engine: ChatEngine | null = null;
  let initOptions: Record<string, unknown> = {};
  const running = new Set<AbortController>();
  const get = async () => (engine ??= await make(initOptions));

  return {
    async init(options) {
      initOptions = options ?? {};
      engine = await make(initOptions);
    },
    async load(modelId, ctx) {
      const e = await get();
      if (!e.load) throw new Error('This engine has no load()');
      await e.load(modelId, (p) => void ctx.progress(p));
    },
    async listModels() {
      const e = await get();
      return e.listModels ? e.listModels() : [];
    },
    async create(req, ctx) {
      const e = await get();
      // Aborted by the call's own cancel or by interrupt().
      const ctl = new AbortController();
      const onAbort = () => ctl.abort();
      ctx.signal.addEventListener('abort', onAbort);
      if (ctx.signal.aborted) ctl.abort();
      running.add(ctl);
      try {
        if (!req.stream) return await e.chat.completions.create({ ...req, stream: false, signal: ctl.signal });
        const stream = await e.chat.completions.create({ ...req, stream: true, signal: ctl.signal });
        for await (const chunk of stream) await ctx.progress(chunk);
        return null;
      } finally {
        running.delete(ctl);
        ctx.signal.removeEventListener('abort', onAbort);
      }
    },
    async interrupt() {
      for (const c of running) c.abort();
      await engine?.interrupt();
    },
    async embed(req) {
      return (await get()).embeddings.create(req);
    },
    async tokenize(text) {
      const e = await get();
      if (!e.tokenize) throw new Error('This engine has no tokenizer');
      return e.tokenize(text);
    },
    async detokenize(ids) {
      const e = await get();
      if (!e.detokenize) throw new Error('This engine has no tokenizer');
      return e.detokenize(ids);
    },
    async unload() {
      await engine?.unload();
    },
  };
}
