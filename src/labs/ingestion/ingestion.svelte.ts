/**
 * The ingestion lab's work: live chunk preview (worker, newest result wins), and ingesting
 * files. With the lexical embedder the worker does it all (read, split, embed, duplicate check,
 * one store transaction per document), so a 50 MB file or 5,000 files never block the page;
 * with a neural embedder the worker reads and splits, the engine embeds, the page stores.
 * Each file gets its own outcome line.
 */
import type { DocumentRow } from '../../lib/storage/db';

import { LexicalEmbedder, type Embedder } from '../../lib/rag/embedders';
import { embedAll } from '../../lib/rag/ingest';
import { createEmbedder } from '../rag-common/embedders';
import { isAbort } from '../../lib/errors';
import { RagError, ragErrorFromData } from '../../lib/rag/errors';
import type { Span } from '../../lib/rag/splitters';
import type { WorkerSplitOptions } from '../../lib/rag/worker-api';
import type { RagClient } from '../../lib/rag/client';
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
  #abort: AbortController | null = null;
  #embedders = new Map<string, Embedder>();
  /** chunks in the current collection whose vectors come from another embedder */
  stale = $state(0);
  modelLoad = $state('');

  constructor(
    private readonly session: RagSession,
    private readonly client: RagClient,
  ) {}

  /** Re-splits the preview text; only the newest request's result is shown. */
  async updatePreview(split: WorkerSplitOptions): Promise<boolean> {
    const seq = ++this.#seq;
    try {
      const spans = await this.client.call('split', [this.previewText, split]);
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

  /** Cancels the ingestion in flight: nothing more is stored, whatever step it is at. */
  cancel(): void {
    this.#abort?.abort();
  }

  /** The embedder for an id, created once (neural ones load their model with progress). */
  async embedder(id: string, dims: number): Promise<Embedder> {
    let e = this.#embedders.get(id);
    if (!e) {
      e = await createEmbedder(id, dims, this.session.engine, (p) => (this.modelLoad = `${p.text} (${Math.round(p.progress * 100)}%)`));
      this.modelLoad = '';
      this.#embedders.set(id, e);
    }
    return e;
  }

  /** Creates a collection for an embedder (a probe embedding learns the dims of remote models). */
  async createCollection(name: string, embedderId: string): Promise<string> {
    const e = await this.embedder(embedderId, 0);
    const dims = e.dims || (await e.embed(['dimension probe'], 'document'))[0].length;
    return (await this.session.store.createCollection(name, { id: e.id, dims })).id;
  }

  /** How many chunks would need re-embedding to use `embedderId`. */
  async checkStale(collectionId: string, embedderId: string): Promise<void> {
    this.stale = collectionId ? await this.session.store.staleCount(collectionId, embedderId) : 0;
  }

  /** Re-embeds the collection with another embedder (vectors computed first, swapped in one transaction). */
  async reembed(collectionId: string, embedderId: string): Promise<void> {
    this.busy = true;
    this.outcomes = [];
    const ac = new AbortController();
    this.#abort = ac;
    try {
      const e = await this.embedder(embedderId, 0);
      await this.session.store.reembed(collectionId, e, (done, total) => (this.progress = { done, total, label: `Re-embedding with ${e.label}` }), ac.signal);
      this.outcomes.push({ name: 'Re-embedding', ok: true, message: `All chunks now have ${e.id} vectors.` });
    } catch (err) {
      this.outcomes.push({ name: 'Re-embedding', ok: false, ...explain(err) });
    } finally {
      this.busy = false;
      this.#abort = null;
      await this.checkStale(collectionId, embedderId).catch(() => {});
    }
  }

  /** Ingests files into a collection; returns how many documents were stored. */
  async ingest(files: File[], collectionId: string, split: WorkerSplitOptions): Promise<number> {
    this.busy = true;
    this.outcomes = [];
    // One signal for every step: the worker's reading and embedding, the engine's embedding and
    // each store write (a cancel at any moment stores nothing more).
    const ac = new AbortController();
    this.#abort = ac;
    const stopIfCancelled = () => {
      if (ac.signal.aborted) throw new RagError('aborted', 'Cancelled.');
    };
    let stored = 0;
    try {
      const col = await this.session.store.db.collections.get(collectionId);
      if (!col) throw new RagError('bad-format', 'Choose or create a collection first.');
      const embedder = await this.embedder(col.embedder, col.dims);
      stopIfCancelled();
      const onProgress = ({ done, total, name }: { done: number; total: number; name: string }) =>
        void (this.progress = { done, total, label: name ? `Reading ${name}` : 'Read all files' });
      if (embedder instanceof LexicalEmbedder) {
        // The whole lexical path runs in the worker, storing included: the page only passes File
        // handles (nothing is read or copied here) and shows the outcomes.
        const { outcomes, preview } = await this.client.call('ingest', [{ dbName: this.session.store.db.name, collectionId }, files, split, embedder.dims], { signal: ac.signal, onProgress });
        // One assignment, one render (5,000 files make 5,000 lines).
        this.outcomes = outcomes.map((o) =>
          o.ok
            ? { name: o.name, ok: true, message: `${o.chunks} chunks stored${o.notes.length ? ` (${o.notes.join('; ')})` : ''}.` }
            : { name: o.name, ok: false, ...explain(ragErrorFromData(o.error)) },
        );
        stored = outcomes.filter((o) => o.ok).length;
        if (preview) {
          this.previewText = preview.text;
          this.previewName = preview.truncated ? `${preview.name} (first ${preview.text.length.toLocaleString('en')} characters)` : preview.name;
        }
        return stored;
      }
      // Neural embedders run in the engine (web-llm's worker, or the remote server): the worker
      // reads and splits, the page embeds and stores.
      const prepared = await this.client.call('prepare', [files, split, undefined], { signal: ac.signal, onProgress });
      for (const p of prepared) {
        stopIfCancelled();
        if (!p.ok) {
          this.outcomes.push({ name: p.name, ok: false, ...explain(ragErrorFromData(p.error)) });
          continue;
        }
        this.progress = { done: stored, total: prepared.length, label: `Embedding and storing ${p.name}` };
        try {
          const dup = await this.session.store.findDuplicate(collectionId, p.hash);
          if (dup) throw new RagError('duplicate', `“${p.name}” is already in this collection (same content as “${dup.name}”).`, 'Nothing was added.');
          const vectors = await embedAll(embedder, p.chunks.map((c) => c.text), (d, t) => (this.progress = { done: d, total: t, label: `Embedding ${p.name}` }), ac.signal);
          stopIfCancelled();
          await this.session.store.addDocument(collectionId, { ...p, embedderId: embedder.id, vectors });
          stored++;
          this.outcomes.push({ name: p.name, ok: true, message: `${p.chunks.length} chunks stored${p.notes.length ? ` (${p.notes.join('; ')})` : ''}.` });
          this.previewText = p.text;
          this.previewName = p.name;
        } catch (e) {
          if (isAbort(e)) throw e;
          this.outcomes.push({ name: p.name, ok: false, ...explain(e) });
        }
      }
    } catch (e) {
      if (isAbort(e)) this.outcomes.push({ name: 'Ingestion', ok: false, message: 'Cancelled: files not yet stored were skipped.' });
      else this.outcomes.push({ name: 'Ingestion', ok: false, ...explain(e) });
    } finally {
      this.busy = false;
      this.#abort = null;
      await this.loadDocs(collectionId).catch(() => {});
    }
    return stored;
  }
}
