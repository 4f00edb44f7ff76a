/**
 * Held-out text from TinyLM's own distribution, and the losses the model labs measure on it.
 *
 * TinyLM learned only what its story generator writes (a few hundred words in a few dozen
 * templates). A loss measured on other text — even hand-written "simple stories" — is close to a
 * uniform guess over the vocabulary (ln 1024 ≈ 6.93 nats) and says nothing about the parts of the
 * network. So the ablation and context labs measure on held-out stories: the generator run from
 * the seed `npm run tinylm -- eval` uses for `metrics.json` (`CORPUS_SEEDS.valStories`), which no
 * training split uses. Out-of-distribution text is shown as a separate, explained measurement.
 */
import type { Tokenizer } from '../tokenizer';
import type { TinyLM, Ablation } from '../tinylm/model';
import { CORPUS_SEEDS, makeStories, storiesToTokens } from '../tinylm/corpus';
import { sequentialBatches, type TokenData } from '../tinylm/train';
import { crossEntropy } from '../tinylm/ops';

/** Token windows used for held-out losses: the same length `metrics.json` was measured with. */
export const EVAL_WINDOW = 128;

export interface HeldOutStories {
  /** the stories' text, in order */
  stories: string[];
  /** token ids of the stories joined by <|endoftext|> (id 0) */
  ids: number[];
  /** index in `ids` where each story starts */
  starts: number[];
}

/** The first `n` held-out stories (the split `metrics.json` is measured on), tokenized. */
export function heldOutStories(tok: Tokenizer, n: number): HeldOutStories {
  const stories = makeStories(n, CORPUS_SEEDS.valStories);
  const data = storiesToTokens(tok, stories);
  return { stories, ids: Array.from(data.tokens), starts: Array.from(data.starts ?? []) };
}

/**
 * Mean next-token loss (nats) of `ids` read in consecutive windows of `EVAL_WINDOW` tokens
 * (batches of 4, as `storyMetrics` does), with parts of the model switched off.
 */
export function windowedLoss(model: TinyLM, ids: ArrayLike<number>, ablation: Ablation = {}): number {
  const data: TokenData = { tokens: Int32Array.from(ids as ArrayLike<number>) };
  const T = Math.min(EVAL_WINDOW, model.config.maxSeqLen);
  let sum = 0, count = 0;
  for (const b of sequentialBatches(data, 4, T)) {
    let n = 0;
    for (let i = 0; i < b.targets.length; i++) if (b.targets[i]! >= 0) n++;
    if (!n) continue;
    // logits [4·T, V] → mean cross-entropy over the positions that have a target
    sum += crossEntropy(model.forward(b.inputs, b.B, b.T, { noGrad: true, ablation }), b.targets).item() * n;
    count += n;
  }
  return count ? sum / count : NaN;
}

export interface Surprise {
  /** mean next-token loss over the text (nats) */
  loss: number;
  /** tokens scored (the first one has no prediction) */
  tokens: number;
  /** per scored token: its id and −ln p(token | earlier tokens) */
  perToken: Array<{ id: number; loss: number }>;
}

/** Per-token surprise of the intact model on the first window of `ids` (at most maxSeqLen + 1 tokens). */
export function tokenSurprise(model: TinyLM, ids: number[]): Surprise {
  const block = ids.slice(0, model.config.maxSeqLen + 1);
  if (block.length < 2) return { loss: NaN, tokens: 0, perToken: [] };
  const T = block.length - 1;
  const V = model.config.vocabSize;
  const logits = model.forward(block.slice(0, T), 1, T, { noGrad: true }).data; // [T, V]
  const perToken: Surprise['perToken'] = [];
  let sum = 0;
  for (let t = 0; t < T; t++) {
    const row = logits.subarray(t * V, (t + 1) * V);
    let max = -Infinity;
    for (let j = 0; j < V; j++) if (row[j]! > max) max = row[j]!;
    let z = 0;
    for (let j = 0; j < V; j++) z += Math.exp(row[j]! - max);
    const id = block[t + 1]!;
    const loss = Math.log(z) + max - row[id]!; // −log softmax(row)[id]
    perToken.push({ id, loss });
    sum += loss;
  }
  return { loss: sum / T, tokens: T, perToken };
}

/**
 * Context is worth something: the mean loss of predicting the same target tokens when the model
 * may see exactly `w` earlier tokens, for each `w` in `windows`. Targets are taken deep inside
 * held-out stories (at least `minOffset` tokens after a story's start), so windows up to
 * `minOffset` stay inside the story; longer ones reach back into the previous story.
 */
export function lossByContext(
  model: TinyLM,
  held: Pick<HeldOutStories, 'ids' | 'starts'>,
  windows: number[],
  opts: { targets?: number; minOffset?: number } = {},
): Array<{ window: number; loss: number }> {
  const K = opts.targets ?? 24, minOffset = opts.minOffset ?? 64;
  const { ids, starts } = held;
  const maxW = Math.min(Math.max(...windows), model.config.maxSeqLen);
  // Target positions p (predict ids[p] from ids[p-w .. p-1]): every 3rd token past minOffset of each
  // story, from a position where every window fits, so each window is scored on the same targets.
  const targets: number[] = [];
  for (let s = 0; s < starts.length && targets.length < K; s++) {
    if (starts[s]! + minOffset < maxW) continue;
    const end = s + 1 < starts.length ? starts[s + 1]! - 1 : ids.length; // the story's <|endoftext|> is a target too
    for (let p = starts[s]! + minOffset; p < end && targets.length < K; p += 3) targets.push(p);
  }
  const out: Array<{ window: number; loss: number }> = [];
  for (const w0 of windows) {
    const w = Math.min(w0, model.config.maxSeqLen);
    if (!targets.length || w < 1) continue;
    // One row per target: ids[p-w .. p] (w+1 tokens); only the last position is scored.
    const B = targets.length;
    const block = new Int32Array(B * (w + 1));
    const tg = new Int32Array(B * (w + 1)).fill(-1);
    targets.forEach((p, b) => {
      for (let i = 0; i <= w; i++) block[b * (w + 1) + i] = ids[p - w + i]!;
      tg[b * (w + 1) + w] = ids[p]!;
    });
    const loss = model.loss(block, B, w, { noGrad: true }, tg).item();
    out.push({ window: w, loss });
  }
  return out;
}
