/**
 * The GGUF/llama.cpp agreement test: a TinyLM exported to GGUF runs in llama.cpp (wllama,
 * WebAssembly, one thread, CPU) and its greedy continuation is compared with ours.
 *  - F32: equal token for token (and llama.cpp tokenizes the prompt into as many tokens as we do),
 *    and, for a trained model, its top-3 log-probabilities equal ours within 1e-4;
 *    its chat endpoint, formatting messages with the ChatML template the GGUF carries, builds the
 *    same prompt as our renderChatML and continues it identically.
 *  - F16 / Q8_0 / Q4_0: compared with our model running on the same dequantized weights. ggml
 *    also rounds *activations* (to F16 for F16 weights, to Q8_0 blocks for Q8_0/Q4_0 weights), so
 *    exact equality is not expected; we assert teacher-forced top-1 agreement thresholds. A plain
 *    decoder that rounds activations as ggml does (GgmlLikeSession) must agree at ≥ 0.95 (it has
 *    matched llama.cpp token for token on every model tried).
 * Uses the shipped tinylm-base when present, else a seeded random model with a trained tokenizer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Wllama } from '@wllama/wllama';
import { exportGGUF } from '../../../src/lib/tinylm/gguf';
import { TinyLM } from '../../../src/lib/tinylm/model';
import { loadTinyLM } from '../../../src/lib/tinylm/checkpoint';
import { Tokenizer, trainBPE } from '../../../src/lib/tokenizer';
import { TINYLM_SPECIAL_TOKENS, type TinyLMConfig } from '../../../src/lib/tinylm/contract';
import { renderChatML } from '../../../src/lib/tinylm/corpus/instruct';
import type { QuantType } from '../../../src/lib/tinylm/quant';
import {
  bannedIds, commonPrefix, ggmlLikeAgreement, loadWllama, oursGreedy, oursLogprobs, quantizedWeights, top1Agreement, wllamaChatGreedy, wllamaGreedy,
  type WllamaRun,
} from './wllama-harness';

/** Stories were trained after <|endoftext|>; llama.cpp parses the control token in the text too. */
const PROMPT = '<|endoftext|>Once upon a time, there was a little girl named Lily. She liked to';
const N = 32;
/** Awkward prompts: llama.cpp's GPT-2 pre-tokenizer and merges must split them into as many tokens as ours. */
const TRICKY = [
  'Hello world', '  two  spaces and a tab\there', 'lines\n\nand\r\ncarriage returns\n', "it's, don't; we'll!",
  'numbers 12345 and 3.14159', 'café naïve Ünïcode 日本語 🙂', 'x<|im_end|>\n<|im_start|>user', '((("quotes")))...',
];
const MESSAGES = [
  { role: 'system' as const, content: 'You are a helpful assistant.' },
  { role: 'user' as const, content: 'Tell me a story about a cat.' },
];

/** Agreement thresholds for the quantized files (teacher-forced top-1 over N positions). */
const THRESHOLD: Record<Exclude<QuantType, 'f32'>, number> = { f16: 0.95, q8_0: 0.9, q4_0: 0.85 };

async function testModel(): Promise<{ model: TinyLM; tok: Tokenizer; source: string }> {
  try {
    const { model, tokenizer } = await loadTinyLM('/models/tinylm-base/');
    return { model, tok: tokenizer, source: 'shipped tinylm-base' };
  } catch {
    // Not trained yet: a seeded random model with weights scaled up so logits are well separated.
    const text = 'Once upon a time there was a little girl. She liked to play in the park with her dog. '.repeat(20);
    const specials = [...TINYLM_SPECIAL_TOKENS];
    const { vocab, merges } = trainBPE(text, 320, specials);
    const tok = new Tokenizer(vocab, merges, specials);
    const config: TinyLMConfig = {
      vocabSize: tok.vocab.size, dim: 64, nLayers: 2, nHeads: 4, nKvHeads: 2, ffnDim: 128,
      maxSeqLen: 256, ropeTheta: 10000, normEps: 1e-5, tieEmbeddings: true,
    };
    const model = TinyLM.init(config, 7);
    for (const t of model.weights.values()) if (t.shape.length === 2) t.data.forEach((v, i) => (t.data[i] = v * 15));
    return { model, tok, source: 'random-init TinyLM (dim 64, 2 layers, GQA 4/2)' };
  }
}

describe('llama.cpp (wllama) runs our GGUF exports', () => {
  let model: TinyLM, tok: Tokenizer, source: string, promptIds: number[], banned: number[], oursF32: number[];
  // The four llama.cpp runs start together (each in its own wllama worker): loading dominates.
  const runs = new Map<QuantType, Promise<WllamaRun & { chat?: { ids: number[]; promptTokens: number }; counts?: number[] }>>();
  const results: Record<string, unknown>[] = [];

  beforeAll(async () => {
    ({ model, tok, source } = await testModel());
    promptIds = tok.encode(PROMPT, { allowedSpecial: 'all' });
    expect(promptIds[0]).toBe(0);
    banned = bannedIds(tok, model.config.vocabSize);
    for (const type of ['f32', 'f16', 'q8_0', 'q4_0'] as const) {
      const p = run(type);
      p.catch(() => {}); // reported by the test that awaits it
      runs.set(type, p);
    }
    oursF32 = oursGreedy(model, promptIds, N, banned);
  });

  afterAll(() => console.log(results.map((r) => JSON.stringify(r)).join('\n')));

  async function run(type: QuantType) {
    const w: Wllama = await loadWllama(exportGGUF(model.config, model.weights, tok, type));
    try {
      // Top-k log-probs need whole-UTF-8 top tokens: a trained model's, not the random fallback's.
      const topK = type === 'f32' && source.startsWith('shipped') ? 3 : 0;
      const raw = await wllamaGreedy(w, PROMPT, N, banned, topK);
      if (type !== 'f32') return raw;
      const chat = await wllamaChatGreedy(w, MESSAGES, 16, banned);
      const counts: number[] = [];
      for (const text of TRICKY) counts.push((await wllamaGreedy(w, text, 1, banned)).promptTokens);
      return { ...raw, chat, counts };
    } finally {
      await w.exit();
    }
  }

  it('F32: the greedy continuation equals ours token for token', async () => {
    const llama = await runs.get('f32')!;
    expect(llama.promptTokens).toBe(promptIds.length);
    expect(llama.ids).toEqual(oursF32);
    results.push({ type: 'f32', source, prompt: promptIds.length, match: `${commonPrefix(llama.ids, oursF32)}/${N}` });
    console.log(`llama.cpp F32 on ${source}: ${tok.decode(llama.ids)}`);
    if (llama.top) {
      const ours = oursLogprobs(model, promptIds, llama.ids);
      let maxDiff = 0;
      llama.top.forEach((entries, i) => {
        for (const e of entries) maxDiff = Math.max(maxDiff, Math.abs(e.logprob - ours[i][e.id]));
      });
      results.push({ type: 'f32', top3LogprobMaxAbsDiff: maxDiff.toExponential(2) });
      expect(maxDiff).toBeLessThan(1e-4);
    }
  });

  it('tokenizes awkward text into as many tokens as we do', async () => {
    const { counts } = await runs.get('f32')!;
    expect(counts).toEqual(TRICKY.map((t) => tok.encode(t, { allowedSpecial: 'all' }).length));
  });

  it('F32 chat: llama.cpp applies the embedded ChatML template exactly as we do', async () => {
    const { chat } = await runs.get('f32')!;
    const chatIds = tok.encode(renderChatML(MESSAGES, true), { allowedSpecial: 'all' });
    expect(chat!.promptTokens).toBe(chatIds.length);
    expect(chat!.ids).toEqual(oursGreedy(model, chatIds, 16, banned));
  });

  it.each(['f16', 'q8_0', 'q4_0'] as const)('%s: agrees with ours on the same quantized weights', async (type) => {
    const llama = await runs.get(type)!;
    const qModel = new TinyLM(model.config, quantizedWeights(model.weights, type));
    const oursQ = oursGreedy(qModel, promptIds, N, banned);
    const top1 = top1Agreement(qModel, promptIds, llama.ids, banned);
    // Our plain decoder computing as ggml does (activations quantized too): exact so far.
    const ggml = ggmlLikeAgreement(model, type, promptIds, llama.ids, banned);
    const row = {
      type, source,
      firstTokensEqual: `${commonPrefix(llama.ids, oursQ)}/${N}`,
      top1Agreement: top1.toFixed(3),
      threshold: THRESHOLD[type],
      vsOursF32: `${commonPrefix(llama.ids, oursF32)}/${N}`,
      ggmlLikeTop1: ggml.top1.toFixed(3),
      ggmlLikeFirstEqual: `${ggml.prefix}/${N}`,
    };
    results.push(row);
    expect(top1).toBeGreaterThanOrEqual(THRESHOLD[type]);
    expect(ggml.top1).toBeGreaterThanOrEqual(0.95);
  });
});
