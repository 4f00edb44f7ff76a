/**
 * RagStore on Chromium's real IndexedDB (fake-indexeddb in the unit tests keeps Blobs in
 * memory): Blob vector blocks, packs made of stored Blobs inside one transaction, a pack
 * rewritten from slices when a document goes, and the one-read load, all with the bytes intact.
 */
import { afterAll, describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { openLabDB, SCHEMA_VERSIONS } from '../../../src/lib/storage/db';
import { RagStore, type PreparedDocument } from '../../../src/lib/rag/store';

const name = `rag-store-browser-${Date.now()}`;
const db = openLabDB(name);
afterAll(async () => {
  db.close();
  await Dexie.delete(name);
});

const dims = 8;
/** Row `i` of the test data: distinct, exactly representable values. */
const row = (i: number) => Float32Array.from({ length: dims }, (_, j) => i * 16 + j - 0.5);
const doc = (d: number, rows: number[]): PreparedDocument => ({
  name: `doc${d}.txt`,
  mime: 'text/plain',
  hash: `hash-${d}`,
  size: 1,
  text: `document ${d}`,
  chunks: rows.map((r) => ({ text: String(r), start: 0, end: 1 })),
  vectors: Float32Array.from(rows.flatMap((r) => Array.from(row(r)))),
  embedderId: 'test',
});

describe('RagStore in Chromium', () => {
  it('stores Blob blocks, packs them, deletes through a pack and loads every row as written', async () => {
    const store = new RagStore(db, { packBytes: 2 ** 20, maxLoose: 4 });
    const col = await store.createCollection('browser', { id: 'test', dims });
    let next = 0;
    for (let d = 0; d < 9; d++) await store.addDocument(col.id, doc(d, Array.from({ length: 1 + (d % 3) }, () => next++)));
    const blocks = await db.vectorBlocks.where('collectionId').equals(col.id).toArray();
    for (const b of blocks) expect(b.vectors).toBeInstanceOf(Blob);
    expect(blocks.filter((b) => b.docId.startsWith('pack:')).length).toBeGreaterThan(0);
    expect(blocks.length).toBeLessThan(9);

    const check = async () => {
      const chunks = await store.chunks(col.id);
      const { vectors } = await store.vectors(col.id, chunks.map((c) => c.id), 'test');
      expect(vectors.length).toBe(chunks.length * dims);
      chunks.forEach((c, i) => expect(Array.from(vectors.subarray(i * dims, (i + 1) * dims))).toEqual(Array.from(row(Number(c.text)))));
      // a reversed request goes through the assembling path
      const rev = [...chunks].reverse();
      const back = await store.vectors(col.id, rev.map((c) => c.id), 'test');
      rev.forEach((c, i) => expect(back.vectors[i * dims + 3]).toBe(row(Number(c.text))[3]));
      return chunks;
    };
    await check();
    // a document in the middle of a pack: the pack is rewritten from slices of its own Blob
    const pack = blocks.find((b) => b.docIds.length > 2)!;
    const gone = pack.docIds[1];
    const goneRows = (await store.chunks(col.id)).filter((c) => c.docId === gone).length;
    await store.deleteDocument(gone);
    const after = (await db.vectorBlocks.get(pack.docId))!;
    expect(after.docIds).toEqual(pack.docIds.filter((d) => d !== gone));
    expect((after.vectors as Blob).size).toBe((pack.chunkIds.length - goneRows) * dims * 4);
    const chunks = await check();
    expect(chunks).toHaveLength(next - goneRows);
    expect(chunks.some((c) => c.docId === gone)).toBe(false);
  });

  it('the database is at the latest schema version', () => {
    expect(db.verno).toBe(SCHEMA_VERSIONS.at(-1)!.version);
  });
});
