/**
 * The one IndexedDB database of the lab (dexie), with a versioned schema.
 *
 * Rules for changing it (each later feature follows them):
 * - Never edit a released `version(n).stores(...)` block. Add `version(n+1)` with the new
 *   schema and, when existing rows must change, an `.upgrade(tx => …)` migration.
 * - Every migration gets a test in `test/unit/storage/migrations.test.ts` that opens a database
 *   written by the previous version (with fake-indexeddb) and checks the upgraded rows.
 * - Binary data (embeddings, weights) is stored as ArrayBuffer / typed arrays, never as JSON arrays.
 */
import Dexie, { type EntityTable, type Table, type Transaction } from 'dexie';

export const DB_NAME = 'llm-lab';

/** A task done by the learner: ticked by hand or completed by a lab with evidence. */
export interface ProgressRow {
  taskId: string;
  done: boolean;
  /** 'manual' or the id of the lab that completed it */
  source: string;
  evidence?: Record<string, unknown>;
  updatedAt: number;
}

/** Last state of a lab (the same object its share link carries). */
export interface LabStateRow {
  labId: string;
  state: Record<string, unknown>;
  updatedAt: number;
}

/** Key/value settings (theme, chosen model, remote endpoint URL and key, …). */
export interface SettingRow {
  key: string;
  value: unknown;
}

export interface ConversationRow {
  id: string;
  title: string;
  modelId: string;
  /** ChatMessage[] plus per-message stats; see the chat playground. */
  messages: unknown[];
  systemPrompt?: string;
  params?: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

/** One model call, for inspection and (later) LLMOps lessons. */
export interface TraceRow {
  id?: number;
  at: number;
  engine: string;
  modelId: string;
  request: unknown;
  response?: unknown;
  error?: unknown;
  latencyMs?: number;
  labId?: string;
}

export interface CollectionRow {
  id: string;
  name: string;
  /** embedder id used for this collection's vectors */
  embedder: string;
  dims: number;
  createdAt: number;
}

export interface DocumentRow {
  id: string;
  collectionId: string;
  name: string;
  mime: string;
  /** SHA-256 of the original bytes, hex; detects duplicates */
  hash: string;
  size: number;
  /** extracted plain text */
  text: string;
  /** page start offsets in `text`, for PDFs */
  pages?: number[];
  createdAt: number;
}

export interface ChunkRow {
  id: string;
  collectionId: string;
  docId: string;
  index: number;
  text: string;
  start: number;
  end: number;
  page?: number;
}

/** v1 per-chunk vector row. The table is emptied by the v2 migration and not used since (see VectorBlockRow). */
export interface EmbeddingRow {
  chunkId: string;
  collectionId: string;
  embedder: string;
  /** Float32 vector bytes */
  vector: ArrayBuffer;
}

/**
 * The vectors of one document, packed (v2): one row per document instead of one per chunk, so
 * loading a collection's vectors reads a few rows. Since v3:
 * - the bytes are a Blob: Chromium's IndexedDB hands large ArrayBuffer values back one at a
 *   time, while the Blobs of all blocks can be joined and read in one go (~3× faster for
 *   100k × 384; see `npm run bench rag`);
 * - consecutive small blocks of a collection are merged into packs of several documents
 *   (`planPacks`), because each stored Blob costs a file read (100k vectors in 1000 blocks on
 *   disk: ~3 s; in ~20 packs: ~1 s). A document is still written in one transaction as its own
 *   block; packing happens afterwards, in a transaction of its own, without reading the bytes
 *   (a Blob made of other Blobs).
 */
export interface VectorBlockRow {
  /** the document's id; for a pack of several documents `pack:<uuid>` */
  docId: string;
  /**
   * the documents whose vectors this block holds, in order (v3; index `*docIds`); missing in a
   * row restored from an older backup (then the block is `docId`'s alone)
   */
  docIds: string[];
  collectionId: string;
  /** embedder id that made these vectors */
  embedder: string;
  dims: number;
  /** chunk ids in chunk order; row i of `vectors` belongs to chunkIds[i] */
  chunkIds: string[];
  /**
   * Float32 bytes, [chunkIds.length, dims] row-major: a Blob since v3; an ArrayBuffer in rows
   * written before v3 and not migrated (e.g. restored from an older backup), still readable.
   */
  vectors: Blob | ArrayBuffer;
}

/** Fine-tuned adapters, checkpoints and other model blobs the learner made. */
export interface ModelBlobRow {
  id: string;
  kind: 'checkpoint' | 'lora' | 'dpo' | 'quantized' | 'tokenizer';
  name: string;
  baseModel?: string;
  meta: Record<string, unknown>;
  data: ArrayBuffer;
  createdAt: number;
}

export interface EvalRunRow {
  id: string;
  kind: string;
  modelId: string;
  results: unknown;
  createdAt: number;
}

export interface MemoryRow {
  id: string;
  agentId: string;
  text: string;
  vector?: ArrayBuffer;
  createdAt: number;
}

export type LabDB = Dexie & {
  progress: EntityTable<ProgressRow, 'taskId'>;
  labStates: EntityTable<LabStateRow, 'labId'>;
  settings: EntityTable<SettingRow, 'key'>;
  conversations: EntityTable<ConversationRow, 'id'>;
  traces: EntityTable<TraceRow, 'id'>;
  collections: EntityTable<CollectionRow, 'id'>;
  documents: EntityTable<DocumentRow, 'id'>;
  chunks: EntityTable<ChunkRow, 'id'>;
  /** v1, emptied by the v2 migration; not used (vectors live in `vectorBlocks`). */
  embeddings: EntityTable<EmbeddingRow, 'chunkId'>;
  vectorBlocks: EntityTable<VectorBlockRow, 'docId'>;
  modelBlobs: EntityTable<ModelBlobRow, 'id'>;
  evalRuns: EntityTable<EvalRunRow, 'id'>;
  memories: EntityTable<MemoryRow, 'id'>;
};

/** Schema history. Append only (see the rules above). */
export const SCHEMA_VERSIONS: Array<{ version: number; stores: Record<string, string> }> = [
  {
    version: 1,
    stores: {
      progress: 'taskId, updatedAt',
      labStates: 'labId',
      settings: 'key',
      conversations: 'id, updatedAt',
      traces: '++id, at, modelId, labId',
      collections: 'id, name',
      documents: 'id, collectionId, hash, [collectionId+hash]',
      chunks: 'id, collectionId, docId',
      embeddings: 'chunkId, collectionId, [collectionId+embedder]',
      modelBlobs: 'id, kind, createdAt',
      evalRuns: 'id, kind, createdAt',
      memories: 'id, agentId, createdAt',
    },
  },
  {
    // Dexie keeps every table of earlier versions; a version lists only what it adds or changes.
    // `embeddings` (v1) stays declared but is emptied by the v2 migration and no longer used.
    version: 2,
    stores: {
      vectorBlocks: 'docId, collectionId, [collectionId+embedder]',
    },
  },
  {
    // blocks may hold several documents (packs): `docIds` finds the block of a document
    version: 3,
    stores: {
      vectorBlocks: 'docId, collectionId, [collectionId+embedder], *docIds',
    },
  },
];

/** When and how big to pack vector blocks (see VectorBlockRow); the tests use smaller values. */
export interface PackLimits {
  /** a pack's bytes stay at or under this (a block bigger than half of it is left alone) */
  packBytes: number;
  /** pack once a collection has this many small blocks of one embedder, or packBytes of them */
  maxLoose: number;
}

export const PACK_LIMITS: PackLimits = { packBytes: 8 * 2 ** 20, maxLoose: 16 };

/** The key prefix of a pack (a block of several documents). */
export const PACK_PREFIX = 'pack:';

const blockBytes = (b: VectorBlockRow) => b.chunkIds.length * b.dims * 4;

/** The documents a block holds (a row restored from an older backup has no docIds: its own). */
export const blockDocIds = (b: VectorBlockRow): string[] => b.docIds ?? [b.docId];

/**
 * Document id → position in the order `RagStore.chunks()` reads documents (createdAt, ties by id),
 * so a pack's rows land in the order a collection is loaded.
 */
export function documentOrder(docs: DocumentRow[]): Map<string, number> {
  const sorted = [...docs].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return new Map(sorted.map((d, i) => [d.id, i]));
}

/** What writePacks needs of the vectorBlocks table (the store's typed table or a migration's). */
interface PackTable {
  add(row: VectorBlockRow): Promise<unknown>;
  bulkDelete(keys: string[]): Promise<unknown>;
}

/**
 * Plans the packs of ONE collection's blocks (`planPacks`) and writes them: each group becomes one
 * pack row and its blocks are deleted (call inside a rw transaction on vectorBlocks). Returns how
 * many packs were written.
 */
export async function writePacks(table: PackTable, blocks: VectorBlockRow[], docOrder: Map<string, number>, limits: PackLimits = PACK_LIMITS): Promise<number> {
  const groups = planPacks(blocks, docOrder, limits);
  for (const group of groups) {
    await table.add(mergeBlocks(group));
    await table.bulkDelete(group.map((b) => b.docId));
  }
  return groups.length;
}

/**
 * Which blocks of ONE collection to merge: groups (each of ≥ 2 blocks, to become one pack) of
 * consecutive small blocks of the same embedder and size, in document order (`docOrder`: document
 * id → position; the order `RagStore.chunks()` uses, so a loaded pack lands in place). Nothing
 * is planned until there are `maxLoose` small blocks or `packBytes` of them.
 */
export function planPacks(blocks: VectorBlockRow[], docOrder: Map<string, number>, limits: PackLimits = PACK_LIMITS): VectorBlockRow[][] {
  const small = (b: VectorBlockRow) => blockBytes(b) < limits.packBytes / 2;
  const byKind = new Map<string, VectorBlockRow[]>();
  for (const b of blocks) {
    const k = `${b.embedder}\u0000${b.dims}`;
    const list = byKind.get(k);
    if (list) list.push(b);
    else byKind.set(k, [b]);
  }
  const groups: VectorBlockRow[][] = [];
  for (const list of byKind.values()) {
    const loose = list.filter(small);
    if (loose.length < limits.maxLoose && loose.reduce((s, b) => s + blockBytes(b), 0) < limits.packBytes) continue;
    const pos = (b: VectorBlockRow) => docOrder.get(blockDocIds(b)[0]) ?? Infinity;
    list.sort((a, b) => pos(a) - pos(b) || (a.docId < b.docId ? -1 : 1));
    let run: VectorBlockRow[] = [];
    let bytes = 0;
    const flush = () => {
      if (run.length >= 2) groups.push(run);
      run = [];
      bytes = 0;
    };
    for (const b of list) {
      if (!small(b)) {
        flush();
        continue;
      }
      if (bytes + blockBytes(b) > limits.packBytes) flush();
      run.push(b);
      bytes += blockBytes(b);
    }
    flush();
  }
  return groups;
}

/** One pack from `group` (as planned by planPacks): ids, rows and bytes one block after the other. */
export function mergeBlocks(group: VectorBlockRow[]): VectorBlockRow {
  const [first] = group;
  return {
    docId: `${PACK_PREFIX}${crypto.randomUUID()}`,
    docIds: group.flatMap(blockDocIds),
    collectionId: first.collectionId,
    embedder: first.embedder,
    dims: first.dims,
    chunkIds: group.flatMap((b) => b.chunkIds),
    // a Blob of Blobs: nothing is read here; the browser copies the bytes when the row is stored
    vectors: new Blob(group.map((b) => b.vectors)),
  };
}

/**
 * v1 → v2 rows: packs per-chunk `embeddings` rows into one vector block per document (chunk order
 * = chunk `index`). Chunks without a vector are left out of their block; vectors whose chunk row
 * is gone, or whose embedder/size differs from the rest of their document, are dropped (counted).
 * Pure: used by the v2 migration and by the import of v1 backups.
 */
export function embeddingsToBlocks(chunks: Iterable<Pick<ChunkRow, 'id' | 'docId' | 'index'>>, embeddings: Iterable<EmbeddingRow>): { blocks: Array<Omit<VectorBlockRow, 'docIds'>>; dropped: number } {
  const chunkPos = new Map<string, { docId: string; index: number }>();
  for (const c of chunks) chunkPos.set(c.id, { docId: c.docId, index: c.index });
  const byDoc = new Map<string, { collectionId: string; embedder: string; bytes: number; rows: Array<{ index: number; chunkId: string; vector: ArrayBuffer }> }>();
  let dropped = 0;
  for (const e of embeddings) {
    const pos = chunkPos.get(e.chunkId);
    if (!pos || !(e.vector instanceof ArrayBuffer) || e.vector.byteLength === 0 || e.vector.byteLength % 4) {
      dropped++;
      continue;
    }
    let g = byDoc.get(pos.docId);
    if (!g) byDoc.set(pos.docId, (g = { collectionId: e.collectionId, embedder: e.embedder, bytes: e.vector.byteLength, rows: [] }));
    if (e.embedder !== g.embedder || e.vector.byteLength !== g.bytes) {
      dropped++;
      continue;
    }
    g.rows.push({ index: pos.index, chunkId: e.chunkId, vector: e.vector });
  }
  const blocks: Array<Omit<VectorBlockRow, 'docIds'>> = []; // v2 rows: no docIds (v3 adds them)
  for (const [docId, g] of byDoc) {
    g.rows.sort((a, b) => a.index - b.index);
    const dims = g.bytes / 4;
    const packed = new Float32Array(g.rows.length * dims); // [chunks, dims]
    g.rows.forEach((r, i) => packed.set(new Float32Array(r.vector), i * dims));
    blocks.push({ docId, collectionId: g.collectionId, embedder: g.embedder, dims, chunkIds: g.rows.map((r) => r.chunkId), vectors: packed.buffer });
  }
  return { blocks, dropped };
}

/** v1 → v2: the per-chunk `embeddings` rows become vector blocks (embeddingsToBlocks), then `embeddings` is emptied. */
async function packEmbeddingsIntoBlocks(tx: Transaction): Promise<void> {
  const { blocks } = embeddingsToBlocks(await tx.table('chunks').toArray(), await tx.table('embeddings').toArray());
  await tx.table('vectorBlocks').bulkPut(blocks);
  await tx.table('embeddings').clear();
}

/**
 * v2 → v3: each vector block's bytes become a Blob (same bytes) and the block lists its document
 * (`docIds`); then each collection's small blocks are packed (planPacks), so a collection's
 * vectors load with one read of a few Blobs (see VectorBlockRow).
 */
async function blocksToBlobsAndPacks(tx: Transaction): Promise<void> {
  const table: Table<VectorBlockRow, string> = tx.table('vectorBlocks');
  const blocks: VectorBlockRow[] = (await table.toArray()).map((b) => ({
    ...b,
    docIds: blockDocIds(b),
    vectors: b.vectors instanceof Blob ? b.vectors : new Blob([b.vectors]),
  }));
  await table.bulkPut(blocks);
  const docOrder = documentOrder(await tx.table('documents').toArray());
  const byCollection = new Map<string, VectorBlockRow[]>();
  for (const b of blocks) byCollection.set(b.collectionId, [...(byCollection.get(b.collectionId) ?? []), b]);
  for (const list of byCollection.values()) await writePacks(table, list, docOrder);
}

/** Data migrations, by the version they upgrade to (run by dexie when an older database opens). */
const UPGRADES: Record<number, (tx: Transaction) => Promise<void>> = {
  2: packEmbeddingsIntoBlocks,
  3: blocksToBlobsAndPacks,
};

/**
 * Opens (creating or upgrading) the database. Pass `indexedDB`/`IDBKeyRange` from fake-indexeddb
 * in Node tests. Callers own the instance (no module-level singleton): the app creates one at start-up.
 */
export function openLabDB(name: string = DB_NAME, deps?: { indexedDB: IDBFactory; IDBKeyRange: typeof IDBKeyRange }): LabDB {
  const db = new Dexie(name, deps) as LabDB;
  for (const { version, stores } of SCHEMA_VERSIONS) {
    const v = db.version(version).stores(stores);
    const up = UPGRADES[version];
    if (up) v.upgrade(up);
  }
  return db;
}
