/**
 * AWQ and GGUF: the AWQ scales are folded into ordinary weights (RMSNorm gains, up_proj rows), so an
 * AWQ-scaled TinyLM exports to a plain Q4_0 GGUF that llama.cpp (wllama) runs like any other — the
 * way llama.cpp uses AWQ (apply the scales, then quantize with its own types). Its greedy
 * continuation must agree with ours on the same dequantized weights as well as the existing Q4_0
 * agreement test requires (teacher-forced top-1 ≥ 0.85; ggml also rounds activations).
 */
import { describe, expect, it } from 'vitest';
import { exportGGUF } from '../../../src/lib/tinylm/gguf';
import { TinyLM } from '../../../src/lib/tinylm/model';
import { loadTinyLM } from '../../../src/lib/tinylm/checkpoint';
import { quantizeWeights } from '../../../src/lib/inference/quant-measure';
import { bannedIds, commonPrefix, loadWllama, oursGreedy, quantizedWeights, top1Agreement, wllamaGreedy } from '../tinylm/wllama-harness';

const PROMPT = '<|endoftext|>Once upon a time, there was a little girl named Lily. She liked to';
const N = 32;

describe('AWQ-scaled TinyLM as a Q4_0 GGUF in llama.cpp', () => {
  it('loads, and its greedy continuation agrees with ours on the same weights', async () => {
    const { model, tokenizer: tok } = await loadTinyLM('/models/tinylm-base/');
    const { weights, awq } = quantizeWeights(model, tok, 'int4-awq', 8, { round: false });
    expect(awq!.some((a) => a.alpha > 0)).toBe(true);
    const scaled = new TinyLM(model.config, weights);
    const promptIds = tok.encode(PROMPT, { allowedSpecial: 'all' });
    const banned = bannedIds(tok, model.config.vocabSize);
    // The fold is exact in full precision: the scaled model continues exactly like the original.
    expect(oursGreedy(scaled, promptIds, N, banned)).toEqual(oursGreedy(model, promptIds, N, banned));
    const w = await loadWllama(exportGGUF(model.config, weights, tok, 'q4_0'));
    try {
      const llama = await wllamaGreedy(w, PROMPT, N, banned);
      const ours = new TinyLM(model.config, quantizedWeights(weights, 'q4_0'));
      const top1 = top1Agreement(ours, promptIds, llama.ids, banned);
      console.log(`AWQ-scaled Q4_0 in llama.cpp: top-1 ${top1.toFixed(3)}, first ${commonPrefix(llama.ids, oursGreedy(ours, promptIds, N, banned))}/${N} tokens equal: ${tok.decode(llama.ids)}`);
      expect(top1).toBeGreaterThanOrEqual(0.85);
    } finally {
      await w.exit();
    }
  }, 180_000);
});
