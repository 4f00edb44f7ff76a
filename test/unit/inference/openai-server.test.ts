/**
 * The in-page OpenAI-compatible server (`src/lib/inference/openai-server.ts`) over a random-weight
 * TinyLM engine: routes, SSE framing, OpenAI error bodies and status codes, disconnects, and the
 * remote backend's engine contract through a fetch double that calls the handler.
 */
import { describe, expect, it } from 'vitest';
import { createOpenAIHandler } from '../../../src/lib/inference/openai-server';
import { batchedCompleter } from '../../../src/lib/inference/serving-engine';
import { ContinuousBatcher } from '../../../src/lib/inference/continuous-batcher';
import { createTinyLMEngine } from '../../../src/lib/engine/tinylm-engine';
import { createRandomTinyLM, RANDOM_MODEL_INFO } from '../../../src/lib/engine/tinylm-models';
import { createRemoteEngine } from '../../../src/lib/engine/remote';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ChatEngine } from '../../../src/lib/engine/types';
import { runEngineContract } from '../engine/contract';
import { tinyEngine } from '../engine/tiny-fixture';

const ORIGIN = 'http://lab.test';
const MODEL = RANDOM_MODEL_INFO.id;

/** A TinyLM engine with a short window (cheap context-overflow tests). */
function shortEngine(window = 96) {
  return createTinyLMEngine({
    loader: async (id) => ({ ...createRandomTinyLM(1, window), id }),
    models: [{ ...RANDOM_MODEL_INFO, contextWindow: window }],
    defaultModel: MODEL,
  });
}

/** Wraps an engine to count streamed chunks and see when a stream was closed. */
function spy(engine: ChatEngine) {
  const log = { pulled: 0, closed: 0, finishes: [] as string[] };
  const create = engine.chat.completions.create.bind(engine.chat.completions);
  const wrapped: ChatEngine = {
    ...engine,
    kind: engine.kind,
    listModels: engine.listModels?.bind(engine),
    embeddings: engine.embeddings,
    interrupt: () => engine.interrupt(),
    unload: () => engine.unload(),
    chat: {
      completions: {
        create: (async (req: ChatCompletionRequest) => {
          const r = await create(req);
          if (!req.stream) return r;
          return (async function* () {
            try {
              for await (const c of r as AsyncIterable<ChatCompletionChunk>) {
                log.pulled++;
                for (const ch of c.choices) if (ch.finish_reason) log.finishes.push(ch.finish_reason);
                yield c;
              }
            } finally {
              log.closed++;
            }
          })();
        }) as ChatEngine['chat']['completions']['create'],
      },
    },
  };
  return { wrapped, log };
}

const post = (path: string, body: unknown, init: RequestInit = {}) =>
  new Request(ORIGIN + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body), ...init });

const chatBody = (extra: Record<string, unknown> = {}) => ({ model: MODEL, messages: [{ role: 'user', content: 'Tell me a story.' }], max_tokens: 8, temperature: 0, ...extra });

/** Parses an SSE body into its data payloads. */
async function sseData(res: Response): Promise<string[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((e) => e.trim())
    .map((e) => {
      expect(e.startsWith('data: ')).toBe(true);
      return e.slice(6);
    });
}

async function expectError(res: Response, status: number, code?: string | null) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: Record<string, unknown> };
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(typeof body.error.message).toBe('string');
  expect((body.error.message as string).length).toBeGreaterThan(0);
  if (code !== undefined) expect(body.error.code).toBe(code);
  return body.error;
}

describe('OpenAI-compatible handler', () => {
  it('GET /v1/models lists the engine models with their context window', async () => {
    const h = createOpenAIHandler({ engine: shortEngine() });
    const res = await h(new Request(ORIGIN + '/v1/models'));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { object: string; data: Array<{ id: string; object: string; max_model_len: number }> };
    expect(body.object).toBe('list');
    expect(body.data).toEqual([expect.objectContaining({ id: MODEL, object: 'model', max_model_len: 96 })]);
  });

  it('POST /v1/chat/completions returns the same completion as the engine', async () => {
    const engine = shortEngine();
    const h = createOpenAIHandler({ engine });
    const res = await h(post('/v1/chat/completions', chatBody()));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res.json()) as { object: string; choices: Array<{ message: { role: string; content: string } }>; usage: { completion_tokens: number } };
    const direct = (await engine.chat.completions.create(chatBody() as ChatCompletionRequest)) as ChatCompletion;
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0].message.role).toBe('assistant');
    expect(body.choices[0].message.content).toBe(direct.choices[0].message.content);
    expect(body.usage.completion_tokens).toBe(direct.usage!.completion_tokens);
  });

  it('streams SSE chunks ending with data: [DONE]; usage only with stream_options.include_usage', async () => {
    const engine = shortEngine();
    const h = createOpenAIHandler({ engine });
    const direct = (await engine.chat.completions.create(chatBody() as ChatCompletionRequest)) as ChatCompletion;
    const res = await h(post('/v1/chat/completions', chatBody({ stream: true, stream_options: { include_usage: true } })));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const data = await sseData(res);
    expect(data[data.length - 1]).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as ChatCompletionChunk);
    for (const c of chunks) expect(c.object).toBe('chat.completion.chunk');
    const text = chunks.flatMap((c) => c.choices.map((x) => x.delta.content ?? '')).join('');
    expect(text).toBe(direct.choices[0].message.content);
    const usageChunk = chunks[chunks.length - 1];
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage!.completion_tokens).toBe(direct.usage!.completion_tokens);
    expect(chunks.slice(0, -1).every((c) => c.usage === undefined)).toBe(true);

    const plain = (await sseData(await h(post('/v1/chat/completions', chatBody({ stream: true }))))).slice(0, -1).map((d) => JSON.parse(d) as ChatCompletionChunk);
    expect(plain.every((c) => c.usage === undefined)).toBe(true);
    expect(plain.flatMap((c) => c.choices.map((x) => x.finish_reason)).filter(Boolean)).toEqual([direct.choices[0].finish_reason]);
  });

  it('malformed JSON → 400 invalid_request_error', async () => {
    const h = createOpenAIHandler({ engine: shortEngine() });
    const e = await expectError(await h(post('/v1/chat/completions', '{"model": "x", messages: [')), 400);
    expect(e.type).toBe('invalid_request_error');
    await expectError(await h(post('/v1/chat/completions', '[1,2]')), 400);
    await expectError(await h(post('/v1/chat/completions', { model: MODEL, messages: [] })), 400);
  });

  it('unknown model → 404 model_not_found (chat and embeddings)', async () => {
    const h = createOpenAIHandler({ engine: shortEngine() });
    const e = await expectError(await h(post('/v1/chat/completions', chatBody({ model: 'gpt-4o' }))), 404, 'model_not_found');
    expect(e.message).toContain('gpt-4o');
    await expectError(await h(post('/v1/embeddings', { model: 'nope', input: 'a' })), 404, 'model_not_found');
  });

  it('a prompt over the context window → 400 context_length_exceeded, streaming or not; the engine keeps serving', async () => {
    const engine = shortEngine(96);
    const h = createOpenAIHandler({ engine, completer: batchedCompleter(async () => engine.loaded!, new ContinuousBatcher()) });
    const long = 'the cat sat on the mat and looked at the dog. '.repeat(30);
    for (const stream of [false, true]) {
      const e = await expectError(await h(post('/v1/chat/completions', chatBody({ stream, messages: [{ role: 'user', content: long }] }))), 400, 'context_length_exceeded');
      expect(e.type).toBe('invalid_request_error');
      expect(e.message).toMatch(/96-token context window/);
    }
    await expectError(await h(post('/v1/completions', { model: MODEL, prompt: long })), 400, 'context_length_exceeded');
    const ok = await h(post('/v1/chat/completions', chatBody()));
    expect(ok.status).toBe(200);
  });

  it('n > 1 is refused with 400 when the server serves one choice; allowed up to maxN', async () => {
    const e = await expectError(await createOpenAIHandler({ engine: shortEngine() })(post('/v1/chat/completions', chatBody({ n: 2 }))), 400, 'unsupported_value');
    expect(e.param).toBe('n');
    const res = await createOpenAIHandler({ engine: shortEngine(), maxN: 2 })(post('/v1/chat/completions', chatBody({ n: 2, temperature: 1, seed: 3 })));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { choices: unknown[] }).choices).toHaveLength(2);
  });

  it('wrong method → 405 with Allow; unknown path → 404', async () => {
    const h = createOpenAIHandler({ engine: shortEngine() });
    const r = await h(new Request(ORIGIN + '/v1/chat/completions', { method: 'GET' }));
    await expectError(r, 405, 'method_not_allowed');
    expect(r.headers.get('Allow')).toBe('POST');
    await expectError(await h(post('/v1/models', {})), 405);
    await expectError(await h(new Request(ORIGIN + '/v1/nothing')), 404, 'unknown_url');
  });

  it('a client that cancels the stream stops generation; the next request is served', async () => {
    const { wrapped, log } = spy(shortEngine(256));
    const h = createOpenAIHandler({ engine: wrapped });
    const res = await h(post('/v1/chat/completions', chatBody({ stream: true, max_tokens: 200, stop: undefined })));
    const reader = res.body!.getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    await new Promise((r) => setTimeout(r, 50));
    expect(log.closed).toBe(1);
    expect(log.pulled).toBeLessThan(20);
    const after = await h(post('/v1/chat/completions', chatBody()));
    expect(after.status).toBe(200);
  });

  it('an aborted request signal (fetch abort) ends the engine request with finish_reason "abort"', async () => {
    const { wrapped, log } = spy(shortEngine(256));
    const h = createOpenAIHandler({ engine: wrapped });
    const ac = new AbortController();
    const res = await h(post('/v1/chat/completions', chatBody({ stream: true, max_tokens: 200 }), { signal: ac.signal }));
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    const dec = new TextDecoder();
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += dec.decode(r.value);
    expect(log.finishes).toEqual(['abort']);
    expect(rest.trim().endsWith('data: [DONE]')).toBe(true);
    expect(log.pulled).toBeLessThan(200);
  });

  it('POST /v1/embeddings embeds strings and arrays like the engine', async () => {
    const engine = shortEngine();
    const h = createOpenAIHandler({ engine });
    const res = await h(post('/v1/embeddings', { model: MODEL, input: ['a cat', 'a dog'] }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: Array<{ index: number; embedding: number[] }>; usage: { prompt_tokens: number } };
    const direct = await engine.embeddings.create({ input: ['a cat', 'a dog'] });
    expect(body.data.map((d) => d.index)).toEqual([0, 1]);
    expect(body.data[1].embedding).toEqual(Array.from(direct.data[1].embedding));
    await expectError(await h(post('/v1/embeddings', { model: MODEL, input: 3 })), 400);
  });

  it('POST /v1/completions continues raw text (greedy reproducible, stop strings, streaming), or 404 without a completer', async () => {
    const engine = shortEngine(128);
    const get = async () => {
      await engine.chat.completions.create({ messages: [{ role: 'user', content: 'x' }], max_tokens: 1 }); // loads the model
      return engine.loaded!;
    };
    const h = createOpenAIHandler({ engine, completer: batchedCompleter(get, new ContinuousBatcher()) });
    const req = { model: MODEL, prompt: 'Once upon a time', max_tokens: 12, temperature: 0 };
    const a = (await (await h(post('/v1/completions', req))).json()) as { object: string; choices: Array<{ text: string; finish_reason: string }>; usage: { completion_tokens: number } };
    const b = (await (await h(post('/v1/completions', req))).json()) as typeof a;
    expect(a.object).toBe('text_completion');
    expect(a.choices[0].text).toBe(b.choices[0].text);
    expect(a.usage.completion_tokens).toBeLessThanOrEqual(12);
    const text = a.choices[0].text;
    const streamed = (await sseData(await h(post('/v1/completions', { ...req, stream: true }))))
      .slice(0, -1)
      .map((d) => (JSON.parse(d) as { choices: Array<{ text: string }> }).choices[0].text)
      .join('');
    expect(streamed).toBe(text);
    if (text.length > 4) {
      const stop = text.slice(2, 4);
      const cut = (await (await h(post('/v1/completions', { ...req, stop }))).json()) as typeof a;
      expect(cut.choices[0].text).toBe(text.slice(0, text.indexOf(stop)));
      expect(cut.choices[0].finish_reason).toBe('stop');
    }
    await expectError(await createOpenAIHandler({ engine })(post('/v1/completions', req)), 404);
  });
});

// The remote backend's contract, with every request going through the handler (no sockets).
runEngineContract(
  'remote → in-page OpenAI handler → TinyLM (random)',
  () => {
    const h = createOpenAIHandler({ engine: tinyEngine(), maxN: 4 });
    return createRemoteEngine({ baseUrl: `${ORIGIN}/v1`, model: MODEL, fetch: (async (url: RequestInfo | URL, init?: RequestInit) => h(new Request(url, init))) as typeof fetch });
  },
  // tokenize: the wire format has no tokenizer endpoint.
  { skip: ['tokenize'], jsonSeeds: 2 },
);
