/**
 * Evaluates retrieval on a standard test collection, outside the browser.
 *
 *   npm run rag:eval -- --corpus <file> --queries <file> --qrels <file> [--retriever bm25|lexical|hybrid] [--k 10]
 *
 * Formats (auto-detected): TREC (SGML `<DOC><DOCNO>…` corpus, `<top>` topics or `qid<TAB>text`,
 * `qid 0 docno rel` qrels) and BEIR (`corpus.jsonl`, `queries.jsonl`, `qrels/test.tsv`).
 * Prints MAP, nDCG@10, recall@100 and MRR per retriever (trec_eval definitions), plus recall@k.
 *
 * BM25: Lucene's formula with k1 = 0.9, b = 0.4 (Anserini's defaults); tokenisation = split on
 * non-alphanumerics, lowercase, Lucene's 33 English stopwords, possessive 's removed, Porter
 * stemmer — the same choices as Anserini's default English analyzer, so figures are comparable
 * to its BM25 "flat" baselines (small differences: Lucene stores document lengths lossily).
 */
import { readFileSync } from 'node:fs';
import { parseCorpus, parseQrels, parseQueries } from '../src/lib/rag/formats';
import { runRetrievalEval, type EvalRetriever } from '../src/lib/rag/evaluate';

function args(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const [key, inline] = a.slice(2).split('=', 2);
    out[key] = inline ?? argv[++i] ?? '';
  }
  return out;
}

const USAGE = 'usage: npm run rag:eval -- --corpus <file> --queries <file> --qrels <file> [--retriever bm25|lexical|hybrid[,…]] [--k 10]';

/** Why the files can't be scored (instead of printing zeros), or null when they can. */
function readProblem(docs: number, queryIds: string[], qrelIds: string[], judged: number): string | null {
  const some = (ids: string[]) => ids.slice(0, 3).map((s) => JSON.stringify(s)).join(', ');
  if (docs === 0) return 'No documents were read from --corpus (expected TREC <DOC><DOCNO>… or BEIR corpus.jsonl).';
  if (queryIds.length === 0) return 'No queries were read from --queries (expected TREC <top> topics, qid<TAB>text lines or BEIR queries.jsonl).';
  if (qrelIds.length === 0) return 'No judgements were read from --qrels (expected "qid iter docno rel" or "query-id corpus-id score" lines).';
  if (judged === 0) {
    return `No query matches the qrels, so nothing can be scored: query ids look like ${some(queryIds)}, qrels ids like ${some(qrelIds)}. Check that the topics and qrels belong to the same collection.`;
  }
  return null;
}

async function main() {
  const a = args(process.argv.slice(2));
  if (!a.corpus || !a.queries || !a.qrels) {
    console.error(USAGE);
    process.exit(2);
  }
  const k = Number(a.k ?? 10);
  const retrievers = (a.retriever ?? 'bm25,lexical,hybrid').split(',').map((s) => s.trim()) as EvalRetriever[];
  for (const r of retrievers) {
    if (!['bm25', 'lexical', 'hybrid'].includes(r)) {
      console.error(`unknown retriever "${r}"\n${USAGE}`);
      process.exit(2);
    }
  }
  const t0 = performance.now();
  const docs = parseCorpus(readFileSync(a.corpus, 'utf8'));
  const queries = parseQueries(readFileSync(a.queries, 'utf8'));
  const qrels = parseQrels(readFileSync(a.qrels, 'utf8'));
  const judged = queries.filter((q) => qrels.has(q.id)).length;
  console.log(`${docs.length} documents, ${queries.length} queries (${judged} judged), read in ${(performance.now() - t0).toFixed(0)} ms`);
  const problem = readProblem(docs.length, queries.map((q) => q.id), [...qrels.keys()], judged);
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
  // score 1000 results per query like trec_eval runs do (MAP and recall@100 need depth)
  const recallKs = [...new Set([k, 100])];
  const results = await runRetrievalEval(docs, queries, qrels, retrievers, Math.max(1000, k), undefined, recallKs);
  const rows = results.map((r) => {
    const row: Record<string, string> = { retriever: r.retriever, MAP: r.metrics.map.toFixed(4), 'nDCG@10': r.metrics.ndcg10.toFixed(4) };
    for (const kk of recallKs) row[`recall@${kk}`] = r.metrics.recall[kk].toFixed(4);
    row.MRR = r.metrics.mrr.toFixed(4);
    row['index ms'] = r.indexMs.toFixed(0);
    row['search ms/query'] = (r.searchMs / Math.max(1, r.metrics.queries)).toFixed(2);
    return row;
  });
  console.table(rows);
  console.log('lexical = built-in hashed TF-IDF embedder (768 dims, flat index); hybrid = RRF(lexical, BM25), mix 0.5.');
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
