/**
 * The shipped models' configurations and training recipes (used by `npm run train:tinylm`).
 * Sizes are chosen so that all three fit in ~10 MB (F32) and train on 2 CPU cores.
 */
import type { TinyLMConfig } from './contract';
import type { TrainConfig } from './train';

/** Tokenizer size shared by every shipped model (3 specials + 256 bytes + merges). */
export const TOKENIZER_VOCAB = 1024;

/** base and chat: ~0.4 M parameters (3 query heads share 1 key/value head). */
export const BASE_CONFIG: TinyLMConfig = {
  vocabSize: TOKENIZER_VOCAB, dim: 96, nLayers: 3, nHeads: 3, nKvHeads: 1, ffnDim: 256,
  maxSeqLen: 256, ropeTheta: 10000, normEps: 1e-5, tieEmbeddings: true,
};

/** draft (speculative decoding): ~0.13 M parameters, same tokenizer. */
export const DRAFT_CONFIG: TinyLMConfig = {
  ...BASE_CONFIG, dim: 64, nLayers: 2, nHeads: 2, nKvHeads: 1, ffnDim: 128,
};

export interface Recipe {
  config: TinyLMConfig;
  train: TrainConfig;
  /** Number of training stories / instruction examples / copy drills generated. */
  stories: number;
  instruct: number;
  copy?: number;
  /**
   * Threads the shipped model was trained with (data parallel; the float sums split the same way
   * for a given count, so a run reproduces the shipped weights only with the same count).
   */
  threads: number;
}

const common = { minLr: 1e-4, weightDecay: 0.1, clip: 1, beta1: 0.9, beta2: 0.95 };

/**
 * Recipes of the three shipped models. chat fine-tunes the finished base model. Its recipe came
 * from a sweep of 36 variants in a PyTorch mirror of this trainer (reply-only loss vs loss on every
 * token, copy drills, batch size, learning rate, steps, width, depth): copying answers out of the
 * prompt appears abruptly after ~3 M training tokens, copy drills bring it forward, and smaller
 * batches with more steps do not help at equal tokens. 4,000 steps of 6 × 160 tokens is ~3.8 M tokens.
 */
export const RECIPES: Record<'base' | 'draft' | 'chat', Recipe> = {
  base: { config: BASE_CONFIG, stories: 6000, instruct: 0, threads: 1, train: { ...common, steps: 300, batchSize: 8, seqLen: 128, maxLr: 4e-3, warmup: 30, seed: 11 } },
  draft: { config: DRAFT_CONFIG, stories: 6000, instruct: 0, threads: 1, train: { ...common, steps: 400, batchSize: 8, seqLen: 128, maxLr: 5e-3, warmup: 30, seed: 12 } },
  chat: { config: BASE_CONFIG, stories: 2000, instruct: 40000, copy: 16000, threads: 2,
    train: { ...common, steps: 4000, batchSize: 6, seqLen: 160, maxLr: 2e-3, minLr: 1e-4, warmup: 20, seed: 13 } },
};
