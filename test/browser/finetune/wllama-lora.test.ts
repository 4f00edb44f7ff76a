/**
 * The LoRA adapter GGUF in llama.cpp itself (not merged): wllama loads the base GGUF and the
 * adapter GGUF from memory — passed as a second blob, which wllama writes next to the model as
 * `models/model-00002-of-00002.gguf` while llama.cpp opens only the first path as the model — and
 * `lora_adapters` points at it (llama.cpp adds (alpha/r)·B·A at run time). Its greedy continuation
 * of a held-out task prompt must equal our merged model's.
 */
import { describe, expect, it } from 'vitest';
import { Wllama } from '@wllama/wllama';
import wasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import { exportGGUF } from '../../../src/lib/tinylm/gguf';
import { exportLoraGGUF } from '../../../src/lib/finetune/gguf-lora';
import { DEFAULT_LORA_CONFIG, defaultTrain } from '../../../src/lib/finetune/recipe';
import { makeTaskExamples, TASK_SEEDS, taskTokens } from '../../../src/lib/finetune/task';
import { loadTinyLM } from '../../../src/lib/tinylm/checkpoint';
import { renderChatML } from '../../../src/lib/tinylm/corpus/instruct';
import { FineTuner } from '../../../src/lib/tinylm/finetune';
import { bannedIds, oursGreedy, wllamaGreedy } from '../tinylm/wllama-harness';

describe('LoRA adapter GGUF in llama.cpp', () => {
  it('base GGUF + adapter GGUF continue a held-out task prompt exactly as the in-page merged model does', async () => {
    const { model, tokenizer: tok } = await loadTinyLM('/models/tinylm-chat/');
    const ft = new FineTuner(model, taskTokens(tok, makeTaskExamples(400, TASK_SEEDS.train)), { method: 'lora', lora: DEFAULT_LORA_CONFIG, train: defaultTrain('lora', 40) });
    await ft.trainer.run();
    const merged = ft.mergedModel();
    const ex = makeTaskExamples(3, TASK_SEEDS.test)[0];
    const prompt = renderChatML(ex.messages.slice(0, -1), true);
    const ids = tok.encode(prompt, { allowedSpecial: 'all' });
    const banned = bannedIds(tok, model.config.vocabSize);
    const ours = oursGreedy(merged, ids, 12, banned);
    const base = exportGGUF(model.config, model.weights, tok, 'f32', 'TinyLM chat');
    const lora = exportLoraGGUF(ft.adapter!, model.config);
    const logs: string[] = [];
    const push = (...a: unknown[]) => logs.push(a.map(String).join(' '));
    const w = new Wllama({ default: wasmUrl }, { logger: { debug: () => {}, log: push, warn: push, error: push } });
    try {
      await w.loadModel([new Blob([base as Uint8Array<ArrayBuffer>]), new Blob([lora as Uint8Array<ArrayBuffer>])], {
        n_gpu_layers: 0, flash_attn: false, cache_type_k: 'f32', cache_type_v: 'f32', n_parallel: 1, n_threads: 1, n_ctx: 512, seed: 1, warmup: false,
        lora_adapters: [{ path: 'models/model-00002-of-00002.gguf', scale: 1 }],
      });
    } catch (e) {
      throw new Error(`llama.cpp could not load base + adapter: ${String(e)}\n${logs.slice(-20).join('\n')}`);
    }
    try {
      const llama = await wllamaGreedy(w, prompt, 12, banned);
      expect(llama.promptTokens).toBe(ids.length);
      expect(llama.ids).toEqual(ours);
      expect(tok.decode(ours)).toMatch(/^\{"answer": /);
      // the adapter was applied: without it the base model answers differently (the bare span)
      expect(oursGreedy(model, ids, 12, banned)).not.toEqual(ours);
    } finally {
      await w.exit();
    }
  }, 180_000);
});
