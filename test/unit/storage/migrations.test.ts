/**
 * Migration test pattern: for each schema version, open a database written by the previous
 * version and check the upgraded rows. Later versions add a case here.
 */
import { describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { openLabDB, SCHEMA_VERSIONS } from '../../../src/lib/storage/db';
import { RagStore } from '../../../src/lib/rag/store';

/** The Float32 values of a block's `vectors` (a Blob since v3, an ArrayBuffer before). */
async function floats(v: Blob | ArrayBuffer): Promise<number[]> {
  return Array.from(new Float32Array(v instanceof Blob ? await v.arrayBuffer() : v));
}
const stores = (version: number) => SCHEMA_VERSIONS.find((s) => s.version === version)!.stores;

describe('schema migrations', () => {
  it('versions are strictly increasing and every table keeps a primary key', () => {
    const versions = SCHEMA_VERSIONS.map((s) => s.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    for (const s of SCHEMA_VERSIONS) for (const def of Object.values(s.stores)) expect(def.split(',')[0].trim().length).toBeGreaterThan(0);
  });

  it('opens a database written with the previous version (v1 baseline: an empty pre-v1 db)', async () => {
    const idb = new IDBFactory();
    // A database created by an older build with only the progress table.
    const old = new Dexie('llm-lab', { indexedDB: idb, IDBKeyRange });
    old.version(1).stores({ progress: 'taskId, updatedAt' });
    await old.table('progress').put({ taskId: '1.0.a', done: true, source: 'manual', updatedAt: 1 });
    old.close();
    const db = openLabDB('llm-lab', { indexedDB: idb, IDBKeyRange });
    expect((await db.progress.get('1.0.a'))?.done).toBe(true);
    expect(db.tables.map((t) => t.name).sort()).toContain('embeddings');
    db.close();
  });

  it('v1 → v2: packs per-chunk embeddings into one block per document, in chunk order, and empties embeddings', async () => {
    const idb = new IDBFactory();
    const old = new Dexie('llm-lab', { indexedDB: idb, IDBKeyRange });
    old.version(1).stores(SCHEMA_VERSIONS.find((s) => s.version === 1)!.stores);
    const vec = (seed: number) => new Float32Array([seed, seed + 0.25, -seed, seed / 3]); // dims 4
    await old.table('collections').add({ id: 'col', name: 'Notes', embedder: 'lex', dims: 4, createdAt: 1 });
    const chunk = (id: string, docId: string, index: number) => ({ id, collectionId: 'col', docId, index, text: id, start: 0, end: 1 });
    // written out of order on purpose; d1/c2 has no embedding (skipped)
    await old.table('chunks').bulkAdd([chunk('d1-c1', 'd1', 1), chunk('d2-c0', 'd2', 0), chunk('d1-c0', 'd1', 0), chunk('d1-c2', 'd1', 2), chunk('d1-c3', 'd1', 3)]);
    const emb = (chunkId: string, seed: number) => ({ chunkId, collectionId: 'col', embedder: 'lex', vector: vec(seed).buffer });
    await old.table('embeddings').bulkAdd([emb('d1-c3', 13), emb('d2-c0', 20), emb('d1-c1', 11), emb('d1-c0', 10), emb('orphan', 99)]);
    old.close();

    const db = openLabDB('llm-lab', { indexedDB: idb, IDBKeyRange });
    await db.open(); // v1 → v2 → … latest
    expect(db.verno).toBe(SCHEMA_VERSIONS.at(-1)!.version);
    expect(await db.embeddings.count()).toBe(0);
    const blocks = await db.vectorBlocks.orderBy('docId').toArray();
    expect(blocks.map((b) => b.docId)).toEqual(['d1', 'd2']);
    const [b1, b2] = blocks;
    expect(b1).toMatchObject({ collectionId: 'col', embedder: 'lex', dims: 4, chunkIds: ['d1-c0', 'd1-c1', 'd1-c3'] });
    expect(await floats(b1.vectors)).toEqual([...vec(10), ...vec(11), ...vec(13)]);
    expect(b2).toMatchObject({ dims: 4, chunkIds: ['d2-c0'] });
    expect(await floats(b2.vectors)).toEqual(Array.from(vec(20)));
    expect(await db.vectorBlocks.where('[collectionId+embedder]').equals(['col', 'lex']).count()).toBe(2);
    expect(await db.chunks.count()).toBe(5); // chunks untouched
    db.close();
  });

  it('v2 → v3: each vector block keeps its bytes, now as a Blob, and loads as before', async () => {
    const idb = new IDBFactory();
    const old = new Dexie('llm-lab', { indexedDB: idb, IDBKeyRange });
    old.version(1).stores(stores(1));
    old.version(2).stores(stores(2));
    await old.table('collections').add({ id: 'col', name: 'Notes', embedder: 'lex', dims: 3, createdAt: 1 });
    const d1 = new Float32Array([1, 2, 3, -4, 5.5, 1e-7]); // 2 chunks × 3 dims
    const d2 = new Float32Array([0.25, -0.5, 9]);
    await old.table('vectorBlocks').bulkAdd([
      { docId: 'd1', collectionId: 'col', embedder: 'lex', dims: 3, chunkIds: ['a', 'b'], vectors: d1.slice().buffer },
      { docId: 'd2', collectionId: 'col', embedder: 'lex', dims: 3, chunkIds: ['c'], vectors: d2.slice().buffer },
    ]);
    await old.table('chunks').add({ id: 'a', collectionId: 'col', docId: 'd1', index: 0, text: 'a', start: 0, end: 1 });
    old.close();

    const db = openLabDB('llm-lab', { indexedDB: idb, IDBKeyRange });
    await db.open();
    expect(db.verno).toBe(3);
    const blocks = await db.vectorBlocks.orderBy('docId').toArray();
    expect(blocks.map((b) => [b.docId, b.chunkIds, b.dims, b.embedder])).toEqual([['d1', ['a', 'b'], 3, 'lex'], ['d2', ['c'], 3, 'lex']]);
    for (const b of blocks) expect(b.vectors).toBeInstanceOf(Blob);
    expect(await floats(blocks[0].vectors)).toEqual(Array.from(d1));
    expect(await floats(blocks[1].vectors)).toEqual(Array.from(d2));
    expect(await db.chunks.count()).toBe(1); // other tables untouched
    for (const b of blocks) expect(b.docIds).toEqual([b.docId]);
    // and the store reads them in any order
    const got = await new RagStore(db).vectors('col', ['c', 'a', 'b'], 'lex');
    expect(Array.from(got.vectors)).toEqual([...d2, ...d1]);
    db.close();
  });

  it('v2 → v3: a collection with many small blocks is packed, in document order', async () => {
    const idb = new IDBFactory();
    const old = new Dexie('llm-lab', { indexedDB: idb, IDBKeyRange });
    old.version(1).stores(stores(1));
    old.version(2).stores(stores(2));
    await old.table('collections').add({ id: 'big', name: 'Many notes', embedder: 'lex', dims: 2, createdAt: 1 });
    const docs = Array.from({ length: 70 }, (_, i) => ({ id: `doc-${(i * 37) % 70}`, createdAt: 100 + i })); // keys not in creation order
    await old.table('documents').bulkAdd(docs.map((d) => ({ ...d, collectionId: 'big', name: d.id, mime: 'text/plain', hash: d.id, size: 1, text: 'x' })));
    await old.table('vectorBlocks').bulkAdd(docs.map((d, i) => ({ docId: d.id, collectionId: 'big', embedder: 'lex', dims: 2, chunkIds: [`${d.id}-c0`], vectors: new Float32Array([i, -i]).buffer })));
    old.close();

    const db = openLabDB('llm-lab', { indexedDB: idb, IDBKeyRange });
    await db.open();
    const blocks = await db.vectorBlocks.toArray();
    expect(blocks).toHaveLength(1); // 70 small blocks ≥ PACK_LIMITS.maxLoose (16): one pack
    expect(blocks[0].docId).toMatch(/^pack:/);
    expect(blocks[0].docIds).toEqual(docs.map((d) => d.id));
    expect(await floats(blocks[0].vectors)).toEqual(docs.flatMap((_, i) => [i, -i]));
    const got = await new RagStore(db).vectors('big', docs.map((d) => `${d.id}-c0`), 'lex');
    expect(Array.from(got.vectors)).toEqual(docs.flatMap((_, i) => [i, -i]));
    db.close();
  });
});
