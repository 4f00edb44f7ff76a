/**
 * The experiments the model labs run in the inspect worker: sampling draws, ablations with a
 * held-out loss (on held-out stories, see `held-out.ts`), and tiny models trained with and without
 * residuals/normalisation. All on TinyLM's model, sampler and optimizer.
 */
import type { TinyLM, Ablation } from '../tinylm/model';
import type { TinyLMConfig } from '../tinylm/contract';
import { TinyLM as TinyLMClass } from '../tinylm/model';
import { AdamW, clipGradNorm } from '../tinylm/optim';
import { RNG } from '../tinylm/rng';
import { createRng, sampleToken, softmax, type SamplingParams } from '../sampling';
import { windowedLoss } from './held-out';

export const EOS_ID = 0;

export interface Draw {
  ids: number[];
  finish: 'stop' | 'length';
}

/**
 * Draws `n` continuations of `prompt` with a seed (sample i uses seed + i), plus one greedy
 * continuation. The prompt is prefilled once and the KV cache truncated back after each draw.
 */
export function drawSamples(
  model: TinyLM,
  prompt: number[],
  params: SamplingParams,
  n: number,
  seed: number,
  maxTokens: number,
): { greedy: Draw; samples: Draw[] } {
  const room = model.config.maxSeqLen - maxTokens;
  const ids = prompt.slice(-Math.max(1, room));
  const session = model.newSession();
  const first = session.append(ids);
  const draw = (p: SamplingParams, s: number): Draw => {
    session.truncate(ids.length);
    const rng = createRng(s);
    const out: number[] = [];
    let logits = first;
    for (let i = 0; i < maxTokens; i++) {
      const { id } = sampleToken(logits, p, rng, { history: out });
      if (id === EOS_ID) return { ids: out, finish: 'stop' };
      out.push(id);
      if (i + 1 < maxTokens) logits = session.append([id]);
    }
    return { ids: out, finish: 'length' };
  };
  const greedy = draw({ ...params, temperature: 0 }, seed);
  const samples = Array.from({ length: n }, (_, i) => draw(params, seed + i));
  return { greedy, samples };
}

/** Next-token logits for a prompt [V] (the last position). */
export function nextLogits(model: TinyLM, prompt: number[]): Float32Array {
  const ids = prompt.slice(-model.config.maxSeqLen);
  return model.newSession().append(ids);
}

export interface AblationResult {
  /** next-token probabilities at the end of the prompt [V] */
  probs: Float32Array;
  /** mean next-token cross-entropy on the held-out text (nats) */
  heldOutLoss: number;
  attention: Float32Array[];
}

/**
 * Runs the prompt and the held-out text through the model with parts switched off. The held-out
 * loss is read in `EVAL_WINDOW`-token windows, as `metrics.json`'s figure is.
 */
export function runAblation(model: TinyLM, prompt: number[], heldOut: number[], ablation: Ablation): AblationResult {
  const ids = prompt.slice(-model.config.maxSeqLen);
  const { logits, trace } = model.inspect(ids, ablation);
  const V = model.config.vocabSize;
  const probs = softmax(logits.subarray((ids.length - 1) * V, ids.length * V));
  const heldOutLoss = heldOut.length >= 2 ? windowedLoss(model, heldOut, ablation) : NaN;
  return { probs, heldOutLoss, attention: trace.attention };
}

export type Variant = 'baseline' | 'no-residual' | 'no-norm';

export interface CurvePoint {
  variant: Variant;
  step: number;
  loss: number;
}

/**
 * Trains one tiny model per variant on the same tokens and seed, reporting the training loss.
 * 'no-residual' cuts every residual connection; 'no-norm' removes every RMSNorm.
 */
export function* trainVariants(
  tokens: number[],
  vocabSize: number,
  variants: Variant[],
  opts: { steps: number; seqLen?: number; batch?: number; lr?: number; layers?: number; seed?: number },
): Generator<CurvePoint> {
  const T = opts.seqLen ?? 32, B = opts.batch ?? 4;
  const layers = opts.layers ?? 4;
  const config: TinyLMConfig = {
    vocabSize, dim: 32, nLayers: layers, nHeads: 2, nKvHeads: 2, ffnDim: 64,
    maxSeqLen: T, ropeTheta: 10000, normEps: 1e-5, tieEmbeddings: true,
  };
  const all = Array.from({ length: layers }, (_, i) => i);
  const ablationOf = (v: Variant): Ablation =>
    v === 'no-residual' ? { residual: all } : v === 'no-norm' ? { norms: all, finalNorm: true } : {};
  for (const variant of variants) {
    const model = TinyLMClass.init(config, opts.seed ?? 5);
    const opt = new AdamW(model.parameters(), { lr: opts.lr ?? 3e-3, weightDecay: 0 });
    const rng = new RNG(opts.seed ?? 5); // same batches for every variant
    const ablation = ablationOf(variant);
    for (let step = 1; step <= opts.steps; step++) {
      const block: number[] = [];
      for (let b = 0; b < B; b++) {
        const start = rng.int(Math.max(1, tokens.length - T - 1));
        block.push(...tokens.slice(start, start + T + 1));
      }
      opt.zeroGrad();
      const loss = model.loss(block, B, T, { ablation });
      loss.backward();
      clipGradNorm(model.parameters(), 1);
      opt.step();
      yield { variant, step, loss: loss.item() };
    }
  }
}
