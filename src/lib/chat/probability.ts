/**
 * Helpers for colouring generated tokens by the probability the model gave them
 * (from `logprobs.content[i].logprob`, with the runner-up alternatives in `top_logprobs`).
 */
import type { TokenLogprob } from '../engine/types';

/** exp(logprob), clamped to [0, 1]. */
export function probOf(logprob: number): number {
  if (!Number.isFinite(logprob)) return 0;
  return Math.min(1, Math.max(0, Math.exp(logprob)));
}

/**
 * A bucket 0..4 for a probability: 0 = < 10 % (surprising), 1 = < 30 %, 2 = < 60 %,
 * 3 = < 90 %, 4 = ≥ 90 % (almost certain). Buckets keep the colour legend readable.
 */
export function probBucket(p: number): 0 | 1 | 2 | 3 | 4 {
  if (p < 0.1) return 0;
  if (p < 0.3) return 1;
  if (p < 0.6) return 2;
  if (p < 0.9) return 3;
  return 4;
}

/** A tooltip for one token: its probability and the top alternatives. */
export function tokenTooltip(t: TokenLogprob, maxAlternatives = 5): string {
  const head = `${JSON.stringify(t.token)}: ${(probOf(t.logprob) * 100).toFixed(1)} %`;
  const alts = (t.top_logprobs ?? [])
    .slice(0, maxAlternatives)
    .map((a) => `${JSON.stringify(a.token)} ${(probOf(a.logprob) * 100).toFixed(1)} %`);
  return alts.length ? `${head}\nalternatives: ${alts.join(', ')}` : head;
}

/** Mean per-token surprise in bits and perplexity over the generated tokens. */
export function sequenceSurprise(tokens: TokenLogprob[]): { meanBits: number; perplexity: number } | null {
  const finite = tokens.filter((t) => Number.isFinite(t.logprob));
  if (!finite.length) return null;
  const meanNats = -finite.reduce((s, t) => s + t.logprob, 0) / finite.length;
  return { meanBits: meanNats / Math.LN2, perplexity: Math.exp(meanNats) };
}

/**
 * Splits tokens into paragraph-sized groups for rendering: a group closes after a token that
 * contains a newline, once it holds at least `minGroup` tokens. Closed groups that equal one in
 * `previous` (same length, same first and last token objects) are returned as that same array,
 * so a UI re-rendering a growing stream only touches the open last group.
 */
export function groupTokens<T extends { token: string }>(tokens: T[], previous: T[][] = [], minGroup = 32): T[][] {
  const out: T[][] = [];
  let start = 0;
  const close = (end: number) => {
    const prev = previous[out.length];
    const n = end - start;
    const same = prev !== undefined && prev.length === n && prev[0] === tokens[start] && prev[n - 1] === tokens[end - 1];
    out.push(same ? prev : tokens.slice(start, end));
    start = end;
  };
  for (let i = 0; i < tokens.length; i++) {
    if (i + 1 - start >= minGroup && tokens[i].token.includes('\n')) close(i + 1);
  }
  if (start < tokens.length) close(tokens.length);
  return out;
}
