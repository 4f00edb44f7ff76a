/**
 * A deterministic stand-in for web-llm's engine (`MLCEngineLike`), used by unit tests and, behind
 * a test flag, by the e2e tests of the built app: it "downloads" shards with web-llm's exact
 * progress texts, keeps a cache, fails offline with web-llm's own string ("TypeError: Failed to
 * fetch"). Requests are answered by the project's deterministic test double
 * (`../test-double.ts`) behind web-llm's wire quirks: the JSON schema arrives as a string, usage
 * comes in a separate last chunk only when `stream_options.include_usage` is set, and failures
 * are "Name: message" strings. It never touches the network or the GPU.
 */
import { EngineError } from '../errors';
import { createTestDoubleEngine } from '../test-double';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ChatEngine, ChatMessage, JSONSchema } from '../types';
import type { MLCEngineLike, WebLLMHost, WebLLMHostFactory } from './adapter';
import type { InitProgressReportLike } from './progress';

/** Where the fake keeps "downloaded" model ids (a Set in tests, localStorage in the e2e app). */
export interface FakeCache {
  has(id: string): boolean;
  add(id: string): void;
  delete(id: string): void;
}

export interface FakeWebLLMOptions {
  cache?: FakeCache;
  /** Is the network up? Default: navigator.onLine, or true. */
  online?: () => boolean;
  /**
   * A real request standing in for the weight download (e.g. a same-origin URL the service worker
   * does not cache); when it rejects, `reload` fails like web-llm offline. Overrides `online`.
   */
  probe?: () => Promise<unknown>;
  shards?: number;
  shardBytes?: number;
  /** Milliseconds per shard and per token (0 = as fast as possible). */
  delayMs?: number;
  /** Reject `reload` with this (string, like web-llm across its worker). */
  reloadError?: string;
  /** Reject requests with this. */
  requestError?: string;
  /** The reply, in pieces joined together (the test double streams it a character per token); default "You said: …". */
  reply?: (messages: ChatMessage[]) => string[];
  onProgress?: (r: InitProgressReportLike) => void;
}

/** A Set-backed cache. */
export function memoryCache(ids: Iterable<string> = []): FakeCache & { ids: Set<string> } {
  const set = new Set(ids);
  return { ids: set, has: (id) => set.has(id), add: (id) => void set.add(id), delete: (id) => void set.delete(id) };
}

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

/** The fake engine. */
export class FakeMLCEngine implements MLCEngineLike {
  loaded: string[] = [];
  requests: Array<Record<string, unknown>> = [];
  interrupted = false;
  #o: Required<Omit<FakeWebLLMOptions, 'reloadError' | 'requestError' | 'onProgress' | 'reply' | 'probe'>> & FakeWebLLMOptions;
  #double: ChatEngine;

  constructor(opts: FakeWebLLMOptions = {}) {
    const nav = (globalThis as { navigator?: { onLine?: boolean } }).navigator;
    this.#o = {
      cache: memoryCache(),
      online: () => nav?.onLine ?? true,
      shards: 4,
      shardBytes: 50 * 1024 * 1024,
      delayMs: 0,
      ...opts,
    };
    const reply = opts.reply;
    this.#double = createTestDoubleEngine({
      model: 'webllm-fake',
      tokensPerSecond: this.#o.delayMs > 0 ? 1000 / this.#o.delayMs : undefined,
      respond: reply ? (req) => reply(req.messages).join('') : undefined,
    });
  }

  get cache(): FakeCache {
    return this.#o.cache;
  }

  async reload(modelId: string | string[]): Promise<void> {
    const ids = Array.isArray(modelId) ? modelId : [modelId];
    const { shards, shardBytes, delayMs, cache } = this.#o;
    const report = (r: InitProgressReportLike) => this.#o.onProgress?.(r);
    this.loaded = [];
    if (this.#o.reloadError) throw this.#o.reloadError;
    for (const id of ids) {
      const cached = cache.has(id);
      const total = shards * shardBytes;
      if (!cached) {
        if (this.#o.probe) {
          try {
            await this.#o.probe();
          } catch {
            throw 'TypeError: Failed to fetch';
          }
        } else if (!this.#o.online()) throw 'TypeError: Failed to fetch';
        report({ progress: 0, timeElapsed: 0, text: 'Start to fetch params' });
      }
      for (let i = 1; i <= shards; i++) {
        await sleep(delayMs);
        const bytes = i * shardBytes;
        const pct = Math.floor((bytes * 100) / total);
        const secs = Math.ceil((i * delayMs) / 1000);
        const text = cached
          ? `Loading model from cache[${i}/${shards}]: ${Math.ceil(bytes / 1048576)}MB loaded. ${pct}% completed, ${secs} secs elapsed.`
          : `Fetching param cache[${i}/${shards}]: ${Math.ceil(bytes / 1048576)}MB fetched. ${pct}% completed, ${secs} secs elapsed. It can take a while when we first visit this page to populate the cache. Later refreshes will become faster.`;
        report({ progress: bytes / total, timeElapsed: secs, text });
      }
      cache.add(id);
    }
    this.loaded = ids;
  }

  readonly chat = {
    completions: {
      create: (req: Record<string, unknown>) => this.#create(req),
    },
  };

  readonly embeddings = {
    create: async (req: Record<string, unknown>) => {
      this.requests.push(req);
      if (this.#o.requestError) throw this.#o.requestError;
      if (!this.loaded.length) throw 'ModelNotLoadedError: Model not loaded before trying to complete embedding.';
      try {
        return await this.#double.embeddings.create({ input: req.input as string[] });
      } catch (e) {
        throw asWebLLMString(e);
      }
    },
  };

  /** Web-llm's wire quirks around the test double: JSON schema as a string, usage only when asked, string errors. */
  async #create(req: Record<string, unknown>): Promise<ChatCompletion | AsyncIterable<ChatCompletionChunk>> {
    this.requests.push(req);
    if (this.#o.requestError) throw this.#o.requestError;
    if (!this.loaded.length) throw 'ModelNotLoadedError: Model not loaded before trying to complete ChatCompletionRequest.';
    const { stream_options, response_format, ...rest } = req as Record<string, unknown> & { stream_options?: { include_usage?: boolean }; response_format?: { type: string; schema?: string; grammar?: string } };
    const ours = { ...rest, model: undefined } as unknown as ChatCompletionRequest;
    if (response_format?.type === 'json_object') {
      ours.response_format = response_format.schema ? { type: 'json_schema', json_schema: { schema: JSON.parse(response_format.schema) as JSONSchema } } : { type: 'json_object' };
    }
    let result: ChatCompletion | AsyncIterable<ChatCompletionChunk>;
    try {
      result = await this.#double.chat.completions.create(ours);
    } catch (e) {
      throw asWebLLMString(e);
    }
    const model = (req.model as string | undefined) ?? this.loaded[0]!;
    if (!req.stream) return { ...(result as ChatCompletion), model };
    const includeUsage = stream_options?.include_usage === true;
    return (async function* (): AsyncGenerator<ChatCompletionChunk> {
      // web-llm sends usage, when asked, in a last chunk of its own with no choices.
      for await (const chunk of result as AsyncIterable<ChatCompletionChunk>) {
        const { usage, ...rest } = chunk;
        if (rest.choices.length) yield { ...rest, model };
        if (usage && includeUsage) yield { ...rest, model, choices: [], usage };
      }
    })();
  }

  interruptGenerate(): void {
    this.interrupted = true;
    void this.#double.interrupt();
  }

  async unload(): Promise<void> {
    this.loaded = [];
  }

  async runtimeStatsText(): Promise<string> {
    return 'prefill: 1000.0 tokens/sec, decoding: 100.0 tokens/sec';
  }
}

/** web-llm posts errors across its worker as "Name: message" strings; the fake does the same. */
function asWebLLMString(e: unknown): string {
  if (e instanceof EngineError) {
    const name = { 'context-window': 'ContextWindowSizeExceededError', aborted: 'AbortError', 'invalid-request': 'ConfigValueError' }[e.code as string] ?? 'Error';
    return `${name}: ${e.message}`;
  }
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** A host factory around a FakeMLCEngine (for `createWebLLMEngine({ factory })`). */
export function fakeHostFactory(opts: FakeWebLLMOptions = {}, onCreate?: (e: FakeMLCEngine) => void): WebLLMHostFactory {
  return async ({ initProgressCallback }) => {
    const engine = new FakeMLCEngine({ ...opts, onProgress: initProgressCallback });
    onCreate?.(engine);
    const host: WebLLMHost = { engine, terminate: () => void engine.unload() };
    return host;
  };
}
