/**
 * The default DPO run of lesson 2.3, shared by the lab (in a worker) and the measuring script
 * (`npm run align:measure`, which writes the figures the lesson quotes).
 */
import { ALL_LINEAR } from '../tinylm/lora';
import type { DpoConfig } from './dpo';

/** Pairs per split: training pairs, held-out pairs (pair accuracy) and held-out prompts (behaviour score). */
export const PAIR_SPLITS = { train: 256, heldOut: 64, behaviour: 60 } as const;

/** β 0.1 (TRL's default), an r-8 adapter on every linear layer, 8 pairs per step. */
export const DEFAULT_DPO: DpoConfig = {
  beta: 0.1, steps: 60, batchSize: 8, maxLr: 3e-3, warmup: 5, clip: 1, seed: 1, rpoAlpha: 0.3,
  lora: { r: 8, alpha: 16, dropout: 0, targets: ALL_LINEAR, seed: 1 },
};
