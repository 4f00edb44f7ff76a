import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { Document } from '@langchain/core/documents';
import { openLabDB } from '../../../src/lib/storage/db';
import { RagStore } from '../../../src/lib/rag/store';
import { LexicalEmbedder } from '../../../src/lib/rag/embedders';
import { RagRetriever, RagVectorStore } from '../../../src/lib/rag/langchain';
import { Retriever } from '../../../src/lib/rag/retriever';
import { FlatIndex } from '../../../src/lib/rag/vector-index';

describe('LangChain adapters', () => {
  it('a collection works as a LangChain VectorStore and retriever', async () => {
    const db = openLabDB('rag-langchain');
    const store = new RagStore(db);
    const embedder = new LexicalEmbedder();
    const col = await store.createCollection('lc', embedder);
    const vs = new RagVectorStore(store, col.id, embedder);
    const ids = await vs.addDocuments([
      new Document({ pageContent: 'BM25 ranks documents by term frequency.', metadata: { source: 'notes.txt' } }),
      new Document({ pageContent: 'Vector databases store embeddings.', metadata: { source: 'notes.txt' } }),
      new Document({ pageContent: 'Temperature controls sampling randomness.', metadata: { source: 'notes.txt' } }),
    ]);
    expect(ids).toHaveLength(3);
    expect(await db.documents.count()).toBe(1);
    const [[doc, score]] = await vs.similaritySearchWithScore('what do vector databases store?', 1);
    expect(doc.pageContent).toBe('Vector databases store embeddings.');
    expect(doc.metadata.source).toBe('notes.txt');
    expect(score).toBeGreaterThan(0);
    const viaRetriever = await vs.asRetriever({ k: 2 }).invoke('sampling temperature');
    expect(viaRetriever[0].pageContent).toContain('Temperature');
    // reopen from IndexedDB
    const again = await RagVectorStore.fromCollection(store, col.id, new LexicalEmbedder());
    expect((await again.similaritySearch('term frequency', 1))[0].pageContent).toContain('BM25');
    // our hybrid retriever as a LangChain retriever
    const chunks = await store.chunks(col.id);
    const { vectors } = await store.vectors(col.id, chunks.map((c) => c.id), embedder.id);
    const r = new RagRetriever(new Retriever(chunks, vectors, new LexicalEmbedder(), new FlatIndex(768)), { k: 1, mode: 'hybrid' });
    const [hit] = await r.invoke('BM25 term frequency');
    expect(hit.pageContent).toContain('BM25');
    expect(hit.metadata.bm25Rank ?? hit.metadata.rank).toBe(1);
    db.close();
  });
});
