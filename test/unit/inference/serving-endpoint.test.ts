/**
 * The OpenAI-compatible endpoint over the continuously batched serving engine (in Node, through
 * the serving worker's API): concurrent requests share forward passes and each still gets the
 * output it gets alone (greedy and seeded sampling, chat and raw completions); a client that
 * disconnects mid-stream retires its sequence and frees its blocks while the others finish;
 * OpenAI error bodies; the remote backend's engine contract through the handler.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../../src/lib/tinylm/checkpoint';
import { createOpenAIWorkerApi, type RelayPart } from '../../../src/lib/inference/openai-worker-api';
import { createServingEngine } from '../../../src/lib/inference/serving-engine';
import { compareEndpoint, endpointRequests } from '../../../src/lib/inference/endpoint-measure';
import { createOpenAIHandler } from '../../../src/lib/inference/openai-server';
import { createRemoteEngine } from '../../../src/lib/engine/remote';
import { createTinyLMEngine, type LoadedTinyLM } from '../../../src/lib/engine/tinylm-engine';
import { createRandomTinyLM, RANDOM_MODEL_INFO } from '../../../src/lib/engine/tinylm-models';
import type { ChatCompletion, ChatCompletionRequest, ModelInfo } from '../../../src/lib/engine/types';
import { runEngineContract } from '../engine/contract';
import { QA_SYSTEM, renderQAUser } from '../../../src/lib/tinylm/corpus/instruct';

const ORIGIN = 'http://lab.test';

const shipped = (id: string): LoadedTinyLM => {
  const dir = `public/models/${id}`;
  const { model, tokenizer } = loadModel({ config: readFileSync(`${dir}/config.json`, 'utf8'), safetensors: readFileSync(`${dir}/model.safetensors`), tokenizer: readFileSync(`${dir}/tokenizer.json`, 'utf8') });
  return { id, model, tokenizer };
};
const MODELS: ModelInfo[] = [
  { id: 'tinylm-chat', engine: 'tinylm', displayName: 'chat', contextWindow: 256, capabilities: ['chat', 'completion', 'embeddings', 'tools', 'json_schema', 'logprobs'] },
  { id: 'tinylm-base', engine: 'tinylm', displayName: 'base', contextWindow: 256, capabilities: ['completion', 'embeddings'] },
];
const cache = new Map<string, LoadedTinyLM>();
const source = { models: async () => MODELS, loader: async (id: string) => cache.get(id) ?? cache.set(id, shipped(id)).get(id)! };

const post = (path: string, body: unknown, init: RequestInit = {}) =>
  new Request(ORIGIN + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body), ...init });

// The chat model's trained context-QA format.
const QUESTIONS = [
  renderQAUser('Mia lives in Oslo. Her favorite color is green.', "What is Mia's favorite color?"),
  renderQAUser('Tom lives in Lima. He works as a baker.', "What is Tom's job?"),
  renderQAUser('Ben lives in Paris. He is 7 years old. He has a dog named Rex.', "What is the name of Ben's dog?"),
  renderQAUser('Lily lives in Rome. Every Monday, she goes to the park.', 'Where does Lily go every Monday?'),
];
const chat = (q: string, extra: Record<string, unknown> = {}) => ({ model: 'tinylm-chat', messages: [{ role: 'system', content: QA_SYSTEM }, { role: 'user', content: q }], max_tokens: 20, temperature: 0, ...extra });

function server(maxBatch = 4) {
  const engine = createServingEngine({ ...source, maxBatch });
  const handler = createOpenAIHandler({ engine, models: source.models, completer: engine.completer, maxN: 4 });
  return { engine, handler };
}

async function sseText(res: Response): Promise<{ text: string; finish: string[]; usage?: ChatCompletion['usage'] }> {
  const body = await res.text();
  const events = body.split('\n\n').filter((e) => e.trim()).map((e) => e.slice(6));
  expect(events[events.length - 1]).toBe('[DONE]');
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as { choices: Array<{ delta?: { content?: string }; text?: string; finish_reason: string | null }>; usage?: ChatCompletion['usage'] });
  return {
    text: chunks.flatMap((c) => c.choices.map((x) => x.delta?.content ?? x.text ?? '')).join(''),
    finish: chunks.flatMap((c) => c.choices.map((x) => x.finish_reason).filter((f): f is string => !!f)),
    usage: chunks.find((c) => c.usage)?.usage,
  };
}

describe('OpenAI endpoint over the continuous-batching engine (shipped TinyLM)', () => {
  it('concurrent chat requests share forward passes; each reply equals the request alone and the one-at-a-time chat engine', async () => {
    const { handler } = server(4);
    const alone: ChatCompletion[] = [];
    for (const q of QUESTIONS) alone.push((await (await handler(post('/v1/chat/completions', chat(q)))).json()) as ChatCompletion);
    for (const a of alone) expect(a.usage!.extra!.mean_batch_size).toBe(1);
    const together = (await Promise.all(QUESTIONS.map(async (q) => (await handler(post('/v1/chat/completions', chat(q)))).json()))) as ChatCompletion[];
    expect(together.map((c) => c.choices[0].message.content)).toEqual(alone.map((c) => c.choices[0].message.content));
    expect(together.map((c) => c.usage!.completion_tokens)).toEqual(alone.map((c) => c.usage!.completion_tokens));
    expect(Math.max(...together.map((c) => c.usage!.extra!.mean_batch_size!))).toBeGreaterThan(2);
    // The sequential engine (KV-cached session, other kernels) gives the same greedy text.
    const plain = createTinyLMEngine({ loader: source.loader, models: MODELS, defaultModel: 'tinylm-chat' });
    for (let i = 0; i < QUESTIONS.length; i++) {
      const r = await plain.chat.completions.create(chat(QUESTIONS[i]) as ChatCompletionRequest & { stream?: false });
      expect(r.choices[0].message.content).toBe(alone[i].choices[0].message.content);
    }
    expect(alone.slice(0, 2).map((a) => a.choices[0].message.content)).toEqual(['green', 'baker']); // the model answers from the context
  }, 60_000);

  it('seeded sampling per request: concurrent streams equal the same requests alone', async () => {
    const { handler } = server(4);
    const reqs = QUESTIONS.map((q, i) => chat(q, { temperature: 1, seed: 11 + i, stream: true }));
    const alone = [];
    for (const r of reqs) alone.push((await sseText(await handler(post('/v1/chat/completions', r)))).text);
    const together = await Promise.all(reqs.map(async (r) => (await sseText(await handler(post('/v1/chat/completions', r)))).text));
    expect(together).toEqual(alone);
  }, 60_000);

  it('/v1/completions is batched too: concurrent raw continuations equal each alone, stop strings cut', async () => {
    const { handler } = server(4);
    const prompts = ['Once upon a time, a little fox', 'Tom went to the park.', 'Lily had a red ball. She'];
    const body = (p: string) => ({ model: 'tinylm-base', prompt: p, max_tokens: 16, temperature: 0 });
    const alone: string[] = [];
    for (const p of prompts) alone.push(((await (await handler(post('/v1/completions', body(p)))).json()) as { choices: Array<{ text: string }> }).choices[0].text);
    const together = await Promise.all(prompts.map(async (p) => ((await (await handler(post('/v1/completions', body(p)))).json()) as { choices: Array<{ text: string }> }).choices[0].text));
    expect(together).toEqual(alone);
    const streamed = await sseText(await handler(post('/v1/completions', { ...body(prompts[0]), stream: true })));
    expect(streamed.text).toBe(alone[0]);
    const stop = alone[0].slice(4, 7);
    const cut = (await (await handler(post('/v1/completions', { ...body(prompts[0]), stop }))).json()) as { choices: Array<{ text: string; finish_reason: string }> };
    expect(cut.choices[0].text).toBe(alone[0].slice(0, alone[0].indexOf(stop)));
    expect(cut.choices[0].finish_reason).toBe('stop');
  }, 60_000);

  it('a client that disconnects mid-stream: its sequence is retired and its blocks freed; the others finish unchanged', async () => {
    const { handler, engine } = server(4);
    const long = chat(QUESTIONS[1], { max_tokens: 120, stream: true, temperature: 1, seed: 3 });
    const short = chat(QUESTIONS[0]);
    const want = ((await (await handler(post('/v1/chat/completions', short))).json()) as ChatCompletion).choices[0].message.content;
    const res = await handler(post('/v1/chat/completions', long));
    const reader = res.body!.getReader();
    await reader.read();
    const other = handler(post('/v1/chat/completions', short)).then((r) => r.json() as Promise<ChatCompletion>);
    await reader.read();
    await reader.cancel();
    const got = await other;
    expect(got.choices[0].message.content).toBe(want);
    await new Promise((r) => setTimeout(r, 20));
    expect(engine.batcher.load).toEqual({ waiting: 0, running: 0 });
    const steps = engine.batcher.steps;
    expect(steps[steps.length - 1].blocksUsed).toBeLessThanOrEqual(2); // only the last live sequence's blocks were in use
    // far fewer steps than the 120 tokens the cancelled request asked for
    expect(steps.filter((s) => s.batch === 2).length).toBeLessThan(60);
  }, 60_000);

  it('OpenAI errors: malformed JSON 400, unknown model 404, over the window 400 context_length_exceeded, n > 4 400; the engine keeps serving', async () => {
    const { handler } = server(2);
    const err = async (r: Response) => ({ status: r.status, ...((await r.json()) as { error: { code: string | null; type: string } }).error });
    expect(await err(await handler(post('/v1/chat/completions', '{"model": ')))).toMatchObject({ status: 400, type: 'invalid_request_error' });
    expect(await err(await handler(post('/v1/chat/completions', chat('hi', { model: 'gpt-4o' }))))).toMatchObject({ status: 404, code: 'model_not_found' });
    const long = 'the cat sat on the mat and looked at the dog. '.repeat(30);
    for (const stream of [false, true]) expect(await err(await handler(post('/v1/chat/completions', chat(long, { stream }))))).toMatchObject({ status: 400, code: 'context_length_exceeded' });
    expect(await err(await handler(post('/v1/completions', { model: 'tinylm-base', prompt: long })))).toMatchObject({ status: 400, code: 'context_length_exceeded' });
    expect(await err(await handler(post('/v1/chat/completions', chat('hi', { n: 5 }))))).toMatchObject({ status: 400, code: 'unsupported_value' });
    const ok = await handler(post('/v1/chat/completions', chat(QUESTIONS[0])));
    expect(ok.status).toBe(200);
    const emb = (await (await handler(post('/v1/embeddings', { model: 'tinylm-chat', input: ['a kite', 'a ball'] }))).json()) as { data: unknown[] };
    expect(emb.data).toHaveLength(2);
    const models = (await (await handler(new Request(ORIGIN + '/v1/models'))).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((m) => m.id)).toEqual(['tinylm-chat', 'tinylm-base']);
  }, 60_000);

  it('the worker API streams the head and body chunks, numbers its steps, and a cancelled call ends the reply with finish "abort"', async () => {
    const api = createOpenAIWorkerApi(source);
    await api.init({ modelsBaseUrl: 'unused', maxBatch: 4 });
    const parts: RelayPart[] = [];
    const ac = new AbortController();
    const body = new TextEncoder().encode(JSON.stringify(chat(QUESTIONS[1], { max_tokens: 100, stream: true, temperature: 1, seed: 5 }))).buffer as ArrayBuffer;
    let chunks = 0;
    await api.fetch({ method: 'POST', url: ORIGIN + '/v1/chat/completions', headers: [['content-type', 'application/json']], body }, {
      signal: ac.signal,
      progress: async (p) => {
        parts.push(p);
        if (p.type === 'chunk' && ++chunks === 3) ac.abort();
      },
    });
    expect(parts[0]).toMatchObject({ type: 'head', status: 200 });
    const text = parts.slice(1).map((p) => (p.type === 'chunk' ? new TextDecoder().decode(p.bytes) : '')).join('');
    expect(text).toContain('"finish_reason":"abort"');
    expect(text.trim().endsWith('data: [DONE]')).toBe(true);
    const steps = await api.steps(0);
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.length).toBeLessThan(60);
    expect(steps.map((s) => s.n)).toEqual(steps.map((_, i) => i + 1));
  }, 60_000);
});

describe('n choices share their prompt (PagedAttention parallel sampling)', () => {
  it('one prefill, the others fork its blocks; each choice equals the one-at-a-time engine\'s', async () => {
    const { handler, engine } = server(4);
    const body = chat(QUESTIONS[2], { n: 3, temperature: 1, seed: 21, max_tokens: 16 });
    const before = engine.batcher.steps.length;
    const r = (await (await handler(post('/v1/chat/completions', body))).json()) as ChatCompletion;
    expect(r.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    const steps = engine.batcher.steps.slice(before);
    expect(steps[0].batch).toBe(1); // the prompt, prefilled once
    expect(steps[0].tokens).toBe(r.usage!.prompt_tokens);
    expect(steps[1].batch).toBe(3); // then three sequences decode together
    expect(r.usage!.extra!.cached_prompt_tokens).toBe(2 * r.usage!.prompt_tokens);
    const plain = createTinyLMEngine({ loader: source.loader, models: MODELS, defaultModel: 'tinylm-chat' });
    const ref = await plain.chat.completions.create(body as ChatCompletionRequest & { stream?: false });
    expect(r.choices.map((c) => c.message.content)).toEqual(ref.choices.map((c) => c.message.content));
    expect(new Set(r.choices.map((c) => c.message.content)).size).toBeGreaterThan(1); // sampled: they differ
  }, 60_000);
});

describe('engine lifecycle', () => {
  it('unload ends the requests in flight (finish "abort") and frees the caches; the next request loads again', async () => {
    const { handler, engine } = server(4);
    const res = await handler(post('/v1/chat/completions', chat(QUESTIONS[1], { max_tokens: 150, stream: true, temperature: 1, seed: 4, logit_bias: { '0': -100, '2': -100 } })));
    const reader = res.body!.getReader();
    await reader.read();
    await engine.unload();
    let rest = '';
    for (let x = await reader.read(); !x.done; x = await reader.read()) rest += new TextDecoder().decode(x.value);
    expect(rest).toContain('"finish_reason":"abort"');
    expect(engine.batcher.load).toEqual({ waiting: 0, running: 0 });
    const again = (await (await handler(post('/v1/chat/completions', chat(QUESTIONS[0])))).json()) as ChatCompletion;
    expect(again.choices[0].message.content).toBe('green');
  }, 60_000);
});

describe('endpoint measurement (lab and bench)', () => {
  it('the same requests one at a time and concurrently: same replies, the concurrent ones batched', async () => {
    const { handler, engine } = server(8);
    for (const kind of ['story', 'chat'] as const) {
      const reqs = endpointRequests({ kind, n: 3, maxTokens: 12 });
      expect(new Set(reqs.map((r) => JSON.stringify(r.body))).size).toBe(3);
      const r = await compareEndpoint((path, init) => handler(new Request(ORIGIN + path, init)), { kind, n: 3, maxTokens: 12 });
      expect(r.identical).toBe(true);
      expect(r.concurrent.tokens).toBe(r.oneAtATime.tokens);
      expect(r.oneAtATime.tokens).toBeGreaterThan(kind === 'story' ? 30 : 2);
    }
    expect(Math.max(...engine.batcher.steps.map((s) => s.batch))).toBe(3);
  }, 60_000);
});

// The remote backend's contract, every request going through the handler over the batching engine.
runEngineContract(
  'remote → in-page OpenAI handler → continuous-batching engine (random TinyLM)',
  () => {
    const models = async () => [RANDOM_MODEL_INFO];
    const engine = createServingEngine({ models, loader: async (id) => ({ ...createRandomTinyLM(1), id }), defaultModel: RANDOM_MODEL_INFO.id, maxBatch: 4 });
    const h = createOpenAIHandler({ engine, models, completer: engine.completer, maxN: 4 });
    return createRemoteEngine({ baseUrl: `${ORIGIN}/v1`, model: RANDOM_MODEL_INFO.id, fetch: (async (url: RequestInfo | URL, init?: RequestInit) => h(new Request(url, init))) as typeof fetch });
  },
  { skip: ['tokenize'], jsonSeeds: 2 },
);
