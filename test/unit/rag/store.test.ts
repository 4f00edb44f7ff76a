import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openLabDB, SCHEMA_VERSIONS, type LabDB } from '../../../src/lib/storage/db';
import { RagStore, sha256Hex } from '../../../src/lib/rag/store';
import { ingestFile, type IngestOptions } from '../../../src/lib/rag/ingest';
import { LexicalEmbedder } from '../../../src/lib/rag/embedders';
import { RagError } from '../../../src/lib/rag/errors';
import type { FileLike } from '../../../src/lib/rag/loaders';

const file = (name: string, content: string | Uint8Array): FileLike => {
  const b = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return { name, size: b.length, arrayBuffer: async () => b.slice().buffer };
};

let db: LabDB;
let store: RagStore;
let colId: string;
const embedder = new LexicalEmbedder();
const opts: IngestOptions = { splitter: { kind: 'recursive', size: 60, overlap: 10 }, embedder };
let n = 0;

beforeEach(async () => {
  db = openLabDB(`rag-test-${n++}`);
  store = new RagStore(db);
  colId = (await store.createCollection('Notes', embedder)).id;
  await ingestFile(store, colId, file('first.md', '# One\n\nThe first document talks about retrieval and vectors.\n\nA second paragraph here.'), opts);
});
afterEach(async () => {
  db.close();
});

async function counts() {
  const blocks = await db.vectorBlocks.toArray();
  return { docs: await db.documents.count(), chunks: await db.chunks.count(), blocks: blocks.length, vectors: blocks.reduce((s, b) => s + b.chunkIds.length, 0) };
}

describe('RagStore', () => {
  it('uses the latest shared schema', () => {
    expect(db.verno).toBe(SCHEMA_VERSIONS[SCHEMA_VERSIONS.length - 1].version);
  });

  it('stores document, chunks and binary vectors, and loads them back', async () => {
    const c = await counts();
    expect(c.docs).toBe(1);
    expect(c.chunks).toBeGreaterThan(1);
    expect(c.blocks).toBe(1);
    expect(c.vectors).toBe(c.chunks);
    expect(await db.embeddings.count()).toBe(0); // v1 table, unused
    const row = await db.vectorBlocks.toCollection().first();
    expect(row!.vectors).toBeInstanceOf(Blob); // schema v3
    expect((row!.vectors as Blob).size).toBe(c.chunks * embedder.dims * 4);
    expect(row!.dims).toBe(embedder.dims);
    expect(row!.embedder).toBe(embedder.id);
    const chunks = await store.chunks(colId);
    expect(row!.chunkIds).toEqual(chunks.map((x) => x.id));
    const { vectors } = await store.vectors(colId, chunks.map((x) => x.id), embedder.id);
    const [again] = await embedder.embed([chunks[0].text], 'document');
    expect(Array.from(vectors.subarray(0, embedder.dims))).toEqual(Array.from(again));
    // any requested order, assembled from the block
    const last = chunks.length - 1;
    const reversed = await store.vectors(colId, [chunks[last].id, chunks[0].id], embedder.id);
    expect(Array.from(reversed.vectors.subarray(0, embedder.dims))).toEqual(Array.from(vectors.subarray(last * embedder.dims, (last + 1) * embedder.dims)));
    expect(Array.from(reversed.vectors.subarray(embedder.dims))).toEqual(Array.from(again));
    const missing = await store.vectors(colId, [chunks[0].id, 'no-such-chunk'], embedder.id).catch((e) => e);
    expect(missing).toBeInstanceOf(RagError);
    expect(missing.code).toBe('embedder-mismatch');
    expect(chunks[0].docName).toBe('first.md');
    const doc = (await store.documents(colId))[0];
    expect(doc.hash).toBe(await sha256Hex(new TextEncoder().encode('# One\n\nThe first document talks about retrieval and vectors.\n\nA second paragraph here.')));
  });

  it('refuses a duplicate file (same bytes, other name) and keeps the collection as it was', async () => {
    const before = await counts();
    const err = await ingestFile(store, colId, file('copy.md', '# One\n\nThe first document talks about retrieval and vectors.\n\nA second paragraph here.'), opts).catch((e) => e);
    expect(err).toBeInstanceOf(RagError);
    expect(err.code).toBe('duplicate');
    expect(err.message).toMatch(/first\.md/);
    expect(await counts()).toEqual(before);
  });

  it('a quota failure midway leaves no half-stored document', async () => {
    const before = await counts();
    const spy = vi.spyOn(db.vectorBlocks, 'add').mockImplementation(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    const err = await ingestFile(store, colId, file('second.txt', 'Another document about BM25 and keyword search.'), opts).catch((e) => e);
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    expect(err).toBeInstanceOf(RagError);
    expect(err.code).toBe('quota');
    expect(err.hint).toMatch(/Delete/);
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['empty.txt', ''],
    ['binary.txt', new Uint8Array([0, 1, 2, 3, 255, 0])],
    ['latin1.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9])],
    ['broken.pdf', '%PDF-1.7 not really'],
  ])('bad file %s: clear error, collection untouched', async (name, content) => {
    const before = await counts();
    const loadPdfjs = async () => (await import('pdfjs-dist/legacy/build/pdf.mjs')) as never;
    const err = await ingestFile(store, colId, file(name, content), { ...opts, loadPdfjs }).catch((e) => e);
    expect(err).toBeInstanceOf(RagError);
    expect(err.message).toContain(name);
    expect(await counts()).toEqual(before);
  });

  it('refuses vectors from another embedder', async () => {
    const other = new LexicalEmbedder(64);
    const err = await ingestFile(store, colId, file('x.txt', 'some new words'), { ...opts, embedder: other }).catch((e) => e);
    expect(err.code).toBe('embedder-mismatch');
  });

  it('detects stale vectors and re-embeds in one swap', async () => {
    const other = new LexicalEmbedder(64);
    expect(await store.staleCount(colId, embedder.id)).toBe(0);
    expect(await store.staleCount(colId, other.id)).toBe(await db.chunks.count());
    const progress: number[] = [];
    await store.reembed(colId, other, (d) => progress.push(d));
    expect(progress.at(-1)).toBe(await db.chunks.count());
    expect(await store.staleCount(colId, other.id)).toBe(0);
    const col = await db.collections.get(colId);
    expect(col).toMatchObject({ embedder: other.id, dims: 64 });
    const rows = await db.vectorBlocks.toArray();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ embedder: other.id, dims: 64 });
    expect((rows[0].vectors as Blob).size).toBe((await db.chunks.count()) * 64 * 4);
    const chunks = await store.chunks(colId);
    const { vectors } = await store.vectors(colId, chunks.map((x) => x.id), other.id);
    expect(Array.from(vectors.subarray(64, 128))).toEqual(Array.from((await other.embed([chunks[1].text], 'document'))[0]));
    expect((await store.vectors(colId, [chunks[0].id], embedder.id).catch((e) => e)).code).toBe('embedder-mismatch');
  });

  it('loads several documents’ blocks (Blob or older ArrayBuffer rows) in chunks() order, in any order, with duplicates', async () => {
    await ingestFile(store, colId, file('b.txt', 'Second file with other words entirely. It goes on for a while so that it splits.'), opts);
    await ingestFile(store, colId, file('c.txt', 'Third one: about embeddings, cosine similarity and the flat index.'), opts);
    // a block as a pre-v3 row (or one restored from an older backup) holds an ArrayBuffer
    const [, second] = await store.documents(colId);
    const block = (await db.vectorBlocks.get(second.id))!;
    await db.vectorBlocks.put({ ...block, vectors: await (block.vectors as Blob).arrayBuffer() });
    const chunks = await store.chunks(colId);
    expect(new Set(chunks.map((c) => c.docId)).size).toBe(3);
    const expected = await embedder.embed(chunks.map((c) => c.text), 'document');
    const d = embedder.dims;
    const rowsOf = (v: Float32Array) => Array.from({ length: v.length / d }, (_, i) => Array.from(v.subarray(i * d, (i + 1) * d)));
    const inOrder = await store.vectors(colId, chunks.map((c) => c.id), embedder.id);
    expect(rowsOf(inOrder.vectors)).toEqual(expected.map((v) => Array.from(v)));
    const order = [chunks.length - 1, 0, 2, 0, 1]; // reordered, one chunk twice, a subset
    const picked = await store.vectors(colId, order.map((i) => chunks[i].id), embedder.id);
    expect(rowsOf(picked.vectors)).toEqual(order.map((i) => Array.from(expected[i])));
    expect((await store.vectors(colId, [], embedder.id)).vectors.length).toBe(0);
  });

  it('a block restored from an older backup (ArrayBuffer, no docIds) is packed and deleted like the others', async () => {
    await ingestFile(store, colId, file('b.txt', 'Second file with other words entirely.'), opts);
    const [first, second] = await store.documents(colId);
    const old = (await db.vectorBlocks.get(first.id))!;
    const { docIds: _, ...legacy } = old;
    await db.vectorBlocks.put({ ...legacy, vectors: await (old.vectors as Blob).arrayBuffer() } as typeof old);
    const packed = new RagStore(db, { packBytes: 2 ** 30, maxLoose: 2 });
    expect(await packed.compact(colId)).toBe(1);
    const [pack] = await db.vectorBlocks.toArray();
    expect(pack.docIds).toEqual([first.id, second.id]);
    await store.deleteDocument(first.id);
    const [after] = await db.vectorBlocks.toArray();
    expect(after.docIds).toEqual([second.id]);
    // and without packing: the legacy block goes with its document
    await db.vectorBlocks.clear();
    await db.vectorBlocks.put({ ...legacy, docId: second.id, chunkIds: (await store.chunks(colId)).map((c) => c.id), vectors: new ArrayBuffer((await store.chunks(colId)).length * embedder.dims * 4) } as typeof old);
    await store.deleteDocument(second.id);
    expect(await counts()).toEqual({ docs: 0, chunks: 0, blocks: 0, vectors: 0 });
  });

  it('a damaged block (bytes do not match its chunk count) is a clear error', async () => {
    const row = (await db.vectorBlocks.toCollection().first())!;
    await db.vectorBlocks.put({ ...row, vectors: new Blob([new Float32Array(3)]) });
    const chunks = await store.chunks(colId);
    const err = await store.vectors(colId, chunks.map((c) => c.id), embedder.id).catch((e) => e);
    expect(err).toBeInstanceOf(RagError);
    expect(err.message).toMatch(/12 bytes for \d+ × 768/);
    expect(err.hint).toMatch(/Re-embed/);
  });

  it('packs small vector blocks into one block of several documents, loads and deletes through it', async () => {
    const packed = new RagStore(db, { packBytes: 2 ** 30, maxLoose: 3 });
    const texts = ['Alpha talks about tokens.', 'Beta is on embeddings and cosine.', 'Gamma covers BM25 and lexical search.', 'Delta: chunking with overlap.', 'Epsilon: rerankers.'];
    for (const [i, t] of texts.entries()) {
      await ingestFile(packed, colId, file(`doc${i}.txt`, t), opts);
      if (i === 3) expect(await db.vectorBlocks.count()).toBe(3); // a pack and 2 single documents
    }
    // first.md + doc0 + doc1 → a pack (3 single-document blocks); then with doc2..doc4, the
    // (still small) pack and the three → one pack of all six
    const blocks = await db.vectorBlocks.toArray();
    expect(blocks).toHaveLength(1);
    const docs = await store.documents(colId);
    expect(blocks[0].docId).toMatch(/^pack:/);
    expect(blocks[0].docIds).toEqual(docs.map((d) => d.id));
    const chunks = await store.chunks(colId);
    expect(blocks[0].chunkIds).toEqual(chunks.map((c) => c.id)); // document order: loads in place
    const expected = (await embedder.embed(chunks.map((c) => c.text), 'document')).map((v) => Array.from(v));
    const rows = (v: Float32Array) => Array.from({ length: v.length / embedder.dims }, (_, i) => Array.from(v.subarray(i * embedder.dims, (i + 1) * embedder.dims)));
    expect(rows((await packed.vectors(colId, chunks.map((c) => c.id), embedder.id)).vectors)).toEqual(expected);
    // deleting a document in the middle rewrites the pack without its rows
    const gone = docs[2];
    await packed.deleteDocument(gone.id);
    const [after] = await db.vectorBlocks.toArray();
    expect(after.docIds).toEqual(docs.filter((d) => d !== gone).map((d) => d.id));
    const left = await store.chunks(colId);
    expect(left.some((c) => c.docId === gone.id)).toBe(false);
    expect(after.chunkIds).toEqual(left.map((c) => c.id));
    expect((after.vectors as Blob).size).toBe(left.length * embedder.dims * 4);
    const keep = chunks.map((c, i) => [c, i] as const).filter(([c]) => c.docId !== gone.id).map(([, i]) => expected[i]);
    expect(rows((await packed.vectors(colId, left.map((c) => c.id), embedder.id)).vectors)).toEqual(keep);
    for (const d of docs) if (d !== gone) await packed.deleteDocument(d.id);
    expect(await counts()).toEqual({ docs: 0, chunks: 0, blocks: 0, vectors: 0 });
  });

  it('packs stay under packBytes, big blocks are left alone, re-embedding packs too', async () => {
    const rowBytes = embedder.dims * 4;
    for (let i = 0; i < 6; i++) await ingestFile(store, colId, file(`n${i}.txt`, `Note ${i} about topic ${'xyz'.repeat(i)}.`), opts);
    expect(await db.vectorBlocks.count()).toBe(7); // default limits: nothing packed yet
    const sizes = (await db.vectorBlocks.toArray()).map((b) => b.chunkIds.length);
    // room for three single-chunk documents per pack; first.md (several chunks) is too big to pack
    const small = new RagStore(db, { packBytes: 3 * rowBytes, maxLoose: 2 });
    expect(sizes.filter((n) => n === 1)).toHaveLength(6);
    expect(await small.compact(colId)).toBe(2);
    const blocks = await db.vectorBlocks.toArray();
    expect(blocks.map((b) => b.docIds.length).sort()).toEqual([1, 3, 3]);
    for (const b of blocks) if (b.docIds.length > 1) expect(b.chunkIds.length * rowBytes).toBeLessThanOrEqual(3 * rowBytes);
    expect(await small.compact(colId)).toBe(0); // packs are not small any more
    const chunks = await store.chunks(colId);
    const expected = (await embedder.embed(chunks.map((c) => c.text), 'document')).map((v) => Array.from(v));
    const got = (await store.vectors(colId, chunks.map((c) => c.id), embedder.id)).vectors;
    expect(Array.from({ length: chunks.length }, (_, i) => Array.from(got.subarray(i * embedder.dims, (i + 1) * embedder.dims)))).toEqual(expected);
    // re-embedding writes one block per document, then packs them
    const other = new LexicalEmbedder(64);
    await new RagStore(db, { packBytes: 2 ** 30, maxLoose: 4 }).reembed(colId, other);
    const re = await db.vectorBlocks.toArray();
    expect(re).toHaveLength(1);
    expect(re[0].chunkIds).toEqual(chunks.map((c) => c.id));
  });

  it('deletes a document or a collection with all its rows', async () => {
    await ingestFile(store, colId, file('b.txt', 'Second file with other words entirely.'), opts);
    const [first] = await store.documents(colId);
    expect(await db.vectorBlocks.count()).toBe(2);
    await store.deleteDocument(first.id);
    expect(await db.vectorBlocks.get(first.id)).toBeUndefined();
    expect(await db.vectorBlocks.count()).toBe(1);
    expect((await store.documents(colId)).map((d) => d.name)).toEqual(['b.txt']);
    expect(await db.chunks.where('docId').equals(first.id).count()).toBe(0);
    await store.deleteCollection(colId);
    expect(await counts()).toEqual({ docs: 0, chunks: 0, blocks: 0, vectors: 0 });
  });
});
