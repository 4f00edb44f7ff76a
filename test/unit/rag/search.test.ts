import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Bm25Index } from '../../../src/lib/rag/bm25';
import { LexicalEmbedder, EngineEmbedder, ARCTIC_QUERY_PREFIX } from '../../../src/lib/rag/embedders';
import { FlatIndex, NaiveIndex } from '../../../src/lib/rag/vector-index';
import { VoyIndex } from '../../../src/lib/rag/voy-index';
import { rrf } from '../../../src/lib/rag/hybrid';
import { topK } from '../../../src/lib/rag/topk';
import { Retriever } from '../../../src/lib/rag/retriever';
import type { ChatEngine } from '../../../src/lib/engine/types';

function rng(seed: number) {
  return () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
const voyWasm = async () => readFileSync('node_modules/voy-search/voy_search_bg.wasm');

describe('topK', () => {
  it('matches a full sort, ties by lower index', () => {
    const r = rng(1);
    const s = Float32Array.from({ length: 500 }, () => Math.round(r() * 20) / 20);
    const ref = [...s.keys()].sort((a, b) => s[b] - s[a] || a - b).slice(0, 17);
    expect(topK(s, 17)).toEqual(ref);
  });
});

describe('vector indexes agree with the naive reference', () => {
  const d = 64, n = 301; // not a multiple of 4: exercises the flat scan’s tail loop
  const r = rng(7);
  const vecs = Float32Array.from({ length: n * d }, r);
  const ids = Array.from({ length: n }, (_, i) => `c${i}`);
  const q = Float32Array.from({ length: d }, r);
  const naive = new NaiveIndex(d);
  naive.add(ids, vecs);
  const ref = naive.search(q, 10);
  it('flat returns the same ids and cosines', () => {
    const flat = new FlatIndex(d, 8); // small capacity: exercises growth
    flat.add(ids.slice(0, 100), vecs.subarray(0, 100 * d));
    flat.add(ids.slice(100), vecs.subarray(100 * d));
    const got = flat.search(q, 10);
    expect(got.map((h) => h.id)).toEqual(ref.map((h) => h.id));
    got.forEach((h, i) => expect(h.score!).toBeCloseTo(ref[i].score!, 5));
  });
  it('voy (wasm loaded without a plugin) returns the same neighbours, rescored', async () => {
    const voy = await VoyIndex.create(d, voyWasm);
    voy.add(ids, vecs);
    const got = voy.search(q, 10);
    expect(got.map((h) => h.id)).toEqual(ref.map((h) => h.id));
    got.forEach((h, i) => expect(h.score!).toBeCloseTo(ref[i].score!, 5));
    voy.free();
  });
  it('voy refuses vectors it would truncate', async () => {
    await expect(VoyIndex.create(1024, voyWasm)).rejects.toThrow(/768/);
  });
});

describe('BM25', () => {
  const docs = ['the cat sat on the mat', 'dogs and cats are pets', 'a quantum computer', 'cat cat cat'];
  const idx = new Bm25Index();
  docs.forEach((t, i) => idx.add(`d${i}`, t));
  it('scores like Lucene BM25 (k1=0.9, b=0.4), by hand', () => {
    // "cat": df=3 of N=4 → idf = ln(1 + 1.5/3.5); lengths after stopwords/stemming: 3,3,2,3 → avgdl 2.75
    const idf = Math.log(1 + (4 - 3 + 0.5) / (3 + 0.5));
    const s = idx.scoreAll('cat');
    const bm = (tf: number, dl: number) => (idf * tf) / (tf + 0.9 * (1 - 0.4 + (0.4 * dl) / 2.75));
    expect(s[0]).toBeCloseTo(bm(1, 3), 6);
    expect(s[1]).toBeCloseTo(bm(1, 3), 6);
    expect(s[2]).toBe(0);
    expect(s[3]).toBeCloseTo(bm(3, 3), 6);
    expect(s[0]).toBeCloseTo(0.1845449, 6); // the same number from the formula, written out
    expect(idx.search('cats', 10).map((h) => h.id)).toEqual(['d3', 'd0', 'd1']);
  });
  it('has no hits for unknown or stopword-only queries', () => {
    expect(idx.search('the and of', 5)).toEqual([]);
    expect(idx.search('zebra', 5)).toEqual([]);
  });
});

describe('RRF', () => {
  it('fuses ranks with the mix weight', () => {
    const a = [{ id: 'x', score: 0.9 }, { id: 'y', score: 0.8 }];
    const b = [{ id: 'y', score: 5 }, { id: 'z', score: 3 }];
    const fused = rrf(a, b, 0.5, 10);
    expect(fused.map((h) => h.id)).toEqual(['y', 'x', 'z']);
    expect(fused[0].fused).toBeCloseTo(0.5 / 62 + 0.5 / 61, 10);
    expect(rrf(a, b, 1, 10).map((h) => h.id)).toEqual(['x', 'y']);
    expect(rrf(a, b, 0, 10).map((h) => h.id)).toEqual(['y', 'z']);
  });
});

describe('embedders', () => {
  it('lexical vectors are normalised and match shared words', async () => {
    const e = new LexicalEmbedder();
    const [a, b, c] = await e.embed(['vector databases store embeddings', 'an embedding is stored in a vector database', 'sampling temperature'], 'document');
    const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i], 0);
    expect(dot(a, a)).toBeCloseTo(1, 5);
    expect(dot(a, b)).toBeGreaterThan(0.5);
    expect(Math.abs(dot(a, c))).toBeLessThan(0.2);
  });
  it('engine embedder adds the arctic query prefix to queries only and normalises', async () => {
    const seen: string[][] = [];
    const engine = {
      embeddings: {
        create: async (req: { input: string | string[] }) => {
          const input = Array.isArray(req.input) ? req.input : [req.input];
          seen.push(input);
          return { object: 'list' as const, model: 'm', usage: { prompt_tokens: 0, total_tokens: 0 }, data: input.map((_, index) => ({ object: 'embedding' as const, index, embedding: [3, 4] })) };
        },
      },
    } as unknown as ChatEngine;
    const e = new EngineEmbedder(engine, { id: 'x', label: 'x', dims: 2, batchSize: 2, queryPrefix: ARCTIC_QUERY_PREFIX });
    const docs = await e.embed(['a', 'b', 'c'], 'document');
    expect(seen).toEqual([['a', 'b'], ['c']]);
    expect(Array.from(docs[0])).toEqual([0.6000000238418579, 0.800000011920929]);
    await e.embed(['q'], 'query');
    expect(seen[2]).toEqual([ARCTIC_QUERY_PREFIX + 'q']);
  });
});

describe('Retriever', () => {
  const chunks = [
    'Embeddings map text to vectors so similar meanings are close.',
    'BM25 ranks documents by term frequency and inverse document frequency.',
    'Sampling temperature controls randomness of the next token.',
  ].map((text, i) => ({ id: `c${i}`, docId: 'd', docName: 'doc', text, start: 0, end: text.length }));
  it('dense, bm25 and hybrid modes each find the right chunk', async () => {
    const emb = new LexicalEmbedder();
    const vectors = new Float32Array(chunks.length * emb.dims);
    (await emb.embed(chunks.map((c) => c.text), 'document')).forEach((v, i) => vectors.set(v, i * emb.dims));
    const r = new Retriever(chunks, vectors, emb, new FlatIndex(emb.dims));
    for (const mode of ['dense', 'bm25', 'hybrid'] as const) {
      const res = await r.search('what does the temperature of sampling do', { k: 2, mode });
      expect(res[0].chunk.id).toBe('c2');
      expect(res[0].rank).toBe(1);
    }
    const hy = await r.search('term frequency', { k: 3, mode: 'hybrid', mix: 0.5 });
    expect(hy[0].bm25Rank).toBe(1);
    expect(hy[0].denseRank).toBe(1);
  });
});
