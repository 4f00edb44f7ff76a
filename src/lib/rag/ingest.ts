/**
 * Ingestion: file → text (loaders) → chunks (splitters) → vectors (embedder) → one store
 * transaction. Preparation is separate from storing so the lab can preview chunk boundaries.
 */
import type { Embedder } from './embedders';
import { RagError } from './errors';
import { loadDocument, type FileLike, type LoadOptions, type LoadedDocument } from './loaders';
import { pageAt } from './pdf';
import { split, type Span, type SplitOptions } from './splitters';
import { sha256Hex, type PreparedDocument, type RagStore } from './store';

/** Splits a loaded document, tagging PDF chunks with their page. */
export function chunkDocument(doc: Pick<LoadedDocument, 'text' | 'pages'>, splitter: SplitOptions): Array<Span & { page?: number }> {
  return split(doc.text, splitter).map((s) => ({ ...s, page: pageAt(doc.pages, s.start) }));
}

/** Embeds texts in batches with progress and cancel; returns [n, dims] row-major. */
export async function embedAll(embedder: Embedder, texts: string[], onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<Float32Array> {
  let out: Float32Array | null = null;
  let dims = 0;
  for (let i = 0; i < texts.length; i += embedder.batchSize) {
    if (signal?.aborted) throw new RagError('aborted', 'Cancelled; nothing was stored.');
    const batch = await embedder.embed(texts.slice(i, i + embedder.batchSize), 'document', signal);
    if (!out) {
      dims = batch[0].length;
      out = new Float32Array(texts.length * dims);
    }
    batch.forEach((v, j) => out!.set(v, (i + j) * dims));
    onProgress?.(Math.min(texts.length, i + batch.length), texts.length);
  }
  return out ?? new Float32Array(0);
}

export interface IngestOptions extends LoadOptions {
  splitter: SplitOptions;
  embedder: Embedder;
  signal?: AbortSignal;
  onProgress?: (stage: 'loading' | 'splitting' | 'embedding' | 'storing', done: number, total: number) => void;
}

/** Loads, splits and embeds a file: everything but the store write. */
export async function prepareFile(file: FileLike, opts: IngestOptions): Promise<PreparedDocument & { notes: string[] }> {
  opts.onProgress?.('loading', 0, 1);
  const doc = await loadDocument(file, opts);
  opts.onProgress?.('splitting', 0, 1);
  const chunks = chunkDocument(doc, opts.splitter);
  if (chunks.length === 0) throw new RagError('empty', `“${file.name}” produced no chunks.`);
  const vectors = await embedAll(opts.embedder, chunks.map((c) => c.text), (d, t) => opts.onProgress?.('embedding', d, t), opts.signal);
  return {
    name: doc.name,
    mime: doc.mime,
    hash: await sha256Hex(doc.bytes),
    size: doc.bytes.length,
    text: doc.text,
    pages: doc.pages,
    chunks: chunks.map(({ text, start, end, page, heading }) => ({ text, start, end, page, heading })),
    vectors,
    embedderId: opts.embedder.id,
    notes: doc.notes,
  };
}

/** Ingests one file into a collection (duplicate check first, so nothing is embedded twice). */
export async function ingestFile(store: RagStore, collectionId: string, file: FileLike, opts: IngestOptions) {
  const prepared = await prepareFile(file, opts);
  opts.onProgress?.('storing', 0, 1);
  const row = await store.addDocument(collectionId, prepared);
  return { document: row, chunks: prepared.chunks.length, notes: prepared.notes };
}
