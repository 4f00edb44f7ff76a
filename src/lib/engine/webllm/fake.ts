/**
 * A deterministic stand-in for web-llm's engine (`MLCEngineLike`), used by unit tests and, behind
 * a test flag, by the e2e tests of the built app: it "downloads" shards with web-llm's exact
 * progress texts, keeps a cache, fails offline with web-llm's own string ("TypeError: Failed to
 * fetch"), streams OpenAI-shaped chunks, honours `interruptGenerate`, and reports usage.extra.
 * It never touches the network or the GPU.
 */
import type { ChatCompletion, ChatCompletionChunk, ChatMessage, TokenLogprob } from '../types';
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
  shards?: number;
  shardBytes?: number;
  /** Milliseconds per shard and per token (0 = as fast as possible). */
  delayMs?: number;
  /** Reject `reload` with this (string, like web-llm across its worker). */
  reloadError?: string;
  /** Reject requests with this. */
  requestError?: string;
  /** The reply, token by token; default: echoes the last user message. */
  reply?: (messages: ChatMessage[]) => string[];
  onProgress?: (r: InitProgressReportLike) => void;
}

/** A Set-backed cache. */
export function memoryCache(ids: Iterable<string> = []): FakeCache & { ids: Set<string> } {
  const set = new Set(ids);
  return { ids: set, has: (id) => set.has(id), add: (id) => void set.add(id), delete: (id) => void set.delete(id) };
}

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

function defaultReply(messages: ChatMessage[]): string[] {
  const last = [...messages].reverse().find((m) => m.role === 'user');
  const text = typeof last?.content === 'string' ? last.content : 'your message';
  const words = `You said: ${text}`.split(/(?=\s)/);
  return words.length ? words : ['…'];
}

/** The fake engine. */
export class FakeMLCEngine implements MLCEngineLike {
  loaded: string[] = [];
  requests: Array<Record<string, unknown>> = [];
  interrupted = false;
  #o: Required<Omit<FakeWebLLMOptions, 'reloadError' | 'requestError' | 'onProgress'>> & FakeWebLLMOptions;

  constructor(opts: FakeWebLLMOptions = {}) {
    const nav = (globalThis as { navigator?: { onLine?: boolean } }).navigator;
    this.#o = {
      cache: memoryCache(),
      online: () => nav?.onLine ?? true,
      shards: 4,
      shardBytes: 50 * 1024 * 1024,
      delayMs: 0,
      reply: defaultReply,
      ...opts,
    };
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
        if (!this.#o.online()) throw 'TypeError: Failed to fetch';
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
      const inputs = (Array.isArray(req.input) ? req.input : [req.input]) as string[];
      return {
        object: 'list',
        model: this.loaded[0],
        data: inputs.map((s, index) => ({ object: 'embedding', index, embedding: hashVector(s, 8) })),
        usage: { prompt_tokens: inputs.join(' ').length, total_tokens: inputs.join(' ').length, extra: {} },
      };
    },
  };

  async #create(req: Record<string, unknown>): Promise<ChatCompletion | AsyncIterable<ChatCompletionChunk>> {
    this.requests.push(req);
    if (this.#o.requestError) throw this.#o.requestError;
    if (!this.loaded.length) throw 'ModelNotLoadedError: Model not loaded before trying to complete ChatCompletionRequest.';
    this.interrupted = false;
    const messages = req.messages as ChatMessage[];
    const promptTokens = messages.reduce((n, m) => n + (typeof m.content === 'string' ? m.content.split(/\s+/).length : 1), 0);
    if (promptTokens > 4096) throw `ContextWindowSizeExceededError: Prompt tokens exceed context window size: number of prompt tokens: ${promptTokens}; context window size: 4096`;
    let tokens = this.#o.reply(messages);
    if (typeof req.max_tokens === 'number') tokens = tokens.slice(0, req.max_tokens);
    const model = (req.model as string | undefined) ?? this.loaded[0]!;
    const created = 1_700_000_000;
    const id = `chatcmpl-fake-${this.requests.length}`;
    const lp = (t: string, i: number): TokenLogprob => ({ token: t, logprob: -0.1 * (i + 1), top_logprobs: [{ token: t, logprob: -0.1 * (i + 1) }] });
    const wantLogprobs = req.logprobs === true;
    const usage = (n: number) => ({
      prompt_tokens: promptTokens,
      completion_tokens: n,
      total_tokens: promptTokens + n,
      extra: { time_to_first_token_s: 0.01, prefill_tokens_per_s: 1000, decode_tokens_per_s: 100, e2e_latency_s: 0.01 + n / 100 },
    });
    if (!req.stream) {
      const out: string[] = [];
      for (const t of tokens) {
        if (this.interrupted) break;
        await sleep(this.#o.delayMs);
        out.push(t);
      }
      return {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: out.join('') },
            finish_reason: this.interrupted ? 'abort' : out.length < this.#o.reply(messages).length ? 'length' : 'stop',
            logprobs: wantLogprobs ? { content: out.map(lp) } : null,
          },
        ],
        usage: usage(out.length),
      };
    }
    const self = this;
    const full = this.#o.reply(messages).length;
    return (async function* (): AsyncGenerator<ChatCompletionChunk> {
      let n = 0;
      for (const t of tokens) {
        await sleep(self.#o.delayMs);
        if (self.interrupted) break;
        yield { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta: { role: 'assistant', content: t }, finish_reason: null, logprobs: wantLogprobs ? { content: [lp(t, n)] } : null }] };
        n++;
      }
      const finish = self.interrupted ? 'abort' : n < full ? 'length' : 'stop';
      yield { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta: {}, finish_reason: finish }] };
      const so = req.stream_options as { include_usage?: boolean } | undefined;
      if (so?.include_usage) yield { id, object: 'chat.completion.chunk', created, model, choices: [], usage: usage(n) };
    })();
  }

  interruptGenerate(): void {
    this.interrupted = true;
  }

  async unload(): Promise<void> {
    this.loaded = [];
  }

  async runtimeStatsText(): Promise<string> {
    return 'prefill: 1000.0 tokens/sec, decoding: 100.0 tokens/sec';
  }
}

/** A deterministic unit vector for a string (8 dims), standing in for a real embedding. */
export function hashVector(s: string, dims: number): number[] {
  const v = new Array<number>(dims).fill(0);
  for (let i = 0; i < s.length; i++) v[i % dims]! += ((s.charCodeAt(i) * 2654435761) % 1000) / 1000;
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
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
