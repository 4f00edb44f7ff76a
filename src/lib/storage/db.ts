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
import Dexie, { type EntityTable } from 'dexie';

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

export interface EmbeddingRow {
  chunkId: string;
  collectionId: string;
  embedder: string;
  /** Float32 vector bytes */
  vector: ArrayBuffer;
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
  embeddings: EntityTable<EmbeddingRow, 'chunkId'>;
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
];

/**
 * Opens (creating or upgrading) the database. Pass `indexedDB`/`IDBKeyRange` from fake-indexeddb
 * in Node tests. Callers own the instance (no module-level singleton): the app creates one at start-up.
 */
export function openLabDB(name: string = DB_NAME, deps?: { indexedDB: IDBFactory; IDBKeyRange: typeof IDBKeyRange }): LabDB {
  const db = new Dexie(name, deps) as LabDB;
  for (const { version, stores } of SCHEMA_VERSIONS) db.version(version).stores(stores);
  return db;
}
