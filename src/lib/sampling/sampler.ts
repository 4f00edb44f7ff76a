/**
 * The sampling pipeline: logits in, one token id out, plus (optionally) every intermediate
 * distribution for the sampling lab to draw. Order, as in Hugging Face `generate`:
 *
 *   logit bias → repetition penalty → presence/frequency penalties → (caller's mask) →
 *   temperature → softmax → top-k → top-p → min-p → renormalise → draw
 *
 * Temperature 0 means greedy: the argmax of the penalised logits (no randomness used).
 */
import type { Rng } from './rng';
import {
  applyLogitBias,
  applyPresenceFrequencyPenalties,
  applyRepetitionPenalty,
  applyTemperature,
  argmax,
  minP,
  renormalize,
  sampleIndex,
  softmax,
  topK,
  topP,
} from './transforms';

export interface SamplingParams {
  /** 0 = greedy; default 1. */
  temperature?: number;
  /** 0 or undefined = off. */
  topK?: number;
  /** 1 or undefined = off. */
  topP?: number;
  /** 0 or undefined = off. */
  minP?: number;
  /** OpenAI semantics, typically -2..2. */
  presencePenalty?: number;
  frequencyPenalty?: number;
  /** CTRL semantics, 1 = off, > 1 discourages repeats. */
  repetitionPenalty?: number;
  /** token id → added to its logit. */
  logitBias?: Record<string, number> | Map<number, number>;
}

export type SamplingStepName =
  | 'logits'
  | 'logit_bias'
  | 'repetition_penalty'
  | 'presence_frequency_penalty'
  | 'mask'
  | 'temperature'
  | 'softmax'
  | 'top_k'
  | 'top_p'
  | 'min_p'
  | 'renormalize';

/** One stage of the pipeline, for visualisation: `kind` says whether `values` are logits or probabilities. */
export interface SamplingStep {
  name: SamplingStepName;
  kind: 'logits' | 'probs';
  values: Float32Array;
}

export interface SampleResult {
  id: number;
  /** The final distribution the token was drawn from [vocab] (one-hot when greedy). */
  probs: Float32Array;
  /** Every intermediate vector, when `trace` was requested. */
  steps?: SamplingStep[];
}

export interface SampleOptions {
  /** Tokens generated so far (penalties count these). */
  history?: ArrayLike<number>;
  /** Tokens allowed at this step (e.g. by a JSON constraint); others get -Infinity before temperature. */
  allowed?: (id: number) => boolean;
  /** Record every intermediate distribution. */
  trace?: boolean;
}

/** Applies bias and penalties (the logit-space steps that don't depend on temperature). */
export function penalizeLogits(
  logits: ArrayLike<number>,
  params: SamplingParams,
  history: ArrayLike<number> = [],
  steps?: SamplingStep[],
): Float32Array {
  let x: Float32Array = new Float32Array(logits as ArrayLike<number> & Iterable<number>);
  steps?.push({ name: 'logits', kind: 'logits', values: x });
  if (params.logitBias) {
    x = applyLogitBias(x, params.logitBias);
    steps?.push({ name: 'logit_bias', kind: 'logits', values: x });
  }
  if (params.repetitionPenalty !== undefined && params.repetitionPenalty !== 1) {
    x = applyRepetitionPenalty(x, history, params.repetitionPenalty);
    steps?.push({ name: 'repetition_penalty', kind: 'logits', values: x });
  }
  if (params.presencePenalty || params.frequencyPenalty) {
    x = applyPresenceFrequencyPenalties(x, history, params.presencePenalty ?? 0, params.frequencyPenalty ?? 0);
    steps?.push({ name: 'presence_frequency_penalty', kind: 'logits', values: x });
  }
  return x;
}

/**
 * The distribution a token would be drawn from, without drawing. Returns all-zero probs only if
 * every token was masked.
 */
export function samplingDistribution(
  logits: ArrayLike<number>,
  params: SamplingParams,
  options: SampleOptions = {},
): { probs: Float32Array; greedy: boolean; steps?: SamplingStep[] } {
  const steps: SamplingStep[] | undefined = options.trace ? [] : undefined;
  let x: Float32Array = penalizeLogits(logits, params, options.history, steps);
  if (options.allowed) {
    const allowed = options.allowed;
    for (let i = 0; i < x.length; i++) if (!allowed(i)) x[i] = -Infinity;
    steps?.push({ name: 'mask', kind: 'logits', values: x.slice() });
  }
  const t = params.temperature ?? 1;
  if (t <= 0) {
    const probs = new Float32Array(x.length);
    const best = argmax(x);
    if (best >= 0) probs[best] = 1;
    return { probs, greedy: true, steps };
  }
  if (t !== 1) {
    x = applyTemperature(x, t);
    steps?.push({ name: 'temperature', kind: 'logits', values: x });
  }
  let p: Float32Array = softmax(x);
  steps?.push({ name: 'softmax', kind: 'probs', values: p });
  if (params.topK && params.topK > 0 && params.topK < p.length) {
    p = topK(p, params.topK);
    steps?.push({ name: 'top_k', kind: 'probs', values: p });
  }
  if (params.topP !== undefined && params.topP < 1) {
    p = topP(p, params.topP);
    steps?.push({ name: 'top_p', kind: 'probs', values: p });
  }
  if (params.minP && params.minP > 0) {
    p = minP(p, params.minP);
    steps?.push({ name: 'min_p', kind: 'probs', values: p });
  }
  p = renormalize(p);
  steps?.push({ name: 'renormalize', kind: 'probs', values: p });
  return { probs: p, greedy: false, steps };
}

/** Runs the whole pipeline and draws one token id with `rng` (greedy uses no randomness). */
export function sampleToken(
  logits: ArrayLike<number>,
  params: SamplingParams,
  rng: Rng,
  options: SampleOptions = {},
): SampleResult {
  const { probs, greedy, steps } = samplingDistribution(logits, params, options);
  const id = greedy ? argmax(probs) : sampleIndex(probs, rng.next());
  return { id, probs, steps };
}
