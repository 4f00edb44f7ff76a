import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { averagePrecision, evaluateRun, ndcgAt, reciprocalRank, recallAt, type Qrels } from '../../../src/lib/rag/metrics';
import { parseCorpus, parseQrels, parseQueries } from '../../../src/lib/rag/formats';
import { runRetrievalEval } from '../../../src/lib/rag/evaluate';

const rel = new Map([['a', 2], ['b', 1], ['c', 0], ['z', 1]]);

describe('metrics (trec_eval definitions)', () => {
  const ranking = ['x', 'a', 'c', 'b', 'y'];
  it('average precision', () => {
    // relevant a@2, b@4; R = 3 (a, b, z): (1/2 + 2/4) / 3
    expect(averagePrecision(ranking, rel)).toBeCloseTo((0.5 + 0.5) / 3, 12);
  });
  it('reciprocal rank', () => {
    expect(reciprocalRank(ranking, rel)).toBe(0.5);
    expect(reciprocalRank(['x'], rel)).toBe(0);
  });
  it('recall@k', () => {
    expect(recallAt(ranking, rel, 2)).toBeCloseTo(1 / 3, 12);
    expect(recallAt(ranking, rel, 100)).toBeCloseTo(2 / 3, 12);
  });
  it('nDCG@10 with graded gains', () => {
    const dcg = 2 / Math.log2(3) + 1 / Math.log2(5);
    const idcg = 2 / Math.log2(2) + 1 / Math.log2(3) + 1 / Math.log2(4);
    expect(ndcgAt(ranking, rel, 10)).toBeCloseTo(dcg / idcg, 12);
    expect(ndcgAt(['a', 'b', 'z'], rel, 10)).toBeCloseTo(1, 12);
  });
  it('averages over judged queries; missing runs count as zero; unjudged-only queries are skipped', () => {
    const qrels: Qrels = new Map([
      ['1', new Map([['a', 1]])],
      ['2', new Map([['b', 1]])],
      ['3', new Map([['c', 0]])],
    ]);
    const m = evaluateRun(new Map([['1', ['a']]]), qrels);
    expect(m.queries).toBe(2);
    expect(m.map).toBe(0.5);
    expect(m.mrr).toBe(0.5);
  });
});

const fx = (p: string) => readFileSync(`test/fixtures/rag/${p}`, 'utf8');

describe('TREC and BEIR readers', () => {
  it('read the same collection from both formats', () => {
    const trec = { docs: parseCorpus(fx('trec/corpus.trec')), queries: parseQueries(fx('trec/topics.txt')), qrels: parseQrels(fx('trec/qrels.txt')) };
    const beir = { docs: parseCorpus(fx('beir/corpus.jsonl')), queries: parseQueries(fx('beir/queries.jsonl')), qrels: parseQrels(fx('beir/qrels.tsv')) };
    expect(trec.docs.map((d) => d.id)).toEqual(['D1', 'D2', 'D3', 'D4', 'D5', 'D6']);
    expect(trec.docs[0].text).toBe('Vector databases A vector database stores embeddings and answers nearest neighbour queries.');
    expect(beir.docs[0].text).toBe(trec.docs[0].text);
    expect(trec.queries).toEqual(beir.queries);
    expect(trec.queries[0]).toEqual({ id: '1', text: 'vector database nearest neighbour' });
    expect(trec.qrels).toEqual(beir.qrels);
    expect(trec.qrels.get('1')!.get('D1')).toBe(2);
  });
  it('reads topics with closed tags, as PyTerrier ships Vaswani (<num>1</num><title>…</title>)', () => {
    expect(parseQueries(fx('trec/topics-closed.trec'))).toEqual(parseQueries(fx('trec/topics.txt')));
  });
  it('npm run rag:eval scores the closed-tag topics, and exits non-zero with a message when no query matches the qrels', () => {
    const run = (queries: string, qrels: string) => {
      const argv = ['tsx', 'scripts/rag-eval.ts', '--corpus', 'test/fixtures/rag/trec/corpus.trec', '--queries', queries, '--qrels', qrels, '--retriever', 'bm25'];
      try {
        return { code: 0, out: execFileSync('npx', argv, { encoding: 'utf8', stdio: 'pipe' }) };
      } catch (e) {
        const err = e as { status: number; stdout: string; stderr: string };
        return { code: err.status, out: err.stdout + err.stderr };
      }
    };
    const ok = run('test/fixtures/rag/trec/topics-closed.trec', 'test/fixtures/rag/trec/qrels.txt');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/3 queries \(3 judged\)/);
    const none = run('test/fixtures/rag/trec/topics-closed.trec', 'test/fixtures/rag/trec/qrels-other.txt');
    expect(none.code).toBe(1);
    expect(none.out).toMatch(/No query matches the qrels/);
    expect(none.out).toMatch(/"1", "2", "3".*"101", "102"/);
    expect(none.out).not.toMatch(/MAP/);
  });
  it('evaluates BM25 end to end with sensible numbers', async () => {
    const docs = parseCorpus(fx('beir/corpus.jsonl'));
    const queries = parseQueries(fx('beir/queries.jsonl'));
    const qrels = parseQrels(fx('beir/qrels.tsv'));
    const res = await runRetrievalEval(docs, queries, qrels, ['bm25', 'lexical', 'hybrid'], 100);
    const bm25 = res.find((r) => r.retriever === 'bm25')!;
    expect(bm25.metrics.queries).toBe(3);
    expect(bm25.metrics.mrr).toBe(1);
    expect(bm25.metrics.recall[100]).toBe(1);
    for (const r of res) expect(r.metrics.ndcg10).toBeGreaterThan(0.8);
  });
});
