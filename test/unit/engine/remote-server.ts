/**
 * A local OpenAI-compatible test server on 127.0.0.1 speaking the real wire format:
 * `POST /v1/chat/completions` (JSON or SSE `data:` chunks ending in `data: [DONE]`),
 * `POST /v1/embeddings`, `GET /v1/models`, Bearer auth, OpenAI-style error bodies.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestServerOptions {
  apiKey?: string;
  /** Tokens streamed for every chat request. */
  tokens?: string[];
  /** Delay between streamed chunks (ms). */
  delayMs?: number;
  /** Reject requests carrying stream_options with 400 (like some older servers). */
  rejectStreamOptions?: boolean;
  /** Send usage in the final chunk when stream_options.include_usage is set. */
  usage?: boolean;
  contextWindow?: number;
  /** Answer CORS preflights and allow any origin (what Ollama does with OLLAMA_ORIGINS=*). */
  cors?: boolean;
  /** Send an OpenAI-style error event after this many streamed tokens, then end (like vLLM). */
  errorAfter?: number;
  /**
   * Misbehaviours: answer `path` with this raw response instead (`hang`: read the request and
   * never answer, until the server closes).
   */
  raw?: { path: string; status?: number; contentType?: string; body?: string; hang?: boolean };
  /** Stream this many tokens, then stop sending without closing (a stalled server). */
  stallAfter?: number;
  /** End the stream after the tokens without a finish reason and without [DONE] (a cut connection). */
  cutBeforeEnd?: boolean;
}

export interface TestServer {
  baseUrl: string;
  requests: Array<{ path: string; headers: IncomingMessage['headers']; body: Record<string, unknown> | null }>;
  /** Set when a streaming response was closed by the client before the end. */
  clientClosed: () => boolean;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const tokens = opts.tokens ?? ['Hello', ',', ' world', '!'];
  const requests: TestServer['requests'] = [];
  let closedEarly = false;

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const err = (res: ServerResponse, status: number, message: string, type = 'invalid_request_error') => json(res, status, { error: { message, type, code: null } });

  const server: Server = createServer(async (req, res) => {
    if (opts.cors) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      if (req.method === 'OPTIONS') {
        res.writeHead(204);
        res.end();
        return;
      }
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : null;
    const path = (req.url ?? '').split('?')[0]!;
    requests.push({ path, headers: req.headers, body });
    if (opts.raw && path === opts.raw.path) {
      if (opts.raw.hang) return; // closeAllConnections() ends it
      res.writeHead(opts.raw.status ?? 200, opts.raw.contentType ? { 'Content-Type': opts.raw.contentType } : {});
      res.end(opts.raw.body ?? '');
      return;
    }

    if (opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`) return err(res, 401, 'Incorrect API key provided.', 'authentication_error');
    if (req.method === 'GET' && path === '/v1/models') {
      return json(res, 200, { object: 'list', data: [{ id: 'tiny-chat', object: 'model', owned_by: 'test', max_model_len: 2048 }, { id: 'tiny-embed', object: 'model', owned_by: 'test', context_length: 512 }] });
    }
    if (req.method === 'POST' && path === '/v1/embeddings') {
      const input = (Array.isArray(body!.input) ? body!.input : [body!.input]) as string[];
      return json(res, 200, {
        object: 'list',
        model: body!.model,
        data: input.map((s, index) => ({ object: 'embedding', index, embedding: [s.length, 1, 0] })),
        usage: { prompt_tokens: input.length, total_tokens: input.length },
      });
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') return err(res, 404, `Unknown path ${path}`);
    if (!Array.isArray(body!.messages) || (body!.messages as unknown[]).length === 0) return err(res, 400, 'messages must not be empty');
    if (body!.model !== 'tiny-chat') return err(res, 404, `The model \`${String(body!.model)}\` does not exist.`, 'model_not_found');
    const messages = body!.messages as Array<{ content: string }>;
    const promptTokens = messages.map((m) => m.content).join(' ').split(/\s+/).length;
    if (opts.contextWindow && promptTokens > opts.contextWindow) {
      return err(res, 400, `This model's maximum context length is ${opts.contextWindow} tokens. However, your messages resulted in ${promptTokens} tokens.`);
    }
    if (opts.rejectStreamOptions && body!.stream_options) return err(res, 400, 'Unrecognized request argument supplied: stream_options');
    const created = Math.floor(Date.now() / 1000);
    const maxTokens = typeof body!.max_tokens === 'number' ? body!.max_tokens : tokens.length;
    const out = tokens.slice(0, maxTokens);
    const finish = out.length < tokens.length ? 'length' : 'stop';
    const usage = { prompt_tokens: promptTokens, completion_tokens: out.length, total_tokens: promptTokens + out.length };
    if (!body!.stream) {
      return json(res, 200, {
        id: 'chatcmpl-test',
        object: 'chat.completion',
        created,
        model: 'tiny-chat',
        choices: [{ index: 0, message: { role: 'assistant', content: out.join('') }, finish_reason: finish, logprobs: null }],
        usage,
      });
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.on('close', () => {
      if (!res.writableEnded) closedEarly = true;
    });
    const send = (obj: unknown) => res.write(`data: ${JSON.stringify(obj)}\n\n`);
    const base = { id: 'chatcmpl-test', object: 'chat.completion.chunk', created, model: 'tiny-chat', system_fingerprint: 'fp' };
    res.write(': keep-alive comment\n\n');
    send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
    for (const [i, t] of out.entries()) {
      if (res.destroyed) return;
      if (opts.errorAfter !== undefined && i === opts.errorAfter) {
        send({ error: { message: 'CUDA out of memory', type: 'internal_error', code: 500 } });
        res.end('data: [DONE]\n\n');
        return;
      }
      if (opts.delayMs) await sleep(opts.delayMs);
      if (opts.stallAfter !== undefined && i === opts.stallAfter) return; // closeAllConnections() ends it
      // Split one event over two writes to exercise the parser's buffering.
      const line = `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: t }, finish_reason: null, logprobs: body!.logprobs ? { content: [{ token: t, logprob: -0.5, bytes: null, top_logprobs: [] }] } : null }] })}\r\n\r\n`;
      const cut = Math.floor(line.length / 2);
      res.write(line.slice(0, cut));
      res.write(line.slice(cut));
    }
    if (opts.cutBeforeEnd) {
      res.end();
      return;
    }
    send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: finish }] });
    const so = body!.stream_options as { include_usage?: boolean } | undefined;
    if (opts.usage !== false && so?.include_usage) send({ ...base, choices: [], usage });
    res.end('data: [DONE]\n\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    clientClosed: () => closedEarly,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
