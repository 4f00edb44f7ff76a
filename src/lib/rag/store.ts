/**
 * Collections, documents, chunks and vectors in IndexedDB (dexie, the tables of
 * `storage/db.ts`). Rules:
 * - one document's rows (document + chunks + its vector block) are written in ONE transaction: a
 *   bad file, a full disk or a crash leaves nothing half-stored;
 * - duplicates (same SHA-256 of the original bytes in the same collection) are refused;
 * - vectors are stored as Float32 bytes, never JSON, with the embedder id, packed one block per
 *   document (`vectorBlocks`, schema v2), each block's bytes a Blob (schema v3) so a whole
 *   collection loads as one Blob read (see `vectors()`); small blocks are later merged into
 *   packs of several documents (`compact()`, its own transaction), since each Blob costs a read;
 * - a quota failure becomes RagError('quota') with a next step.
 */
import Dexie from 'dexie';
import { blockDocIds, documentOrder, PACK_LIMITS, PACK_PREFIX, writePacks, type ChunkRow, type CollectionRow, type DocumentRow, type LabDB, type PackLimits, type VectorBlockRow } from '../storage/db';
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
  constructor(
    readonly db: LabDB,
    /** when to merge small vector blocks into packs (tests pass small values) */
    readonly packLimits: PackLimits = PACK_LIMITS,
  ) {}

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
    const stored = await this.storeDocument(collectionId, doc);
    await this.compactQuietly(collectionId);
    return stored;
  }

  private async storeDocument(collectionId: string, doc: PreparedDocument): Promise<DocumentRow> {
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
          docIds: [row.id],
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

  /**
   * Deletes one document with its chunks and vectors, in one transaction. A pack holding the
   * document is rewritten without its rows (slices of the pack's Blob: nothing is read).
   */
  async deleteDocument(docId: string): Promise<void> {
    const { db } = this;
    await db.transaction('rw', [db.documents, db.chunks, db.vectorBlocks], async () => {
      const chunkIds = (await db.chunks.where('docId').equals(docId).primaryKeys()) as string[];
      const gone = new Set(chunkIds);
      // its own block, by key (also a row from an older backup, which has no docIds)
      await db.vectorBlocks.delete(docId);
      // the pack that holds it, if any
      for (const b of await db.vectorBlocks.where('docIds').equals(docId).toArray()) {
        const docIds = b.docIds.filter((d) => d !== docId);
        if (docIds.length === 0) {
          await db.vectorBlocks.delete(b.docId);
          continue;
        }
        const rowBytes = b.dims * 4;
        const bytes = b.vectors instanceof Blob ? b.vectors : new Blob([b.vectors]);
        const keep: Blob[] = [];
        b.chunkIds.forEach((id, r) => {
          if (!gone.has(id)) keep.push(bytes.slice(r * rowBytes, (r + 1) * rowBytes));
        });
        await db.vectorBlocks.put({ ...b, docIds, chunkIds: b.chunkIds.filter((id) => !gone.has(id)), vectors: new Blob(keep) });
      }
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
   * IndexedDB unwraps one by one). For the usual request (a whole collection in `chunks()`
   * order) the blocks are read in that order, so the bytes land in place and are returned
   * without a copy. Missing or stale vectors → RagError.
   */
  async vectors(collectionId: string, chunkIds: string[], embedderId: string): Promise<StoredVectors> {
    const col = await this.db.collections.get(collectionId);
    if (!col) throw new RagError('bad-format', 'This collection no longer exists.');
    const dims = col.dims;
    const stored = (await this.db.vectorBlocks.where('[collectionId+embedder]').equals([collectionId, embedderId]).toArray()).filter((b) => b.dims === dims); // stale size: treated as missing
    // the usual request (a whole collection in chunks() order) is the blocks' rows one block
    // after the other: then read them in that order, straight into place
    const inOrder = blocksInOrder(stored, chunkIds);
    if (inOrder) return { chunkIds, vectors: await readBlocks(inOrder, dims), dims };
    // otherwise read the blocks holding a requested chunk and assemble: chunk id → its row
    const wanted = new Set(chunkIds);
    const blocks = stored.filter((b) => b.chunkIds.some((id) => wanted.has(id)));
    const all = await readBlocks(blocks, dims); // [rows of all blocks, dims], block after block
    const rowOf = new Map<string, number>();
    let row = 0;
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
      return { docId, docIds: [docId], collectionId, embedder: embedder.id, dims, chunkIds: idx.map((ci) => chunks[ci].id), vectors: new Blob([packed]) };
    });
    const { db } = this;
    await this.guard(() =>
      db.transaction('rw', [db.collections, db.vectorBlocks], async () => {
        await db.vectorBlocks.where('collectionId').equals(collectionId).delete();
        await db.vectorBlocks.bulkAdd(blocks);
        await db.collections.update(collectionId, { embedder: embedder.id, dims });
      }),
    );
    await this.compactQuietly(collectionId);
  }

  /**
   * Merges a collection's small vector blocks into packs (see `planPacks`), in one transaction
   * of its own; returns how many packs it wrote (0: nothing to do yet). Under `maxLoose`
   * single-document blocks it only reads the block keys. The bytes are never read: a pack's Blob
   * is made of the blocks' Blobs.
   */
  async compact(collectionId: string): Promise<number> {
    const { db } = this;
    return this.guard(() =>
      db.transaction('rw', [db.documents, db.vectorBlocks], async () => {
        // keys only (no rows read): how many blocks are single documents, not packs yet
        const keys = (await db.vectorBlocks.where('collectionId').equals(collectionId).primaryKeys()) as string[];
        if (keys.filter((k) => !k.startsWith(PACK_PREFIX)).length < this.packLimits.maxLoose) return 0;
        const blocks = await db.vectorBlocks.where('collectionId').equals(collectionId).toArray();
        // the order chunks() reads documents in, for each block's first document
        const docs = (await db.documents.bulkGet([...new Set(blocks.map((b) => blockDocIds(b)[0]))])).filter((d) => d !== undefined);
        return writePacks(db.vectorBlocks, blocks, documentOrder(docs), this.packLimits);
      }),
    );
  }

  /** compact() after a write that already succeeded: packing is only an optimisation, so a failure (e.g. a full disk) is logged, not thrown. */
  private async compactQuietly(collectionId: string): Promise<void> {
    try {
      await this.compact(collectionId);
    } catch (e) {
      console.warn('RAG store: could not pack vector blocks (the data is intact, loading stays slower):', e);
    }
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
 * `blocks` in the order that lays their rows out exactly as `chunkIds` (every block used, each
 * once, no other rows), or null. Linear: one lookup per block, one comparison per chunk.
 */
function blocksInOrder(blocks: VectorBlockRow[], chunkIds: string[]): VectorBlockRow[] | null {
  const byFirst = new Map(blocks.map((b) => [b.chunkIds[0], b]));
  if (byFirst.size !== blocks.length) return null;
  const out: VectorBlockRow[] = [];
  let p = 0;
  while (p < chunkIds.length) {
    const b = byFirst.get(chunkIds[p]);
    if (!b) return null;
    for (let r = 0; r < b.chunkIds.length; r++) if (chunkIds[p + r] !== b.chunkIds[r]) return null;
    p += b.chunkIds.length;
    out.push(b);
  }
  return out.length === blocks.length ? out : null;
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
