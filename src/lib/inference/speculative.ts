/**
 * Speculative decoding (Leviathan et al. 2023, "Fast Inference from Transformers via Speculative
 * Decoding"; Chen et al. 2023): a small draft model q proposes γ tokens one by one, the target
 * model p scores all of them in ONE forward pass (γ+1 next-token distributions), and a rejection
 * rule keeps a prefix of the proposals so that the output is distributed exactly as p's:
 *
 *   accept draft token x_i with probability min(1, p_i(x_i) / q_i(x_i));
 *   at the first rejection, emit y ~ norm(max(0, p_i − q_i)) and stop the round;
 *   if all γ are accepted, emit a bonus y ~ p_{γ+1}.
 *
 * Greedy mode accepts while the draft's token equals the target's argmax and emits the target's
 * argmax at the first mismatch, so the output equals the target's greedy output token for token.
 *
 * KV caches: both models keep every committed token but the newest ones they have not yet seen
 * ("pending"). One round: the draft appends its pending tokens and γ−1 of its own proposals; the
 * target appends its pending token(s) + γ proposals in one block (`appendAll`, [γ+1, V] logits).
 * After the round each cache is truncated back to the tokens that were kept (the rollback).
 * Framework-free: runs in Node (tests, bench) and in the inference worker.
 */
import type { InferenceSession } from '../tinylm/contract';
import { RNG } from '../tinylm/rng';
import { argmax } from '../sampling/transforms';

/** A KV-cached session that can also return the logits after every appended token. */
export interface VerifySession extends InferenceSession {
  /** Appends tokens as one block; returns the logits after each of them [T, V] row-major. */
  appendAll(ids: number[]): Float32Array;
}

export type SpecMode = 'greedy' | 'sample';

export interface SpecOptions {
  /** Draft tokens proposed per round (γ ≥ 0; 0 is plain decoding with the target). */
  gamma: number;
  mode: SpecMode;
  /** Sampling temperature (sample mode); both models' logits are divided by it. */
  temperature?: number;
  seed?: number;
  maxTokens: number;
  /** Generation stops after one of these ids (not included in the output). */
  stopIds?: number[];
  /** The target's context window: at most contextLength − prompt.length tokens are generated. */
  contextLength?: number;
}

/** One generated token and where it came from. */
export interface SpecToken {
  id: number;
  /** 'accepted': a draft proposal the target kept; 'resampled': the target's token at a rejection; 'bonus': the extra token after γ acceptances. */
  kind: 'accepted' | 'resampled' | 'bonus';
  /** Round index (one target call per round). */
  round: number;
}

/** Counters of one speculative run. */
export interface SpecStats {
  rounds: number;
  targetCalls: number;
  draftCalls: number;
  /** Draft tokens proposed (γ per round, fewer at the end). */
  proposed: number;
  /** Draft tokens the target kept. */
  accepted: number;
  /**
   * Acceptance trials actually evaluated: every accepted token plus each round's rejection
   * (positions after a rejection are never tested). α̂ = accepted / trials (geometric MLE).
   */
  trials: number;
  /** Mean over evaluated positions of Σ_x min(p(x), q(x)) = 1 − TV(p, q): α predicted by the distributions. */
  alphaFromDistributions: number;
  /** Milliseconds spent in the draft and in the target model. */
  draftMs: number;
  targetMs: number;
}

export interface SpecResult {
  tokens: SpecToken[];
  stats: SpecStats;
}

/** Probabilities of `logits / temperature` (float64, max-subtracted). */
export function softmaxT(logits: ArrayLike<number>, temperature: number): Float64Array {
  const n = logits.length, t = temperature > 0 ? temperature : 1;
  const out = new Float64Array(n);
  let mx = -Infinity;
  for (let i = 0; i < n; i++) if (logits[i] > mx) mx = logits[i];
  let z = 0;
  for (let i = 0; i < n; i++) z += out[i] = Math.exp((logits[i] - mx) / t);
  for (let i = 0; i < n; i++) out[i] /= z;
  return out;
}

/** Index of the largest value (first on ties): the one `argmax` of src/lib/sampling. */
export const argmaxOf = argmax;

/** Draws an index from probabilities that sum to `total` (default 1) with one uniform number. */
export function sampleFrom(p: ArrayLike<number>, u: number, total = 1): number {
  let acc = 0;
  const r = u * total;
  for (let i = 0; i < p.length; i++) {
    acc += p[i];
    if (r < acc) return i;
  }
  // Rounding left r ≥ the sum: return the last index with mass.
  for (let i = p.length - 1; i >= 0; i--) if (p[i] > 0) return i;
  return p.length - 1;
}

/** Σ_x min(p(x), q(x)) = 1 − TV(p, q): the probability that one draft token is accepted. */
export function overlap(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.min(p[i], q[i]);
  return s;
}

/**
 * The verification rule of one round (sample mode). `ps` are the target's γ+1 distributions,
 * `qs` the draft's γ distributions, `drafts` the γ proposals (drafts[i] was drawn from qs[i]).
 * Returns how many proposals are kept and the token emitted after them (residual or bonus).
 */
export function verifySample(ps: ArrayLike<number>[], qs: ArrayLike<number>[], drafts: number[], rng: { next(): number }): { accepted: number; next: number } {
  const g = drafts.length;
  for (let i = 0; i < g; i++) {
    const x = drafts[i], px = ps[i][x], qx = qs[i][x];
    // accept with probability min(1, p/q): u < p/q ⇔ u·q < p (q > 0, since x was drawn from q)
    if (rng.next() * qx < px) continue;
    // rejected: y ~ norm(max(0, p − q))
    const p = ps[i], q = qs[i], res = new Float64Array(p.length);
    let z = 0;
    for (let j = 0; j < p.length; j++) z += res[j] = Math.max(0, p[j] - q[j]);
    // z = TV(p, q) > 0 here (a rejection is impossible when p = q); guard against rounding anyway
    const next = z > 0 ? sampleFrom(res, rng.next(), z) : sampleFrom(p, rng.next());
    return { accepted: i, next };
  }
  return { accepted: g, next: sampleFrom(ps[g], rng.next()) };
}

/** The greedy rule: keep proposals while they equal the target's argmax; then the target's argmax. */
export function verifyGreedy(targetArgmax: number[], drafts: number[]): { accepted: number; next: number } {
  let i = 0;
  while (i < drafts.length && drafts[i] === targetArgmax[i]) i++;
  return { accepted: i, next: targetArgmax[i] };
}

/** Expected tokens per target call with acceptance rate α and γ proposals: (1 − α^(γ+1)) / (1 − α). */
export function expectedTokensPerCall(alpha: number, gamma: number): number {
  if (alpha >= 1) return gamma + 1;
  return (1 - alpha ** (gamma + 1)) / (1 - alpha);
}

/**
 * Expected wall-clock speedup over plain decoding (Leviathan et al., Theorem 3.8):
 * (1 − α^(γ+1)) / ((1 − α)(γc + b)), with c = draft step / target step cost and b = cost of the
 * target's (γ+1)-token verification pass relative to one decode step (the paper assumes b = 1,
 * true when decoding is memory-bound as on a GPU; on a CPU with a tiny model b grows with γ).
 */
export function expectedSpeedup(alpha: number, gamma: number, c: number, b = 1): number {
  return expectedTokensPerCall(alpha, gamma) / (gamma * c + b);
}

const now = () => performance.now();

/**
 * Generates up to `maxTokens` tokens after `prompt` with speculative decoding. `target` and
 * `draft` are fresh sessions of two models with the same tokenizer.
 */
export function speculativeGenerate(target: VerifySession, draft: InferenceSession, prompt: number[], vocab: number, opts: SpecOptions): SpecResult {
  if (!prompt.length) throw new Error('speculative decoding needs a prompt of at least one token');
  const gamma = Math.max(0, Math.floor(opts.gamma));
  const temp = opts.temperature ?? 1;
  const rng = new RNG(opts.seed ?? 1);
  const stop = new Set(opts.stopIds ?? []);
  const committed = [...prompt];
  const out: SpecToken[] = [];
  const stats: SpecStats = { rounds: 0, targetCalls: 0, draftCalls: 0, proposed: 0, accepted: 0, trials: 0, alphaFromDistributions: 0, draftMs: 0, targetMs: 0 };
  let overlapSum = 0;
  let t0 = now();
  // Prefill everything but the last prompt token; it stays pending for the first round.
  if (prompt.length > 1) {
    target.append(prompt.slice(0, -1));
    stats.targetMs += now() - t0;
    t0 = now();
    draft.append(prompt.slice(0, -1));
    stats.draftMs += now() - t0;
  }
  // Like plain decoding, generate at most as many tokens as the window leaves after the prompt;
  // then every target block (committed + γ ≤ prompt + maxTokens − 1) fits the window.
  const maxTokens = Math.min(opts.maxTokens, (opts.contextLength ?? Infinity) - prompt.length);
  let done = false;
  for (let round = 0; !done && out.length < maxTokens; round++) {
    // γ for this round: never propose past maxTokens.
    const g = Math.max(0, Math.min(gamma, maxTokens - out.length - 1));
    // 1. Draft γ tokens autoregressively from q.
    const drafts: number[] = [];
    const qs: Float64Array[] = [];
    t0 = now();
    let pending = committed.slice(draft.length);
    for (let i = 0; i < g; i++) {
      const logits = draft.append(pending);
      stats.draftCalls++;
      if (opts.mode === 'greedy') drafts.push(argmaxOf(logits));
      else {
        const q = softmaxT(logits, temp);
        qs.push(q);
        drafts.push(sampleFrom(q, rng.next()));
      }
      pending = [drafts[i]];
    }
    stats.draftMs += now() - t0;
    // 2. One target pass over its pending token(s) + the γ proposals: γ+1 distributions.
    t0 = now();
    const tPending = committed.slice(target.length);
    const base = target.length;
    const all = target.appendAll([...tPending, ...drafts]);
    stats.targetMs += now() - t0;
    stats.targetCalls++;
    stats.rounds++;
    const first = tPending.length - 1; // row of the distribution that predicts drafts[0]
    const row = (i: number) => all.subarray((first + i) * vocab, (first + i + 1) * vocab);
    // 3. Verify.
    let v: { accepted: number; next: number };
    if (opts.mode === 'greedy') {
      v = verifyGreedy(Array.from({ length: g + 1 }, (_, i) => argmaxOf(row(i))), drafts);
    } else {
      const ps = Array.from({ length: g + 1 }, (_, i) => softmaxT(row(i), temp));
      v = verifySample(ps, qs, drafts, rng);
      for (let i = 0; i < Math.min(v.accepted + 1, g); i++) overlapSum += overlap(ps[i], qs[i]);
    }
    stats.proposed += g;
    stats.accepted += v.accepted;
    stats.trials += v.accepted + (v.accepted < g ? 1 : 0);
    // 4. Commit the kept proposals and the target's token; stop at a stop id or maxTokens.
    const kept: SpecToken[] = drafts.slice(0, v.accepted).map((id) => ({ id, kind: 'accepted' as const, round }));
    kept.push({ id: v.next, kind: v.accepted < g ? 'resampled' : 'bonus', round });
    for (const t of kept) {
      if (stop.has(t.id) || out.length >= maxTokens) {
        done = true;
        break;
      }
      out.push(t);
      committed.push(t.id);
    }
    // 5. Roll back both caches to the tokens that were kept (the target's token y is pending).
    target.truncate(Math.min(target.length, base + tPending.length + v.accepted));
    draft.truncate(Math.min(draft.length, committed.length - 1));
  }
  if (opts.mode === 'greedy') stats.alphaFromDistributions = NaN;
  else stats.alphaFromDistributions = stats.trials ? overlapSum / stats.trials : NaN;
  return { tokens: out, stats };
}

/** α̂ = accepted / trials (the maximum-likelihood estimate of a per-token acceptance probability). */
export function measuredAlpha(s: SpecStats): number {
  return s.trials ? s.accepted / s.trials : NaN;
}
