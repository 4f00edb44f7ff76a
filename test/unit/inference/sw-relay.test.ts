/**
 * The service worker's `/v1/*` relay (public/sw-openai.js, run here in a fake worker global) and
 * the page side that answers it (src/app/openai-relay.ts), joined by a real MessageChannel:
 * which requests are taken, streaming through the relay, cancel reaching the engine, no page.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { answerRelayed, type RelayedRequest } from '../../../src/app/openai-relay';
import { createOpenAIHandler } from '../../../src/lib/inference/openai-server';
import type { ChatCompletionChunk, ChatCompletionRequest, ChatEngine } from '../../../src/lib/engine/types';
import { tinyEngine } from '../engine/tiny-fixture';

const ORIGIN = 'https://lab.example';
const SCOPE = `${ORIGIN}/app/`;
const SW_SOURCE = readFileSync(new URL('../../../public/sw-openai.js', import.meta.url), 'utf8');

/** An engine wrapper that records whether a stream was closed early and how many chunks it made. */
function counting(engine: ChatEngine) {
  const log = { pulled: 0, closed: 0 };
  const create = engine.chat.completions.create.bind(engine.chat.completions);
  const chat = {
    completions: {
      create: (async (req: ChatCompletionRequest) => {
        const r = await create(req);
        if (!req.stream) return r;
        return (async function* () {
          try {
            for await (const c of r as AsyncIterable<ChatCompletionChunk>) {
              log.pulled++;
              yield c;
            }
          } finally {
            log.closed++;
          }
        })();
      }) as ChatEngine['chat']['completions']['create'],
    },
  };
  return { engine: { ...engine, chat, embeddings: engine.embeddings, listModels: engine.listModels?.bind(engine), interrupt: () => engine.interrupt(), unload: () => engine.unload() } as ChatEngine, log };
}

/** Loads the worker script into a fake global; `pages` are the open windows it may relay to. */
function loadWorker(pages: Array<{ id: string; answer: boolean }>, handler: (r: Request) => Promise<Response>) {
  let onFetch: ((e: unknown) => void) | null = null;
  const client = (id: string, answer: boolean) => ({
    id,
    postMessage(msg: RelayedRequest, transfer: unknown[]) {
      if (answer) void answerRelayed(msg, transfer[0] as MessagePort, async () => handler, ORIGIN);
    },
  });
  const self = {
    registration: { scope: SCOPE },
    location: { origin: ORIGIN },
    clients: {
      get: async (id: string) => pages.filter((p) => p.id === id).map((p) => client(p.id, p.answer))[0] ?? null,
      matchAll: async () => pages.map((p) => client(p.id, p.answer)),
    },
    addEventListener(type: string, fn: (e: unknown) => void) {
      if (type === 'fetch') onFetch = fn;
    },
  };
  new Function('self', SW_SOURCE)(self);
  /** Dispatches a fetch event; resolves to the worker's response, or null when it let it pass. */
  return (request: Request, clientId = 'page-1'): Promise<Response> | null => {
    let answered: Promise<Response> | null = null;
    onFetch!({ request, clientId, respondWith: (p: Promise<Response>) => (answered = p) });
    return answered;
  };
}

const chat = (extra: Record<string, unknown> = {}) =>
  new Request(`${SCOPE}v1/chat/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'Tell me a story.' }], max_tokens: 10, temperature: 0, ...extra }),
  });

describe('service-worker relay for /v1/*', () => {
  it('takes only same-origin requests under <scope>v1/', async () => {
    const dispatch = loadWorker([{ id: 'page-1', answer: true }], createOpenAIHandler({ engine: tinyEngine() }));
    expect(dispatch(new Request('https://other.example/app/v1/models'))).toBeNull();
    expect(dispatch(new Request(`${ORIGIN}/v1/models`))).toBeNull(); // outside the app's scope
    expect(dispatch(new Request(`${SCOPE}index.html`))).toBeNull();
    const res = await dispatch(new Request(`${SCOPE}v1/models`))!;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: Array<{ id: string }> }).data.length).toBeGreaterThan(0);
  });

  it('relays a streaming chat completion chunk by chunk, status and headers intact', async () => {
    const engine = tinyEngine();
    const dispatch = loadWorker([{ id: 'page-1', answer: true }], createOpenAIHandler({ engine }));
    const res = await dispatch(chat({ stream: true }))!;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const text = await res.text();
    expect(text.trim().endsWith('data: [DONE]')).toBe(true);
    const content = text
      .split('\n\n')
      .filter((e) => e.startsWith('data: {'))
      .flatMap((e) => (JSON.parse(e.slice(6)) as ChatCompletionChunk).choices.map((c) => c.delta.content ?? ''))
      .join('');
    const direct = await engine.chat.completions.create({ messages: [{ role: 'user', content: 'Tell me a story.' }], max_tokens: 10, temperature: 0 });
    expect(content).toBe(direct.choices[0].message.content);
    const bad = await dispatch(new Request(`${SCOPE}v1/chat/completions`, { method: 'POST', body: '{oops' }))!;
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });

  it('a caller that cancels the body stops generation in the page; the next request is served', async () => {
    const { engine, log } = counting(tinyEngine());
    const dispatch = loadWorker([{ id: 'page-1', answer: true }], createOpenAIHandler({ engine }));
    const res = await dispatch(chat({ stream: true, max_tokens: 300 }))!;
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    await expect.poll(() => log.closed, { timeout: 2000 }).toBe(1);
    expect(log.pulled).toBeLessThan(100);
    const next = await dispatch(chat())!;
    expect(next.status).toBe(200);
  });

  it('answers 503 when no page is open, and falls back to another open page of the app', async () => {
    const handler = createOpenAIHandler({ engine: tinyEngine() });
    const none = await loadWorker([], handler)(new Request(`${SCOPE}v1/models`))!;
    expect(none.status).toBe(503);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('no_page');
    const other = await loadWorker([{ id: 'page-2', answer: true }], handler)(new Request(`${SCOPE}v1/models`), 'a-worker-client')!;
    expect(other.status).toBe(200);
  });
});
