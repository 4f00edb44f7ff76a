/**
 * Collections, documents, chunks and embeddings in IndexedDB (dexie, the tables of
 * `storage/db.ts` — no schema change). Rules:
 * - one document's rows (document + chunks + embeddings) are written in ONE transaction: a bad
 *   file, a full disk or a crash leaves nothing half-stored;
 * - duplicates (same SHA-256 of the original bytes in the same collection) are refused;
 * - vectors are stored as Float32 bytes (ArrayBuffer), never JSON, with the embedder id;
 * - a quota failure becomes RagError('quota') with a next step.
 */
import type { ChunkRow, CollectionRow, DocumentRow, EmbeddingRow, LabDB } from '../storage/db';
import { RagError, isQuotaError } from './errors';
import type { Embedder } from './embedders';
import type { SearchChunk } from './retriever';

/** Hex SHA-256 of some bytes (WebCrypto: browsers, workers and Node ≥ 19). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const uid = () => crypto.randomUUID();

/** A document ready to store: its text, its chunks and one vector per chunk. */
export interface PreparedDocument {
  name: string;
  mime: string;
  hash: string;
  size: number;
  text: string;
  pages?: number[];
  chunks: Array<{ text: string; start: number; end: number; page?: number; heading?: string }>;
  /** [chunks.length, dims] row-major */
  vectors: Float32Array;
  embedderId: string;
}

/** Stored vectors of a collection, ready for an index. */
export interface StoredVectors {
  chunkIds: string[];
  /** [n, dims] row-major */
  vectors: Float32Array;
  dims: number;
}

/** Data access for RAG collections. */
export class RagStore {
  constructor(readonly db: LabDB) {}

  /** All collections, oldest first. */
  async collections(): Promise<CollectionRow[]> {
    return (await this.db.collections.toArray()).sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Creates an empty collection for one embedder. */
  async createCollection(name: string, embedder: Pick<Embedder, 'id' | 'dims'>): Promise<CollectionRow> {
    const row: CollectionRow = { id: uid(), name: name.trim() || 'Untitled collection', embedder: embedder.id, dims: embedder.dims, createdAt: Date.now() };
    await this.guard(() => this.db.collections.add(row));
    return row;
  }

  /** Deletes a collection and everything in it, in one transaction. */
  async deleteCollection(id: string): Promise<void> {
    const { db } = this;
    await db.transaction('rw', [db.collections, db.documents, db.chunks, db.embeddings], async () => {
      await db.embeddings.where('collectionId').equals(id).delete();
      await db.chunks.where('collectionId').equals(id).delete();
      await db.documents.where('collectionId').equals(id).delete();
      await db.collections.delete(id);
    });
  }

  /** Documents of a collection (with their text), oldest first. */
  async documents(collectionId: string): Promise<DocumentRow[]> {
    return (await this.db.documents.where('collectionId').equals(collectionId).toArray()).sort((a, b) => a.createdAt - b.createdAt);
  }

  /** The document with the same content hash already in the collection, if any. */
  async findDuplicate(collectionId: string, hash: string): Promise<DocumentRow | undefined> {
    return this.db.documents.where('[collectionId+hash]').equals([collectionId, hash]).first();
  }

  /**
   * Stores a document with its chunks and vectors in ONE transaction. Throws RagError
   * 'duplicate' (same bytes already there), 'embedder-mismatch' or 'quota'; on any failure
   * nothing of this document is kept.
   */
  async addDocument(collectionId: string, doc: PreparedDocument): Promise<DocumentRow> {
    const { db } = this;
    const n = doc.chunks.length;
    return this.guard(() =>
      db.transaction('rw', [db.collections, db.documents, db.chunks, db.embeddings], async () => {
        const col = await db.collections.get(collectionId);
        if (!col) throw new RagError('bad-format', 'This collection no longer exists.', 'Pick or create another collection.');
        if (col.embedder !== doc.embedderId || doc.vectors.length !== n * col.dims) {
          throw new RagError('embedder-mismatch', `This collection uses ${col.embedder} (${col.dims} dims); the document was embedded with ${doc.embedderId}.`, 'Re-embed the collection or embed the document with the collection’s embedder.');
        }
        const dup = await db.documents.where('[collectionId+hash]').equals([collectionId, doc.hash]).first();
        if (dup) throw new RagError('duplicate', `“${doc.name}” is already in this collection (same content as “${dup.name}”).`, 'Nothing was added.');
        const row: DocumentRow = { id: uid(), collectionId, name: doc.name, mime: doc.mime, hash: doc.hash, size: doc.size, text: doc.text, pages: doc.pages, createdAt: Date.now() };
        await db.documents.add(row);
        const chunkRows: Array<ChunkRow & { heading?: string }> = doc.chunks.map((c, index) => ({ id: uid(), collectionId, docId: row.id, index, text: c.text, start: c.start, end: c.end, page: c.page, heading: c.heading }));
        await db.chunks.bulkAdd(chunkRows);
        const dims = col.dims;
        const embRows: EmbeddingRow[] = chunkRows.map((c, i) => ({
          chunkId: c.id,
          collectionId,
          embedder: doc.embedderId,
          // slice() copies the row into its own ArrayBuffer: binary, compact, no JSON
          vector: doc.vectors.slice(i * dims, (i + 1) * dims).buffer,
        }));
        await db.embeddings.bulkAdd(embRows);
        return row;
      }),
    );
  }

  /** Deletes one document with its chunks and vectors, in one transaction. */
  async deleteDocument(docId: string): Promise<void> {
    const { db } = this;
    await db.transaction('rw', [db.documents, db.chunks, db.embeddings], async () => {
      const chunkIds = (await db.chunks.where('docId').equals(docId).primaryKeys()) as string[];
      await db.embeddings.bulkDelete(chunkIds);
      await db.chunks.bulkDelete(chunkIds);
      await db.documents.delete(docId);
    });
  }

  /** All chunks of a collection, in document then chunk order, with their document's name. */
  async chunks(collectionId: string): Promise<SearchChunk[]> {
    const docs = await this.documents(collectionId);
    const names = new Map(docs.map((d) => [d.id, d.name]));
    const order = new Map(docs.map((d, i) => [d.id, i]));
    const rows = (await this.db.chunks.where('collectionId').equals(collectionId).toArray()) as Array<ChunkRow & { heading?: string }>;
    rows.sort((a, b) => (order.get(a.docId) ?? 0) - (order.get(b.docId) ?? 0) || a.index - b.index);
    return rows.map((c) => ({ id: c.id, docId: c.docId, docName: names.get(c.docId) ?? '?', text: c.text, start: c.start, end: c.end, page: c.page, heading: c.heading }));
  }

  /**
   * Loads the vectors of `chunkIds` made by `embedderId` into one Float32Array [n, dims], in
   * that order. One index range read (getAll on [collectionId+embedder]) — faster in Chromium
   * than a bulkGet of n keys — and no JSON parsing. Missing or stale rows → RagError.
   */
  async vectors(collectionId: string, chunkIds: string[], embedderId: string): Promise<StoredVectors> {
    const col = await this.db.collections.get(collectionId);
    if (!col) throw new RagError('bad-format', 'This collection no longer exists.');
    const rows = await this.db.embeddings.where('[collectionId+embedder]').equals([collectionId, embedderId]).toArray();
    const byId = new Map(rows.map((r) => [r.chunkId, r.vector]));
    const dims = col.dims;
    const out = new Float32Array(chunkIds.length * dims);
    chunkIds.forEach((id, i) => {
      const v = byId.get(id);
      if (!v) throw new RagError('embedder-mismatch', `Some chunks have no ${embedderId} vector.`, 'Re-embed the collection.');
      out.set(new Float32Array(v), i * dims);
    });
    return { chunkIds, vectors: out, dims };
  }

  /** How many stored vectors were made by another embedder than `embedderId`. */
  async staleCount(collectionId: string, embedderId: string): Promise<number> {
    const all = await this.db.embeddings.where('collectionId').equals(collectionId).count();
    const same = await this.db.embeddings.where('[collectionId+embedder]').equals([collectionId, embedderId]).count();
    return all - same;
  }

  /**
   * Re-embeds every chunk with another embedder. Vectors are computed first (outside any
   * transaction: IndexedDB transactions can't wait for a model), then swapped in one
   * transaction that also records the new embedder on the collection.
   */
  async reembed(collectionId: string, embedder: Embedder, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<void> {
    const chunks = await this.chunks(collectionId);
    const vectors: Float32Array[] = [];
    for (let i = 0; i < chunks.length; i += embedder.batchSize) {
      if (signal?.aborted) throw new RagError('aborted', 'Re-embedding cancelled; the collection is unchanged.');
      vectors.push(...(await embedder.embed(chunks.slice(i, i + embedder.batchSize).map((c) => c.text), 'document', signal)));
      onProgress?.(vectors.length, chunks.length);
    }
    const dims = vectors[0]?.length ?? embedder.dims;
    const { db } = this;
    await this.guard(() =>
      db.transaction('rw', [db.collections, db.embeddings], async () => {
        await db.embeddings.where('collectionId').equals(collectionId).delete();
        await db.embeddings.bulkAdd(chunks.map((c, i) => ({ chunkId: c.id, collectionId, embedder: embedder.id, vector: vectors[i].slice().buffer })));
        await db.collections.update(collectionId, { embedder: embedder.id, dims });
      }),
    );
  }

  /** Runs a write and turns quota failures into RagError('quota'). */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof RagError) throw e;
      if (isQuotaError(e)) {
        throw new RagError('quota', 'The browser’s storage for this site is full; nothing was saved.', 'Delete a collection or a downloaded model (Storage page), then try again.', { cause: e });
      }
      throw e;
    }
  }
}
