/**
 * Search over one collection held in memory: a dense vector index (flat or voy) and a BM25
 * index over the same chunks, combined by reciprocal-rank fusion. Rebuilt from stored chunks
 * and vectors (never from a serialised voy index).
 */
import { Bm25Index } from './bm25';
import { LexicalEmbedder, type Embedder } from './embedders';
import { rrf } from './hybrid';
import type { VectorIndex } from './vector-index';

export type RetrieverMode = 'dense' | 'bm25' | 'hybrid';

/** A chunk as search sees it. */
export interface SearchChunk {
  id: string;
  docId: string;
  docName: string;
  text: string;
  start: number;
  end: number;
  page?: number;
  heading?: string;
}

export interface SearchResult {
  rank: number;
  chunk: SearchChunk;
  /** cosine similarity (null when not in the dense list, or from voy before rescoring) */
  dense: number | null;
  bm25: number | null;
  /** RRF score in hybrid mode, else the mode's own score */
  fused: number;
  denseRank: number | null;
  bm25Rank: number | null;
}

export interface SearchOptions {
  k: number;
  mode: RetrieverMode;
  /** hybrid only: weight of the dense ranking, 0..1 */
  mix?: number;
}

/** Dense + BM25 retrieval over a fixed set of chunks. */
export class Retriever {
  readonly bm25 = new Bm25Index();
  private byId = new Map<string, SearchChunk>();

  /**
   * @param vectors document vectors [chunks.length, embedder.dims], in chunk order
   * @param index an empty vector index of the same dims; filled here
   */
  constructor(
    readonly chunks: SearchChunk[],
    vectors: Float32Array,
    readonly embedder: Embedder,
    readonly index: VectorIndex,
  ) {
    if (vectors.length !== chunks.length * index.dims) throw new Error(`Expected ${chunks.length}×${index.dims} vector values, got ${vectors.length}.`);
    for (const c of chunks) {
      this.bm25.add(c.id, c.heading ? `${c.heading}\n${c.text}` : c.text);
      this.byId.set(c.id, c);
    }
    index.add(chunks.map((c) => c.id), vectors);
    // the lexical embedder weights queries by the collection's bucket IDF
    if (embedder instanceof LexicalEmbedder) embedder.setIdfFrom(vectors, chunks.length);
  }

  /** Embeds the query once ([dims]); reuse it across modes. */
  async embedQuery(query: string, signal?: AbortSignal): Promise<Float32Array> {
    const [v] = await this.embedder.embed([query], 'query', signal);
    return v;
  }

  /** Ranked chunks for `query`. */
  async search(query: string, opts: SearchOptions, queryVector?: Float32Array): Promise<SearchResult[]> {
    const { k, mode } = opts;
    const depth = Math.max(k, 50);
    const wrap = (list: Array<{ id: string; dense: number | null; bm25: number | null; fused: number; denseRank: number | null; bm25Rank: number | null }>): SearchResult[] =>
      list.slice(0, k).map((h, i) => ({ rank: i + 1, chunk: this.byId.get(h.id)!, dense: h.dense, bm25: h.bm25, fused: h.fused, denseRank: h.denseRank, bm25Rank: h.bm25Rank }));
    if (mode === 'bm25') {
      return wrap(this.bm25.search(query, k).map((h, i) => ({ id: h.id, dense: null, bm25: h.score, fused: h.score, denseRank: null, bm25Rank: i + 1 })));
    }
    const qv = queryVector ?? (await this.embedQuery(query));
    const dense = this.index.search(qv, mode === 'dense' ? k : depth).filter((h) => h.score === null || h.score > 0);
    if (mode === 'dense') {
      return wrap(dense.map((h, i) => ({ id: h.id, dense: h.score, bm25: null, fused: h.score ?? 0, denseRank: i + 1, bm25Rank: null })));
    }
    const lexical = this.bm25.search(query, depth);
    return wrap(rrf(dense, lexical, opts.mix ?? 0.5, k));
  }
}
