/**
 * The remote backend's engine contract against the app's own OpenAI-compatible server, in real
 * Chromium, over real HTTP through the real service worker:
 *
 *   remote engine → fetch('<origin>/v1/…') in a page the service worker controls
 *   → public/sw-openai.js → MessageChannel → src/app/openai-relay.ts (answerRelayed)
 *   → src/lib/inference/local-server.ts → the serving worker (continuous batching, paged KV cache).
 *
 * Vitest's own test page is not controlled by a service worker it registers (that needs a reload),
 * so the requests are made from a same-origin iframe opened after the worker activated: its
 * documents are controlled, and the relay's page side listens on the iframe's container.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerRelayed, type RelayedRequest } from '../../../src/app/openai-relay';
import { createLocalOpenAIServer, type LocalOpenAIServer } from '../../../src/lib/inference/local-server';
import { createRemoteEngine } from '../../../src/lib/engine/remote';
import type { ChatCompletion } from '../../../src/lib/engine/types';
import { runEngineContract } from '../../unit/engine/contract';

const MODEL = 'tinylm-chat';
let server: LocalOpenAIServer;
let frame: HTMLIFrameElement;
let registration: ServiceWorkerRegistration;

/** The controlled iframe's fetch (real HTTP through the service worker). */
const swFetch = ((input: RequestInfo | URL, init?: RequestInit) => frame.contentWindow!.fetch(input, init)) as typeof fetch;

async function setUp(): Promise<void> {
  if (server) return;
  server = createLocalOpenAIServer(new URL('/models/', location.origin).href, 4);
  registration = await navigator.serviceWorker.register('/sw-openai.js', { scope: '/' });
  const sw = registration.installing ?? registration.waiting ?? registration.active!;
  if (sw.state !== 'activated') await new Promise<void>((r) => sw.addEventListener('statechange', () => sw.state === 'activated' && r()));
  frame = document.createElement('iframe');
  frame.src = '/models/tinylm-chat/config.json';
  document.body.append(frame);
  await new Promise<void>((r) => frame.addEventListener('load', () => r(), { once: true }));
  const container = frame.contentWindow!.navigator.serviceWorker;
  if (!container.controller) throw new Error('the iframe is not controlled by the service worker');
  container.addEventListener('message', (ev: MessageEvent) => {
    const data = ev.data as RelayedRequest | undefined;
    if (data?.type === 'llm-lab-openai' && ev.ports[0]) void answerRelayed(data, ev.ports[0], async () => server.handler, location.origin);
  });
  container.startMessages();
}

beforeAll(setUp, 60_000);
afterAll(async () => {
  frame?.remove();
  await registration?.unregister();
  server?.dispose();
});

describe('the in-page server behind the service worker', () => {
  it('is reached over HTTP through the service worker; concurrent requests are batched', async () => {
    const ask = (q: string) =>
      swFetch('/v1/chat/completions', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ model: MODEL, messages: [{ role: 'system', content: 'Answer the question with words from the context.' }, { role: 'user', content: `Context: Mia lives in Oslo. Her favorite color is ${q}.\nQuestion: What is Mia's favorite color?` }], max_tokens: 8, temperature: 0 }),
      }).then((r) => r.json() as Promise<ChatCompletion>);
    const alone = await ask('green');
    expect(alone.choices[0].message.content).toBe('green');
    const together = await Promise.all(['green', 'red', 'blue', 'yellow'].map(ask));
    expect(together[0].choices[0].message.content).toBe('green');
    expect(Math.max(...together.map((c) => c.usage!.extra!.mean_batch_size!))).toBeGreaterThan(1);
    const bad = await swFetch('/v1/chat/completions', { method: 'POST', body: '{nope' });
    expect(bad.status).toBe(400);
  }, 120_000);

  it('a client that disconnects mid-stream: the worker retires the sequence (few steps run), and the next request is served', async () => {
    const before = (await server.steps(0)).at(-1)?.n ?? 0;
    const res = await swFetch('/v1/chat/completions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Tell me a long story.' }], max_tokens: 200, temperature: 1, seed: 2, stream: true,
        // no end-of-text or end-of-turn: left alone it would run all 200 steps
        logit_bias: { '0': -100, '2': -100 } }),
    });
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    await new Promise((r) => setTimeout(r, 300));
    const after = await server.steps(before);
    expect(after.length).toBeLessThan(100); // not the 200 tokens it asked for
    const mark = after.at(-1)?.n ?? before;
    await new Promise((r) => setTimeout(r, 300));
    expect(await server.steps(mark)).toEqual([]); // and nothing is running any more
    const ok = await swFetch('/v1/models');
    expect(ok.status).toBe(200);
  }, 120_000);
});

describe("LangChain's ChatOpenAI against the in-page server", () => {
  it('invoke and stream give the greedy answer from the context, with token usage', async () => {
    const { ChatOpenAI } = await import('@langchain/openai');
    const llm = new ChatOpenAI({ model: MODEL, temperature: 0, maxTokens: 8, maxRetries: 0, apiKey: 'local', configuration: { baseURL: `${location.origin}/v1`, fetch: swFetch } });
    const messages: Array<[string, string]> = [
      ['system', 'Answer the question with words from the context.'],
      ['human', "Context: Mia lives in Oslo. Her favorite color is green.\nQuestion: What is Mia's favorite color?"],
    ];
    const reply = await llm.invoke(messages);
    expect(reply.content).toBe('green');
    expect(reply.usage_metadata?.output_tokens).toBeGreaterThan(0);
    const pieces: string[] = [];
    for await (const chunk of await llm.stream(messages)) pieces.push(String(chunk.content));
    expect(pieces.join('')).toBe('green');
    expect(pieces.filter(Boolean).length).toBeGreaterThan(1); // token by token, not one buffered body
  }, 120_000);
});

runEngineContract(
  'remote → service worker → in-page server → continuous-batching worker (tinylm-chat)',
  async () => {
    await setUp();
    return createRemoteEngine({ baseUrl: `${location.origin}/v1`, model: MODEL, fetch: swFetch });
  },
  // tokenize: the wire format has no tokenizer endpoint. cleanup: the server is disposed above.
  { skip: ['tokenize'], jsonSeeds: 2, cleanup: async () => {} },
);
