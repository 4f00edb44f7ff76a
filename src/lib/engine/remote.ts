/**
 * A remote OpenAI-compatible backend (Ollama, vLLM, TGI, llama-server, any `/v1` server):
 * chat completions with SSE streaming, embeddings, model listing, behind our `ChatEngine`.
 *
 * The base URL includes the API prefix (e.g. `http://localhost:11434/v1`). The API key, when set,
 * goes in `Authorization: Bearer …`; the app keeps it in IndexedDB and never in share links.
 * Failures become typed errors: 'cors' (the server answered but the browser blocked it),
 * 'unreachable', 'auth', 'model-not-found', 'context-window', …, each with a next step.
 */
import { EngineError } from './errors';
import { readSSE } from './sse';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChatEngine,
  CompletionUsage,
  EmbeddingRequest,
  EmbeddingResponse,
  ModelInfo,
} from './types';

export interface RemoteConfig {
  /** e.g. "http://localhost:11434/v1" (Ollama), "http://localhost:8000/v1" (vLLM). */
  baseUrl: string;
  apiKey?: string;
  /** Default model name on the server (requests may override it with `model`). */
  model?: string;
  /** Injected for tests; defaults to globalThis.fetch. */
  fetch?: typeof fetch;
  /** The page's protocol ("https:"), to explain mixed-content blocks; defaults to location.protocol. */
  pageProtocol?: string;
}

type Fetch = typeof fetch;

/** Joins the base URL and a path ("/chat/completions"), tolerating trailing slashes. */
export function endpoint(baseUrl: string, path: string): string {
  return baseUrl.replace(/\/+$/, '') + path;
}

/** Checks a base URL the learner typed; returns a problem in plain words or null. */
export function validateBaseUrl(baseUrl: string): string | null {
  let u: URL;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(baseUrl.trim())) return 'Enter a full URL such as http://localhost:11434/v1';
  try {
    u = new URL(baseUrl);
  } catch {
    return 'Enter a full URL such as http://localhost:11434/v1';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'The URL must start with http:// or https://';
  if (u.username || u.password) return 'Put the API key in the key field, not in the URL.';
  return null;
}

const isLocal = (host: string) => /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(host);

const CORS_HINT =
  'The server is reachable but does not allow this page’s origin (CORS). Allow it on the server: ' +
  'Ollama: set OLLAMA_ORIGINS="*" (or this origin) and restart; vLLM: --allowed-origins \'["*"]\'; ' +
  'TGI: --cors-allow-origin "*"; llama-server allows all origins by default.';

/** Reads an OpenAI-style error body ({error:{message}}, {error:"…"}, {detail}, {message}). */
function errorMessage(body: string): string {
  try {
    const j = JSON.parse(body) as { error?: { message?: string } | string; detail?: unknown; message?: string };
    if (typeof j.error === 'string') return j.error;
    if (j.error?.message) return j.error.message;
    if (typeof j.detail === 'string') return j.detail;
    if (j.detail) return JSON.stringify(j.detail);
    if (j.message) return j.message;
  } catch {
    // not JSON
  }
  return body.slice(0, 300);
}

/** Maps an HTTP error response to an EngineError. */
export function httpError(status: number, body: string, url: string, model?: string): EngineError {
  const msg = errorMessage(body) || `HTTP ${status}`;
  if (status === 401 || status === 403) {
    return new EngineError('auth', `The server refused the request (${status}): ${msg}`, 'Check the API key in the remote endpoint settings.');
  }
  if (/context|too long|maximum.*tokens|max_model_len|exceeds/i.test(msg) && (status === 400 || status === 413 || status === 422)) {
    return new EngineError('context-window', `The prompt is longer than the model's context window: ${msg}`, 'Shorten the conversation or lower max_tokens.');
  }
  if (status === 404) {
    return /model/i.test(msg)
      ? new EngineError('model-not-found', `The server has no model “${model ?? '?'}”: ${msg}`, 'Pick a model the server lists (or pull it, e.g. `ollama pull <name>`).')
      : new EngineError('invalid-request', `Not found: ${url}`, 'Check the base URL: OpenAI-compatible servers usually need the /v1 suffix.');
  }
  if (status === 429) return new EngineError('quota', `The server is rate limiting: ${msg}`, 'Wait a moment and retry, or check your plan’s limits.');
  if (status >= 500) return new EngineError('unknown', `The server failed (${status}): ${msg}`, 'Check the server’s logs; it may still be loading the model.');
  return new EngineError('invalid-request', `The server rejected the request (${status}): ${msg}`, 'Check the parameters; not every server supports every OpenAI option.');
}

/**
 * Classifies a fetch() that threw. Browsers report CORS blocks and dead hosts with the same
 * TypeError, so we probe with `mode: 'no-cors'`: an opaque answer means the host is up and the
 * block was CORS. On a cross-origin-isolated page (COEP require-corp) the probe itself is blocked
 * whatever the server does, so there we can only say "unreachable or CORS" and give both fixes.
 */
export async function classifyFetchFailure(
  err: unknown,
  url: string,
  f: Fetch,
  pageProtocol?: string,
  isolated: boolean = Boolean((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated),
): Promise<EngineError> {
  if ((err as { name?: string })?.name === 'AbortError') return new EngineError('aborted', 'The request was stopped.');
  const cause = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const u = new URL(url);
  if (pageProtocol === 'https:' && u.protocol === 'http:' && !isLocal(u.hostname)) {
    return new EngineError('unreachable', `This page is served over HTTPS, so the browser blocks plain-HTTP requests to ${u.host}.`, 'Serve the endpoint over HTTPS (or use it from http://localhost).', { cause });
  }
  let reachable = false;
  try {
    await f(url, { method: 'GET', mode: 'no-cors', cache: 'no-store' });
    reachable = true;
  } catch {
    reachable = false;
  }
  if (reachable) return new EngineError('cors', `${u.host} answered, but the browser blocked the response (CORS).`, CORS_HINT, { cause });
  const where = 'Check that the server is running and the URL is right (e.g. http://localhost:11434/v1 for Ollama, :8000/v1 for vLLM, :8080/v1 for llama-server).';
  if (isolated) {
    return new EngineError('unreachable', `Cannot reach ${u.host}, or it does not allow this page’s origin (CORS) — the browser does not say which.`, `${where} ${CORS_HINT}`, { cause });
  }
  return new EngineError('unreachable', `Cannot reach ${u.host}.`, where, { cause });
}

/** The OpenAI-compatible remote backend. */
export class RemoteChatEngine implements ChatEngine {
  readonly kind = 'remote' as const;
  readonly config: Readonly<RemoteConfig>;
  #fetch: Fetch;
  #inflight = new Set<AbortController>();

  constructor(config: RemoteConfig) {
    const problem = validateBaseUrl(config.baseUrl);
    if (problem) throw new EngineError('invalid-request', problem);
    this.config = config;
    const f = config.fetch ?? globalThis.fetch;
    this.#fetch = ((...a: Parameters<Fetch>) => f(...a)) as Fetch;
  }

  #headers(json: boolean): Record<string, string> {
    const h: Record<string, string> = { Accept: json ? 'application/json' : 'text/event-stream' };
    if (json) h['Content-Type'] = 'application/json';
    if (this.config.apiKey) h.Authorization = `Bearer ${this.config.apiKey}`;
    return h;
  }

  #pageProtocol(): string | undefined {
    return this.config.pageProtocol ?? (globalThis as { location?: { protocol?: string } }).location?.protocol;
  }

  /** POSTs JSON; returns the OK response or throws a typed error. */
  async #post(path: string, body: unknown, signal: AbortSignal, stream: boolean, model?: string): Promise<Response> {
    const url = endpoint(this.config.baseUrl, path);
    let res: Response;
    try {
      res = await this.#fetch(url, { method: 'POST', headers: { ...this.#headers(true), ...(stream ? { Accept: 'text/event-stream' } : {}) }, body: JSON.stringify(body), signal });
    } catch (e) {
      if (signal.aborted) throw new EngineError('aborted', 'The request was stopped.');
      throw await classifyFetchFailure(e, url, this.#fetch, this.#pageProtocol());
    }
    if (!res.ok) throw httpError(res.status, await res.text().catch(() => ''), url, model);
    return res;
  }

  #controller(signal?: AbortSignal): { ac: AbortController; done: () => void } {
    const ac = new AbortController();
    const onAbort = () => ac.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) ac.abort();
    this.#inflight.add(ac);
    return {
      ac,
      done: () => {
        signal?.removeEventListener('abort', onAbort);
        this.#inflight.delete(ac);
      },
    };
  }

  #body(req: ChatCompletionRequest, model: string, withStreamOptions: boolean): Record<string, unknown> {
    const { signal: _s, ...rest } = req;
    const body: Record<string, unknown> = { ...rest, model };
    if (req.stream && withStreamOptions) body.stream_options = { include_usage: true };
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    return body;
  }

  readonly chat = {
    completions: {
      create: ((req: ChatCompletionRequest) => this.#create(req)) as ChatEngine['chat']['completions']['create'],
    },
  };

  readonly embeddings = {
    create: (req: EmbeddingRequest) => this.#embed(req),
  };

  #model(req: { model?: string }): string {
    const model = req.model ?? this.config.model;
    if (!model) throw new EngineError('invalid-request', 'No model name is set for the remote endpoint.', 'Choose one of the models the server lists in the endpoint settings.');
    return model;
  }

  async #create(req: ChatCompletionRequest): Promise<ChatCompletion | AsyncIterable<ChatCompletionChunk>> {
    const model = this.#model(req);
    const { ac, done } = this.#controller(req.signal);
    const t0 = now();
    let res: Response;
    try {
      try {
        res = await this.#post('/chat/completions', this.#body(req, model, true), ac.signal, Boolean(req.stream), model);
      } catch (e) {
        // Some servers reject `stream_options`; retry once without it.
        if (req.stream && e instanceof EngineError && e.code === 'invalid-request' && /stream_options/.test(e.message)) {
          res = await this.#post('/chat/completions', this.#body(req, model, false), ac.signal, true, model);
        } else throw e;
      }
    } catch (e) {
      done();
      throw e;
    }
    if (!req.stream) {
      try {
        const json = (await res.json()) as ChatCompletion;
        if (json.usage) json.usage = withTimings(json.usage, t0, null, now());
        return json;
      } catch (e) {
        if (ac.signal.aborted) throw new EngineError('aborted', 'The request was stopped.');
        throw new EngineError('unknown', `The server sent an unreadable answer: ${(e as Error).message}`);
      } finally {
        done();
      }
    }
    return this.#stream(res, ac, done, t0, model);
  }

  async *#stream(res: Response, ac: AbortController, done: () => void, t0: number, model: string): AsyncGenerator<ChatCompletionChunk> {
    let first: number | null = null;
    let contentChunks = 0;
    let usage: CompletionUsage | undefined;
    let last: ChatCompletionChunk | undefined;
    // The chunk with the finish_reason is held back so the usage (with our timings) rides on it.
    let finish: ChatCompletionChunk | undefined;
    try {
      if (!res.body) throw new EngineError('unknown', 'The server sent no stream body.');
      for await (const ev of readSSE(res.body)) {
        if (ev.data === '[DONE]') break;
        let chunk: ChatCompletionChunk & { error?: unknown };
        try {
          chunk = JSON.parse(ev.data) as ChatCompletionChunk & { error?: unknown };
        } catch {
          continue; // tolerate keep-alive noise
        }
        if (chunk.error || ev.event === 'error') throw httpError(500, JSON.stringify(chunk), endpoint(this.config.baseUrl, '/chat/completions'), model);
        last = chunk;
        if (chunk.usage) {
          usage = chunk.usage;
          const { usage: _u, ...rest } = chunk;
          chunk = rest;
        }
        chunk.choices ??= [];
        if (chunk.choices.length === 0) continue;
        if (chunk.choices.some((c) => c.delta?.content)) {
          first ??= now();
          contentChunks++;
        }
        if (finish) yield finish;
        finish = undefined;
        if (chunk.choices.some((c) => c.finish_reason)) finish = chunk;
        else yield chunk;
      }
    } catch (e) {
      if (!ac.signal.aborted) {
        if (e instanceof EngineError) throw e;
        throw new EngineError('unreachable', `The stream broke off: ${(e as Error)?.message ?? e}`, 'Check the server; then regenerate.', { cause: e });
      }
    } finally {
      done();
    }
    const base = { id: last?.id ?? 'remote', object: 'chat.completion.chunk' as const, created: last?.created ?? Math.floor(Date.now() / 1000), model: last?.model ?? model };
    const end = now();
    const u = usage ?? { prompt_tokens: 0, completion_tokens: contentChunks, total_tokens: contentChunks, extra: { estimated: 1 } };
    const closing: ChatCompletionChunk = finish ?? { ...base, choices: [{ index: 0, delta: {}, finish_reason: ac.signal.aborted ? 'abort' : 'stop' }] };
    yield { ...closing, usage: withTimings(u, t0, first, end) };
  }

  async #embed(req: EmbeddingRequest): Promise<EmbeddingResponse> {
    const model = this.#model(req);
    const { ac, done } = this.#controller();
    try {
      const res = await this.#post('/embeddings', { model, input: req.input }, ac.signal, false, model);
      const json = (await res.json()) as EmbeddingResponse;
      return { object: 'list', model: json.model ?? model, data: json.data, usage: json.usage ?? { prompt_tokens: 0, total_tokens: 0 } };
    } finally {
      done();
    }
  }

  /** Stops every request in flight; streams end with finish_reason 'abort'. */
  async interrupt(): Promise<void> {
    for (const ac of this.#inflight) ac.abort();
  }

  async unload(): Promise<void> {
    await this.interrupt();
  }

  /** The server's models (`GET /models`). */
  async listModels(): Promise<ModelInfo[]> {
    const url = endpoint(this.config.baseUrl, '/models');
    let res: Response;
    try {
      res = await this.#fetch(url, { headers: this.#headers(true) });
    } catch (e) {
      throw await classifyFetchFailure(e, url, this.#fetch, this.#pageProtocol());
    }
    if (!res.ok) throw httpError(res.status, await res.text().catch(() => ''), url);
    const json = (await res.json()) as { data?: Array<{ id: string; max_model_len?: number; context_length?: number }> };
    return (json.data ?? []).map((m) => ({
      id: m.id,
      engine: 'remote',
      displayName: m.id,
      contextWindow: m.max_model_len ?? m.context_length ?? 0,
      capabilities: /embed/i.test(m.id) ? ['embeddings'] : ['chat', 'logprobs'],
    }));
  }
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Adds client-measured timings to the server's usage (keeping any the server sent). */
function withTimings(u: CompletionUsage, t0: number, first: number | null, end: number): CompletionUsage {
  const ttft = first === null ? undefined : (first - t0) / 1000;
  const decodeS = first === null ? 0 : (end - first) / 1000;
  const extra = { ...(u.extra ?? {}) };
  extra.e2e_latency_s ??= (end - t0) / 1000;
  if (ttft !== undefined) extra.time_to_first_token_s ??= ttft;
  if (decodeS > 0 && u.completion_tokens > 1) extra.decode_tokens_per_s ??= (u.completion_tokens - 1) / decodeS;
  if (ttft && u.prompt_tokens) extra.prefill_tokens_per_s ??= u.prompt_tokens / ttft;
  return { ...u, extra };
}

/** Creates a remote engine (validates the URL; no request is made until used). */
export function createRemoteEngine(config: RemoteConfig): RemoteChatEngine {
  return new RemoteChatEngine(config);
}
