/**
 * The quantization lab's GGUF files in llama.cpp (wllama): every type GGUF holds — F32, F16, Q8_0,
 * Q4_0 and the AWQ-scaled Q4_0 — written by `quantGguf` (what the lab's download buttons save) for
 * tinylm-chat, prompted in its own ChatML format, and the AWQ file for tinylm-base (whose plain
 * F16/Q8_0/Q4_0 files test/browser/tinylm/wllama-agreement.test.ts covers).
 *
 * Each file's greedy continuation is compared with our model running on the same dequantized
 * weights: F32 must be identical token for token. For the others ggml also rounds the
 * *activations* (to F16 for F16 weights, to Q8_0 blocks for Q8_0/Q4_0), which our float32 engine
 * does not, so exact equality is not promised: we assert the same teacher-forced top-1 thresholds
 * as the agreement test, and that our plain decoder that rounds activations the way ggml does
 * (GgmlLikeSession) agrees at ≥ 0.95. The measured agreement is printed.
 *
 * AWQ's scales are folded into ordinary weights (RMSNorm gains, up_proj rows), so the AWQ file is a
 * plain Q4_0 GGUF — the way llama.cpp uses AWQ (apply the scales, then quantize with its own types).
 */
import { describe, expect, it } from 'vitest';
import { TinyLM } from '../../../src/lib/tinylm/model';
import { readsTextAfterEndOfText } from '../../../src/lib/tinylm/gguf';
import { loadTinyLM } from '../../../src/lib/tinylm/checkpoint';
import { CORPUS_SEEDS, makeInstruct, renderChatML } from '../../../src/lib/tinylm/corpus';
import { quantGguf, quantizeWeights, quantTexts, DEFAULT_QUANT_REQUEST, textFor, type GgufVariant } from '../../../src/lib/inference/quant-measure';
import type { QuantType } from '../../../src/lib/tinylm/quant';
import { bannedIds, commonPrefix, ggmlLikeAgreement, loadWllama, oursGreedy, quantizedWeights, top1Agreement, wllamaGreedy } from '../tinylm/wllama-harness';

const N = 24;
const THRESHOLD: Record<Exclude<QuantType, 'f32'>, number> = { f16: 0.95, q8_0: 0.9, q4_0: 0.85 };
/** The base GGUF says add_bos_token (stories were trained after <|endoftext|>): llama.cpp prepends it. */
const STORY = 'Once upon a time, there was a little girl named Lily. She liked to';

/** A held-out chat prompt in the trained format (a context-QA conversation, up to the assistant turn). */
function chatPrompt(): string {
  const ex = makeInstruct(1, CORPUS_SEEDS.valInstruct, 'qa')[0];
  return renderChatML(ex.messages.slice(0, -1), true);
}

async function check(modelId: string, variant: GgufVariant, prompt: string) {
  const { model, tokenizer: tok } = await loadTinyLM(`/models/${modelId}/`);
  const bos = readsTextAfterEndOfText(modelId) ? [0] : [];
  const promptIds = [...bos, ...tok.encode(prompt, { allowedSpecial: 'all' })];
  const banned = bannedIds(tok, model.config.vocabSize);
  // The weights the file holds, decoded back to float32, and the model that computes them.
  let source = model;
  if (variant === 'q4_0-awq') {
    const { calib } = quantTexts(tok, { ...DEFAULT_QUANT_REQUEST, text: textFor(modelId) });
    // The scales alone fold exactly: in full precision the scaled model continues exactly like the original.
    const folded = quantizeWeights(model, calib, 'q4_0-awq', { round: false, clip: false });
    expect(folded.awq!.some((a) => a.alpha !== null)).toBe(true);
    expect(oursGreedy(new TinyLM(model.config, folded.weights), promptIds, N, banned)).toEqual(oursGreedy(model, promptIds, N, banned));
    // The file also carries the clipping search's clamped weights.
    source = new TinyLM(model.config, quantizeWeights(model, calib, 'q4_0-awq', { round: false }).weights);
  }
  const type: QuantType = variant === 'q4_0-awq' ? 'q4_0' : variant;
  const ours = new TinyLM(model.config, quantizedWeights(source.weights, type));
  const oursIds = oursGreedy(ours, promptIds, N, banned);
  const w = await loadWllama(quantGguf(model, tok, modelId, variant));
  try {
    const llama = await wllamaGreedy(w, prompt, N, banned);
    expect(llama.promptTokens).toBe(promptIds.length);
    const top1 = top1Agreement(ours, promptIds, llama.ids, banned);
    const ggml = type === 'f32' ? null : ggmlLikeAgreement(source, type, promptIds, llama.ids, banned);
    console.log(`${modelId} ${variant} in llama.cpp: first ${commonPrefix(llama.ids, oursIds)}/${N} greedy tokens equal ours, teacher-forced top-1 ${top1.toFixed(3)}` +
      (ggml ? `, ggml-like decoder top-1 ${ggml.top1.toFixed(3)}` : '') + `: ${JSON.stringify(tok.decode(llama.ids))}`);
    if (type === 'f32') expect(llama.ids).toEqual(oursIds);
    else {
      expect(top1).toBeGreaterThanOrEqual(THRESHOLD[type]);
      expect(ggml!.top1).toBeGreaterThanOrEqual(0.95);
    }
  } finally {
    await w.exit();
  }
}

describe('the quantization lab\'s GGUF files run in llama.cpp and agree with ours', () => {
  it.each(['f32', 'f16', 'q8_0', 'q4_0', 'q4_0-awq'] as const)('tinylm-chat %s, on a held-out chat prompt', (v) => check('tinylm-chat', v, chatPrompt()), 180_000);
  it('tinylm-base AWQ-scaled Q4_0, on a story opening', () => check('tinylm-base', 'q4_0-awq', STORY), 180_000);
});
