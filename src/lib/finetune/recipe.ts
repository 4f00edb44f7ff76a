/**
 * The runs of lesson 2.2, shared by the lab (in a worker) and the measuring script
 * (`npm run finetune:measure`, which writes the figures the lesson quotes).
 */
import type { FinetuneMethod } from '../tinylm/finetune';
import { ALL_LINEAR, type LoraConfig } from '../tinylm/lora';
import type { TrainConfig } from '../tinylm/train';

/** Learning rate per method: adapters start from zero and take larger steps (as in PEFT recipes). */
export const METHOD_LR: Record<FinetuneMethod, number> = { full: 1e-3, lora: 5e-3, qlora: 5e-3 };

/** Examples per split of the task (train / held-out loss / held-out generation score). */
export const TASK_SPLITS = { train: 2000, val: 64, test: 50 } as const;

/** The default adapter: r 8, alpha 16 on every linear layer of every block. */
export const DEFAULT_LORA_CONFIG: LoraConfig = { r: 8, alpha: 16, dropout: 0, targets: ALL_LINEAR, seed: 1 };

/** The trainer settings of a method's default run (~100 steps of 4 × 112 tokens). */
export function defaultTrain(method: FinetuneMethod, steps = 100): TrainConfig {
  return { steps, batchSize: 4, seqLen: 112, maxLr: METHOD_LR[method], minLr: METHOD_LR[method] / 10, warmup: 10, weightDecay: 0, clip: 1, seed: 1 };
}
