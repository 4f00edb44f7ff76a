/**
 * The app-side client of web-llm's worker protocol, so the page never loads web-llm itself
 * (its 6 MB bundle then lives only in `workers/llm.worker.ts`).
 *
 * It speaks exactly what web-llm 0.2.86's `WebWorkerMLCEngine` speaks to
 * `WebWorkerMLCEngineHandler`: requests `{kind, uuid, content}`; replies `{kind: 'return' |
 * 'throw', uuid, content}` plus `{kind: 'initProgressCallback', content: report}`. Streams are
 * `chatCompletionStreamInit` then one `completionStreamNextChunk` per chunk (a non-object reply
 * ends the stream) and `completionStreamReturn` when the consumer stops early. Rejections carry
 * web-llm's error *strings*, mapped to typed errors by the adapter. Tested against web-llm's real
 * handler (test/unit/engine/webllm-worker-client.test.ts). Framework-free.
 */
import type { MLCEngineLike } from './adapter';
import type { InitProgressReportLike } from './progress';

/** What the client needs from a Worker. */
export interface WorkerPort {
  postMessage(msg: unknown): void;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

interface Reply {
  kind: 'return' | 'throw' | 'initProgressCallback';
  uuid: string;
  content: unknown;
}

const uuid = () => globalThis.crypto.randomUUID();

/** web-llm's engine API over a worker running `WebWorkerMLCEngineHandler`. */
export class WebLLMWorkerClient implements MLCEngineLike {
  #port: WorkerPort;
  #pending = new Map<string, { resolve(v: unknown): void; reject(e: unknown): void }>();
  #modelIds: string[] | undefined;
  onProgress: ((r: InitProgressReportLike) => void) | null = null;

  constructor(port: WorkerPort, onProgress?: (r: InitProgressReportLike) => void) {
    this.#port = port;
    this.onProgress = onProgress ?? null;
    port.onmessage = (ev) => this.#onmessage(ev.data as Reply);
  }

  #onmessage(msg: Reply): void {
    if (msg.kind === 'initProgressCallback') {
      this.onProgress?.(msg.content as InitProgressReportLike);
      return;
    }
    const p = this.#pending.get(msg.uuid);
    if (!p) return; // a reply to a request we gave up on
    this.#pending.delete(msg.uuid);
    if (msg.kind === 'return') p.resolve(msg.content);
    else p.reject(msg.content);
  }

  #call<T>(kind: string, content: unknown): Promise<T> {
    const id = uuid();
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#port.postMessage({ kind, uuid: id, content });
    });
  }

  /** Rejects every request in flight (e.g. when the worker is terminated). */
  failAll(reason: unknown): void {
    for (const p of this.#pending.values()) p.reject(reason);
    this.#pending.clear();
  }

  async reload(modelId: string | string[]): Promise<void> {
    const ids = Array.isArray(modelId) ? modelId : [modelId];
    await this.#call('reload', { modelId: ids, chatOpts: undefined });
    this.#modelIds = ids;
  }

  #loaded(requestName: string): string[] {
    if (!this.#modelIds) throw `WorkerEngineModelNotLoadedError: WebWorkerMLCEngine is not loaded with a model. (${requestName})`;
    return this.#modelIds;
  }

  readonly chat = {
    completions: {
      create: async (request: Record<string, unknown>): Promise<unknown> => {
        const modelId = this.#loaded('ChatCompletionRequest');
        if (!request.stream) return this.#call('chatCompletionNonStreaming', { request, modelId, chatOpts: undefined });
        const selectedModelId = (request.model as string | undefined) ?? modelId[0];
        const streamId = uuid();
        await this.#call('chatCompletionStreamInit', { request, selectedModelId, streamId, modelId, chatOpts: undefined });
        return this.#stream(streamId);
      },
    },
  };

  readonly embeddings = {
    create: async (request: Record<string, unknown>): Promise<unknown> => {
      const modelId = this.#loaded('EmbeddingCreateParams');
      return this.#call('embedding', { request, modelId, chatOpts: undefined });
    },
  };

  async *#stream(streamId: string): AsyncGenerator<unknown> {
    let completed = false;
    try {
      for (;;) {
        const chunk = await this.#call<unknown>('completionStreamNextChunk', { streamId });
        if (typeof chunk !== 'object' || chunk === null) {
          completed = true;
          return;
        }
        yield chunk;
      }
    } catch (e) {
      completed = true; // the handler drops a generator that threw
      throw e;
    } finally {
      if (!completed) await this.#call('completionStreamReturn', { streamId }).catch(() => {});
    }
  }

  interruptGenerate(): void {
    void this.#call('interruptGenerate', null).catch(() => {});
  }

  async unload(): Promise<void> {
    await this.#call('unload', null);
    this.#modelIds = undefined;
  }

  runtimeStatsText(modelId?: string): Promise<string> {
    return this.#call('runtimeStatsText', { modelId });
  }
}
