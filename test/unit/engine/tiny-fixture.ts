/**
 * A small random TinyLM with a small BPE tokenizer trained on a few sentences: enough for
 * engine tests (shapes, KV cache, sampling, constrained decoding) without shipped weights.
 * Also reused by the browser worker test and the engine bench.
 */
import { createTinyLMEngine, type LoadedTinyLM, type TinyLMEngine } from '../../../src/lib/engine/tinylm-engine';
import type { ModelInfo } from '../../../src/lib/engine/types';
import { TINYLM_SPECIAL_TOKENS, type TinyLMConfig } from '../../../src/lib/tinylm/contract';
import { TinyLM } from '../../../src/lib/tinylm/model';
import { Tokenizer, trainBPE } from '../../../src/lib/tokenizer';

const CORPUS = [
  'Once upon a time there was a little cat named Tom. Tom liked to play in the sun.',
  'The dog ran to the park. "Hello!" said the dog. The cat and the dog were friends.',
  '{"name": "Ann", "age": 7, "pet": "cat", "tags": ["happy", "small"]}',
  '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>',
  'Answer: The capital of France is Paris. What is the weather? It is sunny today.',
].join('\n');

let cached: { tokenizer: Tokenizer } | null = null;

/** The fixture tokenizer (trained once per process; ~300 tokens). */
export function tinyTokenizer(): Tokenizer {
  if (!cached) {
    const { vocab, merges } = trainBPE(CORPUS.repeat(3), 320, [...TINYLM_SPECIAL_TOKENS]);
    cached = { tokenizer: new Tokenizer(vocab, merges, [...TINYLM_SPECIAL_TOKENS]) };
  }
  return cached.tokenizer;
}

/** A random-weight model over the fixture tokenizer. */
export function tinyModel(seed = 1, maxSeqLen = 1024): LoadedTinyLM {
  const tokenizer = tinyTokenizer();
  const config: TinyLMConfig = {
    vocabSize: tokenizer.vocabSize,
    dim: 32,
    nLayers: 2,
    nHeads: 4,
    nKvHeads: 2,
    ffnDim: 64,
    maxSeqLen,
    ropeTheta: 10000,
    normEps: 1e-5,
    tieEmbeddings: false,
  };
  const model = TinyLM.init(config, seed);
  // Untied and sharpened head: random logits that vary with the context (tied, tiny init weights
  // make greedy decoding repeat the last prompt token forever).
  for (const x of [model.weight('lm_head.weight').data]) for (let i = 0; i < x.length; i++) x[i] *= 40;
  return { id: 'tinylm-random', model, tokenizer };
}

export const TINY_MODEL_INFO: ModelInfo = {
  id: 'tinylm-random',
  engine: 'tinylm',
  displayName: 'TinyLM (random weights, tests)',
  contextWindow: 1024,
  capabilities: ['chat', 'embeddings', 'tools', 'json_schema', 'logprobs'],
  downloadBytes: 0,
};

/** A TinyLM engine serving the random fixture model. */
export function tinyEngine(seed = 1): TinyLMEngine {
  return createTinyLMEngine({
    loader: async (id, onProgress) => {
      onProgress?.({ progress: 1, text: 'ready' });
      return { ...tinyModel(seed), id };
    },
    models: [TINY_MODEL_INFO],
    defaultModel: 'tinylm-random',
  });
}
