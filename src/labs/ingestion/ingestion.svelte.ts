/**
 * The ingestion lab's work: live chunk preview (worker, newest result wins), and ingesting
 * files — load + split in the worker, duplicate check, lexical embedding in the worker, then
 * one store transaction per document. Each file gets its own outcome line.
 */
import type { DocumentRow } from '../../lib/storage/db';

import { LexicalEmbedder } from '../../lib/rag/embedders';
import { RagError, ragErrorFromData } from '../../lib/rag/errors';
import { MAX_FILE_BYTES } from '../../lib/rag/loaders';
import type { Span } from '../../lib/rag/splitters';
import type { WorkerSplitOptions } from '../../lib/rag/worker-api';
import { RagWorkerClient, type Pending } from '../rag-common/worker-client';
import type { RagSession } from '../rag-common/session.svelte';
import sample from '../../curriculum/lessons/1.4/ingestion';

export interface FileOutcome {
  name: string;
  ok: boolean;
  message: string;
  hint?: string;
}

const explain = (e: unknown): { message: string; hint?: string } => {
  if (e instanceof RagError) return { message: e.message, hint: e.hint };
  const err = e as { message?: string; hint?: string };
  return { message: err?.message ?? String(e), hint: err?.hint };
};

export class IngestionJob {
  previewText = $state(`# ${sample.title}\n${sample.body}`);
  previewName = $state('Sample: the lesson text above');
  spans = $state<Span[]>([]);
  previewError = $state('');
  busy = $state(false);
  progress = $state({ done: 0, total: 0, label: '' });
  outcomes = $state<FileOutcome[]>([]);
  docs = $state<DocumentRow[]>([]);
  #seq = 0;
  #pending: Pending<unknown> | null = null;

  constructor(
    private readonly session: RagSession,
    private readonly client: RagWorkerClient,
  ) {}

  /** Re-splits the preview text; only the newest request's result is shown. */
  async updatePreview(split: WorkerSplitOptions): Promise<boolean> {
    const seq = ++this.#seq;
    try {
      const spans = await this.client.request((api, id) => api.split(id, this.previewText, split)).promise;
      if (seq !== this.#seq) return false;
      this.spans = spans;
      this.previewError = '';
      return true;
    } catch (e) {
      if (seq === this.#seq) this.previewError = explain(e).message;
      return false;
    }
  }

  async loadDocs(collectionId: string): Promise<void> {
    this.docs = collectionId ? await this.session.store.documents(collectionId) : [];
  }

  async deleteDoc(collectionId: string, docId: string): Promise<void> {
    await this.session.store.deleteDocument(docId);
    await this.loadDocs(collectionId);
  }

  cancel(): void {
    this.#pending?.cancel();
  }

  /** Ingests files into a collection; returns how many documents were stored. */
  async ingest(files: File[], collectionId: string, split: WorkerSplitOptions): Promise<number> {
    this.busy = true;
    this.outcomes = [];
    let stored = 0;
    try {
      const col = await this.session.store.db.collections.get(collectionId);
      if (!col) throw new RagError('bad-format', 'Choose or create a collection first.');
      if (!col.embedder.startsWith('lexical-hash-')) throw new RagError('embedder-mismatch', `This collection uses ${col.embedder}, which this lab cannot run yet.`, 'Create a new collection (built-in lexical embedder).');
      const embedder = new LexicalEmbedder(col.dims);
      const workerFiles = await Promise.all(files.map(async (f) => ({ name: f.name, type: f.type, size: f.size, bytes: f.size <= MAX_FILE_BYTES ? await f.arrayBuffer() : new ArrayBuffer(0) })));
      const onProgress = RagWorkerClient.callback((done: number, total: number, name: string) => {
        this.progress = { done, total, label: name ? `Reading ${name}` : 'Read all files' };
      });
      const job = this.client.request((api, id) => api.prepare(id, RagWorkerClient.transfer(workerFiles, workerFiles.map((f) => f.bytes)), split, onProgress));
      this.#pending = job;
      const prepared = await job.promise;
      for (const p of prepared) {
        if (!p.ok) {
          this.outcomes.push({ name: p.name, ok: false, ...explain(ragErrorFromData(p.error)) });
          continue;
        }
        this.progress = { done: stored, total: prepared.length, label: `Embedding and storing ${p.name}` };
        try {
          const dup = await this.session.store.findDuplicate(collectionId, p.hash);
          if (dup) throw new RagError('duplicate', `“${p.name}” is already in this collection (same content as “${dup.name}”).`, 'Nothing was added.');
          const emb = this.client.request((api, id) => api.embedLexical(id, p.chunks.map((c) => c.text), embedder.dims));
          this.#pending = emb;
          const vectors = await emb.promise;
          await this.session.store.addDocument(collectionId, { ...p, embedderId: embedder.id, vectors });
          stored++;
          this.outcomes.push({ name: p.name, ok: true, message: `${p.chunks.length} chunks stored${p.notes.length ? ` (${p.notes.join('; ')})` : ''}.` });
          this.previewText = p.text;
          this.previewName = p.name;
        } catch (e) {
          this.outcomes.push({ name: p.name, ok: false, ...explain(e) });
        }
      }
    } catch (e) {
      const { message, hint } = explain(e);
      this.outcomes.push({ name: 'Ingestion', ok: false, message: /cancel/i.test(message) ? 'Cancelled: files not yet stored were skipped.' : message, hint });
    } finally {
      this.busy = false;
      this.#pending = null;
      await this.loadDocs(collectionId).catch(() => {});
    }
    return stored;
  }
}
