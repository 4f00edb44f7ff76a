import { describe, expect, it } from 'vitest';
import { emptyCapabilities, type Capabilities } from '../../../src/lib/capabilities/detect';
import { EngineError } from '../../../src/lib/engine/errors';
import type { ChatCompletion, ChatCompletionChunk } from '../../../src/lib/engine/types';
import { ARCTIC_QUERY_PREFIX, createWebLLMEngine, toWebLLMRequest } from '../../../src/lib/engine/webllm/adapter';
import { FakeMLCEngine, fakeHostFactory, memoryCache, type FakeWebLLMOptions } from '../../../src/lib/engine/webllm/fake';
import type { WebLLMProgress } from '../../../src/lib/engine/webllm/progress';

const MODEL = 'SmolLM2-360M-Instruct-q4f32_1-MLC';
const F16_MODEL = 'SmolLM2-360M-Instruct-q4f16_1-MLC';
const EMBED = 'snowflake-arctic-embed-s-q0f32-MLC-b4';

function gpuCaps(shaderF16 = true): Capabilities {
  return {
    ...emptyCapabilities(),
    webgpuProblem: null,
    webgpu: {
      vendor: 'test',
      architecture: '',
      device: '',
      description: '',
      isFallbackAdapter: false,
      shaderF16,
      features: shaderF16 ? ['shader-f16'] : [],
      limits: { maxStorageBufferBindingSize: 2 ** 31, maxBufferSize: 2 ** 31, maxComputeWorkgroupStorageSize: 32768, maxComputeInvocationsPerWorkgroup: 256 },
    },
  };
}

function setup(opts: FakeWebLLMOptions = {}, env = { online: true, userAgent: '' }, capabilities?: Capabilities) {
  const made: FakeMLCEngine[] = [];
  const engine = createWebLLMEngine({ factory: fakeHostFactory(opts, (e) => made.push(e)), env: () => env, capabilities });
  return { engine, made, fake: () => made[made.length - 1]! };
}

async function collect(it: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const out: ChatCompletionChunk[] = [];
  for await (const c of it) out.push(c);
  return out;
}

describe('WebLLM adapter: loading', () => {
  it('reports download progress with bytes and marks the model cached', async () => {
    const cache = memoryCache();
    const { engine } = setup({ cache, shards: 4, shardBytes: 10 * 1024 * 1024 });
    const seen: WebLLMProgress[] = [];
    await engine.load(MODEL, (p) => seen.push(p));
    const downloads = seen.filter((p) => p.phase === 'download' && p.loadedBytes);
    expect(downloads.map((p) => p.loadedBytes)).toEqual([10, 20, 30, 40].map((mb) => mb * 1024 * 1024));
    expect(downloads.at(-1)!.totalBytes).toBe(40 * 1024 * 1024);
    expect(downloads[0]!.shard).toEqual({ done: 1, total: 4 });
    expect(seen.at(-1)!.progress).toBe(1);
    expect(cache.has(MODEL)).toBe(true);
    expect(engine.loadedModels).toEqual([MODEL]);
  });

  it('loads from the cache while offline', async () => {
    const { engine } = setup({ cache: memoryCache([MODEL]), online: () => false }, { online: false, userAgent: '' });
    const seen: WebLLMProgress[] = [];
    await engine.load(MODEL, (p) => seen.push(p));
    expect(seen.some((p) => p.phase === 'load-from-cache')).toBe(true);
    expect(seen.some((p) => p.phase === 'download')).toBe(false);
  });

  it('fails offline for a model that is not cached, with a not-cached error', async () => {
    const { engine } = setup({ online: () => false }, { online: false, userAgent: '' });
    const err = await engine.load(MODEL).catch((e) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err.code).toBe('not-cached');
    expect(engine.loadedModels).toEqual([]);
  });

  it('maps string rejections from reload', async () => {
    const { engine } = setup({ reloadError: 'DeviceLostError: The WebGPU device was lost while loading the model.' });
    await expect(engine.load(MODEL)).rejects.toMatchObject({ code: 'device-lost' });
  });

  it('fails fast without WebGPU or shader-f16 when capabilities are known, before creating a worker', async () => {
    const noGpu = setup({}, { online: true, userAgent: 'Firefox/130.0' }, emptyCapabilities());
    await expect(noGpu.engine.load(MODEL)).rejects.toMatchObject({ code: 'no-webgpu' });
    expect(noGpu.made).toHaveLength(0);
    const noF16 = setup({}, undefined, gpuCaps(false));
    const err = await noF16.engine.load(F16_MODEL).catch((e) => e);
    expect(err.code).toBe('no-shader-f16');
    expect(err.hint).toContain(MODEL);
    expect(noF16.made).toHaveLength(0);
    await noF16.engine.load(MODEL); // the q4f32 twin loads
    expect(noF16.engine.loadedModels).toEqual([MODEL]);
  });

  it('fails fast when the model needs larger GPU buffers than the device allows', async () => {
    const small = gpuCaps(false);
    small.webgpu!.limits.maxStorageBufferBindingSize = 128 * 1024 * 1024;
    const { engine, made } = setup({}, undefined, small);
    await expect(engine.load('gemma-2b-it-q4f32_1-MLC')).rejects.toMatchObject({ code: 'model-too-large' });
    expect(made).toHaveLength(0);
  });

  it('rejects unknown model ids when capabilities are known', async () => {
    const { engine } = setup({}, undefined, gpuCaps());
    await expect(engine.load('Nope-1B-q4f16_1-MLC')).rejects.toMatchObject({ code: 'model-not-found' });
  });

  it('cancels a download: the load rejects with aborted and the host is stopped', async () => {
    const { engine, made } = setup({ delayMs: 20, shards: 50 });
    const ac = new AbortController();
    const p = engine.load(MODEL, (pr) => {
      if (pr.phase === 'download' && (pr.shard?.done ?? 0) >= 2) ac.abort();
    }, { signal: ac.signal });
    await expect(p).rejects.toMatchObject({ code: 'aborted' });
    expect(engine.loadedModels).toEqual([]);
    expect(made).toHaveLength(1);
    // a new load starts a fresh host
    const q = setup({});
    await q.engine.load(MODEL);
    expect(q.engine.loadedModels).toEqual([MODEL]);
  });

  it('a second load replaces the first: the first is aborted, the second loads on a fresh host', async () => {
    const { engine, made } = setup({ delayMs: 10, shards: 20 });
    const first = engine.load(MODEL);
    await new Promise((r) => setTimeout(r, 25));
    const second = engine.load(EMBED);
    await expect(first).rejects.toMatchObject({ code: 'aborted' });
    await second;
    expect(engine.loadedModels).toEqual([EMBED]);
    expect(made).toHaveLength(2);
  });

  it('cancelLoad() stops a load in flight', async () => {
    const { engine } = setup({ delayMs: 20, shards: 50 });
    const p = engine.load(MODEL);
    setTimeout(() => engine.cancelLoad(), 30);
    await expect(p).rejects.toMatchObject({ code: 'aborted' });
  });

  it('a crashed worker rejects the load as worker-crashed, and the next load starts a new host', async () => {
    let hosts = 0;
    const engine = createWebLLMEngine({
      env: () => ({ online: true }),
      factory: async (cfg) => {
        hosts++;
        if (hosts === 1) {
          const crashed = Promise.reject(new EngineError('worker-crashed', 'The WebLLM worker stopped.'));
          crashed.catch(() => {});
          return { engine: { ...new FakeMLCEngine(), reload: () => new Promise<void>(() => {}) } as unknown as FakeMLCEngine, terminate: () => {}, crashed };
        }
        return fakeHostFactory()(cfg);
      },
    });
    await expect(engine.load(MODEL)).rejects.toMatchObject({ code: 'worker-crashed' });
    await engine.load(MODEL);
    expect(hosts).toBe(2);
    expect(engine.loadedModels).toEqual([MODEL]);
  });

  it('loads several models in one engine', async () => {
    const { engine } = setup();
    await engine.load([MODEL, EMBED]);
    expect(engine.loadedModels).toEqual([MODEL, EMBED]);
  });
});

describe('WebLLM adapter: requests', () => {
  it('passes OpenAI parameters through and translates response_format', () => {
    const r = toWebLLMRequest({
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      seed: 7,
      temperature: 0.5,
      top_k: 40,
      logit_bias: { '42': -100 },
      logprobs: true,
      top_logprobs: 3,
      frequency_penalty: 0.5,
      response_format: { type: 'json_schema', json_schema: { schema: { type: 'object' } } },
      signal: new AbortController().signal,
    });
    expect(r).toMatchObject({ seed: 7, temperature: 0.5, logit_bias: { '42': -100 }, logprobs: true, top_logprobs: 3, frequency_penalty: 0.5 });
    expect(r.response_format).toEqual({ type: 'json_object', schema: '{"type":"object"}' });
    expect(r.stream_options).toEqual({ include_usage: true });
    expect(r).not.toHaveProperty('signal');
    expect(r).not.toHaveProperty('top_k');
    expect(toWebLLMRequest({ messages: [], response_format: { type: 'grammar', grammar: 'root ::= "a"' } }).response_format).toEqual({ type: 'grammar', grammar: 'root ::= "a"' });
    expect(toWebLLMRequest({ messages: [], response_format: { type: 'text' } })).not.toHaveProperty('response_format');
  });

  it('refuses requests before a model is loaded', async () => {
    const { engine } = setup();
    await expect(engine.chat.completions.create({ messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ code: 'invalid-request' });
  });

  it('streams chunks, logprobs and a final usage chunk with timings', async () => {
    const { engine, fake } = setup();
    await engine.load(MODEL);
    const stream = await engine.chat.completions.create({ messages: [{ role: 'user', content: 'hello there' }], stream: true, logprobs: true, top_logprobs: 1 });
    const chunks = await collect(stream);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('You said: hello there');
    expect(chunks.find((c) => c.choices[0]?.logprobs)?.choices[0]!.logprobs!.content![0]!.token).toBe('Y');
    // web-llm's separate usage chunk is merged into the finish chunk
    const last = chunks.at(-1)!;
    expect(last.choices[0]!.finish_reason).toBe('stop');
    expect(last.usage!.completion_tokens).toBe([...'You said: hello there'].length);
    expect(chunks.filter((c) => c.usage)).toHaveLength(1);
    expect(fake().requests.at(-1)!.stream_options).toEqual({ include_usage: true });
  });

  it('returns a complete message without streaming', async () => {
    const { engine } = setup();
    await engine.load(MODEL);
    const r = (await engine.chat.completions.create({ messages: [{ role: 'user', content: 'a b' }], max_tokens: 2 })) as ChatCompletion;
    expect(r.choices[0]!.message.content).toBe('Yo');
    expect(r.choices[0]!.finish_reason).toBe('length');
  });

  it('interrupt() ends the stream with finish_reason abort', async () => {
    const { engine } = setup({ delayMs: 5, reply: () => Array.from({ length: 200 }, (_, i) => ` t${i}`) });
    await engine.load(MODEL);
    const stream = await engine.chat.completions.create({ messages: [{ role: 'user', content: 'go' }], stream: true });
    const chunks: ChatCompletionChunk[] = [];
    for await (const c of stream) {
      chunks.push(c);
      if (chunks.length === 3) await engine.interrupt();
    }
    expect(chunks.length).toBeLessThan(50);
    expect(chunks.some((c) => c.choices[0]?.finish_reason === 'abort')).toBe(true);
  });

  it('an aborted signal interrupts the request', async () => {
    const { engine } = setup({ delayMs: 5, reply: () => Array.from({ length: 200 }, (_, i) => ` t${i}`) });
    await engine.load(MODEL);
    const ac = new AbortController();
    const stream = await engine.chat.completions.create({ messages: [{ role: 'user', content: 'go' }], stream: true, signal: ac.signal });
    let n = 0;
    let finish: string | null = null;
    for await (const c of stream) {
      if (++n === 2) ac.abort();
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe('abort');
    const aborted = new AbortController();
    aborted.abort();
    await expect(engine.chat.completions.create({ messages: [{ role: 'user', content: 'x' }], signal: aborted.signal })).rejects.toMatchObject({ code: 'aborted' });
  });

  it('maps errors thrown by requests (context window exceeded)', async () => {
    const { engine } = setup();
    await engine.load(MODEL);
    const long = 'word '.repeat(2000);
    await expect(engine.chat.completions.create({ messages: [{ role: 'user', content: long }] })).rejects.toMatchObject({ code: 'context-window' });
  });

  it('refuses tools on models without tool support', async () => {
    const { engine } = setup();
    await engine.load(MODEL);
    const req = { messages: [{ role: 'user' as const, content: 'x' }], tools: [{ type: 'function' as const, function: { name: 'f' } }] };
    await expect(engine.chat.completions.create(req)).rejects.toMatchObject({ code: 'invalid-request' });
  });

  it('embeds with the arctic query prefix for queries, and routes to the embedding model', async () => {
    const { engine, fake } = setup();
    await engine.load([MODEL, EMBED]);
    const r = await engine.embeddings.create({ input: ['what is rag'], input_type: 'query' });
    expect(r.data).toHaveLength(1);
    expect(r.data[0]!.embedding.length).toBeGreaterThan(0);
    const sent = fake().requests.at(-1)!;
    expect(sent.input).toEqual([ARCTIC_QUERY_PREFIX + 'what is rag']);
    expect(sent.model).toBe(EMBED);
    await engine.embeddings.create({ input: 'doc', input_type: 'document' });
    expect(fake().requests.at(-1)!.input).toEqual(['doc']);
  });

  it('unload frees the model; listModels shows the catalogue', async () => {
    const { engine } = setup();
    await engine.load(MODEL);
    expect(await engine.runtimeStats()).toMatch(/tokens\/sec/);
    await engine.unload();
    expect(engine.loadedModels).toEqual([]);
    const models = await engine.listModels();
    expect(models.find((m) => m.id === MODEL)).toMatchObject({ engine: 'webllm', contextWindow: 4096 });
    expect(models.find((m) => m.id === EMBED)?.capabilities).toEqual(['embeddings']);
  });
});
