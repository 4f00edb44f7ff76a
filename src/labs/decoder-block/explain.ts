/** One-line explanations of each kind of step in the decoder trace. */
import type { TraceStep } from '../../lib/inspect/trace';

export const EXPLAIN: Record<TraceStep['kind'], string> = {
  embed: 'Each token id selects one row of the embedding matrix: a vector of d numbers. Nothing about position yet — RoPE adds that inside attention.',
  norm: 'RMSNorm rescales each vector to unit root-mean-square, then multiplies by a learned gain: x / √(mean(x²) + ε) ⊙ g. It keeps the scale of the block input stable however large the residual stream grows.',
  qkv: 'Three linear maps of the normed vector: queries (what am I looking for), keys (what do I contain), values (what do I pass on). With grouped-query attention K and V have fewer heads than Q.',
  rope: 'Rotary position embedding rotates pairs of q/k coordinates by an angle proportional to the position, so q·k depends on the distance between tokens. The norm does not change: rotations preserve length.',
  attention: 'Each head mixes the value vectors of earlier tokens, weighted by softmax(q·k/√d) with the causal mask; the heads are concatenated.',
  proj: 'The output projection maps the concatenated heads back into the residual stream (d numbers).',
  residual: 'Residual connection: the block’s output is added to its input, x ← x + f(x). The stream carries everything forward; each block only writes a change.',
  ffn: 'The feed-forward network works on each position separately: SwiGLU = silu(x·W_gate) ⊙ (x·W_up), widened to F dimensions, then projected back down to d.',
  logits: 'The final vector is compared with every token embedding (tied weights): one score per vocabulary entry. Softmax turns the scores into the next-token distribution.',
};
