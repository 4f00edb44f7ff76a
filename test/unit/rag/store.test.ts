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

  it('a damaged block (bytes do not match its chunk count) is a clear error', async () => {
    const row = (await db.vectorBlocks.toCollection().first())!;
    await db.vectorBlocks.put({ ...row, vectors: new Blob([new Float32Array(3)]) });
    const chunks = await store.chunks(colId);
    const err = await store.vectors(colId, chunks.map((c) => c.id), embedder.id).catch((e) => e);
    expect(err).toBeInstanceOf(RagError);
    expect(err.message).toMatch(/12 bytes for \d+ × 768/);
    expect(err.hint).toMatch(/Re-embed/);
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
