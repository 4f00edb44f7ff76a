/**
 * Retrieval evaluation over a test collection (used by `npm run rag:eval` and the lesson's
 * table): builds each retriever over the documents, runs every query and scores the runs.
 */
import { Bm25Index } from './bm25';
import { LexicalEmbedder, type Embedder } from './embedders';
import type { IrDoc, IrQuery } from './formats';
import { evaluateRun, type Qrels, type Run, type RunMetrics } from './metrics';
import { Retriever, type RetrieverMode, type SearchChunk } from './retriever';
import { FlatIndex } from './vector-index';

export type EvalRetriever = 'bm25' | 'lexical' | 'hybrid';

export interface EvalResult {
  retriever: EvalRetriever;
  metrics: RunMetrics;
  /** milliseconds spent indexing and searching */
  indexMs: number;
  searchMs: number;
}

/** Runs each retriever over the collection; `depth` = how many results per query are scored. */
export async function runRetrievalEval(
  docs: IrDoc[],
  queries: IrQuery[],
  qrels: Qrels,
  retrievers: EvalRetriever[],
  depth = 100,
  embedder: Embedder = new LexicalEmbedder(),
  recallKs: number[] = [10, 100],
): Promise<EvalResult[]> {
  const judged = queries.filter((q) => qrels.has(q.id));
  const out: EvalResult[] = [];
  let dense: Retriever | null = null;
  let denseMs = 0;
  const getDense = async () => {
    if (dense) return dense;
    const t0 = performance.now();
    const chunks: SearchChunk[] = docs.map((d) => ({ id: d.id, docId: d.id, docName: d.id, text: d.text, start: 0, end: d.text.length }));
    const vectors = new Float32Array(docs.length * embedder.dims);
    for (let i = 0; i < docs.length; i += 512) {
      const vs = await embedder.embed(docs.slice(i, i + 512).map((d) => d.text), 'document');
      vs.forEach((v, j) => vectors.set(v, (i + j) * embedder.dims));
    }
    dense = new Retriever(chunks, vectors, embedder, new FlatIndex(embedder.dims, Math.max(1, docs.length)));
    denseMs = performance.now() - t0;
    return dense;
  };
  for (const r of retrievers) {
    const run: Run = new Map();
    let indexMs = 0;
    const t0 = performance.now();
    if (r === 'bm25') {
      const bm = new Bm25Index();
      for (const d of docs) bm.add(d.id, d.text);
      indexMs = performance.now() - t0;
      const t1 = performance.now();
      for (const q of judged) run.set(q.id, bm.search(q.text, depth).map((h) => h.id));
      out.push({ retriever: r, metrics: evaluateRun(run, qrels, recallKs), indexMs, searchMs: performance.now() - t1 });
      continue;
    }
    const ret = await getDense();
    indexMs = denseMs;
    const mode: RetrieverMode = r === 'lexical' ? 'dense' : 'hybrid';
    const t1 = performance.now();
    for (const q of judged) run.set(q.id, (await ret.search(q.text, { k: depth, mode, mix: 0.5 })).map((h) => h.chunk.id));
    out.push({ retriever: r, metrics: evaluateRun(run, qrels, recallKs), indexMs, searchMs: performance.now() - t1 });
  }
  return out;
}
