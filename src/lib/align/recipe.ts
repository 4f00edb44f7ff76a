/**
 * The default DPO run of lesson 2.3, shared by the lab (in a worker) and the measuring script
 * (`npm run align:measure`, which writes the figures the lesson quotes).
 */
import { ALL_LINEAR } from '../tinylm/lora';
import type { DpoConfig } from './dpo';
import type { GrpoConfig } from './grpo';
import type { RewardConfig } from './reward';

/** Pairs per split: training pairs, held-out pairs (pair accuracy) and held-out prompts (behaviour score). */
export const PAIR_SPLITS = { train: 256, heldOut: 64, behaviour: 60 } as const;

/** β 0.1 (TRL's default), an r-8 adapter on every linear layer, 8 pairs per step. */
export const DEFAULT_DPO: DpoConfig = {
  beta: 0.1, steps: 60, batchSize: 8, maxLr: 3e-3, warmup: 5, clip: 1, seed: 1, rpoAlpha: 0.3,
  lora: { r: 8, alpha: 16, dropout: 0, targets: ALL_LINEAR, seed: 1 },
};

/** The reward model's head: 400 AdamW steps of 32 pairs on frozen features (well under a second). */
export const DEFAULT_REWARD: RewardConfig = { steps: 400, batchSize: 32, lr: 0.01, weightDecay: 0.01, seed: 1 };

/**
 * The RL run of lesson 2.3.b: 12 supervised warm-start steps on the chosen replies (the shipped model
 * never samples an abstention, so RL alone would have nothing to reinforce), then 30 GRPO steps of
 * 2 prompts × 8 completions, β 0.1 (k3 KL to the warm-started reference), ε 0.2, one update per
 * batch (TRL's default num_iterations; the lab lets the learner raise it to see the clip act).
 */
export const DEFAULT_GRPO: GrpoConfig = {
  steps: 30, promptsPerStep: 2, groupSize: 8, maxNewTokens: 12, temperature: 1, beta: 0.1, epsilon: 0.2, iterations: 1,
  lossType: 'grpo', maxLr: 2e-3, warmup: 3, clip: 1, seed: 1, sftSteps: 12, sftBatch: 8, sftLr: 3e-3, reward: 'model',
  lora: { r: 8, alpha: 16, dropout: 0, targets: ALL_LINEAR, seed: 1 },
};
