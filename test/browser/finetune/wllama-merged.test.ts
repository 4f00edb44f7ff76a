/**
 * The merged fine-tuned model in llama.cpp: LoRA-train the shipped chat model on the 2.2 task for a
 * few steps, merge, export GGUF (F32), and check that llama.cpp (wllama) answers a held-out task
 * prompt token for token as our in-page merged model does — in the new {"answer": ...} format.
 */
import { describe, expect, it } from 'vitest';
import { exportMergedGGUF } from '../../../src/lib/finetune/peft';
import { DEFAULT_LORA_CONFIG, defaultTrain } from '../../../src/lib/finetune/recipe';
import { makeTaskExamples, TASK_SEEDS, taskTokens } from '../../../src/lib/finetune/task';
import { loadTinyLM } from '../../../src/lib/tinylm/checkpoint';
import { renderChatML } from '../../../src/lib/tinylm/corpus/instruct';
import { FineTuner } from '../../../src/lib/tinylm/finetune';
import { bannedIds, loadWllama, oursGreedy, wllamaGreedy } from '../tinylm/wllama-harness';

describe('merged LoRA model in llama.cpp', () => {
  it('continues a held-out task prompt exactly as the in-page merged model does', async () => {
    const { model, tokenizer: tok } = await loadTinyLM('/models/tinylm-chat/');
    const ft = new FineTuner(model, taskTokens(tok, makeTaskExamples(400, TASK_SEEDS.train)), { method: 'lora', lora: DEFAULT_LORA_CONFIG, train: defaultTrain('lora', 40) });
    await ft.trainer.run();
    const merged = ft.mergedModel();
    const ex = makeTaskExamples(3, TASK_SEEDS.test)[0];
    const prompt = renderChatML(ex.messages.slice(0, -1), true);
    const ids = tok.encode(prompt, { allowedSpecial: 'all' });
    const banned = bannedIds(tok, model.config.vocabSize);
    const ours = oursGreedy(merged, ids, 12, banned);
    const w = await loadWllama(exportMergedGGUF(model.config, merged.weights, tok, 'f32'));
    try {
      const llama = await wllamaGreedy(w, prompt, 12, banned);
      expect(llama.promptTokens).toBe(ids.length);
      expect(llama.ids).toEqual(ours);
      console.log(`merged LoRA in llama.cpp: ${JSON.stringify(tok.decode(llama.ids))} (expected ${ex.messages[2].content})`);
      expect(tok.decode(ours)).toMatch(/^\{"answer": /); // it learned the format after 40 steps
    } finally {
      await w.exit();
    }
  }, 180_000);
});
