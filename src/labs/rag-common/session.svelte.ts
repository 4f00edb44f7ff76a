/**
 * What the four RAG labs share: the store over the app's database, the list of collections
 * (the built-in "Ask the course" one first), and opening a collection as a Retriever with the
 * chosen vector index. Each lab creates its own session (no module-level state).
 */
import { liveQuery } from 'dexie';
import type { CollectionRow, LabDB } from '../../lib/storage/db';
import { COURSE_COLLECTION_ID, type CourseCollection } from '../../lib/rag/course';
import { buildRegisterCollection, REGISTER_COLLECTION_ID, type RegisterCollection } from '../../lib/rag/register';
import { LexicalEmbedder, type Embedder } from '../../lib/rag/embedders';
import { RagError } from '../../lib/rag/errors';
import { Retriever } from '../../lib/rag/retriever';
import { RagStore } from '../../lib/rag/store';
import { FlatIndex, type VectorIndex } from '../../lib/rag/vector-index';
import { VoyIndex } from '../../lib/rag/voy-index';
import { voyWasmBytes } from '../../lib/rag/voy-browser';
import { loadCourseCollection } from './course-loader';
import { createEmbedder } from './embedders';
import type { EngineSource } from '../../ui/chat/engine-access';

export type IndexKind = 'flat' | 'voy';

export interface CollectionChoice {
  id: string;
  name: string;
  embedder: string;
  builtIn: boolean;
}

export interface OpenedCollection {
  id: string;
  retriever: Retriever;
  /** the document texts by id, for "show in source" */
  docText(docId: string): Promise<string | undefined>;
  buildMs: number;
  /** share of zero coordinates in the stored vectors (sparse vectors are what trips a k-d tree) */
  zeroShare?: number;
}

/** Share of exact zeros in a flat vector buffer. */
function zeroShareOf(v: Float32Array): number {
  let z = 0;
  for (let i = 0; i < v.length; i++) if (v[i] === 0) z++;
  return v.length ? z / v.length : 0;
}

export class RagSession {
  readonly store: RagStore;
  #collections = $state<CollectionRow[]>([]);
  #course: Promise<CourseCollection> | null = null;
  #register: Promise<RegisterCollection> | null = null;

  constructor(
    db: LabDB,
    /** Where neural embedders come from (`ctx.engine`); null: lexical collections only. */
    readonly engine: EngineSource | null = null,
  ) {
    this.store = new RagStore(db);
  }

  /** Built-in course collection first, then the learner's. */
  get choices(): CollectionChoice[] {
    return [
      { id: COURSE_COLLECTION_ID, name: 'Ask the course (built in, lexical)', embedder: 'lexical-hash-768', builtIn: true },
      { id: REGISTER_COLLECTION_ID, name: 'Town register (built in, made for TinyLM)', embedder: 'lexical-hash-768', builtIn: true },
      ...this.#collections.map((c) => ({ id: c.id, name: c.name, embedder: c.embedder, builtIn: false })),
    ];
  }

  get userCollections(): CollectionRow[] {
    return this.#collections;
  }

  async refresh(): Promise<void> {
    this.#collections = await this.store.collections();
  }

  /**
   * Keeps the collection list current while a lab is open: a collection made in the ingestion
   * lab (this page or another tab) appears without a reload. Returns the unsubscribe function.
   */
  watch(): () => void {
    const sub = liveQuery(() => this.store.db.collections.toArray()).subscribe({
      next: () => void this.refresh().catch(() => undefined),
      error: () => undefined,
    });
    return () => sub.unsubscribe();
  }

  /** The course collection, built once per session. */
  course(): Promise<CourseCollection> {
    this.#course ??= loadCourseCollection();
    this.#course.catch(() => (this.#course = null));
    return this.#course;
  }

  /** The town register collection (profiles TinyLM can answer from), built once per session. */
  register(): Promise<RegisterCollection> {
    this.#register ??= buildRegisterCollection();
    this.#register.catch(() => (this.#register = null));
    return this.#register;
  }

  /** Opens a collection for search with the chosen index (rebuilt from stored vectors). */
  async open(id: string, indexKind: IndexKind): Promise<OpenedCollection> {
    const t0 = performance.now();
    if (id === COURSE_COLLECTION_ID || id === REGISTER_COLLECTION_ID) {
      const built = id === COURSE_COLLECTION_ID ? await this.course() : await this.register();
      let retriever = built.retriever;
      if (indexKind === 'voy') {
        const flat = built.retriever.index as FlatIndex;
        const emb = new LexicalEmbedder(flat.dims);
        retriever = new Retriever(built.chunks, Float32Array.from(flat.vectors), emb, await VoyIndex.create(flat.dims, voyWasmBytes));
      }
      const texts = new Map('docs' in built ? built.docs.map((d) => [d.id, d.text]) : built.people.map((p) => [p.id, p.text]));
      const flat = built.retriever.index as FlatIndex;
      const zeroShare = zeroShareOf(flat.vectors.subarray(0, built.chunks.length * flat.dims));
      return { id, retriever, docText: async (docId) => texts.get(docId), buildMs: performance.now() - t0, zeroShare };
    }
    const col = (await this.store.db.collections.get(id)) ?? null;
    if (!col) throw new RagError('bad-format', 'This collection no longer exists.', 'Pick another collection.');
    const embedder: Embedder = await createEmbedder(col.embedder, col.dims, this.engine);
    const chunks = await this.store.chunks(id);
    if (chunks.length === 0) throw new RagError('empty', `“${col.name}” has no documents yet.`, 'Add documents in the ingestion lab.');
    const { vectors } = await this.store.vectors(id, chunks.map((c) => c.id), col.embedder);
    const index: VectorIndex = indexKind === 'voy' ? await VoyIndex.create(col.dims, voyWasmBytes) : new FlatIndex(col.dims, chunks.length);
    const retriever = new Retriever(chunks, vectors, embedder, index);
    return {
      id,
      retriever,
      docText: async (docId) => (await this.store.db.documents.get(docId))?.text,
      buildMs: performance.now() - t0,
      zeroShare: zeroShareOf(vectors),
    };
  }
}
