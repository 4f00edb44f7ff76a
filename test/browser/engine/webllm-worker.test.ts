/**
 * The real web-llm in the real worker (`workers/llm.worker.ts`), in Chromium with WebGPU on
 * SwiftShader. No model can be downloaded here (tests never use the network), so this checks the
 * parts that need no weights: the worker starts and answers, web-llm's own string rejections
 * cross the worker boundary, and the adapter maps them to typed errors with next steps.
 */
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/lib/engine/errors';
import { createWebLLMEngine } from '../../../src/lib/engine/webllm/adapter';
import { createWorkerHost } from '../../../src/lib/engine/webllm/worker-host';

describe('web-llm in its worker', () => {
  it('rejects an unknown model with ModelNotFoundError, mapped to model-not-found', async () => {
    // No capabilities given: no pre-flight, so the id really goes to web-llm in the worker.
    const engine = createWebLLMEngine({ factory: createWorkerHost, env: () => ({ online: true, userAgent: navigator.userAgent }) });
    try {
      const err = await engine.load('Not-A-Real-Model-q4f32_1-MLC').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).code).toBe('model-not-found');
      // The raw text came from web-llm across the worker, as a string.
      expect(String((err as EngineError).cause)).toMatch(/^ModelNotFoundError: Cannot find model record/);
    } finally {
      await engine.unload();
    }
  }, 60_000);

  it('a request before any model is loaded is explained, and unload terminates the worker', async () => {
    const engine = createWebLLMEngine({ factory: createWorkerHost });
    await expect(engine.chat.completions.create({ messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ code: 'invalid-request' });
    await engine.unload();
    expect(engine.loadedModels).toEqual([]);
  });
});
