import { functionCallingModelIds, prebuiltAppConfig } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import { emptyCapabilities, type Capabilities, type GpuInfo } from '../../../src/lib/capabilities/detect';
import { buildCatalogue, bytesPerWeight, paramsFromId, recommend, toCatalogueEntry } from '../../../src/lib/engine/webllm/catalogue';
import { WEBLLM_MODEL_RECORDS, WEBLLM_TOOL_MODEL_IDS } from '../../../src/lib/engine/webllm/catalogue-data';
import { pickRecords } from '../../../src/lib/engine/webllm/generate-catalogue';
import { estimateSecondsLeft, formatDuration, parseInitProgress } from '../../../src/lib/engine/webllm/progress';
import { formatBytes } from '../../../src/lib/format/bytes';

function caps(gpu: Partial<GpuInfo> | null, deviceMemoryGiB: number | null = 8): Capabilities {
  const base = emptyCapabilities();
  if (!gpu) return { ...base, webgpuProblem: 'navigator.gpu is missing', deviceMemoryGiB };
  return {
    ...base,
    webgpuProblem: null,
    deviceMemoryGiB,
    webgpu: {
      vendor: 'nvidia',
      architecture: '',
      device: '',
      description: '',
      isFallbackAdapter: false,
      shaderF16: true,
      features: [],
      limits: { maxStorageBufferBindingSize: 2 ** 31 - 4, maxBufferSize: 2 ** 32, maxComputeWorkgroupStorageSize: 32768, maxComputeInvocationsPerWorkgroup: 1024 },
      ...gpu,
    },
  };
}

const catalogue = buildCatalogue(WEBLLM_MODEL_RECORDS, WEBLLM_TOOL_MODEL_IDS);
const byId = (id: string) => catalogue.find((e) => e.id === id)!;

describe('catalogue data', () => {
  it('is current with the installed web-llm (regenerate with generate-catalogue.ts)', () => {
    expect(WEBLLM_MODEL_RECORDS).toEqual(pickRecords(prebuiltAppConfig.model_list as unknown as Array<Record<string, unknown>>));
    expect(WEBLLM_TOOL_MODEL_IDS).toEqual(functionCallingModelIds);
  });
});

describe('catalogue entries', () => {
  it('reads params, quantisation, kind and capabilities from the records', () => {
    const smol = byId('SmolLM2-360M-Instruct-q4f16_1-MLC');
    expect(smol).toMatchObject({ family: 'SmolLM2-360M-Instruct', quantization: 'q4f16_1', params: 360e6, needsShaderF16: true, kind: 'chat', contextWindow: 4096, lowResource: true });
    expect(byId('Phi-3.5-vision-instruct-q4f16_1-MLC').kind).toBe('vision');
    expect(byId('Phi-3.5-vision-instruct-q4f16_1-MLC').capabilities).toContain('vision');
    expect(byId('snowflake-arctic-embed-m-q0f32-MLC-b4')).toMatchObject({ kind: 'embedding', capabilities: ['embeddings'], contextWindow: 512 });
    expect(byId('Hermes-3-Llama-3.1-8B-q4f16_1-MLC').capabilities).toContain('tools');
    expect(byId('Llama-3.2-1B-Instruct-q4f16_1-MLC').capabilities).not.toContain('tools');
    expect(byId('gemma-2b-it-q4f32_1-MLC').bufferBytesRequired).toBe(262144000);
    expect(byId('Llama-3.1-8B-Instruct-q4f16_1-MLC-1k').contextWindow).toBe(1024);
  });

  it('estimates parameters and download size', () => {
    expect(paramsFromId('Qwen2.5-0.5B-Instruct-q4f16_1-MLC')).toBe(0.5e9);
    expect(paramsFromId('stablelm-2-zephyr-1_6b-q4f16_1-MLC')).toBeCloseTo(1.6e9);
    expect(paramsFromId('gemma-2-2b-it-q4f16_1-MLC')).toBe(2e9);
    expect(paramsFromId('Llama-3.2-1B-Instruct-q4f16_1-MLC')).toBe(1e9);
    expect(paramsFromId('phi-2-q4f16_1-MLC')).toBe(2.7e9);
    expect(bytesPerWeight('q4f16_1')).toBeCloseTo(0.5625);
    expect(bytesPerWeight('q0f32')).toBe(4);
    expect(byId('SmolLM2-135M-Instruct-q0f32-MLC').downloadBytesEstimate).toBe(135e6 * 4);
    expect(catalogue.every((e) => e.params !== null)).toBe(true);
  });

  it('orders chat models by memory need, then vision, then embeddings', () => {
    const kinds = catalogue.map((e) => e.kind);
    expect(kinds.indexOf('embedding')).toBeGreaterThan(kinds.lastIndexOf('chat'));
    expect(catalogue[0]!.vramMB).toBeLessThanOrEqual(catalogue[1]!.vramMB);
  });
});

describe('recommend', () => {
  it('says no without WebGPU, with the reason', () => {
    const r = recommend(byId('SmolLM2-360M-Instruct-q4f32_1-MLC'), caps(null));
    expect(r.verdict).toBe('no');
    expect(r.reasons[0]).toMatch(/navigator\.gpu is missing/);
  });
  it('says no for f16 models without shader-f16 and offers the f32 twin', () => {
    const ids = catalogue.map((e) => e.id);
    const r = recommend(byId('SmolLM2-360M-Instruct-q4f16_1-MLC'), caps({ shaderF16: false }), ids);
    expect(r.verdict).toBe('no');
    expect(r.alternative).toBe('SmolLM2-360M-Instruct-q4f32_1-MLC');
  });
  it('says no when the buffer need exceeds the GPU limit', () => {
    const r = recommend(byId('gemma-2b-it-q4f32_1-MLC'), caps({ limits: { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 2 ** 30, maxComputeWorkgroupStorageSize: 16384, maxComputeInvocationsPerWorkgroup: 256 } }));
    expect(r.verdict).toBe('no');
    expect(r.reasons[0]).toMatch(/250 MiB.*128 MiB/);
  });
  it('flags big models as risky for the reported memory, small ones as good', () => {
    expect(recommend(byId('Llama-3.1-8B-Instruct-q4f32_1-MLC'), caps({}, 4)).verdict).toBe('risky');
    expect(recommend(byId('Llama-3.1-70B-Instruct-q3f16_1-MLC'), caps({}, null)).verdict).toBe('risky');
    const good = recommend(byId('Qwen2.5-0.5B-Instruct-q4f16_1-MLC'), caps({}, 8));
    expect(good.verdict).toBe('good');
    expect(good.reasons[0]).toMatch(/Should run well/);
  });
  it('calls a software GPU slow for tiny models and no for big ones', () => {
    expect(recommend(byId('SmolLM2-135M-Instruct-q0f32-MLC'), caps({ isFallbackAdapter: true, shaderF16: false })).verdict).toBe('slow');
    expect(recommend(byId('Llama-3.2-3B-Instruct-q4f32_1-MLC'), caps({ vendor: 'google', description: 'SwiftShader', shaderF16: false })).verdict).toBe('no');
  });
  it('handles a record with no optional fields', () => {
    expect(toCatalogueEntry({ model_id: 'X-7B-q4f32_1-MLC' })).toMatchObject({ vramMB: 0, contextWindow: 4096, kind: 'chat' });
  });
});

describe('progress', () => {
  it('parses web-llm download texts into bytes and phases', () => {
    const p = parseInitProgress({ progress: 0.5, timeElapsed: 10, text: 'Fetching param cache[2/4]: 100MB fetched. 50% completed, 10 secs elapsed. It can take a while when we first visit this page to populate the cache. Later refreshes will become faster.' });
    expect(p).toMatchObject({ phase: 'download', loadedBytes: 100 * 2 ** 20, totalBytes: 200 * 2 ** 20, shard: { done: 2, total: 4 }, timeElapsedS: 10 });
    expect(parseInitProgress({ progress: 0.25, timeElapsed: 1, text: 'Loading model from cache[1/4]: 50MB loaded. 25% completed, 1 secs elapsed.' }).phase).toBe('load-from-cache');
    expect(estimateSecondsLeft({ progress: 0.25, timeElapsedS: 30 })).toBe(90);
    expect(estimateSecondsLeft({ progress: 0, timeElapsedS: 0 })).toBeNull();
    expect(formatBytes(1.5 * 2 ** 30)).toBe('1.50 GiB');
    expect(formatBytes(300 * 2 ** 20)).toBe('300 MiB');
    expect(formatBytes(null)).toBe('—');
    expect(formatDuration(200)).toBe('3 min 20 s');
  });
});
