import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/lib/engine/errors';
import type { ChatCompletionChunk } from '../../../src/lib/engine/types';
import { createTinyLMWorkerEngine, createWorkerEngine } from '../../../src/lib/engine/worker-engine';

describe('TinyLM worker (real Web Worker)', () => {
  it('streams a completion from the worker, with a shipped model when present', async () => {
    const engine = createTinyLMWorkerEngine({ modelsBaseUrl: new URL('/models/', location.href).href, includeRandomModel: true });
    const models = await engine.listModels();
    expect(models.map((m) => m.id)).toContain('tinylm-random');
    // The real shipped model when built (chat, else base), else the untrained one.
    const id = ['tinylm-chat', 'tinylm-base'].find((x) => models.some((m) => m.id === x)) ?? 'tinylm-random';
    const progress: number[] = [];
    await engine.load(id, (p) => progress.push(p.progress));
    expect(progress.at(-1)).toBe(1);

    const chunks: ChatCompletionChunk[] = [];
    for await (const c of await engine.chat.completions.create({
      messages: [{ role: 'user', content: 'Tell me a story about a cat.' }],
      stream: true,
      temperature: 0,
      max_tokens: 16,
    }))
      chunks.push(c);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.at(-1)!.usage!.completion_tokens).toBeGreaterThan(0);
    // Same text without streaming (greedy is deterministic).
    const whole = await engine.chat.completions.create({
      messages: [{ role: 'user', content: 'Tell me a story about a cat.' }],
      temperature: 0,
      max_tokens: 16,
    });
    expect(whole.choices[0].message.content).toBe(text);

    // Interrupt mid-stream.
    const finishes: Array<string | null> = [];
    let n = 0;
    for await (const c of await engine.chat.completions.create({
      messages: [{ role: 'user', content: 'Go on.' }],
      stream: true,
      max_tokens: 200,
      seed: 1,
      // Forbid the special tokens (each one ends a reply), so the reply cannot finish before the interrupt.
      logit_bias: { '0': -100, '1': -100, '2': -100 },
    })) {
      finishes.push(c.choices[0]?.finish_reason ?? null);
      if (++n === 3) await engine.interrupt();
    }
    expect(finishes.filter(Boolean)).toEqual(['abort']);

    // Constrained JSON through the worker.
    const json = await engine.chat.completions.create({
      messages: [{ role: 'user', content: 'A person as JSON.' }],
      seed: 2,
      max_tokens: 60,
      response_format: {
        type: 'json_schema',
        json_schema: { schema: { type: 'object', properties: { name: { type: 'string', maxLength: 10 }, age: { type: 'integer' } }, required: ['name', 'age'] } },
      },
    });
    const value = JSON.parse(json.choices[0].message.content as string);
    expect(typeof value.name).toBe('string');
    expect(Number.isInteger(value.age)).toBe(true);
    await engine.unload();
  });

  it('a crashed worker rejects the pending call with worker-crashed; the next call gets a fresh worker', async () => {
    let started = 0;
    const engine = createWorkerEngine({
      kind: 'test-double',
      createWorker: () => {
        started++;
        return new Worker(new URL('./crashing.worker.ts', import.meta.url), { type: 'module' });
      },
    });
    const err = await engine.chat.completions.create({ messages: [{ role: 'user', content: 'crash' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('worker-crashed');
    const ok = await engine.chat.completions.create({ messages: [{ role: 'user', content: 'fine' }], max_tokens: 8 });
    expect(ok.choices[0].message.content).toBe('a fairly');
    expect(started).toBe(2);
    await engine.unload();
  });

  it('a worker killed mid-reply (no error event) ends the stream with worker-crashed; the next request gets a fresh worker', async () => {
    const workers: Worker[] = [];
    const engine = createWorkerEngine({
      kind: 'test-double',
      createWorker: (name) => {
        const w = new Worker(new URL('./crashing.worker.ts', import.meta.url), { type: 'module', name });
        workers.push(w);
        return w;
      },
    });
    const got: string[] = [];
    const err = await (async () => {
      for await (const c of await engine.chat.completions.create({ messages: [{ role: 'user', content: 'go' }], stream: true })) {
        got.push(c.choices[0]?.delta.content ?? '');
        if (got.length === 2) workers[0].terminate(); // as when the browser reclaims the worker
      }
    })().catch((e) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('worker-crashed');
    const ok = await engine.chat.completions.create({ messages: [{ role: 'user', content: 'fine' }], max_tokens: 8 });
    expect(ok.choices[0].message.content).toBe('a fairly');
    expect(workers).toHaveLength(2);
    await engine.unload();
  });
});
