/**
 * BM25 over an inverted index, scored like Lucene's BM25Similarity (as used by Anserini /
 * Pyserini, the standard BM25 baselines of TREC and BEIR):
 *   idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5))
 *   score(q, d) = Σ_{t ∈ q} idf(t) · tf / (tf + k1 · (1 − b + b · |d| / avgdl))
 * Lucene leaves out the constant (k1 + 1) factor, which does not change the ranking.
 * Defaults k1 = 0.9, b = 0.4 (Anserini's). Tokenisation: see `analyze.ts`.
 * Lucene stores |d| lossily in one byte; we keep it exact, so scores differ in the 3rd digit.
 */
import { analyze, type AnalyzeOptions } from './analyze';
import { topK } from './topk';

export interface Bm25Params {
  k1: number;
  b: number;
}

interface Postings {
  docs: number[];
  tfs: number[];
}

/** An in-memory BM25 index; documents are numbered in insertion order. */
export class Bm25Index {
  private postings = new Map<string, Postings>();
  private lengths: number[] = [];
  private totalLength = 0;
  readonly ids: string[] = [];

  constructor(
    readonly params: Bm25Params = { k1: 0.9, b: 0.4 },
    readonly analyzer: AnalyzeOptions = {},
  ) {}

  get size(): number {
    return this.ids.length;
  }

  /** Adds one document. */
  add(id: string, text: string): void {
    const doc = this.ids.length;
    this.ids.push(id);
    const terms = analyze(text, this.analyzer);
    this.lengths.push(terms.length);
    this.totalLength += terms.length;
    const tf = new Map<string, number>();
    for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [t, n] of tf) {
      let p = this.postings.get(t);
      if (!p) this.postings.set(t, (p = { docs: [], tfs: [] }));
      p.docs.push(doc);
      p.tfs.push(n);
    }
  }

  /** idf of an analysed term (0 when unseen). */
  idf(term: string): number {
    const df = this.postings.get(term)?.docs.length ?? 0;
    if (df === 0) return 0;
    const n = this.ids.length;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** Scores of every document for `query` (Float32Array [N]; 0 when no term matches). */
  scoreAll(query: string): Float32Array {
    const n = this.ids.length;
    const scores = new Float32Array(n);
    if (n === 0) return scores;
    const avgdl = this.totalLength / n || 1;
    const { k1, b } = this.params;
    for (const t of analyze(query, this.analyzer)) {
      const p = this.postings.get(t);
      if (!p) continue;
      const idf = this.idf(t);
      for (let i = 0; i < p.docs.length; i++) {
        const d = p.docs[i];
        const tf = p.tfs[i];
        scores[d] += (idf * tf) / (tf + k1 * (1 - b + (b * this.lengths[d]) / avgdl));
      }
    }
    return scores;
  }

  /** The k best documents with a positive score, best first. */
  search(query: string, k: number): Array<{ id: string; index: number; score: number }> {
    const scores = this.scoreAll(query);
    for (let i = 0; i < scores.length; i++) if (scores[i] <= 0) scores[i] = -Infinity;
    return topK(scores, k).map((i) => ({ id: this.ids[i], index: i, score: scores[i] }));
  }

  /** Analysed query terms that occur in the index (for highlighting matches). */
  matchedTerms(query: string): string[] {
    return [...new Set(analyze(query, this.analyzer))].filter((t) => this.postings.has(t));
  }
}
