import { afterEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/lib/engine/errors';
import { classifyFetchFailure, createRemoteEngine, endpoint, httpError, validateBaseUrl } from '../../../src/lib/engine/remote';
import type { ChatCompletion, ChatCompletionChunk } from '../../../src/lib/engine/types';
import { startTestServer, type TestServer } from './remote-server';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function collect(it: AsyncIterable<ChatCompletionChunk>) {
  const out: ChatCompletionChunk[] = [];
  for await (const c of it) out.push(c);
  return out;
}
const text = (chunks: ChatCompletionChunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

describe('remote engine against a local OpenAI-compatible server', () => {
  it('streams SSE chunks to [DONE] with usage and client-side timings', async () => {
    server = await startTestServer({ apiKey: 'sk-test' });
    const engine = createRemoteEngine({ baseUrl: server.baseUrl, apiKey: 'sk-test', model: 'tiny-chat' });
    const chunks = await collect(await engine.chat.completions.create({ messages: [{ role: 'user', content: 'hi there' }], stream: true, seed: 3, logprobs: true }));
    expect(text(chunks)).toBe('Hello, world!');
    expect(chunks.some((c) => c.choices[0]?.finish_reason === 'stop')).toBe(true);
    expect(chunks.find((c) => c.choices[0]?.logprobs)?.choices[0]!.logprobs!.content![0]!.logprob).toBe(-0.5);
    const last = chunks.at(-1)!;
    expect(last.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 });
    expect(last.usage!.extra!.time_to_first_token_s).toBeGreaterThanOrEqual(0);
    expect(chunks.filter((c) => c.usage)).toHaveLength(1);
    const sent = server.requests.at(-1)!;
    expect(sent.headers.authorization).toBe('Bearer sk-test');
    expect(sent.body).toMatchObject({ model: 'tiny-chat', stream: true, seed: 3, stream_options: { include_usage: true } });
  });

  it('returns a full completion without streaming', async () => {
    server = await startTestServer();
    const engine = createRemoteEngine({ baseUrl: server.baseUrl + '/', model: 'tiny-chat' });
    const r = (await engine.chat.completions.create({ messages: [{ role: 'user', content: 'x' }], max_tokens: 2 })) as ChatCompletion;
    expect(r.choices[0]!.message.content).toBe('Hello,');
    expect(r.choices[0]!.finish_reason).toBe('length');
    expect(r.usage!.extra!.e2e_latency_s).toBeGreaterThanOrEqual(0);
  });

  it('counts tokens itself when the server sends no usage', async () => {
    server = await startTestServer({ usage: false });
    const engine = createRemoteEngine({ baseUrl: server.baseUrl, model: 'tiny-chat' });
    const chunks = await collect(await engine.chat.completions.create({ messages: [{ role: 'user', content: 'x' }], stream: true }));
    expect(chunks.at(-1)!.usage).toMatchObject({ completion_tokens: 4, extra: { estimated: 1 } });
  });

  it('retries without stream_options when a server rejects it', async () => {
    server = await startTestServer({ rejectStreamOptions: true });
    const engine = createRemoteEngine({ baseUrl: server.baseUrl, model: 'tiny-chat' });
    const chunks = await collect(await engine.chat.completions.create({ messages: [{ role: 'user', content: 'x' }], stream: true }));
    expect(text(chunks)).toBe('Hello, world!');
    expect(server.requests.filter((r) => r.path === '/v1/chat/completions')).toHaveLength(2);
  });

  it('interrupt() closes the connection and ends the stream with abort', async () => {
    server = await startTestServer({ tokens: Array.from({ length: 100 }, (_, i) => ` t${i}`), delayMs: 10 });
    const engine = createRemoteEngine({ baseUrl: server.baseUrl, model: 'tiny-chat' });
    const stream = await engine.chat.completions.create({ messages: [{ role: 'user', content: 'x' }], stream: true });
    const chunks: ChatCompletionChunk[] = [];
    for await (const c of stream) {
      chunks.push(c);
      if (chunks.length === 3) await engine.interrupt();
    }
    expect(chunks.length).toBeLessThan(20);
    expect(chunks.some((c) => c.choices[0]?.finish_reason === 'abort')).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.clientClosed()).toBe(true);
  });

  it('a request signal aborts it', async () => {
    server = await startTestServer({ tokens: Array.from({ length: 100 }, (_, i) => ` t${i}`), delayMs: 10 });
    const engine = createRemoteEngine({ baseUrl: server.baseUrl, model: 'tiny-chat' });
    const ac = new AbortController();
    const stream = await engine.chat.completions.create({ messages: [{ role: 'user', content: 'x' }], stream: true, signal: ac.signal });
    let finish: string | null = null;
    let n = 0;
    for await (const c of stream) {
      if (++n === 2) ac.abort();
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe('abort');
  });

  it('surfaces an error event sent in the middle of a stream', async () => {
    server = await startTestServer({ errorAfter: 2 });
    const engine = createRemoteEngine({ baseUrl: server.baseUrl, model: 'tiny-chat' });
    const stream = await engine.chat.completions.create({ messages: [{ role: 'user', content: 'x' }], stream: true });
    const got: string[] = [];
    const err = await (async () => {
      for await (const c of stream) got.push(c.choices[0]?.delta.content ?? '');
    })().catch((e) => e);
    expect(got.join('')).toBe('Hello,');
    expect(err).toBeInstanceOf(EngineError);
    expect(err.message).toMatch(/CUDA out of memory/);
  });

  it('lists models and embeds', async () => {
    server = await startTestServer();
    const engine = createRemoteEngine({ baseUrl: server.baseUrl, model: 'tiny-embed' });
    const models = await engine.listModels();
    expect(models.map((m) => m.id)).toEqual(['tiny-chat', 'tiny-embed']);
    expect(models[0]).toMatchObject({ engine: 'remote', contextWindow: 2048 });
    expect(models[1]!.capabilities).toEqual(['embeddings']);
    const e = await engine.embeddings.create({ input: ['abc', 'de'] });
    expect(e.data.map((d) => d.embedding)).toEqual([[3, 1, 0], [2, 1, 0]]);
  });

  it('turns a wrong key into an auth error', async () => {
    server = await startTestServer({ apiKey: 'right' });
    const engine = createRemoteEngine({ baseUrl: server.baseUrl, apiKey: 'wrong', model: 'tiny-chat' });
    const err = await engine.chat.completions.create({ messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err.code).toBe('auth');
    expect(err.message).toMatch(/Incorrect API key/);
    await expect(engine.listModels()).rejects.toMatchObject({ code: 'auth' });
  });

  it('reports an unknown model, a missing /v1 and an over-long prompt', async () => {
    server = await startTestServer({ contextWindow: 5 });
    const engine = createRemoteEngine({ baseUrl: server.baseUrl, model: 'nope' });
    await expect(engine.chat.completions.create({ messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ code: 'model-not-found' });
    const noV1 = createRemoteEngine({ baseUrl: server.baseUrl.replace(/\/v1$/, ''), model: 'tiny-chat' });
    const err = await noV1.chat.completions.create({ messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(err.code).toBe('invalid-request');
    expect(err.hint).toMatch(/\/v1/);
    const ok = createRemoteEngine({ baseUrl: server.baseUrl, model: 'tiny-chat' });
    await expect(ok.chat.completions.create({ messages: [{ role: 'user', content: 'a b c d e f g h' }], stream: true })).rejects.toMatchObject({ code: 'context-window' });
  });

  it('reports an unreachable host (nothing listening)', async () => {
    server = await startTestServer();
    const url = server.baseUrl;
    await server.close();
    server = null;
    const engine = createRemoteEngine({ baseUrl: url, model: 'tiny-chat' });
    const err = await engine.chat.completions.create({ messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(err.code).toBe('unreachable');
    expect(err.hint).toMatch(/11434/);
  });

  it('asks for a model name when none is set', async () => {
    const engine = createRemoteEngine({ baseUrl: 'http://127.0.0.1:9/v1' });
    await expect(engine.chat.completions.create({ messages: [] })).rejects.toMatchObject({ code: 'invalid-request' });
  });
});

describe('remote error classification', () => {
  it('tells CORS from unreachable with a no-cors probe', async () => {
    const probeOk = (async () => new Response(null, { status: 200 })) as unknown as typeof fetch;
    const probeFails = (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    const cors = await classifyFetchFailure(new TypeError('Failed to fetch'), 'http://localhost:11434/v1/chat/completions', probeOk, undefined, false);
    expect(cors.code).toBe('cors');
    expect(cors.hint).toMatch(/OLLAMA_ORIGINS/);
    const down = await classifyFetchFailure(new TypeError('Failed to fetch'), 'http://localhost:11434/v1/chat/completions', probeFails, undefined, false);
    expect(down.code).toBe('unreachable');
    expect(down.hint).not.toMatch(/OLLAMA_ORIGINS/);
    // Cross-origin isolated pages block the probe too: say both, honestly.
    const either = await classifyFetchFailure(new TypeError('Failed to fetch'), 'http://localhost:11434/v1/models', probeFails, undefined, true);
    expect(either.code).toBe('unreachable');
    expect(either.message).toMatch(/CORS/);
    expect(either.hint).toMatch(/OLLAMA_ORIGINS/);
  });

  it('explains mixed content on https pages', async () => {
    const f = (async () => new Response(null)) as unknown as typeof fetch;
    const e = await classifyFetchFailure(new TypeError('Failed to fetch'), 'http://example.com/v1/models', f, 'https:');
    expect(e.code).toBe('unreachable');
    expect(e.message).toMatch(/HTTPS/);
    // localhost is allowed from https pages, so it's probed instead
    expect((await classifyFetchFailure(new TypeError('x'), 'http://localhost:8080/v1/models', f, 'https:')).code).toBe('cors');
  });

  it('a CORS-blocked engine request surfaces as cors', async () => {
    let calls = 0;
    const f = (async (_url: string, init?: RequestInit) => {
      calls++;
      if (init?.mode === 'no-cors') return new Response(null);
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    const engine = createRemoteEngine({ baseUrl: 'http://localhost:11434/v1', model: 'm', fetch: f });
    await expect(engine.chat.completions.create({ messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ code: 'cors' });
    expect(calls).toBe(2);
  });

  it('maps statuses', () => {
    expect(httpError(403, '{"error":"forbidden"}', 'u').code).toBe('auth');
    expect(httpError(429, '', 'u').code).toBe('quota');
    expect(httpError(503, '{"detail":"loading"}', 'u').message).toMatch(/loading/);
    expect(httpError(422, '{"detail":[{"msg":"bad"}]}', 'u').code).toBe('invalid-request');
  });

  it('validates base URLs', () => {
    expect(validateBaseUrl('localhost:11434')).toMatch(/full URL/);
    expect(validateBaseUrl('ftp://x')).toMatch(/http/);
    expect(validateBaseUrl('http://u:p@x/v1')).toMatch(/key field/);
    expect(validateBaseUrl('http://localhost:11434/v1')).toBeNull();
    expect(endpoint('http://x/v1//', '/models')).toBe('http://x/v1/models');
    expect(() => createRemoteEngine({ baseUrl: 'nope' })).toThrow(EngineError);
  });
});
