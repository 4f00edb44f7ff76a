/**
 * Collections, documents, chunks and vectors in IndexedDB (dexie, the tables of
 * `storage/db.ts`). Rules:
 * - one document's rows (document + chunks + its vector block) are written in ONE transaction: a
 *   bad file, a full disk or a crash leaves nothing half-stored;
 * - duplicates (same SHA-256 of the original bytes in the same collection) are refused;
 * - vectors are stored as Float32 bytes, never JSON, with the embedder id, packed one block per
 *   document (`vectorBlocks`, schema v2), each block's bytes a Blob (schema v3) so a whole
 *   collection loads as one Blob read (see `vectors()`);
 * - a quota failure becomes RagError('quota') with a next step.
 */
import Dexie from 'dexie';
import type { ChunkRow, CollectionRow, DocumentRow, LabDB, VectorBlockRow } from '../storage/db';
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
    await db.transaction('rw', [db.collections, db.documents, db.chunks, db.vectorBlocks], async () => {
      await db.vectorBlocks.where('collectionId').equals(id).delete();
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
      db.transaction('rw', [db.collections, db.documents, db.chunks, db.vectorBlocks], async () => {
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
        const block: VectorBlockRow = {
          docId: row.id,
          collectionId,
          embedder: doc.embedderId,
          dims: col.dims,
          chunkIds: chunkRows.map((c) => c.id),
          // [n, dims] Float32 bytes as a Blob (copied): binary, compact, no JSON, cheap to read back
          vectors: new Blob([doc.vectors.slice(0, n * col.dims)]),
        };
        await db.vectorBlocks.add(block);
        return row;
      }),
    );
  }

  /** Deletes one document with its chunks and vectors, in one transaction. */
  async deleteDocument(docId: string): Promise<void> {
    const { db } = this;
    await db.transaction('rw', [db.documents, db.chunks, db.vectorBlocks], async () => {
      const chunkIds = (await db.chunks.where('docId').equals(docId).primaryKeys()) as string[];
      await db.vectorBlocks.delete(docId);
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
   * that order. One index range read of the per-document blocks ([collectionId+embedder]: one
   * row per document, not per chunk), then ONE read of all their bytes: the blocks' Blobs are
   * joined into one Blob and read with a single arrayBuffer() (measured in headless Chromium,
   * 100k × 384: ~3× faster than getting the same bytes back as ArrayBuffer values, which
   * IndexedDB unwraps one by one). Blocks are read in the order of their first requested chunk,
   * so for the usual request (a whole collection in `chunks()` order) the bytes land in place
   * and are returned without a copy. Missing or stale vectors → RagError.
   */
  async vectors(collectionId: string, chunkIds: string[], embedderId: string): Promise<StoredVectors> {
    const col = await this.db.collections.get(collectionId);
    if (!col) throw new RagError('bad-format', 'This collection no longer exists.');
    const dims = col.dims;
    const pos = new Map<string, number>(); // requested chunk id → its position
    chunkIds.forEach((id, i) => pos.set(id, i));
    const first = (b: VectorBlockRow) => pos.get(b.chunkIds[0]) ?? Infinity;
    const blocks = (await this.db.vectorBlocks.where('[collectionId+embedder]').equals([collectionId, embedderId]).toArray())
      // stale size: treated as missing; blocks without a requested chunk are not read
      .filter((b) => b.dims === dims && b.chunkIds.some((id) => pos.has(id)))
      .sort((a, b) => first(a) - first(b));
    const all = await readBlocks(blocks, dims); // [rows of all blocks, dims], block after block
    // in place: the blocks hold exactly the requested chunks, in the requested order
    let inPlace = all.length === chunkIds.length * dims;
    let row = 0;
    for (const b of blocks) {
      if (!inPlace) break;
      for (const id of b.chunkIds) if (chunkIds[row++] !== id) inPlace = false;
    }
    if (inPlace) return { chunkIds, vectors: all, dims };
    // otherwise assemble: chunk id → its row in `all`
    const rowOf = new Map<string, number>();
    row = 0;
    for (const b of blocks) for (const id of b.chunkIds) rowOf.set(id, row++);
    const out = new Float32Array(chunkIds.length * dims); // [n, dims]
    chunkIds.forEach((id, i) => {
      const r = rowOf.get(id);
      if (r === undefined) throw new RagError('embedder-mismatch', `Some chunks have no ${embedderId} vector.`, 'Re-embed the collection.');
      out.set(all.subarray(r * dims, (r + 1) * dims), i * dims);
    });
    return { chunkIds, vectors: out, dims };
  }

  /** How many stored vectors were made by another embedder than `embedderId`. */
  async staleCount(collectionId: string, embedderId: string): Promise<number> {
    // the blocks of other embedders: the two key ranges around [collectionId, embedderId]
    const idx = this.db.vectorBlocks.where('[collectionId+embedder]');
    const below = await idx.between([collectionId, Dexie.minKey], [collectionId, embedderId], true, false).toArray();
    const above = await this.db.vectorBlocks.where('[collectionId+embedder]').between([collectionId, embedderId], [collectionId, Dexie.maxKey], false, true).toArray();
    return [...below, ...above].reduce((sum, b) => sum + b.chunkIds.length, 0);
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
    // one block per document, chunks in the order of `chunks()` (document, then chunk index)
    const byDoc = new Map<string, number[]>();
    chunks.forEach((c, i) => {
      const list = byDoc.get(c.docId);
      if (list) list.push(i);
      else byDoc.set(c.docId, [i]);
    });
    const blocks: VectorBlockRow[] = [...byDoc].map(([docId, idx]) => {
      const packed = new Float32Array(idx.length * dims); // [chunks of the doc, dims]
      idx.forEach((ci, r) => packed.set(vectors[ci], r * dims));
      return { docId, collectionId, embedder: embedder.id, dims, chunkIds: idx.map((ci) => chunks[ci].id), vectors: new Blob([packed]) };
    });
    const { db } = this;
    await this.guard(() =>
      db.transaction('rw', [db.collections, db.vectorBlocks], async () => {
        await db.vectorBlocks.where('collectionId').equals(collectionId).delete();
        await db.vectorBlocks.bulkAdd(blocks);
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

/**
 * The Float32 bytes of `blocks`, one after the other, as one Float32Array [Σ rows, dims]. Blocks
 * hold a Blob (schema v3) or an ArrayBuffer (rows restored from an older backup); both join into
 * one Blob, read at once. A block whose size does not match its chunk ids → RagError.
 */
async function readBlocks(blocks: VectorBlockRow[], dims: number): Promise<Float32Array> {
  let rows = 0;
  for (const b of blocks) {
    const bytes = b.vectors instanceof Blob ? b.vectors.size : b.vectors.byteLength;
    if (bytes !== b.chunkIds.length * dims * 4) {
      throw new RagError('bad-format', `A stored vector block has ${bytes} bytes for ${b.chunkIds.length} × ${dims} Float32 values.`, 'Re-embed the collection.');
    }
    rows += b.chunkIds.length;
  }
  if (rows === 0) return new Float32Array(0);
  const joined = new Blob(blocks.map((b) => b.vectors));
  return new Float32Array(await joined.arrayBuffer());
}
