/**
 * LangChain.js adapters over our RAG store, for the frameworks lesson: our `Embedder` as
 * LangChain `Embeddings`, a collection as a `VectorStore` (so `asRetriever()` works), and our
 * dense/BM25/hybrid `Retriever` as a `BaseRetriever`. Import this module dynamically —
 * @langchain/core must never land in the main chunk.
 *
 *   const { RagVectorStore } = await import('../lib/rag/langchain');
 *   const vs = await RagVectorStore.fromCollection(store, collectionId, embedder);
 *   const docs = await vs.asRetriever({ k: 4 }).invoke('what is BM25?');
 */
import { Document, type DocumentInterface } from '@langchain/core/documents';
import { Embeddings } from '@langchain/core/embeddings';
import { BaseRetriever } from '@langchain/core/retrievers';
import { VectorStore } from '@langchain/core/vectorstores';
import type { Embedder } from './embedders';
import type { Retriever, RetrieverMode, SearchChunk } from './retriever';
import { sha256Hex, type RagStore } from './store';
import { FlatIndex } from './vector-index';

/** Our Embedder as LangChain Embeddings (queries get the embedder's query treatment). */
export class EmbedderEmbeddings extends Embeddings {
  constructor(readonly embedder: Embedder) {
    super({});
  }
  async embedDocuments(texts: string[]): Promise<number[][]> {
    return (await this.embedder.embed(texts, 'document')).map((v) => Array.from(v));
  }
  async embedQuery(text: string): Promise<number[]> {
    const [v] = await this.embedder.embed([text], 'query');
    return Array.from(v);
  }
}

const toDocument = (c: SearchChunk, extra: Record<string, unknown> = {}) =>
  new Document({ pageContent: c.text, metadata: { chunkId: c.id, docId: c.docId, source: c.docName, page: c.page, heading: c.heading, start: c.start, end: c.end, ...extra } });

/**
 * A collection of our store as a LangChain VectorStore. Each `addDocuments`/`addVectors` call
 * becomes one stored document (its LangChain documents are the chunks), written in one
 * transaction; search is an exact flat scan over the collection's stored vectors.
 */
export class RagVectorStore extends VectorStore {
  declare FilterType: (doc: DocumentInterface) => boolean;
  private index: FlatIndex | null = null;
  private chunks: SearchChunk[] = [];

  constructor(
    readonly store: RagStore,
    readonly collectionId: string,
    readonly embedder: Embedder,
  ) {
    super(new EmbedderEmbeddings(embedder), {});
  }

  _vectorstoreType(): string {
    return 'llm-lab-indexeddb';
  }

  /** Opens an existing collection. */
  static async fromCollection(store: RagStore, collectionId: string, embedder: Embedder): Promise<RagVectorStore> {
    const vs = new RagVectorStore(store, collectionId, embedder);
    await vs.load();
    return vs;
  }

  /** (Re)loads chunks and vectors from IndexedDB into the flat index. */
  async load(): Promise<void> {
    this.chunks = await this.store.chunks(this.collectionId);
    const { vectors, dims } = await this.store.vectors(this.collectionId, this.chunks.map((c) => c.id), this.embedder.id);
    const index = new FlatIndex(dims, Math.max(1, this.chunks.length));
    index.add(this.chunks.map((c) => c.id), vectors);
    this.index = index;
  }

  async addDocuments(documents: DocumentInterface[]): Promise<string[]> {
    const vectors = await this.embeddings.embedDocuments(documents.map((d) => d.pageContent));
    return this.addVectors(vectors, documents);
  }

  async addVectors(vectors: number[][], documents: DocumentInterface[]): Promise<string[]> {
    if (documents.length === 0) return [];
    let text = '';
    const chunks = documents.map((d) => {
      const start = text.length;
      text += d.pageContent;
      const end = text.length;
      text += '\n\n';
      return { text: d.pageContent, start, end, page: typeof d.metadata?.page === 'number' ? d.metadata.page : undefined };
    });
    const dims = vectors[0].length;
    const flat = new Float32Array(vectors.length * dims);
    vectors.forEach((v, i) => flat.set(v, i * dims));
    const bytes = new TextEncoder().encode(text);
    const name = String(documents[0].metadata?.source ?? 'LangChain documents');
    const row = await this.store.addDocument(this.collectionId, { name, mime: 'text/plain', hash: await sha256Hex(bytes), size: bytes.length, text, chunks, vectors: flat, embedderId: this.embedder.id });
    await this.load();
    return this.chunks.filter((c) => c.docId === row.id).map((c) => c.id);
  }

  async similaritySearchVectorWithScore(query: number[], k: number, filter?: this['FilterType']): Promise<[DocumentInterface, number][]> {
    if (!this.index) await this.load();
    const byId = new Map(this.chunks.map((c) => [c.id, c]));
    const hits = this.index!.search(Float32Array.from(query), filter ? this.chunks.length : k);
    const out: [DocumentInterface, number][] = [];
    for (const h of hits) {
      const doc = toDocument(byId.get(h.id)!);
      if (filter && !filter(doc)) continue;
      out.push([doc, h.score ?? 0]);
      if (out.length === k) break;
    }
    return out;
  }
}

/** Our dense / BM25 / hybrid retriever as a LangChain retriever (scores in metadata). */
export class RagRetriever extends BaseRetriever {
  override lc_namespace = ['llm-lab', 'rag'];
  constructor(
    private readonly retriever: Retriever,
    private readonly opts: { k: number; mode: RetrieverMode; mix?: number } = { k: 4, mode: 'hybrid' },
  ) {
    super({});
  }
  override async _getRelevantDocuments(query: string): Promise<DocumentInterface[]> {
    const hits = await this.retriever.search(query, this.opts);
    return hits.map((h) => toDocument(h.chunk, { rank: h.rank, dense: h.dense, bm25: h.bm25, fused: h.fused }));
  }
}
