/**
 * Reciprocal-rank fusion (Cormack, Clarke & Büttcher, 2009): a document's fused score is
 *   mix / (c + rank_dense) + (1 − mix) / (c + rank_bm25)
 * with ranks from 1 and c = 60. `mix` = 1 is dense only, 0 is BM25 only, 0.5 is classic RRF
 * (scaled by ½). Ranks, not scores, are fused, so the two scales never need calibrating.
 */

export interface Ranked {
  id: string;
  score: number | null;
}

export interface FusedHit {
  id: string;
  fused: number;
  denseRank: number | null;
  bm25Rank: number | null;
  dense: number | null;
  bm25: number | null;
}

export const RRF_C = 60;

/** Fuses two ranked lists (best first) by weighted reciprocal rank; best first. */
export function rrf(dense: Ranked[], bm25: Ranked[], mix = 0.5, k = 10, c = RRF_C): FusedHit[] {
  const byId = new Map<string, FusedHit>();
  const get = (id: string) => {
    let h = byId.get(id);
    if (!h) byId.set(id, (h = { id, fused: 0, denseRank: null, bm25Rank: null, dense: null, bm25: null }));
    return h;
  };
  dense.forEach((r, i) => {
    const h = get(r.id);
    h.denseRank = i + 1;
    h.dense = r.score;
    h.fused += mix / (c + i + 1);
  });
  bm25.forEach((r, i) => {
    const h = get(r.id);
    h.bm25Rank = i + 1;
    h.bm25 = r.score;
    h.fused += (1 - mix) / (c + i + 1);
  });
  return [...byId.values()]
    .filter((h) => h.fused > 0)
    .sort((a, b) => b.fused - a.fused || (a.denseRank ?? 1e9) - (b.denseRank ?? 1e9))
    .slice(0, k);
}
