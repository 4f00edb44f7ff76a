/**
 * A small random TinyLM (see src/lib/engine/tinylm-models.ts) for engine tests: shapes, KV cache,
 * sampling, constrained decoding, without shipped weights.
 */
import { createRandomTinyLM, RANDOM_MODEL_INFO, randomModelTokenizer } from '../../../src/lib/engine/tinylm-models';
import { createTinyLMEngine, type LoadedTinyLM, type TinyLMEngine } from '../../../src/lib/engine/tinylm-engine';
import type { Tokenizer } from '../../../src/lib/tokenizer';

/** The fixture tokenizer (~320 tokens). */
export function tinyTokenizer(): Tokenizer {
  return randomModelTokenizer();
}

/** A random-weight model over the fixture tokenizer. */
export function tinyModel(seed = 1): LoadedTinyLM {
  return createRandomTinyLM(seed);
}

export const TINY_MODEL_INFO = RANDOM_MODEL_INFO;

/** A TinyLM engine serving the random fixture model. */
export function tinyEngine(seed = 1): TinyLMEngine {
  return createTinyLMEngine({
    loader: async (id, onProgress) => {
      onProgress?.({ progress: 1, text: 'ready' });
      return { ...tinyModel(seed), id };
    },
    models: [TINY_MODEL_INFO],
    defaultModel: TINY_MODEL_INFO.id,
  });
}
