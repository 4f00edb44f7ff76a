/**
 * A remote OpenAI-compatible backend (Ollama, vLLM, TGI, llama-server, any `/v1` server):
 * chat completions with SSE streaming, embeddings, model listing, behind our `ChatEngine`.
 *
 * The base URL includes the API prefix (e.g. `http://localhost:11434/v1`). The API key, when set,
 * goes in `Authorization: Bearer …`; the app keeps it in IndexedDB and never in share links.
 * Failures become typed errors: 'cors' (the server answered but the browser blocked it),
 * 'unreachable', 'auth', 'model-not-found', 'context-window', 'timeout' (no answer, or a stream
 * that stalls), 'bad-response' (a 200 that is not what an OpenAI-compatible server sends: an HTML
 * page, an empty body, malformed chunks, a stream cut off before `[DONE]`), each quoting what the
 * server sent and with a next step.
 */
import { EngineError } from './errors';
import { backendModelId } from './registry';
import { SSEParser } from './sse';
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
  /**
   * How long to wait for the server to answer a chat or embeddings request, and for the next
   * piece of a streamed reply (ms, default 120 s: a server may first have to load the model).
   */
  timeoutMs?: number;
  /** How long `listModels` waits (ms, default 15 s: listing needs no model). */
  listTimeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_LIST_TIMEOUT_MS = 15_000;

/** The first `n` characters of what the server sent, on one line, for messages. */
export function snippet(text: string, n = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (!flat) return '(nothing)';
  return `“${flat.length > n ? `${flat.slice(0, n)}…` : flat}”`;
}

const seconds = (ms: number) => (ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`);

/**
 * Waits for `p` at most `ms`; on time-out aborts `ac` (closing the connection) and rejects with a
 * 'timeout' error saying `what`.
 */
async function within<T>(p: Promise<T>, ms: number, ac: AbortController, what: () => string, hint: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new EngineError('timeout', what(), hint));
      ac.abort();
    }, ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const NOT_OPENAI_HINT = 'Check that the base URL points at the server’s OpenAI-compatible API (usually ending in /v1), not at a web page or a proxy’s login page.';

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
    const ms = this.config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    try {
      res = await within(
        this.#fetch(url, { method: 'POST', headers: { ...this.#headers(true), ...(stream ? { Accept: 'text/event-stream' } : {}) }, body: JSON.stringify(body), signal }),
        ms,
        this.#acOf(signal),
        () => `${new URL(url).host} sent no answer to POST ${path} within ${seconds(ms)}.`,
        'Check that the server is running and not stuck (a server may first load the model; Ollama’s first request can take a minute), then send again.',
      );
    } catch (e) {
      if (e instanceof EngineError && e.code === 'timeout') throw e;
      if (signal.aborted) throw new EngineError('aborted', 'The request was stopped.');
      throw await classifyFetchFailure(e, url, this.#fetch, this.#pageProtocol());
    }
    if (!res.ok) throw httpError(res.status, await res.text().catch(() => ''), url, model);
    return res;
  }

  /** The controller behind a signal handed out by #controller (to abort on a time-out). */
  #acOf(signal: AbortSignal): AbortController {
    for (const ac of this.#inflight) if (ac.signal === signal) return ac;
    return new AbortController();
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
    // Callers may pass the app's id ("remote:<name>", what the model picker holds): the server only knows <name>.
    const model = req.model ? backendModelId(req.model) : this.config.model;
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
        const ms = this.config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
        const text = await within(res.text(), ms, ac, () => `${this.#host()} stopped sending its answer (nothing for ${seconds(ms)}).`, 'Check the server, then send again.');
        const json = parseCompletion(text, res.headers.get('content-type'));
        if (json.usage) json.usage = withTimings(json.usage, t0, null, now());
        return json;
      } catch (e) {
        if (e instanceof EngineError) throw e;
        if (ac.signal.aborted) throw new EngineError('aborted', 'The request was stopped.');
        throw new EngineError('unreachable', `The answer broke off: ${(e as Error)?.message ?? e}`, 'Check the server, then send again.', { cause: e });
      } finally {
        done();
      }
    }
    return this.#stream(res, ac, done, t0, model);
  }

  #host(): string {
    try {
      return new URL(this.config.baseUrl).host;
    } catch {
      return 'The server';
    }
  }

  /**
   * Reads the SSE reply. Besides the happy path (`data: {chunk}` … `data: [DONE]`) it handles what
   * real servers and proxies do: a 200 that is JSON (a server that ignored `stream: true`: its
   * completion is replayed as chunks), an HTML page or an empty body ('bad-response', quoting it),
   * a chunk of the wrong shape ('bad-response'), a stream that stalls ('timeout') or closes
   * before `[DONE]` without a finish reason ('bad-response': the reply is incomplete).
   */
  async *#stream(res: Response, ac: AbortController, done: () => void, t0: number, model: string): AsyncGenerator<ChatCompletionChunk> {
    const url = endpoint(this.config.baseUrl, '/chat/completions');
    const ms = this.config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let first: number | null = null;
    let contentChunks = 0;
    let usage: CompletionUsage | undefined;
    let last: ChatCompletionChunk | undefined;
    // The chunk with the finish_reason is held back so the usage (with our timings) rides on it.
    let finish: ChatCompletionChunk | undefined;
    let sawFinish = false;
    let sawDone = false;
    let events = 0;
    let chunks = 0;
    let firstData = '';
    // The body as long as no SSE event has been seen (to tell JSON, HTML or nothing apart).
    let raw = '';
    const reader = res.body?.getReader();
    try {
      if (reader) {
        const decoder = new TextDecoder();
        const parser = new SSEParser();
        reading: for (;;) {
          const { done: end, value } = await within(
            reader.read(),
            ms,
            ac,
            () => `${this.#host()} stopped sending in the middle of the reply: nothing for ${seconds(ms)} after ${contentChunks} chunk${contentChunks === 1 ? '' : 's'}.`,
            'The server may be overloaded or stuck; regenerate to try again.',
          );
          const text = end ? decoder.decode() : decoder.decode(value, { stream: true });
          if (events === 0 && raw.length < 2_000_000) raw += text;
          for (const ev of end ? [...parser.push(text), ...parser.end()] : parser.push(text)) {
            events++;
            if (events === 1) firstData = ev.data;
            if (ev.data.trim() === '[DONE]') {
              sawDone = true;
              break reading;
            }
            let data: unknown;
            try {
              data = JSON.parse(ev.data);
            } catch {
              continue; // tolerate keep-alive noise
            }
            if ((data as { error?: unknown })?.error || ev.event === 'error') throw httpError(500, ev.data, url, model);
            let chunk = asChunk(data, ev.data);
            chunks++;
            last = chunk;
            if (chunk.usage) {
              usage = chunk.usage;
              const { usage: _u, ...rest } = chunk;
              chunk = rest;
            }
            if (chunk.choices.length === 0) continue;
            if (chunk.choices.some((c) => c.delta?.content)) {
              first ??= now();
              contentChunks++;
            }
            if (finish) yield finish;
            finish = undefined;
            if (chunk.choices.some((c) => c.finish_reason)) {
              finish = chunk;
              sawFinish = true;
            } else yield chunk;
          }
          if (end) break;
        }
      }
      if (!sawDone && !ac.signal.aborted) {
        if (events === 0) {
          // No event stream at all: a JSON completion is replayed; anything else is explained.
          const completion = parseCompletion(raw, res.headers.get('content-type'), true);
          for (const chunk of completionChunks(completion)) {
            if (chunk.choices[0]?.delta.content) first ??= now();
            if (chunk.choices[0]?.finish_reason) finish = chunk;
            else yield chunk;
          }
          usage = completion.usage ?? usage;
          contentChunks = 1;
        } else if (chunks === 0) {
          throw new EngineError('bad-response', `The server sent an event stream without a single JSON chunk; it began with ${snippet(firstData)}.`, NOT_OPENAI_HINT);
        } else if (!sawFinish) {
          throw new EngineError(
            'bad-response',
            `The stream from ${this.#host()} closed before it was finished (no finish reason, no [DONE]) after ${contentChunks} chunk${contentChunks === 1 ? '' : 's'}: the reply is incomplete.`,
            'The server or a proxy between you closed the connection; regenerate to try again.',
          );
        }
      }
    } catch (e) {
      if (!ac.signal.aborted || (e instanceof EngineError && e.code === 'timeout')) {
        if (e instanceof EngineError) throw e;
        throw new EngineError('unreachable', `The stream broke off: ${(e as Error)?.message ?? e}`, 'Check the server; then regenerate.', { cause: e });
      }
    } finally {
      done();
      void reader?.cancel().catch(() => {});
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
      const text = await res.text();
      let json: EmbeddingResponse;
      try {
        json = JSON.parse(text) as EmbeddingResponse;
      } catch {
        throw new EngineError('bad-response', `The server answered the embeddings request with ${describeBody(text, res.headers.get('content-type'))}, not JSON.`, NOT_OPENAI_HINT);
      }
      if (!Array.isArray(json?.data)) throw new EngineError('bad-response', `The embeddings answer has no "data" list: ${snippet(text)}.`, NOT_OPENAI_HINT);
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

  /** The server's models (`GET /models`); gives up after `listTimeoutMs`, or when `signal` aborts. */
  async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    const url = endpoint(this.config.baseUrl, '/models');
    const { ac, done } = this.#controller(signal);
    const ms = this.config.listTimeoutMs ?? DEFAULT_LIST_TIMEOUT_MS;
    const hint = 'Check that the server is running and that the URL is right (e.g. http://localhost:11434/v1 for Ollama).';
    let text: string;
    let res: Response;
    try {
      try {
        res = await within(this.#fetch(url, { headers: this.#headers(true), signal: ac.signal }), ms, ac, () => `${this.#host()} did not answer GET /models within ${seconds(ms)}.`, hint);
        text = await within(res.text(), ms, ac, () => `${this.#host()} stopped sending the model list (nothing for ${seconds(ms)}).`, hint);
      } catch (e) {
        if (e instanceof EngineError) throw e;
        if (ac.signal.aborted) throw new EngineError('aborted', 'Cancelled.');
        throw await classifyFetchFailure(e, url, this.#fetch, this.#pageProtocol());
      }
    } finally {
      done();
    }
    if (!res.ok) throw httpError(res.status, text, url);
    let json: { data?: unknown };
    try {
      json = JSON.parse(text) as { data?: unknown };
    } catch {
      throw new EngineError('bad-response', `GET ${url} answered with ${describeBody(text, res.headers.get('content-type'))}, not a JSON model list.`, NOT_OPENAI_HINT);
    }
    if (!Array.isArray(json?.data)) throw new EngineError('bad-response', `GET ${url} answered without a "data" list of models: ${snippet(text)}.`, NOT_OPENAI_HINT);
    const list = (json.data as Array<{ id?: unknown; max_model_len?: number; context_length?: number }>).filter((m): m is { id: string; max_model_len?: number; context_length?: number } => typeof m?.id === 'string');
    return list.map((m) => ({
      id: m.id,
      engine: 'remote',
      displayName: m.id,
      contextWindow: m.max_model_len ?? m.context_length ?? 0,
      capabilities: /embed/i.test(m.id) ? ['embeddings'] : ['chat', 'logprobs'],
    }));
  }
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** "an HTML page (text/html): “<!doctype html>…”", "an empty body", … : what came instead of the API's answer. */
function describeBody(text: string, contentType: string | null): string {
  if (!text.trim()) return 'an empty body';
  const type = contentType ? ` (${contentType.split(';')[0]})` : '';
  const kind = /^\s*</.test(text) ? 'an HTML page' : 'text';
  return `${kind}${type}: ${snippet(text)}`;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Checks a parsed SSE `data:` payload has the shape of a chat.completion.chunk. */
function asChunk(data: unknown, text: string): ChatCompletionChunk {
  const bad = (why: string) =>
    new EngineError('bad-response', `The server sent a stream chunk that is not an OpenAI chat.completion.chunk (${why}): ${snippet(text)}`, NOT_OPENAI_HINT);
  if (!isObj(data)) throw bad('not a JSON object');
  const choices = data.choices ?? [];
  if (!Array.isArray(choices)) throw bad('"choices" is not a list');
  for (const c of choices) {
    if (!isObj(c)) throw bad('a choice is not an object');
    if (c.delta !== undefined && c.delta !== null && !isObj(c.delta)) throw bad('"delta" is not an object');
    const content = (c.delta as Record<string, unknown> | undefined)?.content;
    if (content !== undefined && content !== null && typeof content !== 'string') throw bad('"delta.content" is not text');
    c.delta ??= {};
    if (c.finish_reason !== undefined && c.finish_reason !== null && typeof c.finish_reason !== 'string') throw bad('"finish_reason" is not text');
  }
  if (data.usage !== undefined && !isObj(data.usage)) delete data.usage;
  return { ...(data as unknown as ChatCompletionChunk), choices: choices as ChatCompletionChunk['choices'] };
}

/**
 * A non-streamed answer, checked: an OpenAI chat.completion, or a 'bad-response' error quoting
 * what came instead (`insteadOfStream`: the request asked for an event stream).
 */
function parseCompletion(text: string, contentType: string | null, insteadOfStream = false): ChatCompletion {
  const asked = insteadOfStream ? 'an event stream' : 'a chat completion';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EngineError('bad-response', `The server answered 200 with ${describeBody(text, contentType)} instead of ${asked}.`, NOT_OPENAI_HINT);
  }
  const choices = isObj(json) ? json.choices : undefined;
  const ok = Array.isArray(choices) && choices.every((c) => isObj(c) && isObj(c.message) && (c.message.content == null || typeof c.message.content === 'string'));
  if (!ok) throw new EngineError('bad-response', `The server answered 200 with JSON that is not ${asked}: ${snippet(text)}`, NOT_OPENAI_HINT);
  return json as ChatCompletion;
}

/** A completion replayed as stream chunks (for a server that ignored `stream: true`). */
function completionChunks(c: ChatCompletion): ChatCompletionChunk[] {
  const base = { id: c.id ?? 'remote', object: 'chat.completion.chunk' as const, created: c.created ?? Math.floor(Date.now() / 1000), model: c.model ?? '' };
  const out: ChatCompletionChunk[] = [];
  for (const ch of c.choices) {
    const index = ch.index ?? 0;
    const content = typeof ch.message.content === 'string' ? ch.message.content : '';
    if (content) out.push({ ...base, choices: [{ index, delta: { role: 'assistant', content }, finish_reason: null }] });
    out.push({ ...base, choices: [{ index, delta: {}, finish_reason: ch.finish_reason ?? 'stop' }] });
  }
  return out;
}

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
