/**
 * Our worker client against web-llm's real `WebWorkerMLCEngineHandler` (in-process, messages
 * passed as the worker would), with the handler's GPU engine swapped for the web-llm double:
 * this pins the wire protocol (reload, streams, early return, interrupt, embeddings, errors as
 * strings, progress) to the installed web-llm version.
 */
import { WebWorkerMLCEngineHandler } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import type { ChatCompletion, ChatCompletionChunk } from '../../../src/lib/engine/types';
import { createWebLLMEngine } from '../../../src/lib/engine/webllm/adapter';
import { FakeMLCEngine, type FakeWebLLMOptions } from '../../../src/lib/engine/webllm/fake';
import type { InitProgressReportLike } from '../../../src/lib/engine/webllm/progress';
import { WebLLMWorkerClient, type WorkerPort } from '../../../src/lib/engine/webllm/worker-client';

const MODEL = 'SmolLM2-360M-Instruct-q4f32_1-MLC';
const EMBED = 'snowflake-arctic-embed-s-q0f32-MLC-b4';

/** A client wired to a real handler whose engine is the double. */
function wire(opts: FakeWebLLMOptions = {}) {
  const handler = new WebWorkerMLCEngineHandler();
  const port: WorkerPort = { onmessage: null, postMessage: (msg) => queueMicrotask(() => handler.onmessage(msg)) };
  handler.postMessage = (msg: unknown) => queueMicrotask(() => port.onmessage?.({ data: msg }));
  const progress: InitProgressReportLike[] = [];
  const fake = new FakeMLCEngine({
    ...opts,
    onProgress: (r) => handler.postMessage({ kind: 'initProgressCallback', uuid: '', content: r }),
  });
  // The handler calls MLCEngine's methods; route them to the double.
  (handler as unknown as { engine: unknown }).engine = {
    reload: (ids: string[]) => fake.reload(ids),
    chatCompletion: (req: Record<string, unknown>) => fake.chat.completions.create(req),
    embedding: (req: Record<string, unknown>) => fake.embeddings.create(req),
    interruptGenerate: () => fake.interruptGenerate(),
    unload: () => fake.unload(),
    runtimeStatsText: () => fake.runtimeStatsText(),
  };
  const client = new WebLLMWorkerClient(port, (r) => progress.push(r));
  return { client, fake, progress };
}

describe('web-llm worker client ↔ real WebWorkerMLCEngineHandler', () => {
  it('reloads with progress, streams, and answers without streaming', async () => {
    const { client, progress } = wire({ shards: 3 });
    await client.reload(MODEL);
    expect(progress.some((p) => /Fetching param cache\[3\/3\]/.test(p.text))).toBe(true);
    const stream = (await client.chat.completions.create({ messages: [{ role: 'user', content: 'hey' }], stream: true, stream_options: { include_usage: true } })) as AsyncIterable<ChatCompletionChunk>;
    let text = '';
    let usage = 0;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? '';
      if (c.usage) usage++;
    }
    expect(text).toBe('You said: hey');
    expect(usage).toBe(1);
    const r = (await client.chat.completions.create({ messages: [{ role: 'user', content: 'x' }] })) as ChatCompletion;
    expect(r.choices[0]!.message.content).toBe('You said: x');
    expect(await client.runtimeStatsText()).toMatch(/decoding/);
  });

  it('stops a stream early (completionStreamReturn) and can interrupt', async () => {
    const { client } = wire({ delayMs: 2, reply: () => Array.from({ length: 100 }, (_, i) => ` t${i}`) });
    await client.reload(MODEL);
    const stream = (await client.chat.completions.create({ messages: [{ role: 'user', content: 'x' }], stream: true })) as AsyncIterable<ChatCompletionChunk>;
    let n = 0;
    for await (const _ of stream) if (++n === 3) break;
    const again = (await client.chat.completions.create({ messages: [{ role: 'user', content: 'x' }], stream: true })) as AsyncIterable<ChatCompletionChunk>;
    const finishes: string[] = [];
    let k = 0;
    for await (const c of again) {
      if (++k === 2) client.interruptGenerate();
      if (c.choices[0]?.finish_reason) finishes.push(c.choices[0].finish_reason);
    }
    expect(finishes).toEqual(['abort']);
  });

  it('carries web-llm string errors and embeddings through the adapter', async () => {
    const { client } = wire();
    const engine = createWebLLMEngine({ factory: async () => ({ engine: client, terminate: () => {} }), env: () => ({ online: true }) });
    await engine.load([MODEL, EMBED]);
    const e = await engine.embeddings.create({ input: ['a', 'b'] });
    expect(e.data).toHaveLength(2);
    await expect(engine.chat.completions.create({ messages: [{ role: 'user', content: 'w '.repeat(3000) }] })).rejects.toMatchObject({ code: 'context-window' });
    const offline = wire({ online: () => false });
    await expect(offline.client.reload(MODEL)).rejects.toBe('TypeError: Failed to fetch');
    await expect(offline.client.chat.completions.create({ messages: [] })).rejects.toMatch(/not loaded/);
  });
});
