/** The GPU comparison's data and run logic (no DOM): pairs exist in the installed web-llm, runs are sequential, failures stay on their side. */
import { describe, expect, it } from 'vitest';
import { GPU_PAIRS } from '../../../src/labs/align-dpo/gpu-pairs';
import { CompareRun, tokensPerSecond } from '../../../src/labs/align-dpo/compare.svelte';
import { buildCatalogue } from '../../../src/lib/engine/webllm/catalogue';
import { WEBLLM_MODEL_RECORDS } from '../../../src/lib/engine/webllm/catalogue-data';
import { createTestDoubleEngine } from '../../../src/lib/engine/test-double';
import { LabError } from '../../../src/lib/errors';
import type { ChatEngine } from '../../../src/lib/engine/types';

describe('GPU_PAIRS', () => {
  const catalogue = buildCatalogue(WEBLLM_MODEL_RECORDS);
  it('names models of the installed web-llm catalogue, and the labels tell the truth about shader-f16', () => {
    for (const p of GPU_PAIRS) {
      const sft = catalogue.find((e) => e.id === p.sft);
      const dpo = catalogue.find((e) => e.id === p.dpo);
      expect(sft, p.sft).toBeDefined();
      expect(dpo, p.dpo).toBeDefined();
      expect(p.sft).not.toBe(p.dpo);
      expect(p.label.includes('no shader-f16')).toBe(!sft!.needsShaderF16 && !dpo!.needsShaderF16);
    }
    expect(GPU_PAIRS[0]!.sft).toBe('OpenHermes-2.5-Mistral-7B-q4f16_1-MLC');
    expect(GPU_PAIRS[0]!.dpo).toBe('NeuralHermes-2.5-Mistral-7B-q4f16_1-MLC');
  });
});

describe('tokensPerSecond', () => {
  it('counts decode speed after the first token', () => {
    expect(tokensPerSecond({ tokens: 11, firstTokenMs: 500, genMs: 1500 })).toBe(10);
    expect(tokensPerSecond({ tokens: 1, firstTokenMs: 500, genMs: 500 })).toBeNull();
    expect(tokensPerSecond({ tokens: 5, firstTokenMs: null, genMs: 100 })).toBeNull();
  });
});

describe('CompareRun', () => {
  it('loads and runs the models one after the other, and a failed load stays on its side', async () => {
    const log: string[] = [];
    const engine = createTestDoubleEngine();
    const source = {
      async engineFor(id: string): Promise<ChatEngine> {
        log.push(`load ${id}`);
        if (id === 'b') throw new LabError('model-not-found', 'b is gone', 'Download it again.');
        return {
          ...engine,
          chat: {
            completions: {
              create: (async (req: Parameters<ChatEngine['chat']['completions']['create']>[0]) => {
                log.push(`generate ${id}`);
                return engine.chat.completions.create(req);
              }) as ChatEngine['chat']['completions']['create'],
            },
          },
        };
      },
    };
    let t = 0;
    const run = new CompareRun(source, () => (t += 10));
    const ok = await run.run(['a', 'b'], { system: '', prompt: 'hello', temperature: 0, maxTokens: 32, seed: 1 });
    expect(ok).toBe(false);
    expect(log).toEqual(['load a', 'generate a', 'load b']);
    const [a, b] = run.sides;
    expect(a!.phase).toBe('done');
    expect(a!.text.length).toBeGreaterThan(0);
    expect(a!.tokens).toBeGreaterThan(0);
    expect(a!.loadMs).toBe(10);
    expect(b!.phase).toBe('error');
    expect(b!.error?.hint).toBe('Download it again.');
    expect(run.running).toBe(false);
  });

  it('starts the next run with the model the last run left loaded (one load saved), keeping the sides in place', async () => {
    const loads: string[] = [];
    const engine = createTestDoubleEngine();
    const run = new CompareRun({ engineFor: async (id: string) => (loads.push(id), engine) });
    const p = { system: 'Be brief.', prompt: 'hello', temperature: 0, maxTokens: 8, seed: 1 };
    expect(await run.run(['sft', 'dpo'], p)).toBe(true);
    expect(await run.run(['sft', 'dpo'], p)).toBe(true);
    expect(loads).toEqual(['sft', 'dpo', 'dpo', 'sft']);
    expect(run.sides.map((s) => s.modelId)).toEqual(['sft', 'dpo']);
    expect(run.sides.every((s) => s.phase === 'done' && s.text.length > 0)).toBe(true);
  });
});
