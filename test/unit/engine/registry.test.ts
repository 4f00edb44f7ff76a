import { afterEach, describe, expect, it } from 'vitest';
import { backendFor, backendModelId, createEngineRegistry, remoteModelId, TEST_DOUBLE_ID } from '../../../src/lib/engine/registry';
import { createTestDoubleEngine } from '../../../src/lib/engine/test-double';
import type { ChatCompletion, LoadProgress, ModelInfo } from '../../../src/lib/engine/types';
import { createWebLLMEngine } from '../../../src/lib/engine/webllm/adapter';
import { fakeHostFactory, memoryCache } from '../../../src/lib/engine/webllm/fake';
import { startTestServer, type TestServer } from './remote-server';

const BUILTIN: ModelInfo[] = [{ id: 'tinylm-chat', engine: 'tinylm', displayName: 'TinyLM chat', contextWindow: 256, capabilities: ['chat'], downloadBytes: 0 }];
const WEB = 'SmolLM2-360M-Instruct-q4f32_1-MLC';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

function tinyDouble() {
  const loads: string[] = [];
  const engine = Object.assign(createTestDoubleEngine({ model: 'tinylm-chat' }), {
    kind: 'tinylm' as const,
  });
  const load = engine.load!.bind(engine);
  engine.load = async (id: string, p?: (x: LoadProgress) => void) => {
    loads.push(id);
    return load(id, p);
  };
  return { engine, loads };
}

describe('backendFor', () => {
  it('routes ids to backends', () => {
    expect(backendFor('remote:llama3.2')).toBe('remote');
    expect(backendFor('tinylm-chat')).toBe('tinylm');
    expect(backendFor('my-model', ['my-model'])).toBe('tinylm');
    expect(backendFor(WEB)).toBe('webllm');
    expect(backendFor('snowflake-arctic-embed-s-q0f32-MLC-b4')).toBe('webllm');
    expect(backendFor('Llama-3.1-8B-Instruct-q4f16_1-MLC-1k')).toBe('webllm');
    expect(backendFor(TEST_DOUBLE_ID)).toBe('test-double');
    expect(backendFor('gpt-4o')).toBeNull();
    expect(backendModelId(remoteModelId('qwen2.5:0.5b'))).toBe('qwen2.5:0.5b');
  });
});

describe('EngineRegistry', () => {
  it('creates each backend lazily and loads a model once', async () => {
    const tiny = tinyDouble();
    let tinyCreated = 0;
    let webCreated = 0;
    const reg = createEngineRegistry({
      builtinModels: BUILTIN,
      createTinyLM: () => (tinyCreated++, tiny.engine),
      createWebLLM: async () => (webCreated++, createWebLLMEngine({ factory: fakeHostFactory({ cache: memoryCache() }), env: () => ({ online: true }) })),
    });
    expect(tinyCreated + webCreated).toBe(0);
    const e1 = await reg.engineFor('tinylm-chat');
    const e2 = await reg.engineFor('tinylm-chat');
    expect(e1).toBe(e2);
    expect(tinyCreated).toBe(1);
    expect(tiny.loads).toEqual(['tinylm-chat']);
    expect(webCreated).toBe(0);
    const progress: LoadProgress[] = [];
    const web = await reg.engineFor(WEB, (p) => progress.push(p));
    expect(web.kind).toBe('webllm');
    expect(progress.some((p) => p.loadedBytes)).toBe(true);
    const r = (await web.chat.completions.create({ messages: [{ role: 'user', content: 'hi' }] })) as ChatCompletion;
    expect(r.choices[0]!.message.content).toBe('You said: hi');
    expect(await reg.loadedModel('webllm')).toBe(WEB);
    await reg.unload('webllm');
    expect(await reg.peek('webllm')).toBeNull();
  });

  it('serializes concurrent loads on one backend', async () => {
    const tiny = tinyDouble();
    const reg = createEngineRegistry({ builtinModels: BUILTIN, createTinyLM: () => tiny.engine });
    await Promise.all([reg.engineFor('tinylm-chat'), reg.engineFor('tinylm-chat')]);
    expect(tiny.loads).toEqual(['tinylm-chat']);
  });

  it('serves remote models through the configured endpoint and follows setting changes', async () => {
    server = await startTestServer({ apiKey: 'k1' });
    let cfg: { baseUrl: string; apiKey?: string } | null = null;
    const reg = createEngineRegistry({ builtinModels: BUILTIN, createTinyLM: () => tinyDouble().engine, remote: () => cfg });
    await expect(reg.engineFor(remoteModelId('tiny-chat'))).rejects.toMatchObject({ code: 'invalid-request' });
    cfg = { baseUrl: server.baseUrl, apiKey: 'wrong' };
    const bad = await reg.engineFor(remoteModelId('tiny-chat'));
    await expect(bad.chat.completions.create({ messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ code: 'auth' });
    cfg = { baseUrl: server.baseUrl, apiKey: 'k1' };
    const good = await reg.engineFor(remoteModelId('tiny-chat'));
    expect(good).not.toBe(bad);
    const r = (await good.chat.completions.create({ messages: [{ role: 'user', content: 'x' }] })) as ChatCompletion;
    expect(r.choices[0]!.message.content).toBe('Hello, world!');
    expect(server.requests.at(-1)!.body!.model).toBe('tiny-chat');
  });

  it('offers the test double only when enabled, and rejects unknown ids', async () => {
    const off = createEngineRegistry({ builtinModels: BUILTIN, createTinyLM: () => tinyDouble().engine });
    expect(off.listBuiltins().map((m) => m.id)).toEqual(['tinylm-chat']);
    await expect(off.engineFor(TEST_DOUBLE_ID)).rejects.toMatchObject({ code: 'model-not-found' });
    await expect(off.engineFor('gpt-4o')).rejects.toMatchObject({ code: 'model-not-found' });
    const on = createEngineRegistry({ builtinModels: BUILTIN, createTinyLM: () => tinyDouble().engine, testDouble: true });
    expect(on.listBuiltins().map((m) => m.id)).toEqual(['tinylm-chat', TEST_DOUBLE_ID]);
    const td = await on.engineFor(TEST_DOUBLE_ID);
    expect(td.kind).toBe('test-double');
  });

  it('propagates typed load errors and retries creation after a failure', async () => {
    let attempts = 0;
    const reg = createEngineRegistry({
      builtinModels: BUILTIN,
      createTinyLM: () => tinyDouble().engine,
      createWebLLM: async () => {
        attempts++;
        return createWebLLMEngine({ factory: fakeHostFactory({ online: () => false }), env: () => ({ online: false }) });
      },
    });
    await expect(reg.engineFor(WEB)).rejects.toMatchObject({ code: 'not-cached' });
    await expect(reg.engineFor(WEB)).rejects.toMatchObject({ code: 'not-cached' });
    expect(attempts).toBe(1); // the engine is kept; only the load failed
  });
});
