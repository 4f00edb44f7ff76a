/**
 * Measuring speculative decoding on real models: acceptance α̂, tokens per target call next to
 * the theory, the cost ratio c = draft step / target step, the verification cost b(γ) of a
 * (γ+1)-token target pass relative to one decode step, and the wall-clock speedup over plain
 * decoding of the same target. Shared by the speculative-decoding lab's worker and `npm run bench`.
 */
import type { TinyLM } from '../tinylm/model';
import { generateIds } from '../tinylm/eval';
import { TinyLMSession } from '../tinylm/session';
import { RNG } from '../tinylm/rng';
import { expectedSpeedup, expectedTokensPerCall, measuredAlpha, softmaxT, sampleFrom, speculativeGenerate, type SpecMode, type SpecToken } from './speculative';

export interface SpecRunInput {
  prompt: number[];
  gamma: number;
  mode: SpecMode;
  temperature: number;
  seed: number;
  maxTokens: number;
  stopIds?: number[];
  /** Timed repetitions of each method (the fastest counts; the first also warms up). */
  reps?: number;
}

export interface SpecMeasurement {
  gamma: number;
  mode: SpecMode;
  tokens: SpecToken[];
  /** Greedy mode: the plain target's greedy tokens (the speculative output must equal them). */
  plainTokens: number[];
  targetCalls: number;
  draftCalls: number;
  /** Draft tokens kept, and acceptance tests evaluated (α̂ = accepted / trials). */
  accepted: number;
  trials: number;
  /** Wall-clock ms of the fastest speculative run and of the fastest plain run. */
  specMs: number;
  plainMs: number;
  /** α̂ = accepted / trials; and Σ min(p, q) averaged over evaluated positions (sample mode). */
  alpha: number;
  alphaFromDistributions: number;
  tokensPerCall: number;
  /** (1 − α̂^(γ+1)) / (1 − α̂) */
  theoryTokensPerCall: number;
  specMsPerToken: number;
  plainMsPerToken: number;
  /** plain ms/token ÷ speculative ms/token (> 1 is faster). */
  speedup: number;
  /** Draft decode step ÷ target decode step (one token each). */
  c: number;
  /** Target pass over γ+1 tokens ÷ target decode step. */
  b: number;
  /** Predicted speedup with the measured α̂, c and b; and the paper's, which assumes b = 1. */
  predictedSpeedup: number;
  paperSpeedup: number;
  /** The draft cost ratio at which speculative decoding would break even (with this α̂, γ, b). */
  breakEvenC: number;
}

/** Median of a small array. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Cost of one decode step of `model` after a prefix (ms, median of `n` steps), and of a block of
 * `block` tokens appended at once.
 */
export function stepCost(model: TinyLM, prefix: number[], n: number, block = 1): number {
  const s = new TinyLMSession(model);
  s.append(prefix);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const ids = Array.from({ length: block }, (_, j) => (prefix[(i + j) % prefix.length]));
    const t0 = performance.now();
    if (block === 1) s.append(ids);
    else s.appendAll(ids);
    times.push(performance.now() - t0);
    s.truncate(prefix.length);
  }
  return median(times);
}

/** Plain (non-speculative) decoding of the target with the same sampling rule. */
function plainDecode(target: TinyLM, input: SpecRunInput): number[] {
  if (input.mode === 'greedy') return generateIds(target, input.prompt, { maxTokens: input.maxTokens, stopIds: input.stopIds });
  const rng = new RNG(input.seed);
  return generateIds(target, input.prompt, { maxTokens: input.maxTokens, stopIds: input.stopIds, pick: (l) => sampleFrom(softmaxT(l, input.temperature), rng.next()) });
}

/** Runs speculative and plain decoding on the same prompt, timed, and measures c and b. */
export function measureSpeculative(target: TinyLM, draft: TinyLM, input: SpecRunInput): SpecMeasurement {
  const V = target.config.vocabSize;
  const reps = Math.max(1, input.reps ?? 3);
  const opts = { gamma: input.gamma, mode: input.mode, temperature: input.temperature, seed: input.seed, maxTokens: input.maxTokens, stopIds: input.stopIds, contextLength: target.config.maxSeqLen };
  let best = Infinity, bestPlain = Infinity;
  let spec = speculativeGenerate(new TinyLMSession(target), new TinyLMSession(draft), input.prompt, V, opts);
  let plain: number[] = [];
  for (let r = 0; r < reps; r++) {
    let t0 = performance.now();
    spec = speculativeGenerate(new TinyLMSession(target), new TinyLMSession(draft), input.prompt, V, opts);
    best = Math.min(best, performance.now() - t0);
    t0 = performance.now();
    plain = plainDecode(target, input);
    bestPlain = Math.min(bestPlain, performance.now() - t0);
  }
  const n = Math.max(1, spec.tokens.length);
  const specMsPerToken = best / n;
  const plainMsPerToken = bestPlain / Math.max(1, plain.length);
  // Per-step costs after a prefix of typical length (the prompt).
  const steps = 24;
  const tStep = stepCost(target, input.prompt, steps);
  const c = stepCost(draft, input.prompt, steps) / tStep;
  const b = input.gamma > 0 ? stepCost(target, input.prompt, steps, input.gamma + 1) / tStep : 1;
  const alpha = measuredAlpha(spec.stats);
  const tpc = spec.tokens.length / Math.max(1, spec.stats.targetCalls);
  const theory = Number.isFinite(alpha) ? expectedTokensPerCall(alpha, input.gamma) : 1;
  return {
    gamma: input.gamma,
    mode: input.mode,
    tokens: spec.tokens,
    plainTokens: plain,
    targetCalls: spec.stats.targetCalls,
    draftCalls: spec.stats.draftCalls,
    accepted: spec.stats.accepted,
    trials: spec.stats.trials,
    specMs: best,
    plainMs: bestPlain,
    alpha,
    alphaFromDistributions: spec.stats.alphaFromDistributions,
    tokensPerCall: tpc,
    theoryTokensPerCall: theory,
    specMsPerToken,
    plainMsPerToken,
    speedup: plainMsPerToken / specMsPerToken,
    c,
    b,
    predictedSpeedup: Number.isFinite(alpha) ? expectedSpeedup(alpha, input.gamma, c, b) : NaN,
    paperSpeedup: Number.isFinite(alpha) ? expectedSpeedup(alpha, input.gamma, c, 1) : NaN,
    breakEvenC: input.gamma > 0 ? (theory - b) / input.gamma : NaN,
  };
}
