/**
 * The RAG worker's logic (src/lib/rag/worker-api.ts) in Node: the same object the worker serves
 * and the page runs when workers are unavailable.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openLabDB } from '../../../src/lib/storage/db';
import { RagStore } from '../../../src/lib/rag/store';
import { LexicalEmbedder } from '../../../src/lib/rag/embedders';
import { ragErrorFromData } from '../../../src/lib/rag/errors';
import { createRagApi, type PrepareProgress, type WorkerFile } from '../../../src/lib/rag/worker-api';
import type { CallContext } from '../../../src/lib/rpc/protocol';

const file = (name: string, text: string | Uint8Array, type = ''): WorkerFile => {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  return { name, type, size: bytes.length, bytes: bytes.slice().buffer };
};

function ctx<P>(signal = new AbortController().signal): CallContext<P> & { seen: P[] } {
  const seen: P[] = [];
  return { signal, seen, progress: async (p: P) => void seen.push(p) };
}

describe('RAG worker API', () => {
  it('reads and splits each file, reports bad ones as data, and embeds lexically when asked', async () => {
    const api = createRagApi();
    const c = ctx<PrepareProgress>();
    const text = 'Retrieval finds passages. Embeddings map text to vectors. '.repeat(5);
    const res = await api.prepare(
      [file('a.txt', text), file('empty.txt', ''), file('b.html', '<h1>T</h1><p>Body text here.</p>', 'text/html'), file('bin.txt', new Uint8Array([0, 1, 2, 0, 0, 3]))],
      { kind: 'sentence', size: 80, overlap: 0 },
      64,
      c,
    );
    expect(res.map((r) => r.ok)).toEqual([true, false, true, false]);
    const a = res[0];
    if (!a.ok) throw new Error('a.txt should load');
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    for (const s of a.chunks) expect(a.text.slice(s.start, s.end)).toBe(s.text);
    // The vectors are exactly what the lexical embedder gives for each chunk.
    const expected = await new LexicalEmbedder(64).embed(a.chunks.map((s) => s.text), 'document');
    expect(a.vectors).toHaveLength(a.chunks.length * 64);
    expect(Array.from(a.vectors!.subarray(64, 128))).toEqual(Array.from(expected[1]));
    expect(res.map((r) => (r.ok ? '' : (ragErrorFromData(r.error) as Error & { code: string }).code))).toEqual(['', 'empty', '', 'binary']);
    expect(c.seen.map((p) => p.done)).toEqual([0, 1, 2, 3, 4]);
    expect(c.seen.at(-1)).toEqual({ done: 4, total: 4, name: '' });
    // Without lexicalDims no vectors are computed (the page embeds with a neural model).
    const [plain] = await api.prepare([file('a.txt', text)], { kind: 'sentence', size: 80, overlap: 0 }, undefined, ctx());
    expect(plain.ok && plain.vectors).toBeUndefined();
  });

  it('stops at the next step when its signal is aborted, with code aborted', async () => {
    const api = createRagApi();
    const ac = new AbortController();
    const c: CallContext<PrepareProgress> = {
      signal: ac.signal,
      // Cancel while the first file is being read.
      progress: async (p) => void (p.done === 0 && ac.abort()),
    };
    const files = [file('a.txt', 'Some words here. '.repeat(50)), file('b.txt', 'More words. '.repeat(50))];
    const err = await api.prepare(files, { kind: 'sentence', size: 40, overlap: 0 }, 64, c).catch((e) => e);
    expect(err).toMatchObject({ code: 'aborted' });
    const ac2 = new AbortController();
    ac2.abort();
    expect(await api.embedLexical(['a', 'b'], 8, ctx(ac2.signal)).catch((e) => e.code)).toBe('aborted');
  });

  it('splits by tokens with a BPE trained on the text, and embeds lexically', async () => {
    const api = createRagApi();
    const text = 'Retrieval finds passages. '.repeat(40);
    const spans = await api.split(text, { kind: 'token', size: 20, overlap: 4, bpeVocab: 300 });
    expect(spans.length).toBeGreaterThan(2);
    for (const s of spans) expect(text.slice(s.start, s.end)).toBe(s.text);
    const vecs = await api.embedLexical(['a b c', 'd e f'], 32, ctx());
    expect(vecs).toHaveLength(64);
  });

  it('times the indexes, reporting each stage; voy missing here is an error row, not a failure', async () => {
    const api = createRagApi();
    const c = ctx<string>();
    const rows = await api.timeIndexes(300, 16, 5, 3, c);
    expect(rows.map((r) => r.kind)).toEqual(['flat', 'voy', 'naive']);
    expect(rows[0].agreement).toBe(1);
    expect(rows[2].agreement).toBe(1);
    expect(rows[1].error).toMatch(/voy-search/);
    expect(c.seen.some((s) => s.startsWith('building flat'))).toBe(true);
  });

  it('ingests into the store off the page: stored docs, duplicates refused, bad files as data, a preview', async () => {
    const api = createRagApi();
    const dbName = `worker-api-${Date.now()}`;
    const store = new RagStore(openLabDB(dbName));
    const col = await store.createCollection('c', new LexicalEmbedder(64));
    const text = 'Retrieval finds passages. Embeddings map text to vectors. '.repeat(5);
    const res = await api.ingest({ dbName, collectionId: col.id }, [file('a.txt', text), file('copy.txt', text), file('empty.txt', '')], { kind: 'sentence', size: 80, overlap: 0 }, 64, ctx());
    expect(res.outcomes.map((o) => o.ok)).toEqual([true, false, false]);
    expect(res.outcomes.map((o) => (o.ok ? '' : (ragErrorFromData(o.error) as Error & { code: string }).code))).toEqual(['', 'duplicate', 'empty']);
    expect(res.preview).toEqual({ name: 'a.txt', text, truncated: false });
    const docs = await store.documents(col.id);
    expect(docs.map((d) => d.name)).toEqual(['a.txt']);
    const chunks = await store.chunks(col.id);
    expect(chunks.length).toBe(res.outcomes[0].ok ? res.outcomes[0].chunks : -1);
    const { vectors } = await store.vectors(col.id, chunks.map((c) => c.id), col.embedder);
    const expected = await new LexicalEmbedder(64).embed([chunks[0].text], 'document');
    expect(Array.from(vectors.subarray(0, 64))).toEqual(Array.from(expected[0]));
    // A cancelled ingestion stores nothing more.
    const ac = new AbortController();
    const c: CallContext<PrepareProgress> = { signal: ac.signal, progress: async () => void ac.abort() };
    expect(await api.ingest({ dbName, collectionId: col.id }, [file('b.txt', 'Another text. With sentences.')], { kind: 'sentence', size: 80, overlap: 0 }, 64, c).catch((e) => e.code)).toBe('aborted');
    expect((await store.documents(col.id)).length).toBe(1);
  });
});
