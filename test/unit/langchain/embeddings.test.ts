import { describe, expect, it } from 'vitest';
import { EmbedderEmbeddings } from '../../../src/lib/langchain';
import { EngineEmbedder, LexicalEmbedder } from '../../../src/lib/rag/embedders';
import { createTestDoubleEngine } from '../../../src/lib/engine/test-double';
import { semanticRouter } from '../../../src/lib/langchain/router';

describe('LangChain Embeddings over our embedders', () => {
  it('an engine embedder (embeddings.create) and the lexical one both serve embedDocuments/embedQuery', async () => {
    for (const e of [new EngineEmbedder(createTestDoubleEngine({ embeddingDim: 32 }), { id: 'double', label: 'double', dims: 32, queryPrefix: 'query: ' }), new LexicalEmbedder()]) {
      const lc = new EmbedderEmbeddings(e);
      const docs = await lc.embedDocuments(['the cat sat', 'vector search']);
      expect(docs).toHaveLength(2);
      expect(docs[0]).toHaveLength(e.dims);
      expect((await lc.embedQuery('cat')).length).toBe(e.dims);
      // usable wherever LangChain expects Embeddings, e.g. our semantic router
      const r = await semanticRouter([{ text: 'What is 2 plus 2?', route: 'calculator' }, { text: 'Hi there!', route: 'chat' }, { text: 'What is BM25?', route: 'retrieval' }, { text: 'Write a poem', route: 'gpu' }], lc, 1);
      expect((await r.route('plus 2')).route).toBe('calculator');
    }
  });
});
