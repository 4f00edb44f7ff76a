/**
 * llama.cpp (wllama) given the plain prompt text continues exactly as `npm run tinylm -- generate`
 * given the same text: the base model's GGUF, exported as `npm run tinylm -- export-gguf` exports
 * it, says add_bos_token = true (training put <|endoftext|> before every story; generate prepends
 * it). The CLI's output is the committed fixture (checked against the CLI by
 * test/unit/tinylm/cli-greedy.test.ts).
 */
import { describe, expect, it } from 'vitest';
import fx from '../../fixtures/tinylm/cli-greedy-base.json';
import { exportGGUF, readsTextAfterEndOfText } from '../../../src/lib/tinylm/gguf';
import { loadTinyLM } from '../../../src/lib/tinylm/checkpoint';
import { loadWllama, wllamaGreedy } from './wllama-harness';

describe('llama.cpp and the CLI agree on plain text', () => {
  it('the base GGUF continues the plain prompt with the ids generate printed', async () => {
    const { model, tokenizer } = await loadTinyLM('/models/tinylm-base/');
    const gguf = exportGGUF(model.config, model.weights, tokenizer, 'f32', 'TinyLM', readsTextAfterEndOfText('base'));
    const w = await loadWllama(gguf);
    try {
      // The same stops as generate (<|endoftext|>, <|im_end|>) need no bans: greedy picks the same ids.
      const run = await wllamaGreedy(w, fx.prompt, fx.ids.length, []);
      expect(run.promptTokens).toBe(fx.promptIds.length);
      expect(run.ids).toEqual(fx.ids);
    } finally {
      await w.exit();
    }
  });
});
