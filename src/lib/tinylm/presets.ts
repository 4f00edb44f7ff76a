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
  /** Number of training stories / instruction examples generated. */
  stories: number;
  instruct: number;
  /** chat only: fine-tune from the base model's snapshot at this step (lets both train at once). */
  fromBaseStep?: number;
  /** chat only: further runs over the same data, each started from the previous run's weights. */
  stages?: TrainConfig[];
}

const common = { minLr: 1e-4, weightDecay: 0.1, clip: 1, beta1: 0.9, beta2: 0.95 };

/** Recipes of the three shipped models. */
export const RECIPES: Record<'base' | 'draft' | 'chat', Recipe> = {
  base: { config: BASE_CONFIG, stories: 6000, instruct: 0, train: { ...common, steps: 300, batchSize: 8, seqLen: 128, maxLr: 4e-3, warmup: 30, seed: 11 } },
  draft: { config: DRAFT_CONFIG, stories: 6000, instruct: 0, train: { ...common, steps: 400, batchSize: 8, seqLen: 128, maxLr: 5e-3, warmup: 30, seed: 12 } },
  chat: { config: BASE_CONFIG, stories: 600, instruct: 12000, fromBaseStep: 100, train: { ...common, steps: 150, batchSize: 6, seqLen: 160, maxLr: 3e-3, minLr: 1e-4, warmup: 15, seed: 13 },
    stages: [
      { ...common, steps: 200, batchSize: 6, seqLen: 160, maxLr: 2e-3, minLr: 1e-4, warmup: 10, seed: 14 },
      { ...common, steps: 500, batchSize: 6, seqLen: 160, maxLr: 2e-3, minLr: 1e-4, warmup: 10, seed: 15 },
    ] },
};
