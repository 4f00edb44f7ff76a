import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/lib/engine/errors';
import { browserFamily, errorText, f32Variant, mapWebLLMError, webgpuAdvice } from '../../../src/lib/engine/webllm/errors';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
const CHROME_WIN = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
const SAFARI = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const EDGE = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0';

// The strings below are what web-llm 0.2.86 posts across its worker (`err.toString()`), copied
// from its error classes in node_modules/@mlc-ai/web-llm/lib/index.js.
const WEBLLM = {
  noWebGPU:
    'WebGPUNotAvailableError: WebGPU is not supported in your current environment, but it is necessary to run the WebLLM engine. Please make sure that your browser supports WebGPU and that it is enabled in your browser settings.',
  notFound:
    'ModelNotFoundError: Cannot find model record in appConfig for Foo-1B-q4f16_1-MLC. Please check if the model ID is correct and included in the model_list configuration.',
  f16: 'ShaderF16SupportError: This model requires WebGPU extension shader-f16, which is not enabled in this browser. You can try to launch Chrome Canary in command line with flag "--enable-dawn-features=allow_unsafe_apis".',
  deviceLost:
    'DeviceLostError: The WebGPU device was lost while loading the model. This issue often occurs due to running out of memory (OOM). To resolve this, try reloading with a model that has fewer parameters or uses a smaller context length.',
  fetch: 'TypeError: Failed to fetch',
  quota: 'QuotaExceededError: Quota exceeded.',
  ctx: 'ContextWindowSizeExceededError: Prompt tokens exceed context window size: number of prompt tokens: 5000; context window size: 4096\nConsider shortening the prompt, or increase `context_window_size`, or using sliding window via `sliding_window_size`.',
  buffer: 'Error: Cannot initialize runtime because of requested maxStorageBufferBindingSize exceeds limit. requested=1024MB, limit=128MB. ',
  tools: 'UnsupportedModelIdError: Llama-3.2-1B-Instruct-q4f16_1-MLC is not supported for ChatCompletionRequest.tools. Currently, models that support function calling are: Hermes-2-Pro-Llama-3-8B-q4f16_1-MLC',
  seed: 'SeedTypeError: `seed` should be an integer, but got 1.5',
  unload: 'Engine.unload() is called.',
};

describe('mapWebLLMError', () => {
  it('maps a missing WebGPU to no-webgpu with Firefox worker-flag advice', () => {
    const e = mapWebLLMError(WEBLLM.noWebGPU, { userAgent: FIREFOX });
    expect(e).toBeInstanceOf(EngineError);
    expect(e.code).toBe('no-webgpu');
    expect(e.hint).toMatch(/dom\.webgpu\.workers\.enabled/);
  });

  it('gives browser-specific WebGPU advice', () => {
    expect(mapWebLLMError(WEBLLM.noWebGPU, { userAgent: CHROME_LINUX }).hint).toMatch(/enable-unsafe-webgpu/);
    expect(mapWebLLMError(WEBLLM.noWebGPU, { userAgent: CHROME_WIN }).hint).toMatch(/chrome:\/\/gpu/);
    expect(mapWebLLMError(WEBLLM.noWebGPU, { userAgent: SAFARI }).hint).toMatch(/Feature Flags/);
    expect(browserFamily(EDGE)).toBe('edge');
    expect(browserFamily(SAFARI)).toBe('safari');
    expect(webgpuAdvice('')).toMatch(/TinyLM/);
  });

  it('maps ModelNotFoundError', () => {
    const e = mapWebLLMError(WEBLLM.notFound, { modelId: 'Foo-1B-q4f16_1-MLC' });
    expect(e.code).toBe('model-not-found');
    expect(e.message).toContain('Foo-1B-q4f16_1-MLC');
  });

  it('offers the q4f32 twin when shader-f16 is missing', () => {
    const known = ['SmolLM2-360M-Instruct-q4f16_1-MLC', 'SmolLM2-360M-Instruct-q4f32_1-MLC'];
    const e = mapWebLLMError(WEBLLM.f16, { modelId: 'SmolLM2-360M-Instruct-q4f16_1-MLC', knownModelIds: known });
    expect(e.code).toBe('no-shader-f16');
    expect(e.hint).toContain('SmolLM2-360M-Instruct-q4f32_1-MLC');
    // no twin in the list → generic advice
    const e2 = mapWebLLMError(WEBLLM.f16, { modelId: 'gemma3-1b-it-q4f16_1-MLC', knownModelIds: known });
    expect(e2.hint).toMatch(/q4f32 or q0f32/);
  });

  it('maps a lost device and suggests a smaller model or context', () => {
    const e = mapWebLLMError(WEBLLM.deviceLost);
    expect(e.code).toBe('device-lost');
    expect(e.hint).toMatch(/smaller model|-1k/);
  });

  it('maps "Failed to fetch" offline to not-cached, online to network', () => {
    expect(mapWebLLMError(WEBLLM.fetch, { online: false, modelId: 'X' }).code).toBe('not-cached');
    expect(mapWebLLMError(WEBLLM.fetch, { online: true }).code).toBe('network');
    expect(mapWebLLMError(new TypeError('Failed to fetch'), { online: false }).code).toBe('not-cached');
    expect(mapWebLLMError('Error: Cannot fetch https://huggingface.co/x/params_shard_0.bin err= TypeError: NetworkError when attempting to fetch resource.', { online: true }).code).toBe('network');
  });

  it('maps quota exceeded (string and DOMException-like)', () => {
    expect(mapWebLLMError(WEBLLM.quota).code).toBe('quota');
    expect(mapWebLLMError({ name: 'QuotaExceededError', message: 'The quota has been exceeded.' }).code).toBe('quota');
  });

  it('maps context window exceeded', () => {
    const e = mapWebLLMError(WEBLLM.ctx, { modelId: 'Llama-3.2-1B-Instruct-q4f16_1-MLC' });
    expect(e.code).toBe('context-window');
    expect(e.hint).toMatch(/Shorten/);
  });

  it('maps buffer-limit failures to model-too-large', () => {
    expect(mapWebLLMError(WEBLLM.buffer).code).toBe('model-too-large');
  });

  it('maps tool calling on a non-Hermes model to invalid-request with a Hermes hint', () => {
    const e = mapWebLLMError(WEBLLM.tools, { modelId: 'Llama-3.2-1B-Instruct-q4f16_1-MLC' });
    expect(e.code).toBe('invalid-request');
    expect(e.hint).toMatch(/Hermes/);
  });

  it('maps parameter errors to invalid-request, unload to aborted, anything else to unknown', () => {
    expect(mapWebLLMError(WEBLLM.seed).code).toBe('invalid-request');
    expect(mapWebLLMError(WEBLLM.seed).message).toMatch(/^`seed` should be an integer/);
    expect(mapWebLLMError(WEBLLM.unload).code).toBe('aborted');
    const u = mapWebLLMError('Something odd happened');
    expect(u.code).toBe('unknown');
    expect(u.cause).toBe('Something odd happened');
  });

  it('keeps EngineErrors as they are', () => {
    const e = new EngineError('auth', 'x');
    expect(mapWebLLMError(e)).toBe(e);
  });
});

describe('helpers', () => {
  it('errorText normalises strings, Errors and plain objects', () => {
    expect(errorText('x')).toBe('x');
    const err = new Error('boom');
    err.name = 'DeviceLostError';
    expect(errorText(err)).toBe('DeviceLostError: boom');
    expect(errorText({ name: 'A', message: 'b' })).toBe('A: b');
  });
  it('f32Variant finds twins', () => {
    expect(f32Variant('Qwen3-0.6B-q4f16_1-MLC')).toBe('Qwen3-0.6B-q4f32_1-MLC');
    expect(f32Variant('SmolLM2-135M-Instruct-q0f16-MLC')).toBe('SmolLM2-135M-Instruct-q0f32-MLC');
    expect(f32Variant('Qwen3-0.6B-q4f32_1-MLC')).toBeNull();
  });
});
