/**
 * Abstention: should the pipeline answer at all? Retrieval always returns *something* — the
 * least bad passage — and a model asked to answer from it answers confidently: TinyLM, asked
 * where a person who is not in the town register lives, copies the city of whoever was
 * retrieved (it never saw a context without the answer, so it cannot say "I don't know").
 *
 * The gate here sits before generation: the best BM25 score of the question over the whole
 * collection. BM25 rewards rare shared words (a name is the rarest word of a register question),
 * so a question about someone absent scores low everywhere. A threshold is calibrated per
 * collection (BM25 scores grow with the collection's IDF range): `calibrateGate` picks the one
 * that best separates answerable from unanswerable questions, and `scripts/rag-abstention.ts`
 * measures it on the register, writing `abstention.json`, which the lab quotes.
 */
import type { Bm25Index } from './bm25';

export interface GateResult {
  /** true when the best passage scores at least the threshold (go on and generate) */
  pass: boolean;
  /** best BM25 score of the question in the collection (0 when no word matches) */
  best: number;
  threshold: number;
}

/** The relevance gate: does any passage share enough rare words with the question? */
export function relevanceGate(index: Bm25Index, question: string, threshold: number): GateResult {
  const scores = index.scoreAll(question);
  let best = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i]! > best) best = scores[i]!;
  return { pass: best >= threshold, best, threshold };
}

export interface Calibration {
  threshold: number;
  /** share of answerable questions that pass the gate */
  answered: number;
  /** share of unanswerable questions that the gate stops */
  abstained: number;
}

/**
 * The threshold (a midpoint between observed scores) with the best balanced accuracy
 * (mean of answered and abstained), the lower one on ties.
 */
export function calibrateGate(answerable: number[], unanswerable: number[]): Calibration {
  const all = [...new Set([...answerable, ...unanswerable])].sort((a, b) => a - b);
  const candidates = [0, ...all.slice(1).map((v, i) => (v + all[i]!) / 2)];
  let best: Calibration = { threshold: 0, answered: 1, abstained: 0 };
  let bestScore = -1;
  for (const t of candidates) {
    const answered = answerable.filter((s) => s >= t).length / Math.max(1, answerable.length);
    const abstained = unanswerable.filter((s) => s < t).length / Math.max(1, unanswerable.length);
    const score = (answered + abstained) / 2;
    if (score > bestScore + 1e-12) {
      bestScore = score;
      best = { threshold: t, answered, abstained };
    }
  }
  return best;
}
