/**
 * Retrieval metrics with trec_eval's definitions (what BEIR reports through pytrec_eval):
 * binary relevance = grade > 0 for MAP, recall and MRR; graded gains for nDCG (linear gain,
 * log2 discount). Averages are over the queries that have at least one relevant document;
 * a query with no results scores 0.
 */

/** qid → docid → relevance grade */
export type Qrels = Map<string, Map<string, number>>;
/** qid → ranked docids (best first) */
export type Run = Map<string, string[]>;

export interface QueryMetrics {
  ap: number;
  rr: number;
  ndcg10: number;
  recall: Record<number, number>;
}

/** Average precision of one ranking (over the whole run, like trec_eval's `map`). */
export function averagePrecision(ranking: string[], rel: Map<string, number>): number {
  const R = [...rel.values()].filter((g) => g > 0).length;
  if (R === 0) return 0;
  let hits = 0;
  let sum = 0;
  ranking.forEach((d, i) => {
    if ((rel.get(d) ?? 0) > 0) {
      hits++;
      sum += hits / (i + 1);
    }
  });
  return sum / R;
}

/** Reciprocal rank of the first relevant document (0 if none). */
export function reciprocalRank(ranking: string[], rel: Map<string, number>): number {
  const i = ranking.findIndex((d) => (rel.get(d) ?? 0) > 0);
  return i < 0 ? 0 : 1 / (i + 1);
}

/** Fraction of the relevant documents found in the top k. */
export function recallAt(ranking: string[], rel: Map<string, number>, k: number): number {
  const R = [...rel.values()].filter((g) => g > 0).length;
  if (R === 0) return 0;
  return ranking.slice(0, k).filter((d) => (rel.get(d) ?? 0) > 0).length / R;
}

/** nDCG@k with gain = grade and discount 1/log2(rank + 1) (trec_eval `ndcg_cut`). */
export function ndcgAt(ranking: string[], rel: Map<string, number>, k = 10): number {
  let dcg = 0;
  ranking.slice(0, k).forEach((d, i) => {
    const g = rel.get(d) ?? 0;
    if (g > 0) dcg += g / Math.log2(i + 2);
  });
  const ideal = [...rel.values()].filter((g) => g > 0).sort((a, b) => b - a).slice(0, k);
  let idcg = 0;
  ideal.forEach((g, i) => (idcg += g / Math.log2(i + 2)));
  return idcg === 0 ? 0 : dcg / idcg;
}

export interface RunMetrics {
  queries: number;
  map: number;
  mrr: number;
  ndcg10: number;
  /** k → mean recall@k */
  recall: Record<number, number>;
  perQuery: Map<string, QueryMetrics>;
}

/** Mean metrics of a run over the judged queries. */
export function evaluateRun(run: Run, qrels: Qrels, recallKs: number[] = [10, 100]): RunMetrics {
  const perQuery = new Map<string, QueryMetrics>();
  for (const [qid, rel] of qrels) {
    if (![...rel.values()].some((g) => g > 0)) continue;
    const ranking = run.get(qid) ?? [];
    const recall: Record<number, number> = {};
    for (const k of recallKs) recall[k] = recallAt(ranking, rel, k);
    perQuery.set(qid, { ap: averagePrecision(ranking, rel), rr: reciprocalRank(ranking, rel), ndcg10: ndcgAt(ranking, rel, 10), recall });
  }
  const n = perQuery.size || 1;
  const mean = (f: (m: QueryMetrics) => number) => [...perQuery.values()].reduce((s, m) => s + f(m), 0) / n;
  const recall: Record<number, number> = {};
  for (const k of recallKs) recall[k] = mean((m) => m.recall[k]);
  return { queries: perQuery.size, map: mean((m) => m.ap), mrr: mean((m) => m.rr), ndcg10: mean((m) => m.ndcg10), recall, perQuery };
}
