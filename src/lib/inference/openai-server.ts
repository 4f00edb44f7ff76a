/**
 * An OpenAI-compatible HTTP server as a plain function `(Request) → Promise<Response>`: the same
 * wire format vLLM, TGI's Messages API and llama-server speak, answered from one of our engines.
 * Framework-free (Fetch API types only), so Node tests, a page and a service worker can all call it.
 *
 *   POST /v1/chat/completions   JSON, or SSE (`data: {chunk}` … `data: [DONE]`) when `stream: true`
 *   POST /v1/completions        raw-text continuation (needs a `TextCompleter`: serving-engine.ts)
 *   POST /v1/embeddings         from the engine's `embeddings.create`
 *   GET  /v1/models             the engine's models
 *
 * Errors use OpenAI's body `{"error":{"message","type","param","code"}}` with its status codes.
 * A client that cancels a stream aborts the request's signal: the engine stops generating and
 * keeps serving the next request.
 */
import type { ChatCompletionChunk, ChatCompletionRequest, ChatEngine, ModelInfo } from '../engine/types';
import { asLabError } from '../errors';
import type { RNG } from '../tinylm/rng';

/** A raw-text continuation (`/v1/completions`): yields text pieces; the last result says why it ended. */
export interface TextCompleter {
  complete(req: {
    model: string;
    prompt: string;
    maxTokens: number;
    temperature: number;
    seed: number;
    stop: string[];
    signal: AbortSignal;
  }): AsyncGenerator<string, { finish: 'stop' | 'length' | 'abort'; promptTokens: number; completionTokens: number }>;
}

export interface OpenAIServerOptions {
  engine: ChatEngine;
  /** Models served (default: `engine.listModels()`, or `['local']`). */
  models?: () => Promise<ModelInfo[]>;
  /** Serves `/v1/completions` when given. */
  completer?: TextCompleter;
  /** Most choices per request (`n`); above it the request is refused with 400. Default 1. */
  maxN?: number;
  /** Path prefix (default `/v1`). */
  prefix?: string;
}

type Handler = (req: Request) => Promise<Response>;

/** An OpenAI-style error response. */
export function errorResponse(status: number, message: string, type: string, code: string | null = null, param: string | null = null): Response {
  return new Response(JSON.stringify({ error: { message, type, param, code } }), { status, headers: { 'Content-Type': 'application/json' } });
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** Maps a thrown engine error to the status and OpenAI error type a real server would send. */
function fromError(e: unknown): Response {
  const err = asLabError(e);
  switch (err.code) {
    case 'context-window':
      return errorResponse(400, err.message, 'invalid_request_error', 'context_length_exceeded', 'messages');
    case 'model-not-found':
      return errorResponse(404, err.message, 'invalid_request_error', 'model_not_found', 'model');
    case 'invalid-request':
    case 'bad-input':
    case 'unsupported':
      return errorResponse(400, err.message, 'invalid_request_error');
    case 'aborted':
      return errorResponse(499, err.message, 'invalid_request_error', 'client_closed_request');
    default:
      return errorResponse(500, err.message, 'server_error');
  }
}

/** Creates the request handler. */
export function createOpenAIHandler(opts: OpenAIServerOptions): Handler {
  const prefix = opts.prefix ?? '/v1';
  const maxN = opts.maxN ?? 1;
  const listModels = async (): Promise<ModelInfo[]> => {
    if (opts.models) return opts.models();
    if (opts.engine.listModels) return opts.engine.listModels();
    return [{ id: 'local', engine: opts.engine.kind, displayName: 'local', contextWindow: 0, capabilities: ['chat'] }];
  };
  /** The model a request names (or the first that can do `cap`); null when unknown. */
  const resolve = async (name: unknown, cap: ModelInfo['capabilities'][number]): Promise<ModelInfo | null> => {
    const models = await listModels();
    if (name === undefined || name === null || name === '') return models.find((m) => m.capabilities.includes(cap)) ?? models[0] ?? null;
    return models.find((m) => m.id === name) ?? null;
  };
  const unknownModel = (name: unknown) => errorResponse(404, `The model \`${String(name)}\` does not exist.`, 'invalid_request_error', 'model_not_found', 'model');

  async function readJson(req: Request): Promise<Record<string, unknown> | Response> {
    const text = await req.text();
    try {
      const body = JSON.parse(text) as unknown;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return errorResponse(400, 'The request body must be a JSON object.', 'invalid_request_error');
      return body as Record<string, unknown>;
    } catch (e) {
      return errorResponse(400, `We could not parse the JSON body of your request. (${(e as Error).message})`, 'invalid_request_error');
    }
  }

  async function chat(req: Request): Promise<Response> {
    const body = await readJson(req);
    if (body instanceof Response) return body;
    if (!Array.isArray(body.messages) || body.messages.length === 0) return errorResponse(400, "'messages' must be a non-empty array.", 'invalid_request_error', null, 'messages');
    const n = body.n === undefined ? 1 : Number(body.n);
    if (!Number.isInteger(n) || n < 1) return errorResponse(400, "'n' must be a positive integer.", 'invalid_request_error', null, 'n');
    if (n > maxN) return errorResponse(400, `This server returns at most ${maxN} choice${maxN === 1 ? '' : 's'} per request (n = ${n}).`, 'invalid_request_error', 'unsupported_value', 'n');
    const model = await resolve(body.model, 'chat');
    if (!model) return unknownModel(body.model);
    // Our transport field (not OpenAI's): the request's own signal ends generation on disconnect.
    const ac = new AbortController();
    req.signal?.addEventListener('abort', () => ac.abort(), { once: true });
    const { stream_options, user: _user, ...rest } = body as Record<string, unknown> & { stream_options?: { include_usage?: boolean } };
    const creq = { ...rest, model: model.id, signal: ac.signal } as unknown as ChatCompletionRequest;
    if (!creq.stream) {
      try {
        return json(await opts.engine.chat.completions.create({ ...creq, stream: false }));
      } catch (e) {
        return fromError(e);
      }
    }
    let chunks: AsyncIterable<ChatCompletionChunk>;
    try {
      chunks = await opts.engine.chat.completions.create({ ...creq, stream: true });
    } catch (e) {
      return fromError(e); // errors before the first byte keep their status code
    }
    const includeUsage = Boolean(stream_options?.include_usage);
    return sse(chunks, ac, (c) => {
      if (!c.usage) return [c];
      const { usage, ...withoutUsage } = c;
      // OpenAI sends usage on an extra chunk with empty choices, only when asked for.
      return includeUsage ? [withoutUsage, { ...withoutUsage, choices: [], usage }] : [withoutUsage];
    });
  }

  async function completions(req: Request): Promise<Response> {
    const body = await readJson(req);
    if (body instanceof Response) return body;
    if (!opts.completer) return errorResponse(404, 'This server has no text-completion model; use /v1/chat/completions.', 'invalid_request_error', 'unsupported_endpoint');
    if (typeof body.prompt !== 'string') return errorResponse(400, "'prompt' must be a string (token arrays and lists of prompts are not supported here).", 'invalid_request_error', null, 'prompt');
    const n = body.n === undefined ? 1 : Number(body.n);
    if (n !== 1) return errorResponse(400, `This server returns one choice per request (n = ${String(body.n)}).`, 'invalid_request_error', 'unsupported_value', 'n');
    const model = await resolve(body.model, 'completion');
    if (!model) return unknownModel(body.model);
    const ac = new AbortController();
    req.signal?.addEventListener('abort', () => ac.abort(), { once: true });
    const stop = body.stop === undefined || body.stop === null ? [] : Array.isArray(body.stop) ? body.stop.map(String) : [String(body.stop)];
    const gen = opts.completer.complete({
      model: model.id,
      prompt: body.prompt,
      maxTokens: typeof body.max_tokens === 'number' ? body.max_tokens : 16, // OpenAI's default for /completions
      temperature: typeof body.temperature === 'number' ? body.temperature : 1,
      seed: typeof body.seed === 'number' ? body.seed : Math.floor(Math.random() * 2 ** 31),
      stop,
      signal: ac.signal,
    });
    const id = `cmpl-${Math.random().toString(36).slice(2, 12)}`;
    const created = Math.floor(Date.now() / 1000);
    const base = { id, object: 'text_completion', created, model: model.id };
    // Pull the first piece now, so a prompt that does not fit fails with a status code.
    let first: IteratorResult<string, Awaited<ReturnType<TextCompleter['complete']>> extends AsyncGenerator<string, infer R> ? R : never>;
    try {
      first = await gen.next();
    } catch (e) {
      return fromError(e);
    }
    if (!body.stream) {
      let text = '';
      let r = first;
      try {
        while (!r.done) {
          text += r.value;
          r = await gen.next();
        }
      } catch (e) {
        return fromError(e);
      }
      const { finish, promptTokens, completionTokens } = r.value;
      return json({ ...base, choices: [{ index: 0, text, finish_reason: finish, logprobs: null }], usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens } });
    }
    async function* pieces(): AsyncGenerator<Record<string, unknown>> {
      let r = first;
      while (!r.done) {
        yield { ...base, choices: [{ index: 0, text: r.value, finish_reason: null, logprobs: null }] };
        r = await gen.next();
      }
      yield { ...base, choices: [{ index: 0, text: '', finish_reason: r.value.finish, logprobs: null }] };
    }
    return sse(pieces(), ac, (c) => [c]);
  }

  async function embeddings(req: Request): Promise<Response> {
    const body = await readJson(req);
    if (body instanceof Response) return body;
    const input = body.input;
    const ok = typeof input === 'string' || (Array.isArray(input) && input.length > 0 && input.every((s) => typeof s === 'string'));
    if (!ok) return errorResponse(400, "'input' must be a string or a non-empty array of strings.", 'invalid_request_error', null, 'input');
    const model = await resolve(body.model, 'embeddings');
    if (!model) return unknownModel(body.model);
    try {
      const r = await opts.engine.embeddings.create({ input: input as string | string[], model: model.id });
      return json({ object: 'list', model: r.model, data: r.data.map((d) => ({ object: 'embedding', index: d.index, embedding: Array.from(d.embedding) })), usage: r.usage });
    } catch (e) {
      return fromError(e);
    }
  }

  async function models(): Promise<Response> {
    const list = await listModels();
    const created = Math.floor(Date.now() / 1000);
    // max_model_len is vLLM's field; our remote backend reads it as the context window.
    return json({ object: 'list', data: list.map((m) => ({ id: m.id, object: 'model', created, owned_by: 'llm-lab', max_model_len: m.contextWindow })) });
  }

  const routes: Record<string, { method: string; run: (r: Request) => Promise<Response> }> = {
    '/chat/completions': { method: 'POST', run: chat },
    '/completions': { method: 'POST', run: completions },
    '/embeddings': { method: 'POST', run: embeddings },
    '/models': { method: 'GET', run: models },
  };

  return async (req: Request): Promise<Response> => {
    const path = new URL(req.url).pathname;
    const at = path.indexOf(prefix + '/');
    const route = at >= 0 ? routes[path.slice(at + prefix.length).replace(/\/+$/, '')] : undefined;
    if (!route) return errorResponse(404, `Unknown path ${path}.`, 'invalid_request_error', 'unknown_url');
    if (req.method !== route.method) {
      const r = errorResponse(405, `Method ${req.method} is not allowed on ${path}; use ${route.method}.`, 'invalid_request_error', 'method_not_allowed');
      r.headers.set('Allow', route.method);
      return r;
    }
    try {
      return await route.run(req);
    } catch (e) {
      return fromError(e);
    }
  };
}

/**
 * Streams objects as server-sent events ending with `data: [DONE]`. Cancelling the body (the
 * client went away) aborts `ac`, which the engine sees as its request's signal.
 */
function sse<T>(items: AsyncIterable<T>, ac: AbortController, expand: (item: T) => unknown[]): Response {
  const enc = new TextEncoder();
  const it = items[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const r = await it.next();
        if (r.done) {
          controller.enqueue(enc.encode('data: [DONE]\n\n'));
          controller.close();
          return;
        }
        for (const x of expand(r.value)) controller.enqueue(enc.encode(`data: ${JSON.stringify(x)}\n\n`));
      } catch (e) {
        // After the first byte the status is sent: report the failure in-band, as vLLM does.
        const err = asLabError(e);
        controller.enqueue(enc.encode(`data: ${JSON.stringify({ error: { message: err.message, type: 'server_error', param: null, code: null } })}\n\n`));
        controller.enqueue(enc.encode('data: [DONE]\n\n'));
        controller.close();
      }
    },
    async cancel() {
      ac.abort();
      await it.return?.(undefined);
    },
  });
  return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' } });
}

/** Samples a token from logits at `temperature` (≤ 0: argmax). */
export function pick(logits: Float32Array, temperature: number, rng: RNG): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  if (temperature <= 0) return best;
  let sum = 0;
  const p = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) sum += p[i] = Math.exp((logits[i] - logits[best]) / temperature);
  let u = rng.next() * sum;
  for (let i = 0; i < p.length; i++) if ((u -= p[i]) <= 0) return i;
  return best;
}
