/** Summaries of what each attention head does, from its probabilities [H, T, T]. */

export interface HeadSummary {
  head: number;
  /** mean attention from position t to t−1 (t ≥ 1) */
  previous: number;
  /** mean attention to the first token (t ≥ 1) */
  first: number;
  /** mean attention to itself */
  self: number;
  /** mean distance looked back, Σ_j p(j)·(t − j) */
  distance: number;
  /** mean entropy of a row, in bits (0 = one token, log2(t+1) = uniform) */
  entropy: number;
  /** a plain-words label from the numbers */
  kind: string;
}

/** Describes every head of one layer. `P` is [H, T, T] with row = query position. */
export function summarizeHeads(P: Float32Array, H: number, T: number): HeadSummary[] {
  const out: HeadSummary[] = [];
  for (let h = 0; h < H; h++) {
    let prev = 0, first = 0, self = 0, dist = 0, ent = 0;
    for (let t = 0; t < T; t++) {
      const row = h * T * T + t * T;
      for (let j = 0; j <= t; j++) {
        const p = P[row + j]!;
        dist += p * (t - j);
        if (p > 0) ent -= p * Math.log2(p);
      }
      self += P[row + t]!;
      if (t >= 1) {
        prev += P[row + t - 1]!;
        first += P[row]!;
      }
    }
    const n1 = Math.max(1, T - 1);
    const s: HeadSummary = { head: h, previous: prev / n1, first: first / n1, self: self / T, distance: dist / T, entropy: ent / T, kind: '' };
    s.kind =
      s.previous > 0.5 ? 'previous-token head'
      : s.first > 0.5 ? 'looks at the start (an "attention sink")'
      : s.self > 0.5 ? 'mostly attends to itself'
      : s.entropy > 0.7 * Math.log2(Math.max(2, T / 2)) ? 'spreads attention widely (averaging)'
      : 'selective: picks particular earlier tokens';
    out.push(s);
  }
  return out;
}
